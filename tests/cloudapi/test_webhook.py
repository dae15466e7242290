import json
import socket
import threading

import httpx
import pytest

from appliance.cloudapi import receiver as webhook
from appliance.cloudapi.deliveries import DELIVERIES
from tests.support.meta import FIXTURES
from tests.support.waiting import wait_until
from tests.support.webhooks import post_webhook, sign

# In the fast subset: the unit-level tests and one real appliance per capability.

# Shaped like a signature (sha256= and 64 hex digits) but not the body's: judged after reading.
WRONG = "sha256=" + "0" * 64

VECTORS = json.loads((FIXTURES / "signature_vectors.json").read_text())


def fetchval(running, sql, params=()):
    return running.call(running.appliance.db.fetchval(sql, params))


def counter(running, name="counter"):
    seen = []

    async def handler(event):
        seen.append(event)

    running.appliance.parts[DELIVERIES].subscribe(handler, name=name)
    return seen


@pytest.mark.fast
def test_verification_echoes_the_challenge(shared_running):
    url = shared_running.public_url + "/webhook"
    ok = httpx.get(
        url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": "test-verify-token",
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    assert ok.headers["content-type"].startswith("text/plain")
    for params in (
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ):
        assert httpx.get(url, params=params).status_code == 403


@pytest.mark.fast
@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["name"])
def test_meta_signed_vectors_are_accepted_and_stored_raw(running, vector):
    seen = counter(running)
    body = vector["raw_body_utf8"].encode()
    response = httpx.post(
        running.public_url + "/webhook",
        content=body,
        headers={"X-Hub-Signature-256": vector["x_hub_signature_256"]},
    )
    assert response.status_code == 200
    # Stored byte for byte before the 200.
    assert fetchval(running, "SELECT body FROM webhook_deliveries") == body
    wait_until(lambda: seen)
    assert seen[0].body in ("Ciao, orari ufficio anagrafe?", "Perché la scuola è chiusa?")


@pytest.mark.fast
def test_rejected_deliveries_store_nothing(shared_running):
    url = shared_running.public_url + "/webhook"
    body = VECTORS["vectors"][1]["raw_body_utf8"].encode()
    good = VECTORS["vectors"][1]["x_hub_signature_256"]
    assert httpx.post(url, content=body).status_code == 401
    bad = {"X-Hub-Signature-256": VECTORS["bad_signature_example"]}
    assert httpx.post(url, content=body, headers=bad).status_code == 403
    truncated = body[: len(body) // 2]
    assert (
        httpx.post(url, content=truncated, headers={"X-Hub-Signature-256": good}).status_code == 403
    )
    forged = body.replace(b"scuola", b"piazza")
    assert httpx.post(url, content=forged, headers={"X-Hub-Signature-256": good}).status_code == 403
    assert fetchval(shared_running, "SELECT count(*) FROM webhook_deliveries") == 0


@pytest.mark.fast
@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe not utf-8 \xc3\x28",
        b"not json at all",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'["an", "array"]',
        b"",
    ],
    ids=["non-utf8", "not-json", "deep-array", "deep-object", "array", "empty"],
)
def test_signed_garbage_is_400_and_not_stored(shared_running, body):
    running = shared_running  # refused bodies store nothing: the cases cannot see each other
    response = httpx.post(
        running.public_url + "/webhook", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )
    assert response.status_code == 400
    assert fetchval(running, "SELECT count(*) FROM webhook_deliveries") == 0
    assert httpx.get(running.public_url + "/healthz").text == "ok"


@pytest.mark.fast
def test_oversized_body_is_413_even_when_streamed(running):
    url = running.public_url + "/webhook"
    big = b"x" * (4 * 1024 * 1024 + 1)
    declared = httpx.post(url, content=big, headers={"X-Hub-Signature-256": sign(big)})
    assert declared.status_code == 413
    sent = []

    def chunks():
        # 64 MB offered in chunks with no Content-Length: refused before it is read.
        for _ in range(1024):
            sent.append(1)
            yield b"y" * 65536

    try:
        streamed = httpx.post(url, content=chunks(), headers={"X-Hub-Signature-256": WRONG})
        assert streamed.status_code == 411
    except httpx.HTTPError:
        pass  # the server may close the connection on the rest of the body: also a refusal
    assert len(sent) < 1024
    assert fetchval(running, "SELECT count(*) FROM webhook_deliveries") == 0
    assert httpx.get(running.public_url + "/healthz").text == "ok"


def test_a_body_that_trickles_in_is_refused_with_408_and_the_server_goes_on(running, monkeypatch):
    monkeypatch.setattr(webhook, "BODY_TIMEOUT_SECONDS", 0.5)
    host, port = running.public_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
            b"X-Hub-Signature-256: " + WRONG.encode() + b'\r\n\r\n{"object":'
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408")
    assert fetchval(running, "SELECT count(*) FROM webhook_deliveries") == 0
    assert httpx.get(running.public_url + "/healthz").text == "ok"


def test_a_sender_hanging_up_mid_body_leaves_nothing_behind(running):
    host, port = running.public_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
            b"X-Hub-Signature-256: " + WRONG.encode() + b'\r\n\r\n{"object":'
        )
    body = json.dumps({"object": "whatsapp_business_account", "entry": []}).encode()
    answer = httpx.post(
        running.public_url + "/webhook", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )
    assert answer.status_code == 200 and answer.text == "ok"
    assert fetchval(running, "SELECT count(*) FROM webhook_deliveries") == 1


@pytest.mark.fast
def test_a_full_disk_answers_503_so_meta_retries_and_nothing_acknowledged_is_lost(running):
    db = running.appliance.db
    pages = running.call(db.write(lambda conn: conn.execute_fetchall("PRAGMA page_count")))[0][0]
    full = running.call(
        db.write(lambda conn: conn.execute_fetchall(f"PRAGMA max_page_count = {pages}"))
    )
    assert full[0][0] == pages
    body = json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"id": "1", "big": "x" * 20000}]}
    ).encode()
    url = running.public_url + "/webhook"
    refused = httpx.post(url, content=body, headers={"X-Hub-Signature-256": sign(body)})
    assert refused.status_code == 503
    assert fetchval(running, "SELECT count(*) FROM webhook_deliveries") == 0
    running.call(db.write(lambda conn: conn.execute_fetchall("PRAGMA max_page_count = 1000000")))
    again = httpx.post(url, content=body, headers={"X-Hub-Signature-256": sign(body)})
    assert again.status_code == 200  # Meta's redelivery, once space is back
    assert fetchval(running, "SELECT count(*) FROM webhook_deliveries") == 1


@pytest.mark.fast
def test_duplicates_are_processed_once(running):
    seen = counter(running)
    payload = json.loads((FIXTURES / "inbound_text.json").read_text())
    for _ in range(3):
        assert post_webhook(running.public_url, payload).status_code == 200
    # Re-batched: the same message inside a different delivery.
    rebatched = json.loads(json.dumps(payload))
    value = rebatched["entry"][0]["changes"][0]["value"]
    value["messages"].append({**value["messages"][0], "id": "wamid.OTHER"})
    assert post_webhook(running.public_url, rebatched).status_code == 200
    wait_until(
        lambda: fetchval(running, "SELECT count(*) FROM webhook_deliveries WHERE split = 0") == 0
    )
    wait_until(lambda: len(seen) == 2)
    assert sorted(e.wamid for e in seen) == ["wamid.OTHER", "wamid.TEST_TEXT_0001"]
    assert fetchval(running, "SELECT count(*) FROM webhook_deliveries") == 4
    assert fetchval(running, "SELECT count(*) FROM webhook_events") == 2


@pytest.mark.fast
def test_concurrent_duplicates_make_exactly_one_event(running):
    seen = counter(running)
    payload = json.loads((FIXTURES / "inbound_text.json").read_text())
    body = json.dumps(payload).encode()
    results = []
    start = threading.Barrier(16)

    def post():
        start.wait()
        results.append(post_webhook(running.public_url, body).status_code)

    threads = [threading.Thread(target=post) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 16
    wait_until(
        lambda: fetchval(running, "SELECT count(*) FROM webhook_deliveries WHERE split = 0") == 0
    )
    wait_until(lambda: seen)
    assert fetchval(running, "SELECT count(*) FROM webhook_events") == 1
    assert len(seen) == 1


def status_payload(statuses):
    payload = json.loads((FIXTURES / "status_delivered.json").read_text())
    payload["entry"][0]["changes"][0]["value"]["statuses"] = statuses
    return payload


def status(wamid, name, ts, **extra):
    return {
        "id": wamid,
        "status": name,
        "timestamp": str(ts),
        "recipient_id": "393331234567",
        **extra,
    }


@pytest.mark.fast
def test_a_batch_of_many_statuses_is_split_whole(running):
    seen = counter(running)
    batch = [status(f"wamid.B{i}", "delivered", 1760000000 + i) for i in range(300)]
    assert post_webhook(running.public_url, status_payload(batch)).status_code == 200
    wait_until(lambda: len(seen) == 300)
    assert (
        fetchval(running, "SELECT count(*) FROM message_statuses WHERE status = 'delivered'") == 300
    )


@pytest.mark.fast
def test_statuses_only_move_forward_whatever_the_order(running):
    deliveries = running.appliance.parts[DELIVERIES]
    seen = counter(running)
    for name, ts in (("read", 30), ("delivered", 20), ("sent", 10)):
        extra = {"biz_opaque_callback_data": "outbox:9"} if name == "sent" else {}
        post_webhook(running.public_url, status_payload([status("wamid.M", name, ts, **extra)]))
    wait_until(lambda: len(seen) == 3)
    current = running.call(deliveries.status_of("wamid.M"))
    assert (current["status"], current["timestamp"]) == ("read", 30)
    assert current["callback_data"] is None  # sent arrived last: it must not move read back
    failed = status(
        "wamid.F", "failed", 40, errors=[{"code": 131026, "title": "Message undeliverable"}]
    )
    post_webhook(running.public_url, status_payload([status("wamid.F", "sent", 39)]))
    post_webhook(running.public_url, status_payload([failed]))
    post_webhook(running.public_url, status_payload([status("wamid.F", "read", 50)]))
    wait_until(lambda: len(seen) == 6)
    final = running.call(deliveries.status_of("wamid.F"))
    assert (final["status"], final["error_code"]) == ("failed", 131026)


@pytest.mark.fast
def test_health_probe_reports_last_webhook(running):
    checks = {c.key: c for c in running.call(running.appliance.health.snapshot())}
    assert checks["webhook"].status == "unknown"
    post_webhook(running.public_url, json.loads((FIXTURES / "inbound_text.json").read_text()))
    checks = {c.key: c for c in running.call(running.appliance.health.snapshot())}
    assert checks["webhook"].status == "ok"
    assert "pochi secondi" in checks["webhook"].value
