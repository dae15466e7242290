"""The media library: uploaded once through the Cloud API, reused, renewed before Meta's expiry."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.cloudapi.limits import LimitError, validate_upload
from appliance.errors import BadRequest, NotFound

if TYPE_CHECKING:
    from appliance.app import Appliance

# Meta keeps an uploaded file 30 days; renew well before, since a campaign may take a while.
RENEW_AFTER = 25 * 86400.0


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
        media_id = await self._appliance.parts["cloudapi"].upload_media(data, mime_type, filename)
        kind = "image" if kind == "sticker" else kind
        await self._db.execute(
            "INSERT INTO studio_media (sha256, kind, filename, mime_type, size, media_id,"
            " uploaded_at, text_layer) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256)"
            " DO UPDATE SET media_id = excluded.media_id, uploaded_at = excluded.uploaded_at",
            (
                digest,
                kind,
                filename[:200] or "file",
                mime_type,
                len(data),
                media_id,
                time.time(),
                int(has_text_layer(data, mime_type)),
            ),
        )
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
        media_id = await self._appliance.parts["cloudapi"].upload_media(
            data, row["mime_type"], row["filename"]
        )
        await self._db.execute(
            "UPDATE studio_media SET media_id = ?, uploaded_at = ? WHERE id = ?",
            (media_id, time.time(), media_row_id),
        )
        return await self.get(media_row_id)

    async def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest files, for reuse in the wizard."""
        rows = await self._db.fetchall(
            "SELECT * FROM studio_media ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [dict(r) for r in rows]
