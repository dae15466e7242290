"""The REST API: bearer tokens, roles, stable JSON errors, the audit endpoint, the CLI token."""

import re

import httpx
import pytest

from appliance.cli import main
from appliance.core import audit
from appliance.lan.tokens import create_token
from tests.support.appliance import RunningAppliance, make_config
from tests.support.db import rows
from tests.support.staff import add_user, login

# In the fast subset: the unit-level tests and one real appliance per capability.


def _token(running, role="viewer", name="integration"):
    return running.call(create_token(running.appliance.db, name, role, "test"))


def _api(running, token):
    return httpx.Client(
        base_url=running.lan_url + "/api/v1", headers={"Authorization": f"Bearer {token}"}
    )


@pytest.mark.fast
def test_token_is_stored_hashed_and_identifies_its_caller(running):
    token = _token(running, "operator", "sito")
    assert token.startswith("bnd_") and len(token) > 40
    [(stored_hash, prefix)] = rows(running, "SELECT token_hash, prefix FROM api_tokens")
    assert token not in stored_hash and token.startswith(prefix)
    me = _api(running, token).get("/me")
    assert me.json() == {"kind": "token", "name": "sito", "role": "operator"}
    assert rows(running, "SELECT last_used_at IS NOT NULL FROM api_tokens") == [(1,)]


@pytest.mark.fast
@pytest.mark.parametrize(
    "header", ["Bearer bnd_not-a-real-token", "Bearer", "Basic dXNlcjpwYXNz", "bnd_x"]
)
def test_bad_credentials_give_the_stable_error_shape(shared_running, header):
    response = httpx.get(
        shared_running.lan_url + "/api/v1/health", headers={"Authorization": header}
    )
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == "unauthorized"


def test_revoked_token_stops_working_at_once(running):
    token = _token(running)
    add_user(running, "boss")
    boss = login(running, "boss")
    token_id = rows(running, "SELECT id FROM api_tokens")[0][0]
    assert _api(running, token).get("/health").status_code == 200
    assert boss.post(f"/settings/tokens/{token_id}/revoke").status_code == 303
    assert _api(running, token).get("/health").status_code == 401
    actions = [a for (a,) in rows(running, "SELECT action FROM audit_log ORDER BY id")]
    assert actions[-1] == "token.revoked"


@pytest.mark.fast
def test_health_lists_every_probe(shared_running):
    body = _api(shared_running, _token(shared_running)).get("/health").json()
    keys = [c["key"] for c in body["checks"]]
    assert "version" in keys and "disk" in keys
    assert body["status"] in ("ok", "warn", "error", "unknown")


@pytest.mark.fast
def test_audit_endpoint_filters_and_pages(running):
    db = running.appliance.db
    for i in range(5):
        running.call(audit.record(db, "anna", "user.created", f"u{i}"))
    running.call(audit.record(db, "bruno", "login.failed", "x"))
    detail = audit.detail("recipients", n=2)
    running.call(audit.record(db, "carla", "campaign.emergency", "7", detail))
    api = _api(running, _token(running))
    (worded,) = api.get("/audit", params={"actor": "carla"}).json()["entries"]
    assert worded["detail"] == "2 destinatari"  # in words, never the stored key and values
    page = api.get("/audit", params={"action": "user", "per_page": 2}).json()
    assert [e["target"] for e in page["entries"]] == ["u4", "u3"] and page["has_more"]
    last = api.get("/audit", params={"action": "user", "per_page": 2, "page": 3}).json()
    assert [e["target"] for e in last["entries"]] == ["u0"] and not last["has_more"]
    assert [e["actor"] for e in api.get("/audit", params={"actor": "bruno"}).json()["entries"]] == [
        "bruno"
    ]
    assert api.get("/audit", params={"since": "2999-01-01"}).json()["entries"] == []
    # The ends of the calendar (found by schemathesis): every entry, no 500.
    widest = api.get("/audit", params={"since": "0001-01-01", "until": "9999-12-31"})
    assert widest.status_code == 200
    assert widest.json()["entries"] == api.get("/audit").json()["entries"]
    assert api.get("/audit", params={"until": "0001-01-01"}).json()["entries"] == []


@pytest.mark.fast
@pytest.mark.parametrize(
    "params",
    [
        {"per_page": "0"},
        {"per_page": "x"},
        {"per_page": " 5"},
        {"page": "1_0"},
        {"since": "yesterday"},
        {"since": "20250131"},
        {"colour": "red"},
    ],
)
def test_audit_endpoint_rejects_bad_parameters(shared_running, params):
    response = _api(shared_running, _token(shared_running)).get("/audit", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_api_accepts_a_browser_session_too(running):
    add_user(running, "viewer1", "viewer")
    http = login(running, "viewer1")
    assert http.get("/api/v1/me").json() == {"kind": "user", "name": "viewer1", "role": "viewer"}


@pytest.mark.fast
def test_unknown_api_path_is_a_json_404(shared_running):
    response = httpx.get(shared_running.lan_url + "/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.fast
def test_openapi_document_lists_exactly_the_real_routes(shared_running):
    doc = _api(shared_running, _token(shared_running)).get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, m) for path, ops in doc["paths"].items() for m in ops}
    real = {
        # OpenAPI writes /campaigns/{campaign_id} where the URL rule has <int:campaign_id>.
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), m.lower())
        for rule in shared_running.appliance.lan.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for m in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == real
    assert doc["paths"]["/api/v1/audit"]["get"]["x-required-role"] == "viewer"


@pytest.mark.fast
def test_cli_creates_a_token_printed_once(tmp_path, capsys):
    config = make_config(tmp_path)
    config_file = tmp_path / "banditore.toml"
    config_file.write_text(f'[database]\npath = "{config.database.path}"\n')
    assert (
        main(
            [
                "token",
                "create",
                "sito del comune",
                "--role",
                "operator",
                "--config",
                str(config_file),
            ]
        )
        == 0
    )
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["token", "create", " ", "--config", str(config_file)]) == 1
    assert "cannot create token" in capsys.readouterr().out
    running = RunningAppliance(config).start()
    try:
        assert _api(running, token).get("/me").json()["role"] == "operator"
        assert rows(running, "SELECT created_by FROM api_tokens") == [("cli",)]
    finally:
        running.stop()
