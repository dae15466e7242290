"""Outbound HTTP for the feeds: capped sizes and times, conditional requests, safe XML."""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from appliance import __version__
from appliance.core.errors import ServiceUnavailable
from appliance.feeds.tls import feed_context

USER_AGENT = f"Banditore/{__version__} (comune WhatsApp service)"
DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_DEADLINE = 20.0
# Bodies up to this size are kept for If-None-Match / If-Modified-Since revalidation.
REVALIDATE_MAX_BYTES = 1024 * 1024


class FeedError(ServiceUnavailable):
    """A feed could not be read (network, HTTP status, size or time limit)."""

    code = "feed_unavailable"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FeedFormatError(FeedError):
    """A feed answered with something we cannot trust (malformed, partial, hostile)."""

    code = "feed_malformed"


class NoZoneData(FeedFormatError):
    """The answer is sound but says nothing about our zone: no data for us, never an alert."""

    code = "feed_no_zone_data"


@dataclass
class _Validator:
    etag: str
    last_modified: str
    body: bytes


class Fetcher:
    """GETs with a byte cap and a total deadline over one shared ``httpx.AsyncClient``."""

    def __init__(
        self, client: httpx.AsyncClient | None = None, tls: ssl.SSLContext | None = None
    ) -> None:
        self._own = client is None
        self._client = client
        self._tls = tls  # None: the system's roots with the shipped intermediates
        self._validators: dict[str, _Validator] = {}

    async def start(self) -> None:
        """Open our own client in the serving loop unless a shared one was given."""
        if self._client is None:
            tls = self._tls or await asyncio.to_thread(feed_context)
            self._client = httpx.AsyncClient(
                verify=tls,
                timeout=httpx.Timeout(10.0, connect=5.0),
                limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=True,
                max_redirects=3,
            )

    async def close(self) -> None:
        """Close the client when we made it."""
        if self._own and self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        """The client; feeds are read only while the appliance runs."""
        if self._client is None:
            raise FeedError("the feeds are not started")
        return self._client

    async def get(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        deadline: float = DEFAULT_DEADLINE,
        accept_404: bool = False,
    ) -> bytes | None:
        """The body of a 200 (or of a 304 we can revalidate); None for an accepted 404."""
        request = self.client.build_request("GET", url, params=params)
        key = str(request.url)
        known = self._validators.get(key)
        if known:
            if known.etag:
                request.headers["If-None-Match"] = known.etag
            if known.last_modified:
                request.headers["If-Modified-Since"] = known.last_modified
        where = request.url.copy_with(query=None)
        try:
            async with asyncio.timeout(deadline):
                response = await self.client.send(request, stream=True)
                try:
                    if response.status_code == 304 and known:
                        return known.body
                    if response.status_code == 404 and accept_404:
                        return None
                    if response.status_code != 200:
                        body = await _read_capped(response, 4096, truncate=True)
                        raise FeedError(
                            f"{where} answered HTTP {response.status_code}{_reason(body)}",
                            retry_after=_retry_after(response),
                        )
                    body = await _read_capped(response, max_bytes)
                finally:
                    await response.aclose()
        except TimeoutError as err:
            raise FeedError(f"{where} did not answer within {deadline:g} s") from err
        except httpx.HTTPError as err:
            raise FeedError(f"{where} unreachable: {type(err).__name__} {err}".strip()) from err
        self._remember(key, response, body)
        return body

    async def get_json(self, url: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        """GET and decode JSON in a worker thread (bulletins can be megabytes)."""
        body = await self.get(url, params, **kw)
        return None if body is None else await asyncio.to_thread(decode_json, body, url)

    def _remember(self, key: str, response: httpx.Response, body: bytes) -> None:
        etag = response.headers.get("ETag", "")
        modified = response.headers.get("Last-Modified", "")
        if (etag or modified) and len(body) <= REVALIDATE_MAX_BYTES:
            self._validators[key] = _Validator(etag, modified, body)
        else:
            self._validators.pop(key, None)


async def _read_capped(response: httpx.Response, limit: int, *, truncate: bool = False) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit and not truncate:
        raise FeedFormatError(f"{response.url} is too large ({declared} bytes, limit {limit})")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            if truncate:
                chunks.append(chunk[: limit - (size - len(chunk))])
                break
            raise FeedFormatError(f"{response.url} is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(body: bytes) -> str:
    """Open-Meteo-style ``{"error": true, "reason": ...}`` bodies say what was wrong."""
    try:
        reason = json.loads(body).get("reason")
    except (ValueError, AttributeError):
        return ""
    return f": {str(reason)[:200]}" if reason else ""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def decode_json(body: bytes, where: str) -> Any:
    """JSON or a FeedFormatError naming the feed."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise FeedFormatError(f"{where} is not valid JSON: {err}") from err


def parse_xml(body: bytes, where: str) -> Element:
    """Parse outside XML with defusedxml, refusing any DTD or entity declaration."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise FeedFormatError(f"{where} answered with a web page, not data (maintenance?)")
    try:
        return defused_fromstring(body, forbid_dtd=True)
    except DefusedXmlException as err:
        raise FeedFormatError(f"{where} refused: hostile XML ({type(err).__name__})") from err
    except ParseError as err:
        raise FeedFormatError(f"{where} is not well-formed XML: {err}") from err
