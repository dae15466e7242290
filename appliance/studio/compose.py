"""The compose wizard and the segment editor (LAN pages, editors and up)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from quart import Blueprint, Response, flash, redirect, request, url_for

from appliance.cloudapi.client import CLOUDAPI
from appliance.cloudapi.pricing import campaign_estimate, euros
from appliance.cloudapi.template_text import fill, variables
from appliance.core import audit
from appliance.core.errors import ApplianceError, BadRequest, NotFound
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, principal, record_change, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext
from appliance.studio import STUDIO, checks
from appliance.studio.drafts import EDITING, LAUNCHED, PENDING, REJECTED, Drafts
from appliance.studio.forms import (
    iso_to_local,
    local_to_iso,
)
from appliance.studio.shipped import (
    body_text,
    has_read_button,
    header_format,
    header_text,
    parameter_values,
    placeholders,
)

bp = Blueprint("compose", __name__, url_prefix="/studio")

MAX_UPLOAD = 100 * 1024 * 1024  # the largest media WhatsApp takes (documents)
STEPS = (
    ("compose.audience", "Pubblico"),
    ("compose.content", "Contenuto"),
    ("compose.template", "Modello"),
    ("compose.preview", "Anteprima e invio"),
)


def _drafts() -> Drafts:
    return the_appliance().parts[STUDIO]


async def _topics() -> list[Any]:
    return await the_appliance().db.fetchall(
        "SELECT key, name_it, name_en FROM topics WHERE active = 1 ORDER BY name_it"
    )


# -- the wizard --------------------------------------------------------------------------------


@bp.post("/drafts")
@requires("editor")
async def new_draft() -> Any:
    """Start a campaign draft."""
    form = await request.form
    draft_id = await _drafts().create(form.get("name", "") or "Nuova campagna", actor())
    await record_change("draft.created", f"draft:{draft_id}", form.get("name", ""))
    return redirect(url_for("compose.audience", draft_id=draft_id))


async def _step(template: str, draft_id: int, status: int = 200, **context: Any) -> Any:
    draft = await _drafts().get(draft_id)
    return await page(template, status, draft=draft, data=draft["data"], steps=STEPS, **context)


def _editable(draft: dict[str, Any]) -> None:
    if draft["state"] == LAUNCHED:
        raise BadRequest("questa campagna è già stata avviata")


@bp.route("/drafts/<int:draft_id>/audience", methods=["GET", "POST"])
@requires("editor")
async def audience(draft_id: int) -> Any:
    """Step 1: name, saved segment, topics, category; the live count."""
    drafts = _drafts()
    draft = await drafts.get(draft_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        _editable(draft)
        form = await request.form
        data = draft["data"]
        segment_id = form.get("segment_id", "")
        data["audience"] = {
            "segment_id": int(segment_id) if segment_id.isdigit() else None,
            "topics": [t for t in form.getlist("topics") if t],
            "segment": data["audience"].get("segment"),  # a resend's own filter stays
        }
        data["category"] = "MARKETING" if form.get("category") == "MARKETING" else "UTILITY"
        await drafts.save(draft_id, data, form.get("name", ""))
        await record_change(
            "draft.saved", f"draft:{draft_id}", audit.detail("draft_step", step_words="destinatari")
        )
        if form.get("action") != "count":
            return redirect(url_for("compose.content", draft_id=draft_id))
        draft = await drafts.get(draft_id)
    where = await drafts.audience_where(draft["data"])
    counted = await the_appliance().db.fetchval(
        "SELECT count(*) FROM subscribers s WHERE " + where.sql, where.params
    )
    return await _step(
        "studio/step_audience.html",
        draft_id,
        400 if errors else 200,
        errors=errors,
        counted=counted,
        counted_again=request.method == "POST",  # keep the focus on the count button
        saved=await drafts.segments.all(),
        topics=await _topics(),
    )


@bp.route("/drafts/<int:draft_id>/content", methods=["GET", "POST"])
@requires("editor")
async def content(draft_id: int) -> Any:
    """Step 2: add text, media or a location part; remove parts."""
    drafts = _drafts()
    draft = await drafts.get(draft_id)
    error = ""
    if request.method == "POST":
        _editable(draft)
        request.max_content_length = MAX_UPLOAD
        form = await request.form
        data = draft["data"]
        try:
            action = form.get("action", "")
            if action == "remove":
                index = int(form.get("index", "-1"))
                if 0 <= index < len(data["content"]):
                    data["content"].pop(index)
            elif action == "up":
                index = int(form.get("index", "0"))
                if 0 < index < len(data["content"]):
                    parts = data["content"]
                    parts[index - 1], parts[index] = parts[index], parts[index - 1]
            elif action == "text":
                drafts.add_part(data, {"type": "text", "text": form.get("text", "").strip()})
            elif action == "location":
                drafts.add_part(
                    data,
                    {
                        "type": "location",
                        "latitude": float(form.get("latitude", "")),
                        "longitude": float(form.get("longitude", "")),
                        "name": form.get("place", "").strip(),
                        "address": form.get("address", "").strip(),
                    },
                )
            elif action == "media":
                drafts.add_part(data, await _media_part(drafts, form))
            await drafts.save(draft_id, data)
            await record_change(
                "draft.saved",
                f"draft:{draft_id}",
                audit.detail("draft_step", step_words="contenuto"),
            )
        except ValueError:
            error = "Latitudine e longitudine sono numeri, come 45.74 e 7.41."
        except ApplianceError as err:
            error = err.message
        if not error:
            return redirect(url_for("compose.content", draft_id=draft_id) + "#parts")
    data = (await drafts.get(draft_id))["data"]
    media = {m["id"]: m for m in await drafts.media.recent(200)}
    return await _step(
        "studio/step_content.html",
        draft_id,
        400 if error else 200,
        error=error,
        media=media,
        warnings=await checks.accessibility(data["content"], drafts.media),
    )


@bp.get("/media/<int:media_id>")
@requires("editor")
async def media_file(media_id: int) -> Any:
    """An uploaded image as the clerk sees it in the preview (images only, from the library)."""
    library = _drafts().media
    row = await library.get(media_id)
    if row["kind"] != "image":
        raise NotFound(f"media {media_id} is not an image")
    data = await asyncio.to_thread((library.directory / row["sha256"]).read_bytes)
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(data, mimetype=row["mime_type"], headers=headers)


async def _media_part(drafts: Drafts, form: Any) -> dict[str, Any]:
    """An uploaded file (or one of the library) as a content part."""
    files = await request.files
    upload = files.get("file")
    if upload is not None and upload.filename:
        data = upload.read()
        row = await drafts.media.add(data, upload.mimetype or "", upload.filename)
    elif form.get("library", "").isdigit():
        row = await drafts.media.get(int(form["library"]))
    else:
        raise BadRequest("Scegli un file da caricare o uno già caricato.")
    part: dict[str, Any] = {"type": row["kind"], "media": row["id"], "media_id": row["media_id"]}
    caption = form.get("caption", "").strip()
    if caption and row["kind"] != "audio":
        part["caption"] = caption
    if row["kind"] == "document":
        part["filename"] = row["filename"]
    return part


def _approved_templates() -> list[dict[str, Any]]:
    out = []
    for t in the_appliance().parts[CLOUDAPI].templates.all():
        components = json.loads(t.get("components") or "[]")
        out.append(
            {
                **t,
                "placeholders": placeholders(components),
                "body": body_text(components),
                "header": header_format(components),
                "header_text": header_text(components),
                "header_variables": variables(header_text(components)),
                "read_button": has_read_button(components),
            }
        )
    return out


@bp.route("/drafts/<int:draft_id>/template", methods=["GET", "POST"])
@requires("editor")
async def template(draft_id: int) -> Any:
    """Step 3: the approved template for those outside the window, its values and header."""
    drafts = _drafts()
    draft = await drafts.get(draft_id)
    templates = _approved_templates()
    if request.method == "POST":
        _editable(draft)
        form = await request.form
        data = draft["data"]
        choice = form.get("template", "")
        if not choice:
            data["template"] = None
        else:
            name, _, language = choice.partition("|")
            known = next(
                (t for t in templates if t["name"] == name and t["language"] == language), None
            )
            if known is None:
                raise BadRequest("modello sconosciuto")
            names = known["placeholders"]
            values = [form.get(f"p{i}", "").strip() for i in range(len(names))]
            # Named variables ({{via}}) go to Meta by name, numbered ones in order.
            named = any(not n.isdigit() for n in names)
            data["template"] = {
                "name": name,
                "language": language,
                "parameters": dict(zip(names, values, strict=True)) if named else values,
                "header": int(form["header"]) if form.get("header", "").isdigit() else None,
            }
            if known["header_variables"]:
                data["template"]["header_text"] = {
                    known["header_variables"][0]: form.get("header_text", "").strip()
                }
        await drafts.save(draft_id, data)
        await record_change(
            "draft.saved", f"draft:{draft_id}", audit.detail("draft_step", step_words="modello")
        )
        if form.get("action") == "save":
            return redirect(url_for("compose.preview", draft_id=draft_id))
        return redirect(url_for("compose.template", draft_id=draft_id))
    media = [
        m for m in await drafts.media.recent(200) if m["kind"] in ("image", "document", "video")
    ]
    chosen = draft["data"].get("template")
    return await _step(
        "studio/step_template.html",
        draft_id,
        templates=templates,
        media=media,
        values=parameter_values(chosen) if chosen else {},
    )


@bp.get("/drafts/<int:draft_id>/preview")
@requires("editor")
async def preview(draft_id: int) -> Any:
    """Step 4: chat bubbles, inside/outside the window, duration, cost class, tier, send."""
    drafts = _drafts()
    draft = await drafts.get(draft_id)
    figures = await drafts.preview(draft_id)
    template_text = template_header = ""
    chosen = draft["data"].get("template")
    if figures.template and chosen:
        components = json.loads(figures.template.get("components") or "[]")
        template_text = fill(body_text(components), parameter_values(chosen))
        template_header = fill(header_text(components), chosen.get("header_text") or {})
    media = {m["id"]: m for m in await drafts.media.recent(200)}
    templates = figures.outside if chosen else 0
    cost = await campaign_estimate(
        the_appliance().db, figures.category, templates, figures.messages - templates
    )
    return await _step(
        "studio/step_preview.html",
        draft_id,
        cost=cost,
        euros=euros,
        figures=figures,
        template_text=template_text,
        template_header=template_header,
        read_button=bool(
            figures.template
            and has_read_button(json.loads(figures.template.get("components") or "[]"))
        ),
        media=media,
        send_at=iso_to_local(draft["data"].get("send_at") or ""),
        expires_at=iso_to_local(draft["data"].get("expires_at") or ""),
        election=drafts.election.state,
    )


@bp.post("/drafts/<int:draft_id>/decide")
@requires("editor")
async def decide(draft_id: int) -> Any:
    """Save the schedule, then ask for approval (editors) or approve and send (operators)."""
    drafts = _drafts()
    draft = await drafts.get(draft_id)
    form = await request.form
    action = form.get("action", "")
    who = principal()
    operator = who is not None and who.can("operator")
    try:
        if action in ("submit", "launch"):
            data = draft["data"]
            data["send_at"] = local_to_iso(form.get("send_at", ""), "Invio programmato")
            data["expires_at"] = local_to_iso(form.get("expires_at", ""), "Scadenza")
            data["essential"] = form.get("essential") == "1"
            await drafts.save(draft_id, data)
        if action == "submit":
            await drafts.submit(draft_id, actor())
            await flash(gettext("Bozza inviata per l'approvazione a un operatore."), "success")
            return redirect(url_for("studio.index"))
        if not operator:
            raise BadRequest("Solo un operatore o un amministratore può approvare e inviare.")
        if action == "launch":
            campaign_id = await drafts.launch(
                draft_id, actor(), client_address(), spread=form.get("spread") == "1"
            )
            await flash(gettext("Campagna approvata e avviata."), "success")
            return redirect(url_for("studio.detail", campaign_id=campaign_id))
        if action == "reject":
            await drafts.reject(draft_id, actor(), form.get("note", ""))
            await flash(gettext("Bozza rimandata all'autore."), "success")
            return redirect(url_for("studio.index"))
        raise BadRequest("azione sconosciuta")
    except ApplianceError as err:
        await flash(err.message, "error")
        return redirect(url_for("compose.preview", draft_id=draft_id))


STATE_NAMES = {
    EDITING: "In preparazione",
    PENDING: "In attesa di approvazione",
    REJECTED: "Rimandata all'autore",
    LAUNCHED: "Avviata",
}
