"""CLI commands of the admin side: ``appliance token create NAME --role ROLE``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from appliance.core.config import Config, database_path
from appliance.core.db import Database
from appliance.core.errors import ApplianceError
from appliance.lan.access import ROLES


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``token create`` to the CLI."""
    token = sub.add_parser("token", parents=[common], help="manage REST API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_sub.add_parser(
        "create", parents=[common], help="create an API token (printed once)"
    )
    create.add_argument("name", help="what the token is for, e.g. 'sito del comune'")
    create.add_argument("--role", default="viewer", choices=ROLES)


def run_token(config: Config, args: argparse.Namespace, say: Callable[[str], None]) -> int:
    """Create a token and print it: the only time it is shown; only its hash is stored."""
    from appliance.lan.tokens import create_token

    async def create() -> str:
        db = Database(database_path(config))
        await db.start()
        try:
            return await create_token(db, args.name, args.role, "cli")
        finally:
            await db.stop()

    try:
        token = asyncio.run(create())
    except ApplianceError as err:
        say(f"cannot create token: {err.message}")
        return 1
    say(f"token {args.name!r} created with role {args.role}; copy it now, it is not shown again:")
    say(token)
    return 0
