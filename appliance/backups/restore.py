"""Restoring a backup: decrypt, verify, fix up, then replace the live database in one go."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appliance.backups import crypto, store
from appliance.backups.backup import require_key, write_backup
from appliance.backups.errors import BackupError, DatabaseBusy, RestoreRefused
from appliance.core.config import Config, database_path
from appliance.core.db.migrate import discover
from appliance.core.restorehooks import AfterRestore

log = logging.getLogger(__name__)

# Tables every Banditore database has since schema 1: a file without them is someone else's.
REQUIRED_TABLES = frozenset({"settings", "users", "audit_log"})


@dataclass
class RestoreResult:
    """What a restore did."""

    source: Path
    meta: dict[str, Any]
    schema: int
    safety_backup: Path | None = None
    set_aside: Path | None = None
    hooks: list[str] = field(default_factory=list)


def verify_database(path: Path) -> int:
    """Check a decrypted copy: intact, a Banditore database, not newer than this program."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        schema = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise RestoreRefused(f"the backup does not contain a readable database: {err}") from None
    finally:
        conn.close()
    if result != "ok":
        raise RestoreRefused(f"the database in the backup fails its integrity check: {result}")
    missing = REQUIRED_TABLES - tables
    if missing or schema < 1:
        raise RestoreRefused(
            "the backup does not hold a Banditore database "
            f"(missing tables: {', '.join(sorted(missing)) or 'schema version'})"
        )
    latest = discover()[-1].number
    if schema > latest:
        raise RestoreRefused(
            f"the backup was made by a newer Banditore (schema {schema}; this one knows up to "
            f"{latest}): install that version or a newer one first, then restore"
        )
    return schema


def restore_backup(
    config: Config, source: Path, hooks: AfterRestore | None = None
) -> RestoreResult:
    """Replace the live database with the backup in ``source``; Banditore must not be running.

    Nothing live changes until the backup has decrypted, passed its checks and its hooks; then a
    safety backup of the current database is taken and the pages are copied over in one SQLite
    transaction under an exclusive lock, so no reader ever sees a mix of the two databases.
    """
    key = require_key(config)
    db_path = database_path(config)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    plain = db_path.parent / f".restore-{secrets.token_hex(6)}.db"
    with store.exclusive(store.backup_dir(config)):
        try:
            meta, _ = decrypt_verified(source, key, plain)
            result = replace_live(config, db_path, plain, {**meta, "file": source.name}, hooks)
        finally:
            plain.unlink(missing_ok=True)
    return result


def decrypt_verified(source: Path, key: bytes, plain: Path) -> tuple[dict[str, Any], int]:
    """Decrypt ``source`` into the new file ``plain`` and check it; return metadata and schema."""
    plain.unlink(missing_ok=True)
    try:
        with source.open("rb") as src, os.fdopen(store.create_private(plain), "wb") as dst:
            meta = crypto.decrypt(src, dst, key)
            dst.flush()
            os.fsync(dst.fileno())
        return meta, verify_database(plain)
    except FileNotFoundError:
        plain.unlink(missing_ok=True)
        raise RestoreRefused(f"there is no file {source}") from None
    except IsADirectoryError:
        plain.unlink(missing_ok=True)
        raise RestoreRefused(f"{source} is a folder, not a backup file") from None
    except BaseException:
        plain.unlink(missing_ok=True)
        raise


def replace_live(
    config: Config,
    db_path: Path,
    plain: Path,
    meta: dict[str, Any],
    hooks: AfterRestore | None = None,
) -> RestoreResult:
    """Fix up the checked copy ``plain`` and copy it over the live database (folder lock held)."""
    if hooks is not None:
        _run_hooks(plain, hooks)
    source = Path(str(meta.get("file", plain)))
    names = hooks.names if hooks else []
    result = RestoreResult(source, meta, verify_database(plain), hooks=names)
    _replace_live(config, db_path, plain, result)
    log.warning("database restored from %s (made %s)", source, meta.get("created_at", "?"))
    return result


def _run_hooks(plain: Path, hooks: AfterRestore) -> None:
    conn = sqlite3.connect(plain, isolation_level=None)
    try:
        hooks.run(conn)
    except (sqlite3.Error, ValueError) as err:
        raise RestoreRefused(
            f"the restored database could not be brought up to date: {err}"
        ) from err
    finally:
        conn.close()


def _replace_live(config: Config, db_path: Path, plain: Path, result: RestoreResult) -> None:
    with _exclusive_live(db_path, result) as live:
        if live.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            try:
                result.safety_backup = write_backup(config, "before-restore", conn=live).path
            except BackupError as err:
                # A damaged database cannot be copied page by page: keep its file bytes instead.
                log.warning("no safety backup of the current database: %s", err.message)
                result.set_aside = _copy_aside(db_path)
        restored = sqlite3.connect(plain)
        try:
            restored.backup(live)
        except sqlite3.Error as err:
            raise BackupError(
                f"could not write the restored database into {db_path}: {err}"
            ) from err
        finally:
            restored.close()
        if live.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{db_path} fails its check after the restore: restore again")


@contextlib.contextmanager
def _exclusive_live(db_path: Path, result: RestoreResult) -> Iterator[sqlite3.Connection]:
    """The live database opened so that no other connection can exist while we hold it."""
    existed = db_path.exists()
    live = _lock(db_path)
    if live is None:
        result.set_aside = _move_aside(db_path)
        live = _lock(db_path)
        assert live is not None  # a new empty file is always a database
    try:
        yield live
    finally:
        live.close()
    if not existed or result.set_aside:
        store.match_owner(db_path)


def _lock(db_path: Path) -> sqlite3.Connection | None:
    """Exclusive connection, DatabaseBusy when in use, None when the file is not a database."""
    live = sqlite3.connect(db_path, isolation_level=None, timeout=1)
    try:
        live.execute("PRAGMA locking_mode=EXCLUSIVE")
        # In exclusive mode the lock taken here is kept until the connection closes.
        live.execute("BEGIN EXCLUSIVE")
        live.execute("SELECT count(*) FROM sqlite_master").fetchone()
        live.execute("COMMIT")
    except sqlite3.OperationalError as err:
        live.close()
        if "locked" in str(err) or "busy" in str(err):
            raise DatabaseBusy(
                f"the database {db_path} is in use: stop Banditore first "
                "(sudo systemctl stop banditore), or restore from the admin page"
            ) from None
        raise
    except sqlite3.DatabaseError:
        live.close()
        return None
    return live


def _aside_name(db_path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return db_path.with_name(f"{db_path.name}.damaged-{stamp}")


def _move_aside(db_path: Path) -> Path:
    """Rename an unreadable database file (with its journal files) out of the way."""
    aside = _aside_name(db_path)
    for suffix in ("", "-wal", "-shm", "-journal"):
        part = Path(f"{db_path}{suffix}")
        if part.exists():
            part.rename(Path(f"{aside}{suffix}"))
    log.warning("the current database is not readable; kept as %s", aside)
    return aside


def _copy_aside(db_path: Path) -> Path:
    aside = _aside_name(db_path)
    with db_path.open("rb") as src, os.fdopen(store.create_private(aside), "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        os.fsync(dst.fileno())
    return aside
