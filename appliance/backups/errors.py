"""Backup and restore errors: each message says what happened and what to do."""

from __future__ import annotations

from appliance.core.errors import ApplianceError


class BackupError(ApplianceError):
    """The backup could not be made."""

    status = 500
    code = "backup_failed"


class RestoreRefused(ApplianceError):
    """The file cannot be restored; the live database was not touched."""

    status = 422
    code = "restore_refused"


class DatabaseBusy(ApplianceError):
    """The database is open in another process (Banditore is running)."""

    status = 409
    code = "database_busy"


class FolderBusy(BackupError):
    """Another backup or restore is using the backup folder right now."""

    status = 409
    code = "backup_busy"
