"""Dead letters made on purpose: citizens' messages delivered, then parked as after a full disk."""

from __future__ import annotations

from tests.support.appliance import RunningAppliance
from tests.support.db import rows
from tests.support.waiting import wait_until
from tests.support.webhooks import post_webhook

DISK_FULL = "conversation: OperationalError: database or disk is full"


def citizen_message(n: int) -> dict:
    wa_id = f"39333000000{n}"
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "390612345678", "phone_number_id": "200000000000002"},
        "contacts": [{"profile": {"name": "Anna"}, "wa_id": wa_id}],
        "messages": [
            {
                "from": wa_id,
                "id": f"wamid.DEAD{n}",
                "timestamp": "1760000000",
                "type": "text",
                "text": {"body": "ciao"},
            }
        ],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


def park(running: RunningAppliance, count: int) -> list[int]:
    """``count`` citizen messages delivered, then parked as after a full disk."""
    for n in range(count):
        assert post_webhook(running.public_url, citizen_message(n)).status_code == 200
    wait_until(
        lambda: (
            rows(running, "SELECT count(*) FROM webhook_events WHERE state != 'pending'")
            == [(count,)]
        )
    )
    running.call(
        running.appliance.db.execute(
            "UPDATE webhook_events SET state = 'dead', attempts = 5, last_error = ?", (DISK_FULL,)
        )
    )
    return [row[0] for row in rows(running, "SELECT id FROM webhook_events ORDER BY id")]
