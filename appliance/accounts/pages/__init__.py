"""The pages and REST routes of staff accounts, settings and the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.accounts.pages import (
    accessibility,
    account,
    audit,
    auth,
    rest,
    settings,
    setup,
    tokens,
    users,
)
from appliance.lan.registry import NavItem, add_pages

if TYPE_CHECKING:
    from quart import Quart


def register_core_pages(app: Quart) -> None:
    """Login, first run, audit log, settings, account and the core API."""
    add_pages(app, auth.bp)
    add_pages(app, setup.bp)
    add_pages(app, accessibility.bp)
    add_pages(app, audit.bp, NavItem("audit.index", "Registro attività", order=900))
    add_pages(app, settings.bp, NavItem("settings.index", "Impostazioni", order=950))
    add_pages(app, users.bp)
    add_pages(app, tokens.bp)
    add_pages(app, account.bp)
    add_pages(app, rest.bp)
