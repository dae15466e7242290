"""Encrypted online backups, restore, and the hooks that fix up a restored database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.backups.hooks import AfterRestore
from appliance.backups.probe import backup_probe

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def setup(appliance: Appliance) -> None:
    """Register the health line and the after-restore hook registry (``parts["after_restore"]``)."""
    appliance.parts["after_restore"] = AfterRestore()
    appliance.health.add("backup", backup_probe(appliance.config))
    if appliance.lan is not None:
        from appliance.backups import pages

        pages.register(appliance.lan)
