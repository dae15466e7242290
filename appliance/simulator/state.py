"""The simulator's rules and memory: buckets, windows, tier, templates, media, accepted log.

Pure and synchronous (no I/O), so the hot path is a few dictionary look-ups; the routes
(``graph``, ``control``) and the webhook sender (``webhooks``) sit around it, and a template
message is checked against its template by ``templates``.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from appliance.cloudapi.limits import (
    TEMPLATE_CATEGORIES,
    LimitError,
    validate_message,
    validate_template_name,
    validate_upload,
)
from appliance.simulator import templates
from appliance.simulator.errors import Rejected

DAY = 24 * 3600


@dataclass
class Settings:
    """What the simulator enforces and how it answers; every field is settable at run time."""

    access_token: str = "demo-access-token"
    app_secret: str = "demo-app-secret"
    phone_number_id: str = "200000000000002"
    business_account_id: str = "100000000000001"
    display_phone_number: str = "390612345678"
    webhook_url: str = ""
    rate: float = 80.0  # token bucket: tokens per second, burst = rate
    pair_burst: int = 45
    pair_refill_seconds: float = 6.0
    tier: int = 250  # unique business-initiated recipients per moving 24 h; 0 = unlimited
    tier_error_code: int = 131048  # Meta's code for an exhausted tier is unconfirmed
    review_seconds: float = 5.0  # template review delay
    status_delays: dict[str, float | None] = field(
        default_factory=lambda: {"sent": 0.05, "delivered": 0.3, "read": 1.5}
    )
    duplicate_statuses: bool = False
    reorder_statuses: bool = False
    undeliverable: list[str] = field(default_factory=list)  # wa_ids; a failed status follows
    undeliverable_sync: bool = False  # answer 131026 at once instead of a failed webhook
    # wa_id → Graph code: the message is accepted, then a failed status carries the code.
    failures: dict[str, int] = field(default_factory=dict)
    # wa_id or user id → Graph code refused at once (nothing accepted, no status follows).
    refusals: dict[str, int] = field(default_factory=dict)
    # Business-scoped user ids (Meta, 2026) on inbound messages and statuses.
    user_ids: bool = False
    # wa_ids of username users whose number Meta withholds: they appear by user id only.
    username_only: list[str] = field(default_factory=list)
    # Meta accepts free-form outside the window and fails it by webhook (131047); True
    # refuses it at once instead, as older simulators did.
    window_sync: bool = False
    token_expired: bool = False
    webhook_batch: int = 100  # statuses per webhook POST at most

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update; unknown keys or wrong types raise ValueError."""
        known = {f.name: f for f in fields(self)}
        for key, value in changes.items():
            if key not in known:
                raise ValueError(f"unknown setting {key!r}")
            current = getattr(self, key)
            if isinstance(current, bool) != isinstance(value, bool) or (
                current is not None
                and not isinstance(value, type(current))
                and not (isinstance(current, float) and isinstance(value, int))
            ):
                raise ValueError(f"setting {key!r} expects {type(current).__name__}")
            setattr(self, key, float(value) if isinstance(current, float) else value)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able copy."""
        return asdict(self)


@dataclass
class Faults:
    """Faults injected into Graph answers (never into the control API)."""

    latency: float = 0.0  # seconds added to every answer
    fail_status: int = 0  # 500 or 503 answered instead of handling the request
    fail_count: int = 0  # how many requests get it; -1 = until cleared
    hang_seconds: float = 0.0  # hold the request this long (client timeouts)
    hang_count: int = 0  # how many requests hang; -1 = until cleared

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able copy."""
        return asdict(self)


class Bucket:
    """A token bucket (``capacity`` tokens, ``per_second`` refill) on the simulated clock."""

    __slots__ = ("capacity", "per_second", "tokens", "updated")

    def __init__(self, capacity: float, per_second: float, now: float) -> None:
        self.capacity, self.per_second = capacity, per_second
        self.tokens, self.updated = capacity, now

    def take(self, now: float, *, force: bool = False) -> bool:
        """Take one token; ``force`` takes it even when empty (inbound traffic is not refused)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1 or force:
            self.tokens = max(0.0, self.tokens - 1)
            return True
        return False


class SimState:
    """The simulated number and account."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.faults = Faults()
        self.clock_offset = 0.0
        self._ids = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        """Forget traffic, windows, buckets, faults and media; keep settings and templates."""
        now = self.now()
        self.faults = Faults()
        self.accepted: list[dict[str, Any]] = []
        self.windows: dict[str, float] = {}
        self.tier_seen: dict[str, float] = {}
        self.pairs: dict[str, Bucket] = {}
        self.throughput = Bucket(self.settings.rate, self.settings.rate, now)
        self.media: dict[str, dict[str, Any]] = {}
        self.changed_user_ids: dict[str, str] = {}  # wa_id → the user id that replaced Meta's first
        self.templates: dict[tuple[str, str], dict[str, Any]] = {}
        for name, category, components in templates.DEFAULT_TEMPLATES:
            self.put_template(name, "it", category, "APPROVED", components)

    def now(self) -> float:
        """The simulated clock: wall time plus what tests advanced it by."""
        return time.time() + self.clock_offset

    def user_id_for(self, wa_id: str) -> str:
        """The business-scoped user id Meta gives this number's owner (stable until changed)."""
        if wa_id in self.changed_user_ids:
            return self.changed_user_ids[wa_id]
        digest = hashlib.sha256(f"{self.settings.business_account_id}:{wa_id}".encode())
        return f"IT.{int(digest.hexdigest()[:15], 16)}"

    def change_user_id(self, wa_id: str, new: str | None = None) -> tuple[str, str]:
        """Give this number's owner a new user id (``new`` or a fresh one): (previous, current)."""
        previous = self.user_id_for(wa_id)
        digest = hashlib.sha256(f"{previous}:changed".encode())
        current = new or f"IT.{int(digest.hexdigest()[:15], 16)}"
        self.changed_user_ids[wa_id] = current
        return previous, current

    def new_id(self, prefix: str) -> str:
        """A unique id in Meta's style."""
        return f"{prefix}{next(self._ids):08d}{secrets.token_hex(6).upper()}"

    def new_number(self, first_digit: int) -> str:
        """A numeric id (templates, media), as Graph object ids are."""
        return str(first_digit * 10**15 + next(self._ids) * 1000 + secrets.randbelow(1000))

    # -- auth and throughput ----------------------------------------------------------------

    def check_token(self, authorization: str) -> None:
        """Bearer token check; 190 when missing, wrong or set to expired."""
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        if not token or not secrets.compare_digest(token, self.settings.access_token):
            raise Rejected(190, "Invalid OAuth access token - Cannot parse access token", 401)
        if self.settings.token_expired:
            raise Rejected(190, "Error validating access token: Session has expired", 401)

    def _take_throughput(self, *, inbound: bool = False) -> None:
        bucket = self.throughput
        if bucket.capacity != self.settings.rate:
            bucket.capacity = bucket.per_second = self.settings.rate
        if not bucket.take(self.now(), force=inbound):
            raise Rejected(130429, http_status=429)

    # -- sending ----------------------------------------------------------------------------

    def send(self, endpoint: str, body: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Apply every rule to one /messages or /marketing_messages request.

        Returns the answer and, for an accepted message, its log entry; raises Rejected.
        """
        try:
            validate_message(body)
        except LimitError as err:
            raise Rejected(err.graph_code, err.message) from err
        if body.get("status") == "read":
            if endpoint != "messages":
                raise Rejected(100, "mark as read goes to /messages")
            return {"success": True}, None
        kind = body.get("type", "text")
        to = body.get("to") or body.get("recipient")
        key = to.lstrip("+")
        template = self._template_for(endpoint, body) if kind == "template" else None
        if endpoint == "marketing_messages" and template is None:
            raise Rejected(100, "marketing_messages accepts only marketing templates")
        self._take_throughput()
        now = self.now()
        in_window = now - self.windows.get(key, -DAY) < DAY
        fail_code = self.settings.failures.get(key)
        if key in self.settings.undeliverable:
            fail_code = 131026
        if template is None and not in_window:
            if self.settings.window_sync:
                raise Rejected(131047)
            fail_code = 131047
        if template is not None and not in_window:
            self._count_tier(key, now)
        if key in self.settings.undeliverable and self.settings.undeliverable_sync:
            raise Rejected(131026)
        if key in self.settings.refusals:
            raise Rejected(self.settings.refusals[key])
        pair = self.pairs.get(key)
        if pair is None:
            pair = self.pairs[key] = Bucket(
                self.settings.pair_burst, 1 / self.settings.pair_refill_seconds, now
            )
        if not pair.take(now):
            raise Rejected(131056, http_status=429)
        wamid = self.new_id("wamid.SIM")
        entry = {
            "wamid": wamid,
            "to": key,
            "type": kind,
            "endpoint": endpoint,
            "template": template["name"] if template else None,
            "category": template["category"] if template else None,
            "in_window": in_window,
            "callback_data": body.get("biz_opaque_callback_data"),
            "fail_code": fail_code,
            "at": now,
            "body": body,
        }
        self.accepted.append(entry)
        answer: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": key}],
            "messages": [{"id": wamid}],
        }
        if template is not None:
            answer["messages"][0]["message_status"] = "accepted"
        return answer, entry

    def _template_for(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        content = body["template"]
        template = self.templates.get((content["name"], content["language"]["code"]))
        if template is not None and template["status"] == "PAUSED":
            raise Rejected(132015, f"template {content['name']} is paused")
        if template is None or template["status"] != "APPROVED":
            raise Rejected(
                132001,
                f"template name ({content['name']}) does not exist in "
                f"{content['language']['code']} or is not approved",
                404 if template is None else 400,
            )
        if endpoint == "marketing_messages" and template["category"] != "MARKETING":
            raise Rejected(100, "marketing_messages accepts only marketing templates")
        templates.check(template["shape"], content)
        return template

    def _count_tier(self, key: str, now: float) -> None:
        tier = self.settings.tier
        if not tier:
            return
        if now - self.tier_seen.get(key, -DAY) < DAY:
            self.tier_seen[key] = now  # still one of the unique recipients of the last 24 h
            return
        if len(self.tier_seen) >= tier:
            # Prune only when full: the moving window is exact without a scan per send.
            self.tier_seen = {k: t for k, t in self.tier_seen.items() if now - t < DAY}
            if len(self.tier_seen) >= tier:
                raise Rejected(
                    self.settings.tier_error_code,
                    f"messaging limit reached: {tier} business-initiated recipients in 24 hours",
                )
        self.tier_seen[key] = now

    # -- inbound and windows ----------------------------------------------------------------

    def inbound(self, key: str) -> None:
        """A citizen writes: it counts as traffic and opens (or resets) the 24-hour window."""
        self._take_throughput(inbound=True)
        self.windows[key] = self.now()

    def set_window(self, key: str, is_open: bool) -> None:
        """Open or close a citizen's window directly (tests that post webhooks themselves)."""
        if is_open:
            self.windows[key] = self.now()
        else:
            self.windows.pop(key, None)

    # -- templates --------------------------------------------------------------------------

    def put_template(
        self,
        name: str,
        language: str,
        category: str,
        status: str,
        components: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """Create or replace a template as stored by Meta."""
        existing = self.templates.get((name, language))
        shape = templates.shape_of(components)
        template = {
            "id": existing["id"] if existing else self.new_number(7),
            "name": name,
            "language": language,
            "category": category.upper(),
            "status": status.upper(),
            "components": components,
            "shape": shape,
            # Meta lists it: pywa's get_templates reads it from every template.
            "parameter_format": shape.parameter_format,
        }
        self.templates[(name, language)] = template
        return template

    def create_template(self, body: Any) -> dict[str, Any]:
        """POST message_templates: validated and stored as PENDING (review follows)."""
        if not isinstance(body, dict):
            raise Rejected(100, "body must be a JSON object")
        try:
            validate_template_name(body.get("name"))
        except LimitError as err:
            raise Rejected(err.graph_code, err.message) from err
        language, category = body.get("language"), str(body.get("category", "")).upper()
        if not isinstance(language, str) or not language:
            raise Rejected(131008, "language is required")
        if category not in TEMPLATE_CATEGORIES:
            raise Rejected(100, f"category must be one of {', '.join(TEMPLATE_CATEGORIES)}")
        components = body.get("components")
        if not isinstance(components, list) or not components:
            raise Rejected(131008, "components are required")
        if (body["name"], language) in self.templates:
            raise Rejected(100, "a template with this name and language already exists")
        return self.put_template(body["name"], language, category, "PENDING", components)

    def template_page(
        self, limit: int, after: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the template listing and the cursor of the next, if any."""
        items = sorted(self.templates.values(), key=lambda t: (t["name"], t["language"]))
        start = next((i + 1 for i, t in enumerate(items) if t["id"] == after), 0) if after else 0
        page = items[start : start + limit]
        more = start + limit < len(items)
        public = [public_template(t) for t in page]
        return public, (page[-1]["id"] if more and page else None)

    # -- media ------------------------------------------------------------------------------

    def store_media(self, data: bytes, mime_type: str) -> str:
        """Keep an uploaded file; 131053 for a wrong type or size."""
        try:
            validate_upload(mime_type, len(data))
        except LimitError as err:
            raise Rejected(131053, err.message) from err
        media_id = self.new_number(9)
        self.media[media_id] = {
            "id": media_id,
            "mime_type": mime_type,
            "sha256": hashlib.sha256(data).hexdigest(),
            "file_size": len(data),
            "data": data,
        }
        return media_id


def public_template(template: dict[str, Any]) -> dict[str, Any]:
    """A stored template as Meta lists it (without the simulator's own shape)."""
    return {k: v for k, v in template.items() if k != "shape"}
