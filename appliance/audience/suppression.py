"""The suppression list: hashed identities of those who left, kept outside the restorable database.

A line is appended and fsynced before an unsubscribe or erasure is confirmed; a restore (which
brings back an older database) re-applies it through the backups' after-restore hook, so nobody
who left is ever messaged again. Identities are keyed hashes: the file holds no phone numbers.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from appliance.core.parts import PartKey

SUPPRESSION: PartKey[SuppressionList] = PartKey("suppression")

log = logging.getLogger(__name__)

LIST_NAME = "suppression.list"
KEY_NAME = "suppression.key"
# What a line records; the latest line of an identity wins.
UNSUBSCRIBED, ERASED, RESUBSCRIBED = "unsubscribed", "erased", "resubscribed"
_STATES = (UNSUBSCRIBED, ERASED, RESUBSCRIBED)


class SuppressionList:
    """``parts[SUPPRESSION]``: ``await is_suppressed(wa_id, user_id)`` before every send."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LIST_NAME
        self.key_path = directory / KEY_NAME
        self._key: bytes | None = None
        self._states: dict[str, str] = {}
        self._loaded = False
        self._lock = asyncio.Lock()

    # -- loading ----------------------------------------------------------------------------

    def load_sync(self) -> None:
        """Read the key and every line (a thread or a restore hook; never on the event loop)."""
        self._key = _read_or_create_key(self.key_path)
        self._states = read_states(self.path)
        self._loaded = True

    async def load(self) -> None:
        """Load once, off the event loop."""
        async with self._lock:
            if not self._loaded:
                await asyncio.to_thread(self.load_sync)

    async def unload(self) -> None:
        """Forget the in-memory copy; the next question reads the file again."""
        async with self._lock:
            self._loaded = False
            self._states = {}

    # -- questions --------------------------------------------------------------------------

    def digest(self, kind: str, value: str) -> str:
        """The keyed hash of one identity (kind ``wa``, ``uid`` or ``puid``)."""
        assert self._key is not None, "suppression list not loaded"
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:40]

    def _named(
        self, wa_id: str | None, user_id: str | None, parent_user_id: str | None = None
    ) -> list[tuple[str, str, str]]:
        """(argument name, value, digest) of each identifier given."""
        kinds = (("wa_id", "wa", wa_id), ("user_id", "uid", user_id))
        kinds += (("parent_user_id", "puid", parent_user_id),)
        return [
            (name, value, self.digest(kind, value.lstrip("+") if kind == "wa" else value))
            for name, kind, value in kinds
            if value
        ]

    def _digests(
        self, wa_id: str | None, user_id: str | None, parent_user_id: str | None = None
    ) -> list[str]:
        return [d for _, _, d in self._named(wa_id, user_id, parent_user_id)]

    async def is_suppressed(
        self, wa_id: str | None, user_id: str | None, parent_user_id: str | None = None
    ) -> bool:
        """True when this person unsubscribed or was erased (and did not subscribe again)."""
        if not self._loaded:
            await self.load()
        return any(
            self._states.get(d) in (UNSUBSCRIBED, ERASED)
            for d in self._digests(wa_id, user_id, parent_user_id)
        )

    async def is_erased(
        self, wa_id: str | None, user_id: str | None, parent_user_id: str | None = None
    ) -> bool:
        """True when this person asked for erasure (and did not come back)."""
        if not self._loaded:
            await self.load()
        return self.state_of(wa_id, user_id, parent_user_id) == ERASED

    def state_of(
        self, wa_id: str | None, user_id: str | None, parent_user_id: str | None = None
    ) -> str | None:
        """The strongest recorded state among this person's identifiers, if any."""
        states = {self._states.get(d) for d in self._digests(wa_id, user_id, parent_user_id)}
        return next((s for s in (ERASED, UNSUBSCRIBED, RESUBSCRIBED) if s in states), None)

    def without_no(
        self, wa_id: str | None, user_id: str | None, parent_user_id: str | None = None
    ) -> dict[str, str]:
        """The identifiers given that have no unsubscribe or erasure recorded (a loaded list)."""
        return {
            name: value
            for name, value, d in self._named(wa_id, user_id, parent_user_id)
            if self._states.get(d) not in (UNSUBSCRIBED, ERASED)
        }

    def alias(self, wa_id: str | None, user_id: str | None) -> str:
        """A stable pseudonym for an erased identity whose row id is gone."""
        return "erased-" + self._digests(wa_id, user_id)[0][:8]

    # -- recording --------------------------------------------------------------------------

    async def record(
        self, state: str, wa_id: str | None, user_id: str | None, parent_user_id: str | None = None
    ) -> None:
        """Append one line per identifier and fsync; return only once it is on disk."""
        if state not in _STATES:
            raise ValueError(f"unknown suppression state {state!r}")
        await self.load()
        digests = self._digests(wa_id, user_id, parent_user_id)
        if not digests:
            return
        lines = "".join(f"{d} {state} {int(time.time())}\n" for d in digests)
        async with self._lock:
            await asyncio.to_thread(_append_durably, self.path, lines)
            for d in digests:
                self._states[d] = state

    # -- after a restore --------------------------------------------------------------------

    def restore_hook(self) -> Callable[[sqlite3.Connection], None]:
        """The after-restore hook: whoever left after the backup was made is left again."""

        def hook(conn: sqlite3.Connection) -> None:
            from appliance.audience.erasure import erase_sync, newer_schema, unsubscribe_sync

            self.load_sync()
            # A backup made before the identity migration has no parent_user_id column yet.
            parent = "parent_user_id" if newer_schema(conn) else "NULL"
            rows = conn.execute(
                f"SELECT id, wa_id, user_id, {parent}, status FROM subscribers"
                " WHERE status != 'erased'"
            ).fetchall()
            for sid, wa_id, user_id, parent_user_id, status in rows:
                state = self.state_of(wa_id, user_id, parent_user_id)
                if state == ERASED:
                    erase_sync(conn, sid, "suppression list (after restore)")
                elif state == UNSUBSCRIBED and status in ("active", "pending"):
                    unsubscribe_sync(conn, sid)

        return hook


def read_states(path: Path) -> dict[str, str]:
    """Latest state per digest; a torn last line (power cut while appending) is skipped."""
    states: dict[str, str] = {}
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return states
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in _STATES:
            states[parts[0]] = parts[1]
    return states


def _append_durably(path: Path, lines: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, lines.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(path.parent)


def _read_or_create_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    _fsync_dir(path.parent)
    return key


def _fsync_dir(directory: Path) -> None:
    """A new file's name is durable only once its folder is synced."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
