"""create_app(): wiring and lifecycle only; each capability plugs its own parts in."""

from __future__ import annotations

from appliance import (
    accounts,
    audience,
    backups,
    box,
    campaigns,
    cloudapi,
    conversation,
    demo,
    feeds,
    operations,
    studio,
)
from appliance.core.capability import setup_all
from appliance.core.config import Config, database_path
from appliance.core.context import Appliance
from appliance.core.db import Database
from appliance.core.health import disk_probe, version_probe
from appliance.core.services import Service

# Set-up order, which is also the services' start order; each declares what it needs first.
CAPABILITIES = (
    accounts.CAPABILITY,
    backups.CAPABILITY,
    demo.CAPABILITY,
    cloudapi.CAPABILITY,
    campaigns.CAPABILITY,
    feeds.CAPABILITY,
    box.CAPABILITY,
    audience.CAPABILITY,
    conversation.CAPABILITY,
    operations.CAPABILITY,
    studio.CAPABILITY,
)


def create_app(config: Config) -> Appliance:
    """Build the appliance: the database, the public and the LAN app, then every capability."""
    from appliance.lan import create_lan_app
    from appliance.public import create_public_app

    appliance = Appliance(config=config, db=Database(database_path(config)))
    appliance.services.add(Service("database", appliance.db.start, appliance.db.stop))
    appliance.health.add("version", version_probe())
    appliance.health.add("disk", disk_probe(appliance.db.path.parent))
    appliance.public = create_public_app(appliance)
    appliance.lan = create_lan_app(appliance)
    setup_all(appliance, CAPABILITIES)
    return appliance
