import time

import httpx
import pytest

from tests.support.graph import AUTH, BASE, code, open_window, post
from tests.support.waiting import wait_until

pytestmark = pytest.mark.fast


def text(to="+393331234567", body="ciao"):
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def template(to="+393331234567", name="festa_paese", params=()):
    content = {"name": name, "language": {"code": "it"}}
    if params:
        content["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
        ]
    return {"messaging_product": "whatsapp", "to": to, "type": "template", "template": content}


def test_bearer_token_and_expiry(simulator):
    open_window(simulator)
    assert post(simulator, text(), headers={}).status_code == 401
    wrong = post(simulator, text(), headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, code(wrong)) == (401, 190)
    phone = httpx.get(f"{simulator.url}{BASE}", headers=AUTH)
    assert phone.status_code == 200 and phone.json()["id"] == "200000000000002"
    simulator.control("settings", {"token_expired": True})
    expired = post(simulator, text())
    assert (expired.status_code, code(expired)) == (401, 190)
    assert "expired" in expired.json()["error"]["error_data"]["details"]
    assert code(httpx.get(f"{simulator.url}{BASE}", headers=AUTH)) == 190
    assert simulator.messages() == []


def test_throughput_bucket_counts_outbound_and_inbound(simulator):
    simulator.control("settings", {"rate": 5, "pair_burst": 100})
    open_window(simulator)
    started = time.monotonic()
    with httpx.Client(headers=AUTH) as client:
        answers = [
            client.post(f"{simulator.url}{BASE}/messages", json=text(body=str(i)))
            for i in range(20)
        ]
    elapsed = time.monotonic() - started
    accepted = [r for r in answers if r.status_code == 200]
    assert [r.status_code for r in answers[:5]] == [200] * 5  # burst = rate
    assert 5 <= len(accepted) <= 5 + elapsed * 5 + 1
    assert {code(r) for r in answers if r.status_code != 200} == {130429}
    simulator.control("clock", {"advance": 1.0})
    assert post(simulator, text()).status_code == 200
    simulator.control("settings", {"rate": 2})
    simulator.control("clock", {"advance": 1.0})  # a full bucket of 2
    simulator.settings.webhook_url = ""  # nobody to deliver to: inbound still counts
    for _ in range(2):
        simulator.control("inbound", {"from": "393330000009", "text": "ciao"})
    assert code(post(simulator, text())) == 130429


def test_pair_limit_bucket_per_recipient(simulator):
    simulator.control("settings", {"rate": 1000})
    open_window(simulator)
    open_window(simulator, "393330000002")
    assert all(post(simulator, text(body=str(i))).status_code == 200 for i in range(45))
    limited = post(simulator, text())
    assert (limited.status_code, code(limited)) == (429, 131056)
    assert post(simulator, text(to="+393330000002")).status_code == 200
    simulator.control("clock", {"advance": 6.0})
    assert post(simulator, text()).status_code == 200
    assert code(post(simulator, text())) == 131056


def test_free_form_outside_the_window_is_accepted_then_failed_by_webhook(simulator):
    assert post(simulator, text()).status_code == 200  # Meta answers 200 first
    (entry,) = simulator.messages()
    assert entry["fail_code"] == 131047
    assert post(simulator, template()).status_code == 200
    assert simulator.messages()[-1]["fail_code"] is None


def test_24_hour_window(simulator):
    simulator.settings.window_sync = True  # refused at once: the window's arithmetic in view
    assert code(post(simulator, text())) == 131047
    assert post(simulator, template()).status_code == 200
    simulator.settings.webhook_url = ""
    simulator.control("inbound", {"from": "393331234567", "text": "ciao"})
    assert post(simulator, text()).status_code == 200
    simulator.control("clock", {"advance": 24 * 3600 - 60})
    assert post(simulator, text()).status_code == 200
    simulator.control("clock", {"advance": 120})
    assert code(post(simulator, text())) == 131047
    open_window(simulator)
    assert post(simulator, text()).status_code == 200
    simulator.control("windows", {"wa_id": "393331234567", "open": False})
    assert code(post(simulator, text())) == 131047


def test_messaging_tier_counts_unique_business_initiated_recipients(simulator):
    simulator.control("settings", {"tier": 2, "tier_error_code": 131048})
    assert post(simulator, template("+393330000001")).status_code == 200
    assert post(simulator, template("+393330000002")).status_code == 200
    over = post(simulator, template("+393330000003"))
    assert (over.status_code, code(over)) == (400, 131048)
    assert post(simulator, template("+393330000001")).status_code == 200  # already counted
    open_window(simulator, "393330000004")
    assert post(simulator, template("+393330000004")).status_code == 200  # in window: free
    simulator.control("settings", {"tier_error_code": 131056})
    assert code(post(simulator, template("+393330000005"))) == 131056
    simulator.control("clock", {"advance": 24 * 3600 + 1})
    assert post(simulator, template("+393330000005")).status_code == 200


def test_templates_unknown_unapproved_parameters_and_routes(simulator):
    assert code(post(simulator, template(name="non_esiste"))) == 132001
    simulator.control("templates", {"name": "in_attesa", "status": "PENDING", "text": "x"})
    assert code(post(simulator, template(name="in_attesa"))) == 132001
    assert code(post(simulator, template(name="avviso_servizio", params=["Via Roma"]))) == 132000
    assert (
        post(simulator, template(name="avviso_servizio", params=["Via Roma", "12/10"])).status_code
        == 200
    )
    utility = post(
        simulator, template(name="avviso_servizio", params=["a", "b"]), "marketing_messages"
    )
    assert code(utility) == 100
    open_window(simulator)
    assert code(post(simulator, text(), "marketing_messages")) == 100
    marketing = post(simulator, template(), "marketing_messages")
    assert marketing.status_code == 200
    assert marketing.json()["messages"][0]["message_status"] == "accepted"


def test_template_listing_pages_and_creation_with_review(simulator):
    simulator.settings.review_seconds = 3600.0  # on the simulator's clock, advanced below
    url = f"{simulator.url}/v25.0/100000000000001/message_templates"
    first = httpx.get(url, params={"limit": 2}, headers=AUTH).json()
    assert len(first["data"]) == 2 and first["paging"]["next"]
    names = [t["name"] for t in first["data"]]
    rest = httpx.get(first["paging"]["next"], headers=AUTH).json()
    names += [t["name"] for t in rest["data"]]
    while rest["paging"].get("next"):
        rest = httpx.get(rest["paging"]["next"], headers=AUTH).json()
        names += [t["name"] for t in rest["data"]]
    assert {"avviso_servizio", "festa_paese", "ordinanza"} <= set(names)
    assert len(names) == len(set(names))
    body = {
        "name": "chiusura_scuole",
        "language": "it",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Scuole chiuse il {{1}}"}],
    }
    created = httpx.post(url, json=body, headers=AUTH)
    assert created.json()["status"] == "PENDING"
    assert code(httpx.post(url, json=body, headers=AUTH)) == 100  # already exists
    assert code(httpx.post(url, json={**body, "name": "Bad Name"}, headers=AUTH)) == 100
    assert code(post(simulator, template(name="chiusura_scuole", params=["1/2"]))) == 132001
    simulator.control("clock", {"advance": 3600})
    templates = simulator.simulator.state.templates
    wait_until(lambda: templates[("chiusura_scuole", "it")]["status"] == "APPROVED")
    assert post(simulator, template(name="chiusura_scuole", params=["1/2"])).status_code == 200


def test_undeliverable_numbers(simulator):
    simulator.control("settings", {"undeliverable": ["393339999999"], "undeliverable_sync": True})
    rejected = post(simulator, template("+393339999999"))
    assert code(rejected) == 131026
    simulator.control("settings", {"undeliverable_sync": False})
    assert post(simulator, template("+393339999999")).status_code == 200  # fails by webhook


def test_media_upload_info_and_download(simulator):
    upload = httpx.post(
        f"{simulator.url}{BASE}/media",
        data={"messaging_product": "whatsapp", "type": "application/pdf"},
        files={"file": ("ordinanza.pdf", b"%PDF-1.4 test", "application/pdf")},
        headers=AUTH,
    )
    media_id = upload.json()["id"]
    info = httpx.get(f"{simulator.url}/v25.0/{media_id}", headers=AUTH).json()
    assert info["mime_type"] == "application/pdf" and info["file_size"] == 13
    assert httpx.get(info["url"], headers=AUTH).content == b"%PDF-1.4 test"
    assert httpx.get(info["url"]).status_code == 401
    bad = httpx.post(
        f"{simulator.url}{BASE}/media",
        data={"messaging_product": "whatsapp", "type": "image/gif"},
        files={"file": ("a.gif", b"GIF89a", "image/gif")},
        headers=AUTH,
    )
    assert code(bad) == 131053


def test_faults_latency_5xx_hang_and_refused(simulator):
    open_window(simulator)
    simulator.control("faults", {"latency": 0.3})
    started = time.monotonic()
    assert post(simulator, text()).status_code == 200
    assert time.monotonic() - started >= 0.3
    simulator.control("faults", method="DELETE")
    simulator.control("faults", {"fail_status": 503, "fail_count": 2})
    failures = [post(simulator, text()) for _ in range(2)]
    assert [(r.status_code, code(r)) for r in failures] == [(503, 2), (503, 2)]
    assert post(simulator, text()).status_code == 200
    simulator.control("faults", {"hang_seconds": 1.0, "hang_count": 1})
    with pytest.raises(httpx.TimeoutException):
        post(simulator, text(), timeout=0.3)
    simulator.control("faults", {"refuse_seconds": 1.0})
    wait_until(lambda: not simulator.listening(), 5, what="the simulator to refuse connections")
    with pytest.raises(httpx.ConnectError):
        post(simulator, text())
    wait_until(simulator.listening, 5, what="the simulator to listen again")
    assert post(simulator, text()).status_code == 200


def test_control_api_rejects_unknown_settings(simulator):
    assert httpx.post(f"{simulator.url}/_sim/settings", json={"nope": 1}).status_code == 400
    assert httpx.post(f"{simulator.url}/_sim/settings", json={"rate": "fast"}).status_code == 400
    state = simulator.control("state", method="GET")
    assert "access_token" not in state["settings"] and state["settings"]["rate"] == 80
