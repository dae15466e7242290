"""The sample town: made once on first start, never duplicated at a restart; --empty stays blank."""

from __future__ import annotations

import pytest

from appliance.cli import build_parser
from appliance.feeds.forecast import FORECAST
from tests.support.appliance import RunningAppliance
from tests.support.db import rows
from tests.support.demo import demo_config
from tests.support.staff import client
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

COUNTS = (
    "SELECT (SELECT count(*) FROM subscribers),"
    " (SELECT count(*) FROM campaigns WHERE alert_key IS NULL),"
    " (SELECT count(*) FROM outbox WHERE lane = 2),"
    " (SELECT count(*) FROM chat_messages WHERE wamid LIKE 'wamid.DEMOQ%'),"
    " (SELECT count(*) FROM settings WHERE key = 'demo.sample_town')"
)


def _town_ready(app: RunningAppliance) -> bool:
    sent = rows(app, "SELECT count(*) FROM demo_phone_messages WHERE direction = 'out'")
    alerts = rows(app, "SELECT count(*) FROM alert_events")[0][0]
    return rows(app, COUNTS)[0][4] == 1 and sent[0][0] >= 3 and alerts >= 1


def test_sample_town_is_made_once_and_kept_across_a_restart(tmp_path):
    config = demo_config(tmp_path)
    app = RunningAppliance(config).start()
    try:
        wait_until(lambda: _town_ready(app), timeout=30)
        first = rows(app, COUNTS)[0]
        statuses = dict(rows(app, "SELECT status, count(*) FROM subscribers GROUP BY status"))
        templates = rows(app, "SELECT count(*) FROM wa_templates WHERE status = 'APPROVED'")[0][0]
        armed = rows(app, "SELECT template_name, test_mode FROM emergency_armed")
        pending = rows(app, "SELECT lane, new_level FROM alert_events WHERE status = 'pending'")
        notice_town = rows(app, "SELECT value FROM settings WHERE key = 'town_data.dpo_contact'")
        backups = list((tmp_path / "backups").glob("*.backup"))
        phone_rows = rows(app, "SELECT count(*) FROM demo_phone_messages")[0][0]
    finally:
        app.stop()
    assert 300 <= statuses["active"] <= 330 and statuses["unsubscribed"] == 5
    assert statuses["erased"] == 1
    assert first[1] == 4 and first[2] > 600 and first[3] == 3  # campaigns, deliveries, questions
    assert templates == 5 and armed == [("emergenza", 1)]
    assert set(pending) == {("approval", 1)}  # yellow (two risks), from the recorded bulletin
    assert "esempio" in notice_town[0][0]
    assert len(backups) == 1

    again = RunningAppliance(demo_config(tmp_path)).start()
    try:
        http = client(again)
        http.post("/login", data={"username": "demo", "password": "banditore-demo"})
        page = http.get("/demo/phone?number=390000019001").text
        assert rows(again, COUNTS)[0] == first
        weather = wait_until(lambda: again.appliance.parts[FORECAST].last_success)
        assert weather is not None  # the recorded forecast is read again at every start
        assert rows(again, "SELECT count(*) FROM demo_phone_messages")[0][0] >= phone_rows
        # The chat is read from the database: the restarted simulator remembers nothing.
        assert "Benvenuto" in page and "wa-theirs" in page
    finally:
        again.stop()
    assert len(list((tmp_path / "backups").glob("*.backup"))) == 1


def test_empty_demo_starts_blank(tmp_path):
    assert build_parser().parse_args(["demo", "--empty"]).empty is True
    app = RunningAppliance(demo_config(tmp_path, sample_town=False)).start()
    try:
        http = client(app)
        assert "banditore-demo" in http.get("/login").text  # the login page says how to log in
        assert rows(app, COUNTS)[0] == (0, 0, 0, 0, 0)
    finally:
        app.stop()
