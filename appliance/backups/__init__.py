"""Encrypted online backups, restore, and the hooks that fix up a restored database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.backups.probe import backup_probe
from appliance.core.capability import Capability

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def setup(appliance: Appliance) -> None:
    """Register the backup health line and pages (capabilities add to ``after_restore``)."""
    appliance.health.add("backup", backup_probe(appliance.config))
    if appliance.lan is not None:
        from appliance.backups import pages

        pages.register(appliance.lan)


CAPABILITY = Capability("backups", setup)
