"""What every webhook event is made of: the event base, identities, API errors, status order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

# Statuses only move forward; failed is final whatever arrives after it.
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 9}

Record = dict[str, Any]


def status_rank(status: str) -> int:
    """Order of a status in a message's life; unknown statuses rank 0 (never applied)."""
    return STATUS_RANK.get(status, 0)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a message is from or to: the phone (wa_id) and/or the business-scoped user ids.

    ``parent_user_id`` is the portfolio-wide id Meta sends beside ``user_id``; ``username`` is
    the citizen's WhatsApp username (shown, never matched: it can change hands).
    """

    wa_id: str | None = None
    user_id: str | None = None
    name: str | None = None
    parent_user_id: str | None = None
    username: str | None = None

    @property
    def known(self) -> bool:
        """True when at least one identifier says who this is."""
        return bool(self.wa_id or self.user_id or self.parent_user_id)


@dataclass(frozen=True, slots=True)
class ApiError:
    """One error object as Meta sends it in webhooks and API answers."""

    code: int | None
    title: str = ""
    message: str = ""
    details: str = ""

    @classmethod
    def from_json(cls, data: Any) -> ApiError:
        """Parse an error object, tolerating missing or odd fields."""
        if not isinstance(data, dict):
            return cls(code=None, message=str(data))
        code = data.get("code")
        error_data = data.get("error_data")
        return cls(
            code=code if isinstance(code, int) else _int_or_none(code),
            title=str(data.get("title") or ""),
            message=str(data.get("message") or ""),
            details=str(error_data.get("details") or "") if isinstance(error_data, dict) else "",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event: its dedupe key and the account and number it came through."""

    kind: ClassVar[str] = "event"
    key: str
    account_id: str = ""
    phone_number_id: str = ""


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
