"""create_app(): wiring and lifecycle only; each capability plugs its own parts in."""

from __future__ import annotations

from appliance import (
    accounts,
    audience,
    backups,
    box,
    campaigns,
    conversation,
    feeds,
    operations,
    studio,
)
from appliance.core.config import Config, database_path
from appliance.core.context import Appliance
from appliance.core.db import Database
from appliance.core.health import disk_probe, version_probe
from appliance.core.services import Service


def create_app(config: Config) -> Appliance:
    """Build the appliance: services in start order, then the public and the LAN app."""
    from appliance.cloudapi import setup as setup_cloudapi
    from appliance.demo import setup_simulator as setup_demo_simulator
    from appliance.lan import create_lan_app
    from appliance.public import create_public_app

    appliance = Appliance(config=config, db=Database(database_path(config)))
    appliance.services.add(Service("database", appliance.db.start, appliance.db.stop))
    appliance.health.add("version", version_probe())
    appliance.health.add("disk", disk_probe(appliance.db.path.parent))
    appliance.public = create_public_app(appliance)
    appliance.lan = create_lan_app(appliance)
    accounts.setup(appliance)  # login, first run, users, tokens, settings, audit log
    # Each capability registers its services, routes and parts here, in service start order.
    backups.setup(appliance)  # first: others add their after-restore hooks to its registry
    setup_demo_simulator(appliance)  # before the client: demo mode points it at the simulator
    setup_cloudapi(appliance)
    campaigns.setup(appliance)  # broadcast engine: its parts["replies"] before the conversation
    feeds.setup(appliance)
    box.setup(appliance)  # emergency button, status LED, zeroconf
    audience.setup(appliance)  # subscribers and suppression, before the conversation uses them
    conversation.setup(appliance)  # after the broadcast engine: it may provide parts["replies"]
    operations.setup(appliance)  # dashboard and webhook self-test
    studio.setup(appliance)  # campaign studio: over the engine, the audience and the client
    return appliance
