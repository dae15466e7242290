"""The ``appliance backup`` and ``appliance restore FILE`` subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from appliance.backups import crypto, store
from appliance.backups.backup import create_backup, init_key, require_key
from appliance.backups.errors import BackupError, DatabaseBusy, RestoreRefused
from appliance.backups.restore import restore_backup
from appliance.core.config import Config

Say = Callable[[str], None]
COPY_FAILED = 3


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register both subcommands."""
    backup = sub.add_parser("backup", parents=[common], help="make an encrypted backup now")
    backup.add_argument(
        "--reason", default="manual", choices=("manual", "nightly", "upgrade"), help="file label"
    )
    backup.add_argument(
        "--init-key",
        action="store_true",
        help="create the backup key file named by [backup] key_file and print it once",
    )
    backup.add_argument("--list", action="store_true", help="list the backups and exit")
    restore = sub.add_parser(
        "restore", parents=[common], help="replace the database with a backup (Banditore stopped)"
    )
    restore.add_argument("file", type=Path, help="the .backup file")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def run_backup(config: Config, args: argparse.Namespace, say: Say) -> int:
    """Make a backup (or create the key, or list); return the exit code."""
    try:
        if args.init_key:
            text = init_key(config)
            say(f"backup key created in {store.key_path(config)}.")
            say("Write it down and keep it off this box: without it no backup can be restored.")
            say(f"  {text}")
            return 0
        if args.list:
            return _list(config, say)
        result = create_backup(config, args.reason)
    except BackupError as err:
        say(f"backup failed: {err.message}")
        return 1
    say(f"backup written: {result.path} ({result.size} bytes, schema {result.schema})")
    for old in result.removed:
        say(f"  removed old backup {old.name}")
    if result.copied_to:
        say(f"  copied to {result.copied_to}")
    if result.copy_error:
        say(f"  NOT copied off the device: {result.copy_error}")
        return COPY_FAILED
    return 0


def _list(config: Config, say: Say) -> int:
    backups = store.list_backups(store.backup_dir(config))
    if not backups:
        say(f"no backups in {store.backup_dir(config)}")
    for item in backups:
        say(f"{item.path}  {item.created:%Y-%m-%d %H:%M} UTC  {item.reason}  {item.size} bytes")
    return 0


def run_restore(
    config: Config, args: argparse.Namespace, say: Say, hooks: Callable[[], list[Any]]
) -> int:
    """Restore ``args.file`` after a confirmation; return the exit code.

    ``hooks`` gives the capabilities' after-restore hooks (the entry point wires the app).
    """
    try:
        require_key(config)
        meta = crypto.read_meta(args.file)
    except FileNotFoundError:
        say(f"restore refused: there is no file {args.file}")
        return 1
    except (BackupError, RestoreRefused) as err:
        say(f"restore refused: {err.message}")
        return 1
    say(
        f"backup of {meta.get('created_at', '?')} from {meta.get('host', '?')} "
        f"(Banditore {meta.get('app_version', '?')}, schema {meta.get('schema', '?')})"
    )
    if not args.yes and not _confirm(say):
        say("nothing changed")
        return 1
    try:
        result = restore_backup(config, args.file, hooks())
    except RestoreRefused as err:
        say(f"restore refused, nothing changed: {err.message}")
        return 1
    except DatabaseBusy as err:
        say(f"restore refused, nothing changed: {err.message}")
        return 1
    except BackupError as err:
        say(f"restore failed: {err.message}")
        return 1
    say(f"restored (schema {result.schema}); the database is now the one of the backup")
    if result.safety_backup:
        say(f"  the previous database is saved in {result.safety_backup}")
    if result.set_aside:
        say(f"  the previous, unreadable database file is kept as {result.set_aside}")
    if result.hooks:
        say(f"  re-applied after restore: {', '.join(result.hooks)}")
    say("start Banditore again: sudo systemctl start banditore")
    return 0


def _confirm(say: Say) -> bool:
    if not sys.stdin.isatty():
        say("restore replaces every subscriber, message and setting: add --yes to confirm")
        return False
    answer = input("Replace the current database with this backup? Type 'yes' to confirm: ")
    return answer.strip().lower() in ("yes", "si", "sì")
