"""What to do about a Graph API error, decided by its code (never by HTTP status or title)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """The five things a sender can do about a failed request."""

    RETRY = "retry"  # transient: back off, slow the global rate, try again
    RETRY_RECIPIENT = "retry_recipient"  # this recipient only, later; keep sending to others
    NEEDS_TEMPLATE = "needs_template"  # outside the 24-hour window: resend as a template
    PERMANENT = "permanent"  # fix the request or the subscriber; never retry as is
    OPERATOR_ALERT = "operator_alert"  # token, permissions, account: stop and tell staff


@dataclass(frozen=True)
class Rule:
    """One row of the table: the action, the first retry delay and how many attempts."""

    action: Action
    meaning: str
    first_delay: float = 0.0  # seconds before the first retry; each further one is ×4
    max_attempts: int = 1
    recipient: bool = False  # True when the problem is the subscriber, not the request


_RETRY = Action.RETRY
_PERM = Action.PERMANENT
_ALERT = Action.OPERATOR_ALERT

# The one classification table (reference whatsapp-cloud-api.md §8); tests walk it code by code.
RULES: dict[int, Rule] = {
    130429: Rule(_RETRY, "throughput reached (80 mps)", 1, 6),
    4: Rule(_RETRY, "app call rate limit", 4, 6),
    80007: Rule(_RETRY, "WABA rate limit", 4, 6),
    1: Rule(_RETRY, "service unavailable", 1, 5),
    2: Rule(_RETRY, "service temporarily unavailable", 1, 5),
    131016: Rule(_RETRY, "service overloaded", 1, 5),
    133004: Rule(_RETRY, "server temporarily unavailable", 1, 5),
    131057: Rule(_RETRY, "account in maintenance", 15, 5),
    131000: Rule(_RETRY, "unknown error", 2, 3),
    131056: Rule(Action.RETRY_RECIPIENT, "pair rate limit: too many to this citizen", 1, 6),
    131049: Rule(Action.RETRY_RECIPIENT, "per-user marketing cap", 24 * 3600, 2),
    131047: Rule(Action.NEEDS_TEMPLATE, "outside the 24-hour window"),
    100: Rule(_PERM, "invalid parameter"),
    131008: Rule(_PERM, "required parameter missing"),
    131009: Rule(_PERM, "parameter value not valid"),
    131051: Rule(_PERM, "unsupported message type"),
    131053: Rule(_PERM, "media upload error (file or MIME type)"),
    132000: Rule(_PERM, "template parameter count mismatch"),
    132001: Rule(_PERM, "template missing, not approved or wrong language"),
    132005: Rule(_PERM, "template text too long"),
    132007: Rule(_PERM, "template violates policy"),
    132012: Rule(_PERM, "template parameter format mismatch"),
    132015: Rule(_PERM, "template paused"),
    132016: Rule(_PERM, "template disabled"),
    132008: Rule(_PERM, "template parameter type does not match the template"),
    130472: Rule(_PERM, "citizen in a marketing experiment"),
    131021: Rule(_PERM, "recipient is the sending number itself"),
    135000: Rule(_PERM, "generic user error: check the request"),
    # The recipient's business-scoped user id cannot receive this message: resend by number.
    131062: Rule(_PERM, "user id not supported for this message: use the number"),
    137000: Rule(_PERM, "the citizen's identity key changed: message not sent", recipient=True),
    131030: Rule(_PERM, "number not in the test recipients list", recipient=True),
    131026: Rule(_PERM, "undeliverable: not on WhatsApp or old client", recipient=True),
    131050: Rule(_PERM, "citizen stopped marketing messages", recipient=True),
    130403: Rule(_PERM, "citizen blocked by the business", recipient=True),
    131052: Rule(_PERM, "inbound media could not be downloaded", recipient=True),
    190: Rule(_ALERT, "access token expired or invalid"),
    0: Rule(_ALERT, "authentication exception"),
    3: Rule(_ALERT, "capability missing"),
    10: Rule(_ALERT, "permission denied"),
    368: Rule(_ALERT, "account temporarily blocked for policy violations"),
    131031: Rule(_ALERT, "account locked"),
    130497: Rule(_ALERT, "business cannot message this country"),
    131042: Rule(_ALERT, "payment problem"),
    131048: Rule(_ALERT, "spam rate limit: pause campaigns, check quality"),
    131064: Rule(_ALERT, "limit for template misclassification"),
    131063: Rule(_ALERT, "marketing messages disabled"),
    131005: Rule(_ALERT, "access denied: check the app's permissions"),
    131037: Rule(_ALERT, "display name not yet approved for this number"),
    131044: Rule(_ALERT, "no valid payment method on the account"),
    131045: Rule(_ALERT, "number registration error (certificate)"),
    133010: Rule(_ALERT, "number not registered with the Cloud API"),
}

_PERMISSIONS = Rule(_ALERT, "API permission missing")
_UNKNOWN_SERVER = Rule(_RETRY, "server error", 2, 3)
_UNKNOWN = Rule(_PERM, "unexpected error")
NETWORK = Rule(_RETRY, "network error: Graph API not reachable", 2, 5)


def rule_for(code: int | None, http_status: int | None = None) -> Rule:
    """The rule for a Graph error code; unknown codes fall back on the HTTP status class."""
    if code is not None:
        if code in RULES:
            return RULES[code]
        if 200 <= code <= 299:
            return _PERMISSIONS
    if http_status is None or http_status >= 500:
        return _UNKNOWN_SERVER if http_status else NETWORK
    return _UNKNOWN


def classify(code: int | None, http_status: int | None = None) -> Action:
    """The action for a Graph error code."""
    return rule_for(code, http_status).action


def retry_delay(rule: Rule, attempt: int) -> float | None:
    """Seconds to wait before retry number ``attempt`` (1-based), or None when not to retry."""
    if rule.action not in (Action.RETRY, Action.RETRY_RECIPIENT) or attempt >= rule.max_attempts:
        return None
    return rule.first_delay * 4 ** (attempt - 1)
