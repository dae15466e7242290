"""Staff accounts and the box's settings: login, first run, users, tokens, town, audit log."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from appliance.accounts import setupcode
from appliance.accounts.pages import register_core_pages
from appliance.accounts.throttle import VERIFY_SLOTS
from appliance.core.capability import Capability

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def setup(appliance: Appliance) -> None:
    """Add the account pages and announce the first-run code once the database is open."""
    assert appliance.lan is not None
    register_core_pages(appliance.lan)
    # At most a few argon2 checks at once, whatever the number of addresses trying.
    appliance.lan.extensions["admin.login_slots"] = asyncio.Semaphore(VERIFY_SLOTS)

    @appliance.lan.before_serving
    async def announce_setup_code() -> None:
        """Print the one-time code for the first admin while no account exists."""
        await setupcode.announce(appliance.db, appliance.lan_url)


CAPABILITY = Capability("accounts", setup)
