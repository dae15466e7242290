"""Schema migrations: one numbered SQL file each, applied in order by ``PRAGMA user_version``."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
log = logging.getLogger(__name__)


class MigrationError(Exception):
    """The database cannot be brought to this version's schema."""


@dataclass(frozen=True)
class Migration:
    """One numbered schema step."""

    number: int
    path: Path

    @property
    def sql(self) -> str:
        """The step's SQL text."""
        return self.path.read_text(encoding="utf-8")


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file in order; raise MigrationError on gaps, duplicates or odd names."""
    found: dict[int, Path] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix != ".sql":
            continue
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} is not named NNNN_name.sql")
        number = int(match.group(1))
        if number in found:
            raise MigrationError(
                f"two migrations share number {number:04d}: {found[number].name} and {path.name}; "
                "renumber the later one"
            )
        found[number] = path
    numbers = sorted(found)
    if numbers != list(range(1, len(numbers) + 1)):
        raise MigrationError(f"migration numbers must run 1..N without gaps, found {numbers}")
    return [Migration(n, found[n]) for n in numbers]


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version stored in the file."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, migrations: list[Migration] | None = None) -> int:
    """Apply every pending step, each in its own transaction; return the final version."""
    migrations = discover() if migrations is None else migrations
    latest = migrations[-1].number if migrations else 0
    version = current_version(conn)
    if version > latest:
        raise MigrationError(
            f"the database is at schema version {version}, newer than this program knows "
            f"({latest}); install the newer Banditore again or restore a backup made with this one"
        )
    for step in migrations[version:]:
        log.info("applying migration %s", step.path.name)
        script = (
            f"BEGIN IMMEDIATE;\n{step.sql}\n;PRAGMA user_version = {int(step.number)};\nCOMMIT;"
        )
        try:
            conn.executescript(script)
        except sqlite3.Error as err:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise MigrationError(f"migration {step.path.name} failed: {err}") from err
    return current_version(conn)
