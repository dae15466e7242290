"""Ids and pages out of range answer 404 or 400 on every route, never a 500 with a traceback."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from appliance.campaigns.engine import CAMPAIGNS
from appliance.campaigns.model import parse_campaign
from tests.support.staff import add_user, login

pytestmark = pytest.mark.slow

TOO_BIG = "9223372036854775808"  # one past SQLite's INTEGER
LARGEST = "9223372036854775807"  # a valid id no row has
_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _routes(app, value: str) -> list[tuple[str, str]]:
    """(method, path) for every rule of ``app``, integer parts set to ``value``."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        if not any(conv == "int" for conv, _ in _PARAM.findall(rule.rule)):
            continue
        path = _PARAM.sub(lambda m: value if m.group(1) == "int" else "x", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def _answers(http: httpx.Client, routes: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    return {
        (m, p): http.request(m, p, data={} if m != "GET" else None).status_code for m, p in routes
    }


def test_every_lan_route_with_an_id_past_sqlite_is_404(running, caplog):
    caplog.set_level(logging.ERROR)
    add_user(running, "boss")
    http = login(running, "boss")
    routes = _routes(running.appliance.lan, TOO_BIG)
    assert len(routes) > 20  # the enumeration really found the id routes
    answers = _answers(http, routes)
    assert {k: v for k, v in answers.items() if v != 404} == {}
    assert "Traceback" not in caplog.text


def test_every_lan_route_with_an_unknown_id_is_a_client_error(running, caplog):
    caplog.set_level(logging.ERROR)
    add_user(running, "boss")
    http = login(running, "boss")
    answers = _answers(http, _routes(running.appliance.lan, LARGEST))
    assert {k: v for k, v in answers.items() if v >= 500} == {}
    assert "Traceback" not in caplog.text


def test_the_public_privacy_page_past_sqlite_is_404(running, caplog):
    caplog.set_level(logging.ERROR)
    for value in (TOO_BIG, LARGEST, "99999999999999999999999999"):
        response = httpx.get(f"{running.public_url}/privacy/{value}")
        assert response.status_code == 404, (value, response.text)
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    ("path", "arg"),
    [("/subscribers", "page"), ("/audit", "page"), ("/studio/campaigns/1", "offset")],
)
@pytest.mark.parametrize("value", [TOO_BIG, "-1", "abc", "1e9"])
def test_page_and_offset_out_of_range_are_400(running, caplog, path, arg, value):
    caplog.set_level(logging.ERROR)
    add_user(running, "boss")
    http = login(running, "boss")
    spec = parse_campaign({"name": "Avviso", "content": [{"type": "text", "text": "Ciao"}]})
    running.call(running.appliance.parts[CAMPAIGNS].create(spec, "boss"))
    assert http.get(path).status_code == 200
    response = http.get(path, params={arg: value})
    assert response.status_code == 400, response.text
    assert "Traceback" not in caplog.text
