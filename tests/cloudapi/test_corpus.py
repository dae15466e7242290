"""The conformance corpus: 150 real webhook payloads nobody here wrote, over real sockets.

Every payload is accepted and either handled or deliberately ignored: no dead letter, no
retry, no bot reply to a status, system or account notice, no one-to-one answer to a group.
"""

import json
from pathlib import Path

import pytest

from tests.support.appliance import RunningAppliance, make_config
from tests.support.db import rows
from tests.support.meta import CORPUS
from tests.support.waiting import wait_until
from tests.support.webhooks import post_webhook, sign

pytestmark = pytest.mark.slow

PAYLOADS = sorted(p for p in CORPUS.rglob("*.json") if p.parent.name != "pywa-signed")
# Valid JSON only in part: Meta never sends such a body; it is refused, never half-read.
NOT_JSON = {"java-api/textMessageStatusRead.json"}
# Webhook fields the appliance does not use: stored as "unsupported", nothing else happens.
IGNORED_FIELDS = {
    "calls",
    "smb_message_echoes",
    "phone_number_name_update",
    "message_template_components_update",
    "account_review_update",
    "user_id_update",
}
# Event kinds that are notices, never a conversation turn: nobody gets an answer.
SILENT_KINDS = {
    "status",
    "error",
    "template_status",
    "template_category",
    "user_preferences",
    "unsupported",
    "group_message",
    "system",
    "message_change",
    "account_update",
}


def test_the_corpus_is_all_there():
    assert len(PAYLOADS) == 147  # and one raw body signed by Meta
    assert (CORPUS / "SOURCES.md").exists()
    assert (CORPUS / "pywa-signed" / "meta_signed_text.body").exists()


def _settled(app) -> bool:
    unsplit = rows(app, "SELECT id FROM webhook_deliveries WHERE split = 0")
    pending = rows(app, "SELECT id FROM webhook_events WHERE state = 'pending'")
    return not unsplit and not pending


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_payload_is_handled_or_deliberately_ignored(tmp_path, path: Path):
    name = str(path.relative_to(CORPUS))
    app = RunningAppliance(make_config(tmp_path)).start()
    try:
        response = post_webhook(app.public_url, path.read_bytes())  # the file's own bytes
        if name in NOT_JSON:
            assert response.status_code == 400 and "JSON" in response.text
            return
        assert response.status_code == 200, response.text
        wait_until(lambda: _settled(app), timeout=20)
        # Replies are queued in the handler's own commit: once settled, none can follow.
        events = rows(app, "SELECT kind, state, attempts, last_error, record FROM webhook_events")
        assert events, "the payload produced no event at all"
        for event in events:
            assert event["state"] == "done" and event["attempts"] == 0, event["last_error"]
            if event["kind"] == "unsupported":
                field = json.loads(event["record"]).get("f")
                assert field in IGNORED_FIELDS, (
                    f"webhook field {field!r} neither handled nor ignored"
                )
        kinds = {_kind_of(app, e) for e in events}
        replies = rows(app, "SELECT recipient FROM outbox WHERE campaign_id IS NULL")
        if kinds <= SILENT_KINDS:
            assert replies == [], f"{sorted(kinds)} answered: {replies}"
    finally:
        app.stop()


def _kind_of(app, event_row) -> str:
    """The typed event's kind (a message record may be a group message or a notice)."""
    from appliance.cloudapi.events import to_event

    return to_event("k", event_row["kind"], json.loads(event_row["record"])).kind


def test_the_meta_signed_body_is_accepted_with_its_own_secret(tmp_path):
    meta = json.loads((CORPUS / "pywa-signed" / "meta_signed_text.json").read_text())
    body = (CORPUS / "pywa-signed" / meta["body_file"]).read_bytes()
    assert sign(body, meta["app_secret"]) == meta["x_hub_signature_256"]
    app = RunningAppliance(
        make_config(tmp_path, whatsapp={"app_secret": meta["app_secret"]})
    ).start()
    try:
        response = post_webhook(app.public_url, body, secret=meta["app_secret"])
        assert response.status_code == 200
        wait_until(lambda: _settled(app), timeout=20)
        assert rows(app, "SELECT body FROM webhook_deliveries")[0]["body"] == body
    finally:
        app.stop()
