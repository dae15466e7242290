"""CAP as it is published: a single document, an Atom feed of entries, or a zip of documents."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections.abc import Callable
from urllib.parse import urljoin

from appliance.feeds.fetch import FeedFormatError, Fetcher, parse_xml

ATOM = "{http://www.w3.org/2005/Atom}"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
MAX_BYTES = 512 * 1024
# A national Atom feed or a bulletin zip holds many documents.
FEED_MAX_BYTES = 4 * 1024 * 1024
ZIP_MAX_UNPACKED = 16 * 1024 * 1024
ZIP_MAX_MEMBERS = 2000
_EMMA_IN_LINK = re.compile(r"EMMA_ID:([A-Z]{2}\d+)")

# An Atom entry is followed when ``ours(codes, area_name)`` says it is about the town.
EntryFilter = Callable[[list[str], str], bool]


async def cap_documents(fetcher: Fetcher, url: str, ours: EntryFilter) -> list[tuple[bytes, str]]:
    """Every CAP document behind ``url``, each with the address it came from."""
    body = await fetcher.get(url, max_bytes=FEED_MAX_BYTES) or b""
    if body.startswith(b"PK"):
        return await asyncio.to_thread(unzip_caps, body, url)
    if b"<feed" in body[:2048] and ATOM[1:-1].encode() in body[:2048]:
        documents = []
        for link in atom_links(body, url, ours):
            documents.append((await fetcher.get(link, max_bytes=MAX_BYTES) or b"", link))
        return documents
    return [(body, url)]


def atom_links(body: bytes, url: str, ours: EntryFilter) -> list[str]:
    """The CAP links of the entries about our area, once each (entries share documents)."""
    root = parse_xml(body, f"Atom {url}")
    if root.tag != f"{ATOM}feed":
        raise FeedFormatError(f"Atom {url}: root is {root.tag}, not a feed")
    links: dict[str, None] = {}
    for entry in root.findall(f"{ATOM}entry"):
        codes = [(v.text or "").strip() for v in entry.iter(f"{CAP}value")]
        hrefs = [link.get("href", "") for link in entry.findall(f"{ATOM}link")]
        codes += [m.group(1) for href in hrefs for m in _EMMA_IN_LINK.finditer(href)]
        area = (entry.findtext(f"{CAP}areaDesc") or "").strip()
        if not ours(codes, area):
            continue
        for link in entry.findall(f"{ATOM}link"):
            if link.get("type") == "application/cap+xml" and link.get("href"):
                links[urljoin(url, link.get("href", ""))] = None
    return list(links)


def unzip_caps(body: bytes, url: str) -> list[tuple[bytes, str]]:
    """The ``.xml`` members of a bulletin zip (DPC ships its CAP only this way), size-capped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
        members = [m for m in archive.infolist() if m.filename.lower().endswith(".xml")]
        if len(archive.infolist()) > ZIP_MAX_MEMBERS:
            raise FeedFormatError(f"CAP zip {url}: too many members")
        if sum(m.file_size for m in members) > ZIP_MAX_UNPACKED:
            raise FeedFormatError(f"CAP zip {url} is too large once unpacked")
        return [(archive.read(m), f"{url}#{m.filename}") for m in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as err:
        raise FeedFormatError(f"CAP zip {url} is not a readable zip: {err}") from err
