"""Making a backup while the appliance runs: snapshot, check, encrypt, publish, prune, copy."""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from appliance import __version__
from appliance.backups import crypto, store
from appliance.backups.errors import BackupError
from appliance.core.config import Config, database_path

log = logging.getLogger(__name__)

_REASON = re.compile(r"^[a-z]+(-[a-z]+)*$")


@dataclass
class BackupResult:
    """What one backup run produced."""

    path: Path
    size: int
    schema: int
    copied_to: Path | None = None
    copy_error: str = ""
    removed: list[Path] = field(default_factory=list)


def require_key(config: Config) -> bytes:
    """The configured backup key; BackupError says how to set one up."""
    path = store.key_path(config)
    if path is None:
        raise BackupError(
            "backups are not configured: set [backup] key_file (install.sh sets "
            "/etc/banditore/backup.key) and create the key with `appliance backup --init-key`"
        )
    return crypto.load_key(path)


def snapshot(db_path: Path, target: Path, conn: sqlite3.Connection | None = None) -> int:
    """Copy the live database consistently into ``target``; check it; return its schema version.

    ``VACUUM INTO`` runs one read transaction on its own connection: in WAL mode the app's writer
    goes on committing meanwhile, and the copy is the state at the start of that transaction.
    """
    os.close(store.create_private(target))  # VACUUM INTO accepts an empty file: keep it private
    own = conn is None
    if conn is None:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        conn.execute("VACUUM INTO ?", (str(target),))
    except sqlite3.DatabaseError as err:
        raise BackupError(f"cannot copy the database {db_path}: {err}") from err
    finally:
        if own:
            conn.close()
    copy = sqlite3.connect(target)
    try:
        result = copy.execute("PRAGMA quick_check").fetchone()[0]
        schema = copy.execute("PRAGMA user_version").fetchone()[0]
    finally:
        copy.close()
    if result != "ok":
        raise BackupError(
            f"the copy of the database fails its integrity check ({result}): the live database "
            "may be damaged; run `appliance check` and keep the older backups"
        )
    return schema


def create_backup(
    config: Config, reason: str = "manual", *, conn: sqlite3.Connection | None = None
) -> BackupResult:
    """Make one encrypted backup in ``[backup] dir``, prune, and copy it off the device."""
    directory = store.backup_dir(config)
    with store.exclusive(directory):
        return write_backup(config, reason, conn=conn)


def write_backup(
    config: Config, reason: str, *, conn: sqlite3.Connection | None = None
) -> BackupResult:
    """``create_backup`` for a caller that already holds the backup folder's lock."""
    if not _REASON.match(reason):
        raise ValueError(f"bad backup reason {reason!r}")
    directory = store.backup_dir(config)
    try:
        key = require_key(config)
        db_path = database_path(config)
        if not db_path.exists():
            raise BackupError(f"the database {db_path} does not exist yet: nothing to back up")
        result = _create(config, key, db_path, directory, reason, conn)
    except BackupError as err:
        store.write_status(directory, _status(ok=False, reason=reason, error=err.message))
        raise
    store.write_status(
        directory,
        _status(
            ok=True,
            reason=reason,
            file=result.path.name,
            bytes=result.size,
            copied_to=str(result.copied_to or ""),
            copy_error=result.copy_error,
        ),
    )
    log.info("backup written: %s (%d bytes)", result.path, result.size)
    return result


def _create(
    config: Config,
    key: bytes,
    db_path: Path,
    directory: Path,
    reason: str,
    conn: sqlite3.Connection | None,
) -> BackupResult:
    # The clear copy sits next to the live database, which it is no more exposed than.
    plain = db_path.parent / f".backup-{secrets.token_hex(6)}.db"
    final = store.new_path(directory, reason)
    tmp = directory / f".{final.name}.tmp"
    try:
        schema = snapshot(db_path, plain, conn)
        meta = {
            "app_version": __version__,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "host": socket.gethostname(),
            "reason": reason,
            "schema": schema,
        }
        with plain.open("rb") as source, os.fdopen(store.create_private(tmp), "wb") as target:
            crypto.encrypt(source, target, key, meta)
            target.flush()
            os.fsync(target.fileno())
        store.publish(tmp, final)
    except OSError as err:
        raise BackupError(f"cannot write the backup into {directory}: {err}") from err
    finally:
        plain.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
    keep = config.backup.keep
    result = BackupResult(final, final.stat().st_size, schema, removed=store.prune(directory, keep))
    _copy_off_device(config, result, keep)
    return result


def _copy_off_device(config: Config, result: BackupResult, keep: int) -> None:
    target = store.copy_dir(config)
    if target is None:
        return
    # Never create the folder: a missing mount point would silently fill the SD card instead.
    if not target.is_dir():
        result.copy_error = (
            f"off-device folder {target} is not there: is the USB stick plugged in and mounted, "
            "or the network share connected?"
        )
    else:
        try:
            result.copied_to = store.copy_into(result.path, target)
            store.prune(target, keep)
        except OSError as err:
            result.copy_error = f"cannot copy the backup to {target}: {err}"
    if result.copy_error:
        log.warning("backup kept on this device only: %s", result.copy_error)


def _status(**fields: object) -> dict[str, object]:
    return {"at": datetime.now(UTC).isoformat(timespec="seconds"), **fields}


def init_key(config: Config) -> str:
    """Create the configured key file; return the key text (shown once)."""
    path = store.key_path(config)
    if path is None:
        raise BackupError("set [backup] key_file first (e.g. /etc/banditore/backup.key)")
    return crypto.create_key_file(path)
