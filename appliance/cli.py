"""The ``appliance`` command: serve, demo, check, user add."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from appliance import __version__
from appliance.core.config import (
    Config,
    ConfigError,
    database_path,
    load_config,
    require_credentials,
)
from appliance.core.db.migrate import MigrationError

log = logging.getLogger("appliance")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every subcommand accepts ``--config FILE``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", metavar="FILE", help="TOML config file (default: $APPLIANCE_CONFIG)"
    )
    parser = argparse.ArgumentParser(
        prog="appliance", description="Banditore, the comune's WhatsApp appliance"
    )
    parser.add_argument("--version", action="version", version=f"banditore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("serve", parents=[common], help="run the appliance")
    demo = sub.add_parser(
        "demo", parents=[common], help="run with the built-in Cloud API simulator"
    )
    demo.add_argument("--data", metavar="DIR", default="var/demo", help="demo data folder")
    demo.add_argument(
        "--empty", action="store_true", help="start blank: no sample town on first start"
    )
    sub.add_parser("check", parents=[common], help="check config, database and the Graph API")
    user = sub.add_parser("user", parents=[common], help="manage staff accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_sub.add_parser("add", parents=[common], help="create a staff account")
    add.add_argument("username")
    add.add_argument("--role", default="admin", choices=("admin", "operator", "editor", "viewer"))
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    papers = sub.add_parser(
        "papers", parents=[common], help="write the DPO's model papers, filled in, to a folder"
    )
    papers.add_argument("--out", metavar="DIR", default=".", help="folder to write them to")
    sub.add_parser(
        "setup-code",
        parents=[common],
        help="print a new one-time code for creating the first admin at /setup (as root)",
    )
    sub.add_parser(
        "led-off",
        parents=[common],
        help="switch the status LED off (systemd runs it after the service stops or dies)",
    )
    from appliance.backups.commands import add_parsers as add_backup_parsers

    add_backup_parsers(sub, common)
    from appliance.accounts.commands import add_parsers as add_token_parsers

    add_token_parsers(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    handler = COMMANDS[args.command]
    try:
        return handler(args)
    except ConfigError as err:
        print(f"appliance: {err}", file=sys.stderr)  # noqa: T201 - the technician's console
        return 2
    except MigrationError as err:
        print(f"appliance: database: {err}", file=sys.stderr)  # noqa: T201
        return 1
    except KeyboardInterrupt:
        return 130


def _load(args: argparse.Namespace) -> Config:
    from appliance.core.logs import REDACTOR, setup_logging

    config = load_config(args.config)
    setup_logging(config.logging.level)
    REDACTOR.add(*config.secrets())
    return config


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the appliance until SIGTERM or SIGINT."""
    config = _load(args)
    require_credentials(config)
    if exposed := config.exposed_secrets():
        log.warning("%s", exposed)
    return _run(config)


def cmd_demo(args: argparse.Namespace) -> int:
    """Run in demo mode with the simulator and sample data."""
    from appliance.demo import prepare_demo_config

    config = prepare_demo_config(_load(args), args.data, sample_town=not args.empty)
    return _run(config)


def _run(config: Config) -> int:
    from appliance.app import create_app
    from appliance.backups.pending import RESTART_EXIT, apply_pending_restore, pending_restore
    from appliance.core.services import ServiceStartError
    from appliance.server import BindError, async_serve

    appliance = create_app(config)
    # A restore chosen in the admin UI is applied here, before anything opens the database.
    apply_pending_restore(config, appliance.after_restore)

    async def main_async() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await async_serve(appliance, stop)

    try:
        asyncio.run(main_async())
    except (BindError, ServiceStartError) as err:
        log.error("cannot start: %s", err)
        return 1
    # Stopped to apply a restore: the service manager starts us again (RestartForceExitStatus).
    return RESTART_EXIT if pending_restore(config) is not None else 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate config and database, and ask the Graph API whether the credentials work."""
    from appliance.operations.checks import run_checks

    config = _load(args)
    return asyncio.run(run_checks(config, _say))


def cmd_user(args: argparse.Namespace) -> int:
    """Create a staff account; the password comes from a prompt or stdin, never argv."""
    from appliance.accounts.users import check_new_account, create_user
    from appliance.core.config import database_path
    from appliance.core.db import Database
    from appliance.core.errors import ApplianceError

    config = _load(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            _say("passwords do not match")
            return 1
    try:
        check_new_account(args.username, password, args.role)
    except ApplianceError as err:
        _say(f"cannot create user: {err.message}")
        return 1

    async def add() -> None:
        db = Database(database_path(config))
        await db.start()
        try:
            await create_user(db, args.username, password, args.role)
        finally:
            await db.stop()

    try:
        asyncio.run(add())
    except ApplianceError as err:
        _say(f"cannot create user: {err.message}")
        return 1
    _say(f"user {args.username!r} created with role {args.role}")
    return 0


def cmd_setup_code(args: argparse.Namespace) -> int:
    """Print a fresh one-time setup code; only its hash is stored and it is never logged."""
    from appliance.accounts.setupcode import VALID_HOURS, issue
    from appliance.core.config import database_path
    from appliance.core.db import Database

    config = _load(args)
    path = database_path(config)
    if not path.parent.is_dir():
        _say(f"no data folder {path.parent} yet: start Banditore once first")
        return 1
    owner = path.parent.stat()
    if os.geteuid() not in (0, owner.st_uid):
        _say("run it as root (sudo appliance setup-code): the code lets anyone become admin")
        return 2

    async def make() -> str | None:
        db = Database(path)
        await db.start()
        try:
            return await issue(db)
        finally:
            await db.stop()

    try:
        code = asyncio.run(make())
    finally:
        _hand_back(path.parent, owner.st_uid, owner.st_gid)
    if code is None:
        _say("an admin account exists already: sign in, or add one with `appliance user add NAME`")
        return 1
    _say(f"One-time setup code for the first admin (valid {VALID_HOURS} hours; earlier codes no")
    _say("longer work). Open the admin page, go to /setup and enter:")
    _say(f"  {code}")
    return 0


def _hand_back(folder: Path, uid: int, gid: int) -> None:
    """Files root created in the data folder (a new database, its journal) go to its owner."""
    if os.geteuid() != 0 or uid == 0:
        return
    for path in folder.iterdir():
        if path.stat().st_uid == 0:
            os.chown(path, uid, gid)


def _say(message: str) -> None:
    print(message, flush=True)  # noqa: T201 - the CLI's own output


def cmd_backup(args: argparse.Namespace) -> int:
    """Make an encrypted backup while the appliance runs (or create the key, or list)."""
    from appliance.backups.commands import run_backup

    return run_backup(_load(args), args, _say)


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database with a backup; Banditore must be stopped."""
    from appliance.app import create_app
    from appliance.backups.commands import run_restore

    config = _load(args)
    # Capabilities register their after-restore hooks while the app is wired (nothing starts).
    return run_restore(config, args, _say, lambda: create_app(config).after_restore)


def cmd_token(args: argparse.Namespace) -> int:
    """Create a REST API token, printed once."""
    from appliance.accounts.commands import run_token

    return run_token(_load(args), args, _say)


def cmd_papers(args: argparse.Namespace) -> int:
    """Write every paper (deliberation, register entry, DPIA outline, accessibility statement)."""
    from appliance.audience import papers
    from appliance.audience.privacy_facts import SETTINGS_QUERY, facts_from

    config = _load(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stored: dict[str, str] = {}
    contact = ""
    path = database_path(config)
    if path.exists():  # read only: writing the papers never touches the box's data
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            stored = dict(conn.execute(SETTINGS_QUERY).fetchall())
            contact = (conn.execute(papers.CONTACT_QUERY).fetchone() or [""])[0]
    filled = papers.context_from(facts_from(stored, config), contact, config)
    for item in papers.PAPERS:
        (out / item.filename).write_text(papers.render(item.key, filled), encoding="utf-8")
        _say(f"wrote {out / item.filename}")
    return 0


def cmd_led_off(args: argparse.Namespace) -> int:
    """Leave the LED off: a killed or crashed process must not leave it lit like a healthy one."""
    from appliance.box.led import switch_off

    config = _load(args)
    if not config.gpio.enabled:
        _say("GPIO disabled: no LED to switch off")
        return 0
    switch_off(config.gpio.led_pin)
    _say(f"status LED on GPIO{config.gpio.led_pin} switched off")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "demo": cmd_demo,
    "check": cmd_check,
    "user": cmd_user,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "token": cmd_token,
    "setup-code": cmd_setup_code,
    "papers": cmd_papers,
    "led-off": cmd_led_off,
}
