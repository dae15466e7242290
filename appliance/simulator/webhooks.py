"""Signed webhooks from the simulator to the appliance: statuses, inbound messages, templates."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import logging
import time
from typing import Any

import httpx

from appliance.cloudapi.signature import sign
from appliance.core.services import cancel_and_wait
from appliance.simulator.errors import ERRORS
from appliance.simulator.state import SimState

log = logging.getLogger(__name__)

DUPLICATE_AFTER = 0.25  # seconds between a status and its duplicate delivery
MAX_RETRY_DELAY = 30.0


class WebhookSender:
    """A scheduler of webhooks; like Meta it batches statuses and retries until answered 200."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self._heap: list[tuple[float, int, str, Any, int]] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._http: httpx.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None
        self.delivered = 0
        self.failed_attempts = 0

    async def start(self) -> None:
        """Open the HTTP client and start the posting loop."""
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))
        self._task = asyncio.create_task(self._run(), name="simulator-webhooks")

    async def stop(self) -> None:
        """Stop posting; what is still scheduled is dropped."""
        await cancel_and_wait(self._task)
        self._task = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    @property
    def pending(self) -> int:
        """Webhooks scheduled and not yet acknowledged."""
        return len(self._heap)

    # -- what to send -----------------------------------------------------------------------

    def schedule_statuses(self, entry: dict[str, Any]) -> None:
        """Sent → delivered → read for an accepted message (failed for undeliverable numbers)."""
        settings = self.state.settings
        if entry.get("fail_code"):
            steps = [("failed", settings.status_delays.get("sent") or 0.0)]
        else:
            steps = [
                (status, delay)
                for status, delay in settings.status_delays.items()
                if delay is not None
            ]
        if settings.reorder_statuses:
            delays = sorted((d for _, d in steps), reverse=True)
            steps = [(status, delays[i]) for i, (status, _) in enumerate(steps)]
        for status, delay in steps:
            item = self._status(entry, status, self.state.now() + delay)
            self._push(delay, "status", item)
            if settings.duplicate_statuses:
                self._push(delay + DUPLICATE_AFTER, "status", item)

    def schedule_payload(self, payload: dict[str, Any], delay: float = 0.0) -> None:
        """Any webhook payload (template updates, user preferences) after ``delay`` seconds."""
        self._push(delay, "payload", payload)

    def envelope(self, field: str, value: dict[str, Any]) -> dict[str, Any]:
        """Meta's outer shape around one change."""
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": self.state.settings.business_account_id,
                    "time": int(self.state.now()),
                    "changes": [{"value": value, "field": field}],
                }
            ],
        }

    def messages_value(self, **parts: Any) -> dict[str, Any]:
        """The value of a ``messages`` change: product, metadata and the given arrays."""
        settings = self.state.settings
        return {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": settings.display_phone_number,
                "phone_number_id": settings.phone_number_id,
            },
            **parts,
        }

    def _status(self, entry: dict[str, Any], status: str, at: float) -> dict[str, Any]:
        item: dict[str, Any] = {"id": entry["wamid"], "status": status, "timestamp": str(int(at))}
        settings = self.state.settings
        if not entry["to"].isdigit():
            item["recipient_user_id"] = entry["to"]
        else:
            if entry["to"] not in settings.username_only:
                item["recipient_id"] = entry["to"]
            if settings.user_ids or entry["to"] in settings.username_only:
                item["recipient_user_id"] = self.state.user_id_for(entry["to"])
        if entry["callback_data"] is not None:
            item["biz_opaque_callback_data"] = entry["callback_data"]
        if status in ("sent", "delivered"):
            free = entry["category"] is None or (
                entry["in_window"] and entry["category"] == "UTILITY"
            )
            item["pricing"] = {
                "billable": not free,
                "pricing_model": "PMP",
                "type": "free_customer_service" if free else "regular",
                "category": (entry["category"] or "service").lower(),
            }
        if status == "failed":
            code = entry.get("fail_code") or 131026
            title, details = ERRORS.get(code, ("Error", f"Error {code}"))
            item["errors"] = [
                {
                    "code": code,
                    "title": title,
                    "message": title,
                    "error_data": {"details": details},
                    "href": "/documentation/business-messaging/whatsapp/support/error-codes",
                }
            ]
        return item

    def _push(self, delay: float, kind: str, item: Any, attempts: int = 0) -> None:
        heapq.heappush(
            self._heap, (time.monotonic() + delay, next(self._seq), kind, item, attempts)
        )
        self._wake.set()

    # -- posting ----------------------------------------------------------------------------

    async def deliver(self, payload: dict[str, Any]) -> int | None:
        """Post one payload now; on failure it is retried in the background. Returns the status."""
        return await self._post(payload, 0)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            if not self._heap:
                await self._wake.wait()
                continue
            wait = self._heap[0][0] - time.monotonic()
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._wake.wait()
                continue
            statuses: list[dict[str, Any]] = []
            retries: list[tuple[dict[str, Any], int]] = []
            now = time.monotonic()
            while self._heap and self._heap[0][0] <= now:
                _, _, kind, item, attempts = heapq.heappop(self._heap)
                if kind == "status":
                    statuses.append(item)
                else:
                    retries.append((item, attempts))
            size = max(1, self.state.settings.webhook_batch)
            for start in range(0, len(statuses), size):
                chunk = statuses[start : start + size]
                await self._post(self.envelope("messages", self.messages_value(statuses=chunk)), 0)
            for payload, attempts in retries:
                await self._post(payload, attempts)

    async def _post(self, payload: dict[str, Any], attempts: int) -> int | None:
        settings = self.state.settings
        if not settings.webhook_url or self._http is None:
            log.debug("simulator has no webhook URL; dropping a webhook")
            return None
        # ensure_ascii: Meta signs the escaped-unicode form; the appliance must verify raw bytes.
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body, settings.app_secret),
        }
        status: int | None = None
        try:
            response = await self._http.post(settings.webhook_url, content=body, headers=headers)
            status = response.status_code
        except httpx.HTTPError as err:
            log.debug("webhook post failed: %s", err)
        if status == 200:
            self.delivered += 1
        else:
            self.failed_attempts += 1
            self._push(min(MAX_RETRY_DELAY, 0.5 * 2**attempts), "payload", payload, attempts + 1)
        return status
