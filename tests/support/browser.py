"""Browser tests: the appliance as Chromium sees it, signing in, and the accessibility check.

The appliance runs in its own thread on 127.0.0.1; Chromium reaches it as http://appliance.test:PORT,
an ordinary insecure origin like a LAN name, which is what exposes the Secure-cookie pitfall and
the missing Sec-Fetch-Site on plain HTTP.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from appliance.lan.security import HostAllowList
from tests.support.appliance import RunningAppliance
from tests.support.db import Row, rows
from tests.support.staff import PASSWORD

HOST = "appliance.test"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# Debian's Chromium, no sandbox (root in CI), no calls out, appliance.test -> loopback.
CHROMIUM = {
    "executable_path": "/usr/bin/chromium",
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--host-resolver-rules=MAP {HOST} 127.0.0.1",
    ],
}


class LiveServer:
    """A running appliance and its address as the browser sees it."""

    def __init__(self, running: RunningAppliance) -> None:
        self.running = running
        self.url = f"http://{HOST}:{urlsplit(running.lan_url).port}"
        # The browser's name for the box, as [server] allowed_hosts would list a LAN name.
        running.appliance.lan.extensions["admin.hosts"] = HostAllowList([HOST])

    def call(self, coro):
        """Run a coroutine in the appliance's loop."""
        return self.running.call(coro)

    def rows(self, sql: str, params: tuple = ()) -> list[Row]:
        """Query the appliance's database."""
        return rows(self.running, sql, params)


def live_server(running: RunningAppliance) -> Iterator[LiveServer]:
    """Start ``running``, yield it as a LiveServer, stop it afterwards."""
    running.start()
    try:
        yield LiveServer(running)
    finally:
        running.stop()


def log_in(page: Page, server: LiveServer, name: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and land on the dashboard."""
    page.goto(server.url + "/login")
    page.get_by_label("Nome utente").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()
    expect(page.get_by_role("heading", level=1, name="Cruscotto")).to_be_visible()


def assert_accessible(axe: Axe, page) -> None:
    """No WCAG 2.1 A/AA violation on the page as it is now."""
    results = axe.run(page, options=WCAG_AA)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


SHOTS = os.environ.get("BANDITORE_SCREENSHOTS", "")  # a folder to keep screenshots in


def keep_screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot into $BANDITORE_SCREENSHOTS, when it is set (for looking)."""
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)
