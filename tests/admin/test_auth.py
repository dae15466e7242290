"""Login, sessions, throttling and the first-run setup code, over the real LAN listener."""

import logging
import re
import stat

import httpx
import pytest

from appliance.accounts import setupcode
from appliance.accounts.throttle import FREE_FAILURES, MAX_DELAY, delay_after
from appliance.lan.sessions import COOKIE_NAME, SECRET_FILE_NAME
from tests.support.appliance import RunningAppliance
from tests.support.db import rows
from tests.support.staff import PASSWORD, add_user, client, login

# In the fast subset: the unit-level tests and one real appliance per capability.


@pytest.mark.fast
def test_login_sets_an_httponly_lax_cookie_without_secure_over_http(running):
    add_user(running, "anna")
    http = client(running)
    response = http.post(
        "/login", data={"username": "anna", "password": PASSWORD, "next": "/audit"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/audit"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(COOKIE_NAME + "=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert http.get("/").status_code == 200
    assert rows(running, "SELECT actor, action FROM audit_log WHERE action = 'login'") == [
        ("anna", "login")
    ]


def test_next_never_leaves_the_box(running):
    add_user(running, "anna")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client(running).post(
            "/login", data={"username": "anna", "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == "/"


def test_logout_ends_the_session_on_the_server(running):
    add_user(running, "anna")
    http = login(running, "anna")
    stolen = dict(http.cookies)
    assert http.post("/logout").status_code == 303
    replay = client(running, cookies=stolen)
    assert replay.get("/").headers["location"].startswith("/login")
    assert ("anna", "logout") in rows(running, "SELECT actor, action FROM audit_log")


def test_wrong_password_is_audited_and_delays_grow(running):
    add_user(running, "anna")
    http = client(running)
    statuses = []
    for _ in range(FREE_FAILURES + 1):
        response = http.post("/login", data={"username": "anna", "password": "wrong-password"})
        statuses.append(response.status_code)
    assert statuses == [401] * (FREE_FAILURES + 1)
    # Now even the right password must wait: the attempt is not judged, nothing is counted.
    response = http.post("/login", data={"username": "anna", "password": PASSWORD})
    assert response.status_code == 429
    assert "1 secondi" in response.text
    failed = rows(running, "SELECT target, address FROM audit_log WHERE action = 'login.failed'")
    assert failed == [("anna", "127.0.0.1")] * (FREE_FAILURES + 1)


@pytest.mark.fast
def test_delay_curve_is_capped_and_not_a_lockout():
    assert [delay_after(n) for n in range(1, 9)] == [0, 0, 0, 1, 2, 4, 8, 16]
    assert delay_after(100) == MAX_DELAY


def test_failures_from_one_address_slow_that_address_for_other_accounts(running):
    add_user(running, "anna")
    add_user(running, "bruno")
    http = client(running)
    for name in ("x1", "x2", "x3", "x4"):
        http.post("/login", data={"username": name, "password": "nope-nope-nope"})
    assert http.post("/login", data={"username": "bruno", "password": PASSWORD}).status_code == 429


def test_disabled_user_cannot_log_in_and_loses_open_sessions(running):
    add_user(running, "boss")
    add_user(running, "carla", "operator")
    carla = login(running, "carla")
    boss = login(running, "boss")
    user_id = rows(running, "SELECT id FROM users WHERE username = 'carla'")[0][0]
    assert boss.post(f"/settings/users/{user_id}/disable").status_code == 303
    assert carla.get("/").status_code == 303
    response = client(running).post("/login", data={"username": "carla", "password": PASSWORD})
    assert response.status_code == 401


def test_sessions_survive_a_restart_with_a_generated_key(tmp_path, config):
    first = RunningAppliance(config).start()
    try:
        add_user(first, "anna")
        cookies = dict(login(first, "anna").cookies)
    finally:
        first.stop()
    key_file = tmp_path / SECRET_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = RunningAppliance(config).start()
    try:
        response = httpx.get(second.lan_url + "/", cookies=cookies)
        assert response.status_code == 200
    finally:
        second.stop()


CODE_SHAPE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


@pytest.mark.fast
def test_setup_code_creates_the_first_admin_and_is_never_logged(config, caplog):
    caplog.set_level(logging.DEBUG)
    running = RunningAppliance(config).start()
    try:
        assert rows(running, "SELECT COUNT(*) FROM setup_codes") == [(0,)]  # none at start
        code = running.call(setupcode.issue(running.appliance.db))  # what `setup-code` does
        assert len(setupcode.normalise(code)) >= 10
        stored = rows(running, "SELECT code_hash FROM setup_codes")
        assert len(stored) == 1 and code not in stored[0][0]
        http = client(running)
        assert http.get("/").headers["location"].startswith("/login")
        assert http.get("/login").headers["location"] == "/setup"
        form = {"username": "sindaco", "password": PASSWORD, "password2": PASSWORD}
        wrong = http.post("/setup", data={**form, "code": "AAAA-BBBB-CCCC"})
        assert wrong.status_code == 403
        assert http.post("/setup", data={**form, "code": code.lower()}).status_code == 303
        assert http.get("/").status_code == 200
        assert rows(running, "SELECT username, role FROM users") == [("sindaco", "admin")]
        assert rows(running, "SELECT attempts FROM setup_codes") == [(1,)]
        # Reuse, even if the accounts vanished: the code is spent.
        running.call(running.appliance.db.execute("DELETE FROM users"))
        again = client(running).post("/setup", data={**form, "code": code})
        assert again.status_code == 403
        assert "già stato usato" in again.text
    finally:
        running.stop()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert code not in logged and setupcode.normalise(code) not in logged


@pytest.mark.fast
def test_start_without_an_admin_logs_how_to_get_a_code_never_a_code(config, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(2):
        RunningAppliance(config).start().stop()
    messages = [r.getMessage() for r in caplog.records]
    hints = [m for m in messages if "sudo appliance setup-code" in m]
    assert len(hints) == 2
    assert not any(CODE_SHAPE.search(m) for m in messages)


def test_a_new_code_replaces_the_earlier_one(running):
    db = running.appliance.db
    first = running.call(setupcode.issue(db))
    second = running.call(setupcode.issue(db))
    form = {"username": "sindaco", "password": PASSWORD, "password2": PASSWORD}
    refused = client(running).post("/setup", data={**form, "code": first})
    assert refused.status_code == 403
    assert client(running).post("/setup", data={**form, "code": second}).status_code == 303
    assert running.call(setupcode.issue(db)) is None  # an admin exists: no more codes


def test_setup_code_expires_and_attempts_are_limited(running):
    running.call(setupcode.issue(running.appliance.db))
    form = {"username": "sindaco", "password": PASSWORD, "password2": PASSWORD}
    http = client(running)
    for _ in range(setupcode.MAX_ATTEMPTS):
        assert http.post("/setup", data={**form, "code": "WRONG-CODE-00"}).status_code == 403
    response = http.post("/setup", data={**form, "code": "WRONG-CODE-00"})
    assert "Troppi tentativi" in response.text and "setup-code" in response.text
    # Once exhausted a new code may be asked for; an expired one is refused.
    fresh = running.call(setupcode.issue(running.appliance.db))
    assert fresh is not None
    running.call(
        running.appliance.db.execute(
            "UPDATE setup_codes SET expires_at = '2000-01-01T00:00:00.000Z' WHERE used_at IS NULL"
        )
    )
    response = http.post("/setup", data={**form, "code": fresh})
    assert response.status_code == 403 and "scaduto" in response.text
    assert rows(running, "SELECT COUNT(*) FROM users") == [(0,)]


def test_setup_page_is_closed_once_an_account_exists(running):
    add_user(running, "anna")
    http = client(running)
    assert http.get("/setup").headers["location"] == "/login"
    form = {"username": "intruder", "password": PASSWORD, "password2": PASSWORD, "code": "X"}
    assert http.post("/setup", data=form).headers["location"] == "/login"
    assert rows(running, "SELECT username FROM users") == [("anna",)]
