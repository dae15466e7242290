"""How capabilities add pages to the admin shell: a blueprint plus its navigation entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from appliance.lan.access import Principal, required_role

if TYPE_CHECKING:
    from quart import Blueprint, Quart

NAV_KEY = "admin.nav"


@dataclass(frozen=True)
class NavItem:
    """One entry of the main navigation; who sees it follows the role its view requires."""

    endpoint: str
    label: str  # Italian source text, translated when rendered
    order: int = 100


def add_pages(app: Quart, blueprint: Blueprint, *nav: NavItem) -> None:
    """Register a capability's blueprint on the LAN app and its entries in the navigation."""
    app.register_blueprint(blueprint)
    items: list[NavItem] = app.extensions.setdefault(NAV_KEY, [])
    items.extend(nav)
    items.sort(key=lambda item: item.order)


def visible_nav(app: Quart, principal: Principal | None) -> list[NavItem]:
    """The navigation entries this principal may open."""
    if principal is None:
        return []
    return [
        item
        for item in app.extensions.get(NAV_KEY, [])
        if principal.can(required_role(app.view_functions[item.endpoint]) or "viewer")
    ]
