"""The demo's part keys: the simulator, the phone's store, the hold button, the recorded feeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.core.parts import PartKey

if TYPE_CHECKING:
    from appliance.demo.controls import HoldButton
    from appliance.demo.phone_store import PhoneStore
    from appliance.demo.sample_feeds import SampleFeeds
    from appliance.simulator import Simulator

SIMULATOR: PartKey[Simulator] = PartKey("simulator")
DEMO_PHONE: PartKey[PhoneStore] = PartKey("demo_phone")
DEMO_HOLD: PartKey[HoldButton] = PartKey("demo_hold")
DEMO_FEEDS: PartKey[SampleFeeds] = PartKey("demo_feeds")
