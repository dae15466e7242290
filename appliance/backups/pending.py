"""A restore chosen in the admin UI: verified now, applied at the next start before the DB opens.

The running process never swaps its own database: it stages the checked copy, stops, and the
service manager starts it again (exit status RESTART_EXIT, see systemd/banditore.service).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from pathlib import Path
from typing import Any

from appliance.backups import store
from appliance.backups.backup import require_key
from appliance.backups.errors import DatabaseBusy, FolderBusy
from appliance.backups.restore import RestoreResult, decrypt_verified, replace_live
from appliance.core.config import Config, database_path
from appliance.core.errors import ApplianceError
from appliance.core.restorehooks import AfterRestore

log = logging.getLogger(__name__)

# EX_TEMPFAIL: "stopped to be started again"; the unit's RestartForceExitStatus= matches it.
RESTART_EXIT = 75
BUSY_WAIT = 60.0


def _paths(config: Config) -> tuple[Path, Path]:
    db = database_path(config)
    return db.with_name("restore-pending.db"), db.with_name("restore-pending.json")


def stage_restore(config: Config, source: Path, requested_by: str) -> dict[str, Any]:
    """Decrypt and check ``source`` now; keep it for the next start; return its metadata."""
    plain, info = _paths(config)
    key = require_key(config)
    cancel_pending(config)
    meta, schema = decrypt_verified(source, key, plain)
    details = {**meta, "schema": schema, "file": source.name, "requested_by": requested_by}
    info.write_text(json.dumps(details), encoding="utf-8")
    return details


def pending_restore(config: Config) -> dict[str, Any] | None:
    """The staged restore's details, or None."""
    plain, info = _paths(config)
    if not (plain.exists() and info.exists()):
        return None
    try:
        return json.loads(info.read_text(encoding="utf-8"))
    except ValueError:
        return {}


def cancel_pending(config: Config) -> None:
    """Forget a staged restore."""
    for path in _paths(config):
        path.unlink(missing_ok=True)


def apply_pending_restore(config: Config, hooks: AfterRestore) -> RestoreResult | None:
    """At start, before anything opens the database: apply a staged restore, if any."""
    details = pending_restore(config)
    if details is None:
        return None
    plain, _ = _paths(config)
    db_path = database_path(config)
    deadline = time.monotonic() + BUSY_WAIT
    try:
        while True:
            try:
                with store.exclusive(store.backup_dir(config)):
                    result = replace_live(config, db_path, plain, details, hooks)
                break
            except (DatabaseBusy, FolderBusy):
                # A nightly backup may hold the database or its folder; it lets go within moments.
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    except ApplianceError as err:
        log.error("the restore chosen in the admin page failed, nothing changed: %s", err.message)
        return None
    finally:
        cancel_pending(config)
    log.warning(
        "database restored from %s (made %s), as requested by %s",
        details.get("file"),
        details.get("created_at"),
        details.get("requested_by"),
    )
    return result


def request_restart() -> None:
    """Ask this process to stop gracefully; serve then exits with RESTART_EXIT."""
    os.kill(os.getpid(), signal.SIGTERM)
