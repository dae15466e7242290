"""Where backups live: names, listing, retention, atomic files, the last-run status."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appliance.backups.errors import FolderBusy
from appliance.core.config import Config

SUFFIX = ".backup"
STATUS_FILE = "status.json"
_NAME = re.compile(r"^banditore-(\d{8}T\d{6}Z)-([a-z-]+?)(?:-(\d+))?\.backup$")
_STAMP = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class BackupFile:
    """One backup in a folder."""

    path: Path
    created: datetime
    reason: str
    size: int


def backup_dir(config: Config) -> Path:
    """The folder of the encrypted backups (relative paths from the working directory)."""
    return Path(config.backup.dir).expanduser().resolve()


def key_path(config: Config) -> Path | None:
    """The key file, or None when backups are not configured."""
    value = config.backup.key_file
    return Path(value).expanduser().resolve() if value else None


def copy_dir(config: Config) -> Path | None:
    """The off-device folder, or None."""
    value = config.backup.copy_to
    return Path(value).expanduser() if value else None


def new_path(directory: Path, reason: str, now: datetime | None = None) -> Path:
    """A fresh, sortable file name that does not exist yet."""
    stamp = (now or datetime.now(UTC)).strftime(_STAMP)
    path = directory / f"banditore-{stamp}-{reason}{SUFFIX}"
    counter = 1
    while path.exists():
        counter += 1
        path = directory / f"banditore-{stamp}-{reason}-{counter}{SUFFIX}"
    return path


def list_backups(directory: Path) -> list[BackupFile]:
    """Backups in ``directory``, newest first (files with other names are ignored)."""
    found: list[tuple[datetime, int, BackupFile]] = []
    try:
        entries = list(directory.iterdir())
    except FileNotFoundError:
        return []
    for path in entries:
        match = _NAME.match(path.name)
        if not match or not path.is_file():
            continue
        created = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
        stat = path.stat()
        found.append(
            (created, stat.st_mtime_ns, BackupFile(path, created, match.group(2), stat.st_size))
        )
    found.sort(key=lambda item: item[:2], reverse=True)
    return [item[2] for item in found]


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups; return what was deleted."""
    removed = []
    for old in list_backups(directory)[keep:]:
        old.path.unlink(missing_ok=True)
        removed.append(old.path)
    if removed:
        fsync_dir(directory)
    return removed


def fsync_dir(directory: Path) -> None:
    """Make a rename or unlink in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_private(path: Path) -> int:
    """Create a new empty file readable by its owner only; return the open descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)


def match_owner(path: Path) -> None:
    """When run as root (sudo), give a new file its folder's owner so the service can use it."""
    if os.geteuid() == 0:
        folder = path.parent.stat()
        os.chown(path, folder.st_uid, folder.st_gid)


def publish(tmp: Path, final: Path) -> None:
    """Atomically give a fully written and fsynced temporary file its final name."""
    match_owner(tmp)
    os.replace(tmp, final)
    fsync_dir(final.parent)


def copy_into(source: Path, directory: Path) -> Path:
    """Copy a backup into ``directory`` under the same name: temp name, fsync, rename."""
    final = directory / source.name
    tmp = directory / f".{source.name}.tmp"
    try:
        with source.open("rb") as src, os.fdopen(create_private(tmp), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        publish(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return final


@contextlib.contextmanager
def exclusive(directory: Path) -> Iterator[None]:
    """One backup or restore at a time per folder (the nightly timer and a manual run)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (directory / ".lock").open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FolderBusy(
                "another backup or restore is running right now; try again in a minute"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_status(directory: Path, status: dict[str, Any]) -> None:
    """Record the outcome of the last run for the health probe (atomically)."""
    tmp = directory / f".{STATUS_FILE}.tmp"
    tmp.write_text(json.dumps(status, sort_keys=True), encoding="utf-8")
    os.replace(tmp, directory / STATUS_FILE)


def read_status(directory: Path) -> dict[str, Any]:
    """The last run's outcome, or an empty dict."""
    try:
        value = json.loads((directory / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
