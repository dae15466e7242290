"""Form fields to data: the segment editor's rows and the wizard's times (the town's zone)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from appliance.audience.segments import MAX_CONDITIONS, MAX_GROUPS
from appliance.core.errors import BadRequest
from appliance.core.formats import zone
from appliance.lan.i18n import translate

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


# Rules whose value is picked from a list (topics, languages, a question's options): the list
# carries "field|code" or "answer|question|code", so a clerk never types a code.
CHOICE_RULES = (
    "topic:has",
    "topic:has_not",
    "language:is",
    "language:is_not",
    "answer:is",
    "answer:is_not",
)


def _condition(form: Any, prefix: str) -> dict[str, Any] | None:
    """One row as a condition, or None when it is empty or half filled."""
    rule = form.get(prefix + "rule", "")
    field, _, op = rule.partition(":")
    question = form.get(prefix + "question", "")
    value = form.get(prefix + "value", "").strip()
    choice = form.get(prefix + "choice", "").split("|")
    if (
        rule in CHOICE_RULES
        and choice[0] == field
        and len(choice) == (3 if field == "answer" else 2)
    ):
        value = choice[-1]
        question = choice[1] if field == "answer" else question
    if not rule or not value:
        return None
    condition = {"field": field, "op": op, "value": value}
    if field == "answer":
        condition["question"] = question
    return condition


def row_prefixes(form: Any) -> list[str]:
    """The rows the editor shows, in order: those listed in ``rows``, else every filled one."""
    listed = form.get("rows", "").split()
    if listed:
        return [p for p in listed if p in ALL_PREFIXES]
    return [p for p in ALL_PREFIXES if form.get(p + "rule")]


ALL_PREFIXES = tuple(f"g{g}_c{c}_" for g in range(FORM_GROUPS) for c in range(FORM_ROWS))


def segment_from_form(form: Any) -> dict[str, Any]:
    """The definition the editor's rows describe (empty rows are ignored)."""
    groups = []
    for g in range(FORM_GROUPS):
        conditions = []
        for c in range(FORM_ROWS):
            condition = _condition(form, f"g{g}_c{c}_")
            if condition is not None:
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
            field, value = condition["field"], str(condition["value"])
            values[prefix + "rule"] = f"{field}:{condition['op']}"
            values[prefix + "value"] = value
            values[prefix + "question"] = condition.get("question", "")
            parts = [field, condition["question"], value] if field == "answer" else [field, value]
            values[prefix + "choice"] = "|".join(parts)
    return values


def layout(rows: list[str]) -> tuple[list[tuple[int, list[str]]], int | None]:
    """The groups in use with their rows, and the first group not in use (None when full)."""
    used = [(g, [p for p in rows if p.startswith(f"g{g}_")]) for g in range(FORM_GROUPS)]
    used = [(g, prefixes) for g, prefixes in used if prefixes]
    free = [g for g in range(FORM_GROUPS) if g not in {u for u, _ in used}]
    return used, (free[0] if free else None)


def edit_rows(values: dict[str, str], action: str) -> tuple[list[str], str]:
    """The rows after "add a row to group g" or "remove row p", and the control to focus."""
    rows = row_prefixes(values) or [ALL_PREFIXES[0]]
    verb, _, target = action.partition(":")
    if verb == "remove" and target in rows:
        rows.remove(target)
        for key in [k for k in values if k.startswith(target)]:
            del values[key]
        return rows or [ALL_PREFIXES[0]], f"add-{target[:2]}"
    if verb == "add" and target in {f"g{g}" for g in range(FORM_GROUPS)}:
        free = [p for p in ALL_PREFIXES if p.startswith(target + "_") and p not in rows]
        if free:
            rows.append(free[0])
            return sorted(rows), f"f-{free[0]}rule"
    return rows, ""


def _word(row: Any, italian: str, english: str, lang: str) -> str:
    """A stored Italian/English pair in the staff's language (Italian when no English)."""
    return (lang == "en" and row[english]) or row[italian]


def editor_choices(
    topics: list[Any], questions: list[Any], lang: str
) -> tuple[list[tuple[str, str, list[tuple[str, str]]]], list[tuple[str, str]]]:
    """The value lists (label, field, [(code, words)]) and the questions answered by typing."""
    choices = [
        (
            translate("Argomenti", lang),
            "topic",
            [(f"topic|{t['key']}", _word(t, "name_it", "name_en", lang)) for t in topics],
        ),
        (
            translate("Lingua", lang),
            "language",
            [("language|it", "Italiano"), ("language|en", "English")],
        ),
    ]
    typed = []
    for q in questions:
        options = json.loads(q["options"] or "[]")
        prompt = _word(q, "prompt_it", "prompt_en", lang)
        if options and q["kind"] in ("single", "multiple"):
            listed = [(f"answer|{q['key']}|{o['key']}", o.get(lang) or o["it"]) for o in options]
            choices.append((prompt, "answer", listed))
        else:
            typed.append((q["key"], prompt))
    return choices, typed


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
        moment = moment.replace(tzinfo=zone())
    return moment.isoformat()


def iso_to_local(value: str) -> str:
    """An ISO 8601 time as a datetime-local input value."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(zone()).strftime("%Y-%m-%dT%H:%M")
