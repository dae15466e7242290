"""What Meta charges: the editable rate card, this month's priced messages and the estimates."""

# Meta prices each delivered message by category since 1 July 2025; every status carries a
# ``pricing`` object, which the inbox stores in ``message_statuses``. The Costi page, the
# campaign preview and ``scripts/bench`` all estimate through this module.

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from appliance.core.audit import record_in
from appliance.core.db.settings import put_settings_in
from appliance.core.formats import format_number, zone

if TYPE_CHECKING:
    from appliance.core.db import Database

CATEGORIES = ("marketing", "utility", "authentication", "service")
# Meta's finer categories, priced at the row of the rate card they belong to. Free entry
# points (``referral_conversion``) are free and use no allowance: they are left out.
_FOLD = {"marketing_lite": "marketing", "authentication_international": "authentication"}
WARN_SHARE = Decimal("0.8")  # the free service allowance this used is worth a warning
KEY_PREFIX = "cost_rates."  # rows of the settings table
MAX_RATE = Decimal("1")  # euros per message: anything above is a typing mistake
MAX_ALLOWANCE = 1_000_000


@dataclass(frozen=True)
class RateCard:
    """Euros per message by category, the free service allowance and the rates' date."""

    marketing: Decimal
    utility: Decimal
    authentication: Decimal
    service: Decimal  # each service reply past the monthly allowance
    service_allowance: int  # free service replies per month and number
    rates_date: str  # ISO day the figures are in force from

    def rate(self, category: str) -> Decimal:
        """The price of one message of ``category`` (marketing, utility, …)."""
        return getattr(self, _FOLD.get(category, category))


# Meta's euro rate card for Italy, per delivered message, in force from 1 July 2025 (per-message
# pricing), at developers.facebook.com/docs/whatsapp/pricing. The figures are the developer's
# reading of that card, not a stored copy: staff are told to check them. Service replies are
# free in the 24-hour window; providers (not Meta's page) report that from 1 October 2026 those
# past 1,000 a month per number are charged at the utility rate: hence the allowance.
DEFAULT_CARD = RateCard(
    marketing=Decimal("0.0572"),
    utility=Decimal("0.0248"),
    authentication=Decimal("0.0248"),
    service=Decimal("0.0248"),
    service_allowance=1000,
    rates_date="2025-07-01",
)
RATE_FIELDS = ("marketing", "utility", "authentication", "service")
SOURCE_URL = "https://developers.facebook.com/docs/whatsapp/pricing"
_READ: dict[str, Any] = {"service_allowance": int, "rates_date": str}  # the rest are euros


async def rate_card(db: Database) -> RateCard:
    """The card staff saved, each missing figure from Meta's defaults."""
    rows = await db.fetchall(
        "SELECT key, value FROM settings WHERE substr(key, 1, ?) = ?",
        (len(KEY_PREFIX), KEY_PREFIX),
    )
    stored = {r["key"].removeprefix(KEY_PREFIX): r["value"] for r in rows}
    values = {
        f.name: _READ.get(f.name, Decimal)(stored[f.name])
        for f in fields(RateCard)
        if f.name in stored
    }
    return replace(DEFAULT_CARD, **values)


async def save_rate_card(db: Database, card: RateCard, actor: str, address: str) -> list[str]:
    """Store the figures that changed with one audit row (old → new); return their names."""
    current = await rate_card(db)
    changed = [
        f.name for f in fields(RateCard) if getattr(card, f.name) != getattr(current, f.name)
    ]
    if not changed:
        return []

    async def job(conn: Any) -> None:
        await put_settings_in(
            conn, [(KEY_PREFIX + name, str(getattr(card, name))) for name in changed]
        )
        detail = "; ".join(
            f"{name}: {getattr(current, name)} -> {getattr(card, name)}" for name in changed
        )
        await record_in(conn, actor, "settings.changed", "cost_rates", detail, address)

    await db.write(job)
    return changed


def month_bounds(moment: datetime | None = None) -> tuple[datetime, datetime]:
    """The first instant of the town's month holding ``moment`` (now) and of the next one."""
    local = (moment or datetime.now(zone())).astimezone(zone())
    start = datetime(local.year, local.month, 1, tzinfo=zone())
    following = datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=zone())
    return start, following


@dataclass(frozen=True)
class Line:
    """One category of the month: messages, those charged, and the estimate."""

    category: str
    messages: int
    charged: int  # marked billable by Meta; for service replies, those past the allowance
    rate: Decimal
    euros: Decimal


@dataclass(frozen=True)
class Month:
    """A month's priced messages against a rate card."""

    start: datetime
    lines: tuple[Line, ...]
    card: RateCard

    @property
    def messages(self) -> int:
        """Every priced message of the month."""
        return sum(line.messages for line in self.lines)

    @property
    def charged(self) -> int:
        """The messages the estimate charges."""
        return sum(line.charged for line in self.lines)

    @property
    def euros(self) -> Decimal:
        """The month's estimate."""
        return sum((line.euros for line in self.lines), Decimal(0))

    @property
    def service_used(self) -> int:
        """Service replies this month, against the free allowance."""
        return next(line.messages for line in self.lines if line.category == "service")

    @property
    def allowance_share(self) -> Decimal:
        """How much of the free service allowance is used (1 = all of it)."""
        allowance = self.card.service_allowance
        return Decimal(self.service_used) / allowance if allowance else Decimal(0)

    @property
    def allowance_warning(self) -> bool:
        """True from 80 % of the allowance on."""
        return self.card.service_allowance > 0 and self.allowance_share >= WARN_SHARE


# Meta's ``timestamp`` of the latest status, in the month's range: a message delivered on the
# 31st and read on the 1st counts in the later month (Meta bills at delivery; rare enough).
_MONTH_QUERY = (
    "SELECT pricing_category AS category, count(*) AS n, sum(coalesce(billable, 0)) AS billed"
    " FROM message_statuses WHERE pricing_category IN ({}) AND timestamp >= ? AND timestamp < ?"
    " GROUP BY pricing_category"
)
_PRICED = (*CATEGORIES, *_FOLD)


async def month(db: Database, card: RateCard, moment: datetime | None = None) -> Month:
    """The town's month of ``moment`` (now): counts by category from the stored pricing."""
    start, end = month_bounds(moment)
    rows = await db.fetchall(
        _MONTH_QUERY.format(", ".join("?" * len(_PRICED))),
        (*_PRICED, int(start.timestamp()), int(end.timestamp())),
    )
    counts = {c: [0, 0] for c in CATEGORIES}
    for row in rows:
        total = counts[_FOLD.get(row["category"], row["category"])]
        total[0] += row["n"]
        total[1] += row["billed"] or 0
    lines = []
    for category in CATEGORIES:
        messages, billable = counts[category]
        # Service replies are free within the allowance; the statuses do not say which were past.
        charged = max(0, messages - card.service_allowance) if category == "service" else billable
        rate = card.rate(category)
        lines.append(Line(category, messages, charged, rate, rate * charged))
    return Month(start, tuple(lines), card)


async def service_used(db: Database, moment: datetime | None = None) -> int:
    """Service replies so far this month (the dashboard's allowance line reads only this)."""
    start, end = month_bounds(moment)
    row = await db.fetchone(
        "SELECT count(*) AS n FROM message_statuses WHERE pricing_category = 'service'"
        " AND timestamp >= ? AND timestamp < ?",
        (int(start.timestamp()), int(end.timestamp())),
    )
    return int(row["n"]) if row else 0


@dataclass(frozen=True)
class CampaignCost:
    """A campaign's estimate: templates at their category's rate, replies past the allowance."""

    euros: Decimal
    templates: int
    template_rate: Decimal
    charged_replies: int
    card: RateCard


def campaign_cost(
    card: RateCard, category: str, templates: int, replies: int, service_so_far: int
) -> CampaignCost:
    """``templates`` of ``category`` plus ``replies`` free-form parts, after this month's use."""
    rate = card.rate(category.lower())
    charged = max(0, replies - max(0, card.service_allowance - service_so_far))
    return CampaignCost(rate * templates + card.service * charged, templates, rate, charged, card)


async def campaign_estimate(
    db: Database, category: str, templates: int, replies: int
) -> CampaignCost:
    """The preview's estimate on today's rate card and this month's service replies."""
    return campaign_cost(await rate_card(db), category, templates, replies, await service_used(db))


def euros(value: Decimal, language: str = "it", decimals: int = 2) -> str:
    """``1.234,56 €`` in Italian, ``€1,234.56`` in English."""
    number = format_number(float(value), language, decimals)
    return f"€{number}" if language == "en" else f"{number} €"
