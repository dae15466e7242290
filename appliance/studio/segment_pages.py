"""The segment editor's pages: rows of rules in words, the live count, save (editors and up)."""

from __future__ import annotations

from typing import Any

from quart import flash, g, jsonify, redirect, request, url_for

from appliance.audience import recipients
from appliance.core.errors import ApplianceError, BadRequest
from appliance.core.formats import format_number
from appliance.lan.access import requires
from appliance.lan.auth import actor, record_change, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext
from appliance.studio.compose import _drafts, _topics, bp
from appliance.studio.forms import (
    ALL_PREFIXES,
    FORM_ROWS,
    RULES,
    edit_rows,
    editor_choices,
    form_rows,
    layout,
    row_prefixes,
    segment_from_form,
)


async def _questions() -> list[Any]:
    return await the_appliance().db.fetchall(
        "SELECT key, kind, prompt_it, prompt_en, options FROM profile_questions"
        " WHERE active = 1 ORDER BY position"
    )


async def _editor_context() -> dict[str, Any]:
    """The rules and every value a clerk can pick, in the words the citizen saw."""
    lang = g.get("lang", "it")
    choices, typed = editor_choices(await _topics(), await _questions(), lang)
    return {
        "rules": RULES,
        "choices": choices,
        "typed_questions": typed,
    }


def reach_text(n: int) -> str:
    """The live count's sentence."""
    return gettext("Persone raggiunte ora: {n}", n=format_number(n, g.get("lang", "it")))


# -- segments --------------------------------------------------------------------------------


@bp.get("/segments")
@requires("editor")
async def segment_list() -> Any:
    """Saved segments with their live counts."""
    db = the_appliance().db
    saved = await _drafts().segments.all()
    for s in saved:
        s["count"] = await recipients.count(db, s["definition"])
    return await page("studio/segments.html", saved=saved)


@bp.route("/segments/new", methods=["GET", "POST"])
@bp.route("/segments/<int:segment_id>", methods=["GET", "POST"])
@requires("editor")
async def segment_edit(segment_id: int | None = None) -> Any:
    """The form-built filter: rows of rules in AND/OR groups, a count, save."""
    store = _drafts().segments
    name, values, errors, counted, focus = "", {}, {}, None, ""
    if segment_id is not None:
        segment = await store.get(segment_id)
        name, values = segment["name"], form_rows(segment["definition"])
    rows = row_prefixes(values)
    if request.method == "POST":
        form = await request.form
        name, values = form.get("name", "").strip(), dict(form)
        action = form.get("action", "count")
        rows, focus = edit_rows(values, action)
        definition = segment_from_form(values)
        try:
            counted = await recipients.count(the_appliance().db, definition)
            if action == "save":
                saved = await store.save(name, definition, actor(), segment_id)
                await record_change("segment.saved", name)
                await flash(gettext("Segmento salvato."), "success")
                return redirect(url_for("compose.segment_edit", segment_id=saved))
        except ApplianceError as err:
            errors["segment"] = err.message
        focus = focus or ("count-button" if action == "count" else "")
    else:
        definition = segment["definition"] if segment_id is not None else {"groups": []}
        counted = await recipients.count(the_appliance().db, definition)
    rows = rows or [ALL_PREFIXES[0]]
    used, free = layout(rows)
    return await page(
        "studio/segment_edit.html",
        400 if errors else 200,
        segment_id=segment_id,
        name=name,
        values=values,
        rows=rows,
        used_groups=used,
        free_group=free,
        max_rows=FORM_ROWS,
        focus=focus,
        errors=errors,
        counted=counted,
        **await _editor_context(),
    )


@bp.post("/segments/<int:segment_id>/delete")
@requires("editor")
async def segment_delete(segment_id: int) -> Any:
    """Forget a saved segment."""
    await _drafts().segments.delete(segment_id)
    await record_change("segment.deleted", f"segment:{segment_id}")
    await flash(gettext("Segmento eliminato."), "success")
    return redirect(url_for("compose.segment_list"))


@bp.post("/segments/count")
@requires("editor")
async def segment_count() -> Any:
    """The live count for the editor's current rows (JSON, for the page's script)."""
    form = await request.form
    try:
        n = await recipients.count(the_appliance().db, segment_from_form(form))
    except BadRequest as err:
        return jsonify({"error": err.message}), 400
    return jsonify({"count": n, "text": reach_text(n)})
