"""Settings > Backups (admin only): back up now, download, restore after a typed confirmation."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

from quart import Blueprint, current_app, flash, redirect, request, send_file

from appliance.backups import store
from appliance.backups.backup import create_backup
from appliance.backups.pending import (
    cancel_pending,
    pending_restore,
    request_restart,
    stage_restore,
)
from appliance.backups.probe import check_backups
from appliance.core import audit
from appliance.core.errors import ApplianceError, NotFound
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, record_change, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext

bp = Blueprint("backups", __name__, url_prefix="/settings/backups")
CONFIRM_WORD = "RIPRISTINA"
# Uploaded backups may be far larger than a form: allow up to 2 GB on the upload route only.
MAX_UPLOAD = 2 * 1024**3
RESTART_DELAY = 1.0


def _config() -> Any:
    return the_appliance().config


def _named(name: str) -> Path:
    """A backup of the folder by its file name (never a path from the client)."""
    for item in store.list_backups(store.backup_dir(_config())):
        if item.path.name == name:
            return item.path
    raise NotFound(gettext("Backup non trovato."))


@bp.get("")
@requires("admin")
async def index() -> Any:
    """The backups, the last run, a restore waiting for the restart, and the forms."""
    config = _config()
    backups = await asyncio.to_thread(store.list_backups, store.backup_dir(config))
    return await page(
        "backups/index.html",
        backups=backups,
        check=await asyncio.to_thread(check_backups, config),
        pending=pending_restore(config),
        configured=store.key_path(config) is not None,
    )


@bp.post("/create")
@requires("admin")
async def create() -> Any:
    """Back up now (the app keeps running)."""
    try:
        result = await asyncio.to_thread(create_backup, _config(), "manual")
    except ApplianceError as err:
        await flash(gettext("Backup non riuscito: {error}", error=err.message), "error")
    else:
        await audit.record(
            the_appliance().db, actor(), "backup.created", result.path.name, "", client_address()
        )
        await flash(gettext("Backup creato: {name}", name=result.path.name), "success")
        if result.copy_error:
            await flash(
                gettext("Copia esterna non riuscita: {error}", error=result.copy_error), "error"
            )
    return redirect("/settings/backups", 303)


@bp.get("/<name>/download")
@requires("admin")
async def download(name: str) -> Any:
    """The encrypted file, as an attachment (useless without the backup key)."""
    path = _named(name)
    await audit.record(the_appliance().db, actor(), "backup.downloaded", name, "", client_address())
    return await send_file(
        path, mimetype="application/octet-stream", as_attachment=True, attachment_filename=name
    )


@bp.post("/restore")
@requires("admin")
async def stage() -> Any:
    """Check the chosen or uploaded backup now and ask for a typed confirmation."""
    request.max_content_length = MAX_UPLOAD
    form = await request.form
    files = await request.files
    config = _config()
    upload = files.get("file")
    temp: Path | None = None
    try:
        if upload is not None and upload.filename:
            temp = store.backup_dir(config) / f".upload-{secrets.token_hex(6)}.tmp"
            store.backup_dir(config).mkdir(parents=True, exist_ok=True)
            await upload.save(temp)
            source = temp
        else:
            source = _named(form.get("name", ""))
        details = await asyncio.to_thread(stage_restore, config, source, actor())
    except NotFound:
        await flash(gettext("Scegliere un backup dell'elenco o caricare un file."), "error")
        return redirect("/settings/backups", 303)
    except ApplianceError as err:
        await flash(
            gettext("Questo backup non può essere ripristinato: {error}", error=err.message),
            "error",
        )
        return redirect("/settings/backups", 303)
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
    if upload is not None and upload.filename:
        details["file"] = Path(upload.filename).name
    await record_change("backup.restore_staged", str(details.get("file", "")))
    return await page("backups/confirm.html", details=details, word=CONFIRM_WORD)


@bp.post("/restore/confirm")
@requires("admin")
async def confirm() -> Any:
    """With the typed word: stop, so the restart replaces the database before it opens."""
    form = await request.form
    details = pending_restore(_config())
    if details is None:
        await flash(gettext("Nessun ripristino in attesa."), "error")
        return redirect("/settings/backups", 303)
    if form.get("confirm", "").strip().upper() != CONFIRM_WORD:
        error = gettext("Scrivere {word} per confermare", word=CONFIRM_WORD)
        return await page(
            "backups/confirm.html", 400, details=details, word=CONFIRM_WORD, error=error
        )
    await audit.record(
        the_appliance().db,
        actor(),
        "backup.restore_requested",
        str(details.get("file", "")),
        audit.detail("backup_made", at=str(details.get("created_at", "?"))),
        client_address(),
    )
    # After this answer has gone out the process stops; systemd starts it again (exit 75).
    asyncio.get_running_loop().call_later(RESTART_DELAY, current_app.extensions["backups.restart"])
    return await page("backups/restarting.html", details=details)


@bp.post("/restore/cancel")
@requires("admin")
async def cancel() -> Any:
    """Forget a staged restore."""
    cancel_pending(_config())
    await record_change("backup.restore_cancelled")
    await flash(gettext("Ripristino annullato: il database non è cambiato."), "success")
    return redirect("/settings/backups", 303)


def register(app: Any) -> None:
    """Add the page to the LAN app's settings (admins only see it in the navigation)."""
    from appliance.lan.registry import NavItem, add_pages

    app.extensions.setdefault("backups.restart", request_restart)
    add_pages(app, bp, NavItem("backups.index", "Backup", order=940))
