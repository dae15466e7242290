"""Template status and events kept apart: FLAGGED warns, PAUSED stops, REINSTATED restores."""

import sqlite3

import pytest

from appliance.cloudapi.templates import TEMPLATES
from appliance.core.db.migrate import discover, migrate
from tests.support.waiting import wait_until
from tests.support.webhooks import post_webhook

pytestmark = pytest.mark.fast


def _status_webhook(event: str, **extra):
    value = {
        "event": event,
        "message_template_id": 1689556908129832,
        "message_template_name": "order_confirmation",
        "message_template_language": "it",
        "reason": "NONE",
        **extra,
    }
    change = {"field": "message_template_status_update", "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}


def test_events_move_the_status_only_when_they_change_what_can_be_sent(running):
    catalog = running.appliance.parts[TEMPLATES]

    def after(event, **extra):
        assert post_webhook(running.public_url, _status_webhook(event, **extra)).status_code == 200
        wait_until(
            lambda: (catalog.get("order_confirmation", "it") or {}).get("last_event") == event
        )
        return catalog.get("order_confirmation", "it")

    # The category comes with the webhook: a MARKETING template never goes through /messages.
    first = after("APPROVED", message_template_category="MARKETING")
    assert (first["status"], first["category"]) == ("APPROVED", "MARKETING")
    assert catalog.endpoint("order_confirmation", "it") == "marketing_messages"
    assert after("FLAGGED")["status"] == "APPROVED"  # a quality warning, still sendable
    assert after("PAUSED")["status"] == "PAUSED"
    assert after("IN_APPEAL")["status"] == "PAUSED"
    assert after("REINSTATED")["status"] == "APPROVED"
    assert after("ARCHIVED")["status"] == "ARCHIVED"
    assert after("UNARCHIVED")["status"] == "APPROVED"
    assert catalog.get("order_confirmation", "it")["category"] == "MARKETING"


def test_the_migration_keeps_existing_templates(tmp_path):
    steps = discover()
    number = next(s.number for s in steps if s.path.name.endswith("_cloudapi.sql") and s.number > 3)
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    migrate(conn, [s for s in steps if s.number < number])
    conn.execute(
        "INSERT INTO wa_templates (name, language, category, status, updated_at)"
        " VALUES ('avviso', 'it', 'UTILITY', 'APPROVED', 1)"
    )
    migrate(conn, steps)
    assert conn.execute("SELECT name, status, last_event FROM wa_templates").fetchall() == [
        ("avviso", "APPROVED", "")
    ]
