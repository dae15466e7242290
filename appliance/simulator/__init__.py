"""The Cloud API simulator: a Graph API stand-in for the demo, training and tests."""

from __future__ import annotations

from appliance.simulator.errors import Rejected
from appliance.simulator.server import Simulator
from appliance.simulator.state import Faults, Settings

__all__ = ["Faults", "Rejected", "Settings", "Simulator"]
