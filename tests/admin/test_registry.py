"""A later capability plugs a page into the shell: nav entry, default admin-only, role checks."""

import httpx
import pytest

from appliance.lan.registry import NavItem, add_pages
from tests.support.appliance import RunningAppliance
from tests.support.pages import sample_campaigns_pages
from tests.support.staff import add_user, login

pytestmark = pytest.mark.slow


@pytest.fixture
def with_plugin(config):
    running = RunningAppliance(config)
    add_pages(
        running.appliance.lan,
        sample_campaigns_pages(),
        NavItem("campaigns.index", "Campagne", order=50),
    )
    running.start()
    try:
        for role in ("admin", "operator", "editor", "viewer"):
            add_user(running, role, role)
        yield running
    finally:
        running.stop()


def test_roles_decide_pages_buttons_and_nav(with_plugin):
    running = with_plugin
    expected = {
        # role: (sees nav entry and page, sees send button, send status, purge status)
        "admin": (True, True, 200, 200),
        "operator": (True, True, 200, 403),
        "editor": (True, False, 403, 403),
        "viewer": (False, False, 403, 403),
    }
    for role, (sees_page, sees_send, send, purge) in expected.items():
        http = login(running, role)
        home = http.get("/").text
        assert ('href="/campaigns"' in home) is sees_page, role
        page = http.get("/campaigns")
        assert page.status_code == (200 if sees_page else 403), role
        assert ("Invia" in page.text) is sees_send, role
        assert http.post("/campaigns/1/send").status_code == send, role
        assert http.post("/campaigns/1/purge").status_code == purge, role


def test_plugged_routes_are_closed_to_anonymous_and_absent_from_the_public_side(with_plugin):
    running = with_plugin
    with httpx.Client(headers={"Origin": running.lan_url}) as http:
        assert http.post(running.lan_url + "/campaigns/1/purge").status_code == 303
        assert http.get(running.public_url + "/campaigns").status_code == 404
