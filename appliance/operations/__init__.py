"""Operations: the health dashboard, the webhook self-test and ``appliance check``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.core.capability import Capability

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def setup(appliance: Appliance) -> None:
    """Add the dashboard, the self-test and the Costi page to the LAN app, and the cost line."""
    from appliance.operations import costs

    appliance.health.add("costs", costs.allowance_probe(appliance.db))
    if appliance.lan is not None:
        from appliance.lan.registry import NavItem, add_pages
        from appliance.operations import dashboard, pages

        add_pages(appliance.lan, dashboard.bp, NavItem("dashboard.index", "Cruscotto", order=0))
        add_pages(appliance.lan, costs.bp, NavItem("costs.index", "Costi", order=70))
        pages.register(appliance.lan)


CAPABILITY = Capability("operations", setup)
