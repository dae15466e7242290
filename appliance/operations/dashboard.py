"""The dashboard: the service's story (subscribers, messages, campaigns) and its health."""

from __future__ import annotations

from typing import Any

from quart import Blueprint

from appliance.cloudapi.deliveries import DELIVERIES
from appliance.core.health import SEVERITY, overall
from appliance.lan.access import requires
from appliance.lan.auth import principal, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext
from appliance.operations.charts import Serie, bar_chart, line_chart
from appliance.operations.story import tell

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@requires("viewer")
async def index() -> Any:
    """Every registered probe's check, problems first."""
    appliance = the_appliance()
    checks = await appliance.health.snapshot()
    ordered = sorted(checks, key=lambda c: -SEVERITY.get(c.status, 1))
    story = await tell(appliance.db)
    who = principal()
    parked = 0
    if who is not None and who.can("admin") and DELIVERIES in appliance.parts:
        parked = await appliance.parts[DELIVERIES].dead_letter_count()
    labels = [f"{d.day:02d}/{d.month:02d}" for d in story.days]
    return await page(
        "dashboard.html",
        checks=ordered,
        overall=overall([c.status for c in checks]),
        story=story,
        dead_letters=parked,
        day_labels=labels,
        subscribers_chart=line_chart(
            "chart-subscribers",
            gettext("Iscritti negli ultimi 30 giorni"),
            gettext(
                "Da {first} a {last} iscritti.",
                first=story.subscribers_by_day[0],
                last=story.subscribers_by_day[-1],
            ),
            labels,
            Serie(gettext("Iscritti"), "#0b4f7a", story.subscribers_by_day),
        ),
        messages_chart=bar_chart(
            "chart-messages",
            gettext("Messaggi al giorno negli ultimi 30 giorni"),
            gettext(
                "{sent} inviati e {received} ricevuti in tutto.",
                sent=sum(story.sent_by_day),
                received=sum(story.received_by_day),
            ),
            labels,
            [
                Serie(gettext("Inviati"), "#0b6e4f", story.sent_by_day),
                Serie(gettext("Ricevuti"), "#a05a00", story.received_by_day),
            ],
        ),
    )
