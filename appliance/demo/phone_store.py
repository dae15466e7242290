"""The demo phone's memory: what the simulator accepted for each number, and what it sent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appliance.core.db import Database
    from appliance.core.db.writer import WriteConnection
    from appliance.simulator import Simulator

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.2  # how soon a message the bot sent shows on the phone
MEDIA_KINDS = ("image", "document", "audio", "video", "sticker")
KEEP_PER_CHAT = 500  # older messages of one number are dropped beyond this


def media_ids(body: dict[str, Any]) -> list[str]:
    """The uploaded media a Cloud API message body refers to (direct media or template header)."""
    found = [
        str(body[kind]["id"])
        for kind in MEDIA_KINDS
        if isinstance(body.get(kind), dict) and body[kind].get("id")
    ]
    template = body.get("template") if isinstance(body.get("template"), dict) else {}
    for component in template.get("components") or []:
        for parameter in component.get("parameters") or []:
            media = (
                parameter.get(parameter.get("type", "")) if isinstance(parameter, dict) else None
            )
            if isinstance(media, dict) and media.get("id"):
                found.append(str(media["id"]))
    return found


class PhoneStore:
    """Copies the simulator's accepted messages into SQLite, so the phone survives a restart."""

    def __init__(self, db: Database, simulator: Simulator) -> None:
        self.db = db
        self.simulator = simulator
        self._seen: tuple[int, int] = (0, 0)  # (id of the accepted list, entries copied)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Copy in the background from now on."""
        self._seen = (id(self.simulator.state.accepted), 0)
        self._task = asyncio.create_task(self._run(), name="demo-phone-store")

    async def stop(self) -> None:
        """Stop copying, after a last copy of what is there."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - the phone is a demo aid: log and go on
                log.exception("demo phone: cannot store the simulator's messages")
            await asyncio.sleep(FLUSH_SECONDS)

    async def flush(self) -> None:
        """Store the entries the simulator accepted since the last call."""
        accepted = self.simulator.state.accepted
        list_id, done = self._seen
        if list_id != id(accepted):  # the simulator was reset: its new list starts empty
            done = 0
        new = accepted[done:]
        self._seen = (id(accepted), done + len(new))
        if not new:
            return
        media = self.simulator.state.media
        rows = [(e["to"], "out", e["at"], e["wamid"], json.dumps(e["body"])) for e in new]
        files = [
            (mid, media[mid]["mime_type"], media[mid]["file_size"], media[mid]["data"])
            for e in new
            for mid in media_ids(e["body"])
            if mid in media
        ]

        async def job(conn: WriteConnection) -> None:
            await conn.executemany(
                "INSERT INTO demo_phone_messages (wa_id, direction, at, wamid, body)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            await _keep_media(conn, files)

        await self.db.write(job)

    async def record_inbound(
        self, wa_id: str, wamid: str, at: float, message: dict[str, Any], file: Any = None
    ) -> None:
        """What the citizen sent from the phone; ``file`` is (media_id, mime, bytes) if any."""
        files = [(file[0], file[1], len(file[2]), file[2])] if file else []

        async def job(conn: WriteConnection) -> None:
            await conn.execute(
                "INSERT INTO demo_phone_messages (wa_id, direction, at, wamid, body)"
                " VALUES (?, 'in', ?, ?, ?)",
                (wa_id, at, wamid, json.dumps(message)),
            )
            await _keep_media(conn, files)
            await conn.execute(
                "DELETE FROM demo_phone_messages WHERE wa_id = ? AND id <= (SELECT id FROM"
                " demo_phone_messages WHERE wa_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (wa_id, wa_id, KEEP_PER_CHAT),
            )

        await self.db.write(job)

    async def chat(self, wa_id: str) -> list[Any]:
        """One number's messages in the order the phone got them, with the latest status."""
        return await self.db.fetchall(
            "SELECT m.id, m.direction, m.at, m.wamid, m.body, s.status, s.error_title"
            " FROM demo_phone_messages m LEFT JOIN message_statuses s"
            " ON s.wamid = m.wamid AND m.direction = 'out'"
            " WHERE m.wa_id = ? ORDER BY m.at, m.id",
            (wa_id,),
        )

    async def chats(self) -> list[Any]:
        """Every number with a chat, the latest first, with the citizen's profile name."""
        return await self.db.fetchall(
            "SELECT m.wa_id, max(m.at) AS last_at, coalesce(max(s.profile_name), '') AS name"
            " FROM demo_phone_messages m LEFT JOIN subscribers s ON s.wa_id = m.wa_id"
            " GROUP BY m.wa_id ORDER BY last_at DESC LIMIT 50"
        )

    async def media(self, media_id: str) -> Any | None:
        """One stored file: mime type, size and bytes."""
        return await self.db.fetchone(
            "SELECT mime_type, file_size, data FROM demo_phone_media WHERE media_id = ?",
            (media_id,),
        )


async def _keep_media(conn: WriteConnection, files: list[tuple[str, str, int, bytes]]) -> None:
    await conn.executemany(
        "INSERT OR IGNORE INTO demo_phone_media (media_id, mime_type, file_size, data)"
        " VALUES (?, ?, ?, ?)",
        files,
    )
