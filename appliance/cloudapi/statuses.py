"""Message statuses as webhooks report them: one row per sent message, moving only forward."""

from __future__ import annotations

from typing import Any

from appliance.cloudapi.events import StatusUpdate

_FORWARD = "excluded.rank > message_statuses.rank"  # statuses only move forward


def _forward(column: str) -> str:
    return f"{column} = CASE WHEN {_FORWARD} THEN excluded.{column} ELSE {column} END"


STATUS_UPSERT = (
    "INSERT INTO message_statuses (wamid, status, rank, timestamp, recipient_id,"
    " recipient_user_id, callback_data, error_code, error_title, error_details, updated_at,"
    " pricing_category, billable, pricing_model)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (wamid) DO UPDATE SET "
    + ", ".join(
        _forward(c)
        for c in (
            "status",
            "rank",
            "timestamp",
            "error_code",
            "error_title",
            "error_details",
            "updated_at",
        )
    )
    + ", recipient_id = coalesce(excluded.recipient_id, recipient_id),"
    " recipient_user_id = coalesce(excluded.recipient_user_id, recipient_user_id),"
    " callback_data = coalesce(excluded.callback_data, callback_data),"
    # Pricing rides on sent and delivered, in any order: kept from the first that has it.
    " pricing_category = coalesce(pricing_category, excluded.pricing_category),"
    " billable = coalesce(billable, excluded.billable),"
    " pricing_model = coalesce(pricing_model, excluded.pricing_model)"
    f" WHERE {_FORWARD} OR (pricing_category IS NULL AND excluded.pricing_category IS NOT NULL)"
)


def status_row(event: StatusUpdate, now: float) -> tuple[Any, ...]:
    """The ``STATUS_UPSERT`` parameters of one status update received at ``now``."""
    error = event.errors[0] if event.errors else None
    return (
        event.wamid,
        event.status,
        event.rank,
        event.timestamp,
        event.recipient.wa_id,
        event.recipient.user_id,
        event.callback_data,
        error.code if error else None,
        error.title if error else None,
        error.details or error.message if error else None,
        now,
        *_pricing(event.pricing),
    )


def _pricing(pricing: dict[str, Any] | None) -> tuple[str | None, int | None, str | None]:
    """(category, billable, model) of a status's ``pricing`` object, None where absent."""
    if not pricing:
        return None, None, None
    billable = pricing.get("billable")
    category, model = pricing.get("category"), pricing.get("pricing_model")
    return (
        str(category) if category else None,
        int(billable) if isinstance(billable, bool) else None,
        str(model) if model else None,
    )
