"""Settings pages over HTTP: users and roles, tokens shown once, town data, credentials."""

import httpx
import pytest

from appliance.core import audit
from tests.support.appliance import TEST_CREDENTIALS
from tests.support.db import rows
from tests.support.staff import PASSWORD, add_user, login

pytestmark = pytest.mark.slow


def _user_id(running, name):
    return rows(running, "SELECT id FROM users WHERE username = ?", (name,))[0][0]


def test_admin_creates_users_and_changes_roles(running):
    add_user(running, "boss")
    boss = login(running, "boss")
    form = {"username": "carla", "password": "a-long-password", "role": "editor", "language": "en"}
    assert boss.post("/settings/users", data=form).status_code == 303
    assert rows(running, "SELECT role, language FROM users WHERE username = 'carla'") == [
        ("editor", "en")
    ]
    duplicate = boss.post("/settings/users", data=form)
    assert duplicate.status_code == 400 and "Esiste già" in duplicate.text
    short = boss.post("/settings/users", data={**form, "username": "dino", "password": "short"})
    assert short.status_code == 400 and "Almeno 10 caratteri" in short.text
    carla = _user_id(running, "carla")
    assert boss.post(f"/settings/users/{carla}/role", data={"role": "operator"}).status_code == 303
    assert rows(running, "SELECT role FROM users WHERE id = ?", (carla,)) == [("operator",)]
    assert boss.post(f"/settings/users/{carla}/role", data={"role": "king"}).status_code == 400
    actions = rows(
        running, "SELECT actor, action, target, detail FROM audit_log WHERE action LIKE 'user.%'"
    )
    worded = [(*row[:3], str(audit.describe(row[3]))) for row in actions]
    assert worded == [
        ("boss", "user.created", "carla", "ruolo: Redattore"),
        ("boss", "user.role", "carla", "ruolo: da Redattore a Operatore"),
    ]


def test_the_last_admin_cannot_be_demoted_or_disabled(running):
    add_user(running, "boss")
    boss = login(running, "boss")
    me = _user_id(running, "boss")
    for path, data in (
        (f"/settings/users/{me}/role", {"role": "viewer"}),
        (f"/settings/users/{me}/disable", {}),
    ):
        response = boss.post(path, data=data, follow_redirects=True)
        assert "Deve restare almeno un amministratore attivo" in response.text
    assert rows(running, "SELECT role, disabled FROM users") == [("admin", 0)]
    add_user(running, "vice")
    assert boss.post(f"/settings/users/{me}/role", data={"role": "viewer"}).status_code == 303
    assert rows(running, "SELECT role FROM users WHERE id = ?", (me,)) == [("viewer",)]
    # The role change counts at once: boss is a viewer now.
    assert boss.get("/settings/users").status_code == 403


def test_admin_resets_a_password_and_ends_that_users_sessions(running):
    add_user(running, "boss")
    add_user(running, "carla", "viewer")
    carla = login(running, "carla")
    boss = login(running, "boss")
    boss.post(
        f"/settings/users/{_user_id(running, 'carla')}/password",
        data={"password": "brand-new-password"},
    )
    assert carla.get("/").status_code == 303
    login(running, "carla", "brand-new-password")


def test_a_token_is_shown_once_and_never_again(running):
    add_user(running, "boss")
    boss = login(running, "boss")
    created = boss.post("/settings/tokens", data={"name": "sito", "role": "viewer"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    token = created.text.split('id="new-token-value" class="token-value" value="')[1].split('"')[0]
    assert token.startswith("bnd_")
    listing = boss.get("/settings/tokens").text
    assert token not in listing and token[:8] in listing
    api = httpx.get(running.lan_url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.json()["name"] == "sito"
    assert boss.post("/settings/tokens", data={"name": "", "role": "viewer"}).status_code == 400


def test_town_data_is_saved_audited_and_shown_on_the_statement(running):
    add_user(running, "boss")
    boss = login(running, "boss")
    form = {"display_name": "Comune di Prova", "accessibility_contact": "accessibilita@example.it"}
    assert boss.post("/settings/town", data=form).status_code == 303
    assert 'value="Comune di Prova"' in boss.get("/settings/town").text
    statement = httpx.get(running.lan_url + "/accessibility").text
    assert "Comune di Prova" in statement and "accessibilita@example.it" in statement
    [(detail,)] = rows(running, "SELECT detail FROM audit_log WHERE action = 'settings.changed'")
    assert str(audit.describe(detail)) == "Nome mostrato ai cittadini: Comune di Prova; " + (
        "Contatto per segnalazioni sull'accessibilità: accessibilita@example.it"
    )
    assert "Nome mostrato ai cittadini: Comune di Prova" in boss.get("/audit").text
    too_long = boss.post("/settings/town", data={"phone": "9" * 501})
    assert too_long.status_code == 400


def test_credentials_page_never_shows_a_secret(running):
    add_user(running, "boss")
    page = login(running, "boss").get("/settings/credentials").text
    for key in ("access_token", "app_secret", "verify_token"):
        assert TEST_CREDENTIALS[key] not in page
        assert f"[whatsapp] {key}" in page
    assert "Configurata" in page and TEST_CREDENTIALS["phone_number_id"] in page


def test_viewer_and_editor_change_nothing(running):
    add_user(running, "boss")
    for role in ("viewer", "editor", "operator"):
        add_user(running, role, role)
        http = login(running, role)
        assert http.get("/").status_code == 200
        assert http.get("/audit").status_code == 200
        assert http.get("/settings/users").status_code == 403
        forced = http.post(
            "/settings/users", data={"username": "x" + role, "password": PASSWORD, "role": "admin"}
        )
        assert forced.status_code == 403
        assert http.post(f"/settings/users/{_user_id(running, 'boss')}/disable").status_code == 403
        assert "/settings" not in http.get("/").text.split("<main")[0]
    assert rows(running, "SELECT COUNT(*) FROM users WHERE username LIKE 'x%'") == [(0,)]


def test_account_page_changes_my_password(running):
    add_user(running, "viewer1", "viewer")
    http = login(running, "viewer1")
    bad = http.post("/account/password", data={"current_password": "nope", "new_password": "x"})
    assert bad.status_code == 400
    ok = http.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another-password",
            "new_password2": "another-password",
        },
    )
    assert ok.status_code == 303
    assert http.get("/account").status_code == 200  # this session goes on
    login(running, "viewer1", "another-password")


def test_audit_page_filters_and_paginates(running):
    add_user(running, "boss")
    db = running.appliance.db
    for i in range(60):
        running.call(audit.record(db, "robot", "campaign.sent", f"c{i}"))
    http = login(running, "boss")
    first = http.get("/audit", params={"action": "campaign"}).text
    assert "c59" in first and "c10" in first and "c9<" not in first
    assert "Meno recenti" in first
    second = http.get("/audit", params={"action": "campaign", "page": 2}).text
    assert "c9<" in second and "Più recenti" in second
    mine = http.get("/audit", params={"actor": "boss"}).text
    assert "c59" not in mine and ">Accesso<" in mine  # the action in words
    bad = http.get("/audit", params={"since": "31/12/2024"})
    assert bad.status_code == 400 and "data non valida" in bad.text


def test_language_switch_translates_and_is_remembered(running):
    add_user(running, "anna")
    http = login(running, "anna")
    assert (
        http.post("/language", data={"language": "en", "next": "/audit"}).headers["location"]
        == "/audit"
    )
    page = http.get("/").text
    assert '<html lang="en">' in page and "Dashboard" in page
    assert rows(running, "SELECT language FROM users WHERE username = 'anna'") == [("en",)]
