"""Operations helpers for technicians: the webhook self-test (console and dashboard)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.app import Appliance


def setup(appliance: Appliance) -> None:
    """Add the self-test page to the LAN app."""
    if appliance.lan is not None:
        from appliance.ops import pages

        pages.register(appliance.lan)
