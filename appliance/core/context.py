"""The ``Appliance`` context: the shared services and the two apps every capability plugs into."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from quart import Quart

from appliance.core.config import Config
from appliance.core.db import Database
from appliance.core.health import HealthRegistry
from appliance.core.parts import Parts
from appliance.core.restorehooks import AfterRestore
from appliance.core.services import ServiceManager


@dataclass
class Appliance:
    """The shared services and the two Quart apps of one running process."""

    config: Config
    db: Database
    services: ServiceManager = field(default_factory=ServiceManager)
    public: Quart | None = None
    lan: Quart | None = None
    # Capability objects by typed key (client, dispatcher, box…), provided by each one's setup.
    parts: Parts = field(default_factory=Parts)
    health: HealthRegistry = field(default_factory=HealthRegistry)
    # Fix-ups each capability runs on a restored database before it goes live.
    after_restore: AfterRestore = field(default_factory=AfterRestore)
    public_url: str = ""
    lan_url: str = ""
    # Called once both listeners accept (e.g. zeroconf advertises only a reachable UI).
    on_ready: list[Callable[[], None]] = field(default_factory=list)
