"""The media library: uploaded once through the Cloud API, reused, renewed before Meta's expiry."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.campaigns.engine import CAMPAIGNS
from appliance.campaigns.model import ACTIVE, loads
from appliance.cloudapi.client import CLOUDAPI
from appliance.cloudapi.limits import LimitError, validate_upload
from appliance.core.errors import ApplianceError, BadRequest, NotFound
from appliance.core.parts import PartKey
from appliance.core.periodic import Periodic

if TYPE_CHECKING:
    from appliance.core.context import Appliance
    from appliance.core.db import WriteConnection

# Meta keeps an uploaded file 30 days; renew well before, since a campaign may take a while.
RENEW_AFTER = 25 * 86400.0
# How often the media of campaigns still sending are checked (well inside the 5 days' margin).
RENEW_CHECK_SECONDS = 3600.0
# Every media id the library hands out, so a campaign holding an older one is found.
_REMEMBER = (
    "INSERT OR IGNORE INTO studio_media_uploads (media_id, media_row, uploaded_at)"
    " SELECT media_id, id, uploaded_at FROM studio_media"
)
log = logging.getLogger(__name__)


def has_text_layer(data: bytes, mime_type: str) -> bool:
    """False for a PDF without fonts: a scan that screen readers cannot read."""
    return not mime_type.startswith("application/pdf") or b"/Font" in data


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with open(temporary, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


class MediaLibrary:
    """``studio_media`` plus the files kept in ``studio-media/`` beside the database."""

    def __init__(self, appliance: Appliance) -> None:
        self._appliance = appliance
        self._db = appliance.db
        self.directory = appliance.db.path.parent / "studio-media"
        self._renewal = Periodic(
            "campaign media renewal",
            self.renew_active,
            interval=RENEW_CHECK_SECONDS,
            first_delay=RENEW_CHECK_SECONDS,
        )

    async def add(self, data: bytes, mime_type: str, filename: str) -> dict[str, Any]:
        """The library entry for these bytes, uploading them only when new or near expiry."""
        mime_type = mime_type.split(";")[0].strip().lower()
        try:
            kind = validate_upload(mime_type, len(data))
        except LimitError as err:
            raise BadRequest(err.message) from err
        digest = hashlib.sha256(data).hexdigest()
        row = await self._db.fetchone("SELECT * FROM studio_media WHERE sha256 = ?", (digest,))
        if row is not None and time.time() - row["uploaded_at"] < RENEW_AFTER:
            return dict(row)
        await asyncio.to_thread(_write, self.directory / digest, data)
        media_id = await self._appliance.parts[CLOUDAPI].upload_media(data, mime_type, filename)
        kind = "image" if kind == "sticker" else kind
        entry = (
            digest,
            kind,
            filename[:200] or "file",
            mime_type,
            len(data),
            media_id,
            time.time(),
            int(has_text_layer(data, mime_type)),
        )

        async def job(conn: WriteConnection) -> None:
            await conn.execute(
                "INSERT INTO studio_media (sha256, kind, filename, mime_type, size, media_id,"
                " uploaded_at, text_layer) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256)"
                " DO UPDATE SET media_id = excluded.media_id, uploaded_at = excluded.uploaded_at",
                entry,
            )
            await conn.execute(_REMEMBER + " WHERE sha256 = ?", (digest,))

        await self._db.write(job)
        return dict(
            await self._db.fetchone("SELECT * FROM studio_media WHERE sha256 = ?", (digest,))
        )

    async def get(self, media_row_id: int) -> dict[str, Any]:
        """One entry; NotFound when missing."""
        row = await self._db.fetchone("SELECT * FROM studio_media WHERE id = ?", (media_row_id,))
        if row is None:
            raise NotFound(f"no media {media_row_id}")
        return dict(row)

    async def fresh(self, media_row_id: int) -> dict[str, Any]:
        """The entry with a media id valid for a while yet (re-uploaded from the kept bytes)."""
        row = await self.get(media_row_id)
        if time.time() - row["uploaded_at"] < RENEW_AFTER:
            return row
        data = await asyncio.to_thread((self.directory / row["sha256"]).read_bytes)
        media_id = await self._appliance.parts[CLOUDAPI].upload_media(
            data, row["mime_type"], row["filename"]
        )

        async def job(conn: WriteConnection) -> None:
            await conn.execute(
                "UPDATE studio_media SET media_id = ?, uploaded_at = ? WHERE id = ?",
                (media_id, time.time(), media_row_id),
            )
            await conn.execute(_REMEMBER + " WHERE id = ?", (media_row_id,))

        await self._db.write(job)
        return await self.get(media_row_id)

    async def renew_campaign(self, campaign_id: int) -> Any:
        """Renew the media ids of a campaign that near expiry; its updated row, else None."""
        row = await self._db.fetchone("SELECT * FROM campaigns WHERE id = ?", (campaign_id,))
        if row is None:
            return None
        content = loads(row["content"], [])
        template = loads(row["template"], None)
        header = (template or {}).get("header") or {}
        holders = [p for p in content if p.get("media_id")] + (
            [header] if header.get("media_id") else []
        )
        if not holders:
            return None
        used = sorted({h["media_id"] for h in holders})
        stale = await self._db.fetchall(
            "SELECT media_id, media_row FROM studio_media_uploads WHERE uploaded_at < ?"
            f" AND media_id IN ({','.join('?' * len(used))})",
            (time.time() - RENEW_AFTER, *used),
        )
        renewed = {r["media_id"]: (await self.fresh(r["media_row"]))["media_id"] for r in stale}
        if not renewed:
            return None
        for holder in holders:
            holder["media_id"] = renewed.get(holder["media_id"], holder["media_id"])

        async def job(conn: WriteConnection) -> Any:
            async with conn.execute(
                "UPDATE campaigns SET content = ?, template = ? WHERE id = ? RETURNING *",
                (
                    json.dumps(content, ensure_ascii=False),
                    json.dumps(template, ensure_ascii=False) if template else None,
                    campaign_id,
                ),
            ) as cursor:
                return await cursor.fetchone()

        updated = await self._db.write(job)
        self._appliance.parts[CAMPAIGNS].content_changed(updated)
        log.info("campaign %s: %d media file(s) uploaded again", campaign_id, len(renewed))
        return updated

    async def renew_active(self) -> None:
        """Renew the media of every campaign that may still send (scheduled, sending, paused)."""
        for row in await self._db.fetchall(
            "SELECT id FROM campaigns WHERE status IN (?, ?, ?)", ACTIVE
        ):
            try:
                await self.renew_campaign(row["id"])
            except (ApplianceError, OSError) as err:  # the next round tries again
                log.warning("campaign %s: media not renewed: %s", row["id"], err)

    async def start(self) -> None:
        """Check the active campaigns' media now and then (a campaign may run for days)."""
        await self._renewal.start()

    async def stop(self) -> None:
        """Stop checking."""
        await self._renewal.stop()

    async def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest files, for reuse in the wizard."""
        rows = await self._db.fetchall(
            "SELECT * FROM studio_media ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [dict(r) for r in rows]


MEDIA: PartKey[MediaLibrary] = PartKey("media")
