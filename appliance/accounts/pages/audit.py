"""The audit log page: filter by action, actor and dates; newest first, fifty a page."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from quart import Blueprint, g, request

from appliance.accounts.auditlog import AuditFilter, known_actions, query_audit
from appliance.core import audit
from appliance.lan.access import requires
from appliance.lan.auth import the_appliance
from appliance.lan.forms import int_arg, page
from appliance.lan.i18n import gettext, translate

bp = Blueprint("audit", __name__)


def _date(raw: str, errors: list[str], label: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(gettext("{label}: data non valida (AAAA-MM-GG).", label=label))
        return None


@bp.get("/audit")
@requires("viewer")
async def index() -> Any:
    """One page of the log with the filters the reader chose."""
    db = the_appliance().db
    args = request.args
    errors: list[str] = []
    flt = AuditFilter(
        action=args.get("action", "")[:100],
        actor=args.get("actor", "")[:100],
        since=_date(args.get("since", ""), errors, gettext("Dal")),
        until=_date(args.get("until", ""), errors, gettext("Al")),
    )
    number = int_arg("page", 1, minimum=1)
    rows, more = await query_audit(db, flt, number)
    kept = {k: v for k, v in args.items() if k != "page" and v}

    def link(n: int) -> str:
        return "/audit?" + urlencode({**kept, "page": n})

    return await page(
        "audit.html",
        400 if errors else 200,
        # Details stored as a key and values are worded now, in the reader's language.
        rows=[(r, translate(audit.describe(r["detail"]), g.get("lang", "it"))) for r in rows],
        flt=flt,
        actions=await known_actions(db),
        errors=errors,
        page_number=number,
        newer=link(number - 1) if number > 1 else "",
        older=link(number + 1) if more else "",
    )
