"""The events that are no conversation turn: statuses, templates, preferences, identity, account."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from appliance.cloudapi.events.base import ApiError, Event, Identity, status_rank


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusUpdate(Event):
    """What happened to a message we sent; ``errors`` only on failed (sent once: persist)."""

    kind: ClassVar[str] = "status"
    wamid: str
    status: str
    timestamp: int
    recipient: Identity
    callback_data: str | None = None
    pricing: dict[str, Any] | None = None
    errors: tuple[ApiError, ...] = ()

    @property
    def rank(self) -> int:
        """Position in the forward-only order of statuses."""
        return status_rank(self.status)


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateStatusUpdate(Event):
    """A template was approved, rejected, paused, disabled…"""

    kind: ClassVar[str] = "template_status"
    template_id: str
    name: str
    language: str
    event: str
    reason: str = ""
    category: str = ""  # Meta names it in newer webhooks; the route follows it at once


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateCategoryUpdate(Event):
    """A template's category changes (impending) or changed (completed)."""

    kind: ClassVar[str] = "template_category"
    template_id: str
    name: str
    language: str
    new_category: str
    previous_category: str = ""
    correct_category: str = ""

    @property
    def completed(self) -> bool:
        """Only a completed change moves the send route; an impending one is a notice."""
        return not self.correct_category


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPreferences(Event):
    """A citizen stopped (or resumed) marketing messages inside WhatsApp."""

    kind: ClassVar[str] = "user_preferences"
    identity: Identity
    category: str
    value: str
    detail: str = ""
    timestamp: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemChange(Event):
    """Meta's notice that a citizen changed number or user id (``system`` messages and the
    ``user_id_update`` webhook): ``sender`` as we knew them, ``new`` what replaces it.

    Never a conversation turn: the bot does not answer a notice.
    """

    kind: ClassVar[str] = "system"
    wamid: str
    sender: Identity
    change: str  # user_changed_number, user_changed_user_id, user_id_update, or another type
    new: Identity
    body: str = ""
    timestamp: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountErrors(Event):
    """System, app or account errors sent outside any message or status."""

    kind: ClassVar[str] = "error"
    errors: tuple[ApiError, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountNotice(Event):
    """The account, the number or a template changed standing: ban, restriction, quality…

    ``field_name`` is the webhook field (``account_update``, ``phone_number_quality_update``,
    ``message_template_quality_update``), ``event`` Meta's event name, ``value`` the rest.
    """

    kind: ClassVar[str] = "account_update"
    field_name: str
    event: str
    value: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UnsupportedChange(Event):
    """A webhook field we do not handle, or one we could not read; kept, never a crash."""

    kind: ClassVar[str] = "unsupported"
    field_name: str
    value: Any = field(default=None)
    problem: str = ""
