"""The "backup" health line: how old the newest backup is and whether the last run worked."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from appliance.backups import store
from appliance.core.config import Config
from appliance.core.health import ERROR, OK, WARN, Check, Probe
from appliance.core.text import N_, N_plural, Text

MAX_AGE = timedelta(hours=36)
TITLE = N_("Backup")


def _age(delta: timedelta) -> Text:
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return N_("meno di un'ora fa")
    if hours < 48:
        return N_plural("un'ora fa", "{n} ore fa", hours)
    return N_plural("{n} giorno fa", "{n} giorni fa", hours // 24)


def check_backups(config: Config, now: datetime | None = None) -> Check:
    """The health line from the backup folder and the last run's status file."""
    now = now or datetime.now(UTC)
    if store.key_path(config) is None:
        return Check(
            "backup",
            WARN,
            TITLE,
            N_("non configurati"),
            N_(
                "I backup cifrati non sono configurati: impostare [backup] key_file "
                "(install.sh lo fa da sé) e conservare la chiave in un luogo sicuro."
            ),
        )
    directory = store.backup_dir(config)
    backups = store.list_backups(directory)
    status = store.read_status(directory)
    if not status.get("ok", True):
        return Check(
            "backup",
            ERROR,
            TITLE,
            N_("ultimo tentativo fallito"),
            N_(
                "L'ultimo backup non è riuscito: {error}. "
                "Controllare lo spazio su disco e il file della chiave, poi riprovare.",
                error=status.get("error", ""),
            ),
        )
    if not backups:
        return Check(
            "backup",
            WARN,
            TITLE,
            N_("nessun backup"),
            N_(
                "Non esiste ancora nessun backup. Il backup notturno parte alle 3; "
                "per farne uno subito: appliance backup."
            ),
        )
    newest = backups[0]
    value = N_("ultimo {ago}", ago=_age(now - newest.created))
    if now - newest.created > MAX_AGE:
        return Check(
            "backup",
            WARN,
            TITLE,
            value,
            N_(
                "L'ultimo backup ha più di 36 ore: il timer notturno non è partito o non "
                "riesce. Controllare con: systemctl status banditore-backup.timer"
            ),
        )
    if status.get("copy_error"):
        return Check(
            "backup",
            WARN,
            TITLE,
            N_("{last}, solo su questo dispositivo", last=value),
            N_(
                "La copia esterna non è riuscita: collegare la chiavetta USB o la cartella di "
                "rete ({error}).",
                error=status["copy_error"],
            ),
        )
    return Check("backup", OK, TITLE, value)


def backup_probe(config: Config) -> Probe:
    """The probe registered in the health registry."""

    async def probe() -> Check:
        return await asyncio.to_thread(check_backups, config)

    return probe
