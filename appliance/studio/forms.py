"""Form fields to data: the segment editor's rows and the wizard's times (Europe/Rome)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from appliance.audience.segments import MAX_CONDITIONS, MAX_GROUPS
from appliance.core.errors import BadRequest

LOCAL = ZoneInfo("Europe/Rome")
FORM_GROUPS, FORM_ROWS = 3, 4  # rows the form offers; the definition allows more
assert FORM_GROUPS <= MAX_GROUPS and FORM_ROWS <= MAX_CONDITIONS

# The editor's rule choices: "field:op" with its Italian label.
RULES: tuple[tuple[str, str], ...] = (
    ("topic:has", "segue l'argomento"),
    ("topic:has_not", "non segue l'argomento"),
    ("language:is", "lingua uguale a"),
    ("language:is_not", "lingua diversa da"),
    ("subscribed:after", "iscritto dal giorno (AAAA-MM-GG)"),
    ("subscribed:before", "iscritto prima del giorno (AAAA-MM-GG)"),
    ("last_interaction:within_days", "ha scritto negli ultimi N giorni"),
    ("last_interaction:not_within_days", "non scrive da almeno N giorni"),
    ("answer:is", "ha risposto alla domanda con"),
    ("answer:is_not", "non ha risposto alla domanda con"),
    ("answer:gte", "risposta numerica almeno"),
    ("answer:lte", "risposta numerica al massimo"),
)


def segment_from_form(form: Any) -> dict[str, Any]:
    """The definition the editor's rows describe (empty rows are ignored)."""
    groups = []
    for g in range(FORM_GROUPS):
        conditions = []
        for c in range(FORM_ROWS):
            prefix = f"g{g}_c{c}_"
            rule = form.get(prefix + "rule", "")
            value = form.get(prefix + "value", "").strip()
            if not rule or not value:
                continue
            field, _, op = rule.partition(":")
            condition = {"field": field, "op": op, "value": value}
            if field == "answer":
                condition["question"] = form.get(prefix + "question", "")
            conditions.append(condition)
        groups.append({"match": form.get(f"g{g}_match", "all"), "conditions": conditions})
    return {"match": form.get("match", "all"), "groups": groups}


def form_rows(definition: dict[str, Any]) -> dict[str, str]:
    """The form values that show a definition again."""
    values = {"match": definition.get("match", "all")}
    for g, group in enumerate(definition.get("groups", [])[:FORM_GROUPS]):
        values[f"g{g}_match"] = group.get("match", "all")
        for c, condition in enumerate(group.get("conditions", [])[:FORM_ROWS]):
            prefix = f"g{g}_c{c}_"
            values[prefix + "rule"] = f"{condition['field']}:{condition['op']}"
            values[prefix + "value"] = str(condition["value"])
            values[prefix + "question"] = condition.get("question", "")
    return values


def local_to_iso(value: str, field: str) -> str:
    """A datetime-local input (Europe/Rome) as ISO 8601 with its offset; '' stays ''."""
    value = value.strip()
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{field}: data e ora come 2026-05-04T08:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.isoformat()


def iso_to_local(value: str) -> str:
    """An ISO 8601 time as a datetime-local input value."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")
