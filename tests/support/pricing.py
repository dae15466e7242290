"""Delivered statuses carrying Meta's per-message pricing, posted as Meta posts them."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from tests.support.appliance import TEST_CREDENTIALS
from tests.support.db import rows
from tests.support.waiting import wait_until
from tests.support.webhooks import post_webhook

_ids = count(1)


def priced_status(category: str, billable: bool, when: datetime | None = None) -> dict:
    """One delivered status with Meta's per-message ``pricing`` object."""
    return {
        "id": f"wamid.COST{next(_ids):06d}",
        "status": "delivered",
        "timestamp": str(int((when or datetime.now(UTC)).timestamp())),
        "recipient_id": "393331234567",
        "pricing": {
            "billable": billable,
            "pricing_model": "PMP",
            "type": "regular" if billable else "free_customer_service",
            "category": category,
        },
    }


def deliver(running, statuses: list[dict]) -> None:
    """Post the statuses as Meta does (one signed delivery) and wait until they are stored."""
    before = rows(running, "SELECT count(*) FROM message_statuses")[0][0]
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": TEST_CREDENTIALS["business_account_id"],
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "390612345678",
                                "phone_number_id": TEST_CREDENTIALS["phone_number_id"],
                            },
                            "statuses": statuses,
                        },
                    }
                ],
            }
        ],
    }
    assert post_webhook(running.public_url, payload).status_code == 200
    wait_until(
        lambda: (
            rows(running, "SELECT count(*) FROM message_statuses")[0][0] == before + len(statuses)
        )
    )
