"""create_app(): wiring and lifecycle only; each capability plugs its own parts in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quart import Quart

from appliance import audience, backups, box, campaigns, conversation, feeds, ops, studio
from appliance.config import Config, database_path
from appliance.db import Database
from appliance.health import HealthRegistry, disk_probe, version_probe
from appliance.services import Service, ServiceManager


@dataclass
class Appliance:
    """The shared services and the two Quart apps of one running process."""

    config: Config
    db: Database
    services: ServiceManager = field(default_factory=ServiceManager)
    public: Quart | None = None
    lan: Quart | None = None
    # Capability objects by name (client, dispatcher, gpio…), filled by each capability's setup.
    parts: dict[str, Any] = field(default_factory=dict)
    health: HealthRegistry = field(default_factory=HealthRegistry)
    public_url: str = ""
    lan_url: str = ""
    # Called once both listeners accept (e.g. zeroconf advertises only a reachable UI).
    on_ready: list[Callable[[], None]] = field(default_factory=list)


def create_app(config: Config) -> Appliance:
    """Build the appliance: services in start order, then the public and the LAN app."""
    from appliance.admin import create_lan_app
    from appliance.cloudapi import setup as setup_cloudapi
    from appliance.demo import setup_simulator as setup_demo_simulator
    from appliance.public import create_public_app

    appliance = Appliance(config=config, db=Database(database_path(config)))
    appliance.services.add(Service("database", appliance.db.start, appliance.db.stop))
    appliance.health.add("version", version_probe())
    appliance.health.add("disk", disk_probe(appliance.db.path.parent))
    appliance.public = create_public_app(appliance)
    appliance.lan = create_lan_app(appliance)
    # Each capability registers its services, routes and parts here, in service start order.
    backups.setup(appliance)  # first: others add their after-restore hooks to its registry
    setup_demo_simulator(appliance)  # before the client: demo mode points it at the simulator
    setup_cloudapi(appliance)
    campaigns.setup(appliance)  # broadcast engine: its parts["replies"] before the conversation
    feeds.setup(appliance)
    box.setup(appliance)  # emergency button, status LED, zeroconf
    audience.setup(appliance)  # subscribers and suppression, before the conversation uses them
    conversation.setup(appliance)  # after the broadcast engine: it may provide parts["replies"]
    ops.setup(appliance)  # webhook self-test page
    studio.setup(appliance)  # campaign studio: over the engine, the audience and the client
    return appliance
