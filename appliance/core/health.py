"""Health at a glance: capabilities register probes; the dashboard and the LED read one snapshot."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from appliance import __version__
from appliance.core.formats import format_number
from appliance.core.text import N_

log = logging.getLogger(__name__)

OK, WARN, ERROR, UNKNOWN = "ok", "warn", "error", "unknown"
PROBE_TIMEOUT = 2.0
DISK_WARN_FREE = 0.10


@dataclass(frozen=True)
class Check:
    """One line of the dashboard: a status and, when not ok, a plain-language explanation."""

    key: str
    status: str  # ok, warn, error, unknown
    # Italian, as Text (N_) so the page shows them in the staff's language.
    title: str  # short label, e.g. "Webhook"
    value: str  # what is known, e.g. "ultimo 2 minuti fa"
    explanation: str = ""  # what it means and what to do, when not ok


Probe = Callable[[], Awaitable[Check]]


class HealthRegistry:
    """Named probes, each returning a Check; a failing probe shows as unknown, never crashes."""

    def __init__(self) -> None:
        self._probes: dict[str, Probe] = {}

    def add(self, key: str, probe: Probe) -> None:
        """Register (or replace) the probe for ``key``; order of registration is display order."""
        self._probes[key] = probe

    async def snapshot(self) -> list[Check]:
        """Run every probe concurrently with a timeout."""
        return list(await asyncio.gather(*(self._run(k, p) for k, p in self._probes.items())))

    async def _run(self, key: str, probe: Probe) -> Check:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                return await probe()
        except Exception as err:  # noqa: BLE001 - one broken probe must not hide the others
            log.warning("health probe %s failed: %s", key, err)
            return Check(
                key,
                UNKNOWN,
                key,
                N_("non disponibile"),
                N_("Controllo non riuscito: {error}", error=err),
            )


def version_probe() -> Probe:
    """The running version (always ok)."""

    async def probe() -> Check:
        return Check("version", OK, N_("Versione"), __version__)

    return probe


def disk_probe(path: Path) -> Probe:
    """Free space on the disk holding the database."""

    async def probe() -> Check:
        usage = await asyncio.to_thread(shutil.disk_usage, path)
        free = usage.free / usage.total if usage.total else 0
        value = N_(
            "{gb} GB liberi ({share})",
            gb=lambda lang: format_number(usage.free / 1e9, lang, 1),
            share=lambda lang: format_number(free * 100, lang) + "%",
        )
        if free < DISK_WARN_FREE:
            return Check(
                "disk",
                WARN,
                N_("Disco"),
                value,
                N_(
                    "Il disco è quasi pieno: i messaggi e i backup potrebbero non essere salvati. "
                    "Eliminare backup vecchi o copiare i dati su un supporto esterno."
                ),
            )
        return Check("disk", OK, N_("Disco"), value)

    return probe


# How bad each status is: the page lists problems first and the summary is the worst.
SEVERITY = {OK: 0, UNKNOWN: 1, WARN: 2, ERROR: 3}


def overall(statuses: list[str]) -> str:
    """The worst status among the checks (ok when there are none)."""
    return max(statuses, key=SEVERITY.__getitem__, default=OK)
