"""Every LAN route needs a session or a token, and none of them exists on the public listener.

Routes are read from the real app's URL map, so pages added by later capabilities are checked
without touching this test; only routes opened on purpose (``requires(ANYONE)``) are listed.
"""

import re

import httpx
import pytest

from appliance.lan.access import is_open

pytestmark = pytest.mark.fast

# Pages open without login, on purpose. A new one must be added here consciously.
OPEN_ON_PURPOSE = {
    "static",
    "auth.login_form",
    "auth.login",
    "auth.language",
    "setup.setup_form",
    "setup.setup",
    "accessibility.statement",
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _sample_path(rule) -> str:
    return re.sub(
        r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", lambda m: "1" if m[1] == "int" else "x", rule.rule
    )


def _lan_routes(running):
    app = running.appliance.lan
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, app.view_functions[rule.endpoint]


def test_open_routes_are_exactly_the_intended_ones(shared_running):
    opened = {
        rule.endpoint
        for rule, _, view in _lan_routes(shared_running)
        if rule.endpoint == "static" or is_open(view)
    }
    assert opened == OPEN_ON_PURPOSE


def test_every_lan_route_needs_login_or_token(shared_running):
    routes = [
        (r, m) for r, m, _ in _lan_routes(shared_running) if r.endpoint not in OPEN_ON_PURPOSE
    ]
    assert len(routes) > 15  # the crawler really found the shell's routes
    with httpx.Client(
        base_url=shared_running.lan_url, headers={"Origin": shared_running.lan_url}
    ) as http:
        for rule, method in routes:
            path = _sample_path(rule)
            response = http.request(method, path)
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path, response.status_code)
                assert response.json()["error"]["code"] == "unauthorized"
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
            else:
                assert response.status_code == 303, (method, path, response.status_code)
                assert response.headers["location"].startswith("/login"), (method, path)


def test_no_lan_route_exists_on_the_public_listener(shared_running):
    with httpx.Client(base_url=shared_running.public_url) as http:
        for rule, method, _ in _lan_routes(shared_running):
            path = _sample_path(rule)
            if rule.endpoint == "static":
                path = "/static/app.css"
            response = http.request(method, path)
            assert response.status_code == 404, (method, path, response.status_code)
            assert "banditore" not in response.text.lower()


def test_static_files_are_served_on_the_lan_only(shared_running):
    assert httpx.get(shared_running.lan_url + "/static/app.css").status_code == 200
    assert httpx.get(shared_running.public_url + "/static/app.css").status_code == 404
