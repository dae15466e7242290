"""The LAN app: admin UI, REST API and (in demo) the phone page."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from quart import Quart, g, get_flashed_messages, request

from appliance import __version__
from appliance.admin import catalog_en, i18n, setupcode
from appliance.admin.api import openapi_document
from appliance.admin.auth import guard, principal
from appliance.admin.clock import parse_iso
from appliance.admin.errorpages import install_error_handlers
from appliance.admin.registry import visible_nav
from appliance.admin.security import HostAllowList, add_security_headers, parse_networks
from appliance.admin.sessions import COOKIE_NAME, SESSION_HOURS, CookieSessions, load_secret_key
from appliance.admin.throttle import VERIFY_SLOTS
from appliance.db.ids import bounded_ids

if TYPE_CHECKING:
    from appliance.app import Appliance

WEB = Path(__file__).resolve().parents[2] / "web"


def create_lan_app(appliance: Appliance) -> Quart:
    """The app for staff on the LAN: shell, security, core pages and the REST API core."""
    from appliance.admin.pages import register_core_pages

    app = Quart(
        "appliance.admin",
        template_folder=str(WEB / "templates"),
        static_folder=str(WEB / "static"),
        static_url_path="/static",
    )
    bounded_ids(app)
    app.extensions["appliance"] = appliance
    app.extensions["admin.networks"] = parse_networks(appliance.config.server.allowed_networks)
    app.extensions["admin.hosts"] = HostAllowList(appliance.config.server.allowed_hosts)
    app.extensions["admin.login_slots"] = asyncio.Semaphore(VERIFY_SLOTS)
    app.session_interface = CookieSessions()
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    i18n.add_catalog("en", catalog_en.MESSAGES)
    app.before_request(guard)
    app.after_request(add_security_headers)
    install_error_handlers(app)
    _install_template_helpers(app)
    register_core_pages(app)

    @app.before_serving
    async def prepare() -> None:
        """Needs the database: session key, the API document, the first-run code."""
        app.secret_key = await load_secret_key(
            appliance.config.server.secret_key, appliance.db.path.parent
        )
        app.extensions["admin.openapi"] = openapi_document(app)
        await setupcode.announce(appliance.db, appliance.lan_url)

    return app


def _install_template_helpers(app: Quart) -> None:
    app.jinja_env.globals.update(_=i18n.gettext, languages=i18n.LANGUAGES, version=__version__)
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.filters["bdi"] = bdi
    app.jinja_env.filters["isolate"] = isolate

    @app.context_processor
    async def shell() -> dict[str, Any]:
        who = principal()
        return {
            "lang": g.get("lang", i18n.DEFAULT_LANGUAGE),
            "principal": who,
            "can": lambda role: who is not None and who.can(role),
            "nav": visible_nav(app, who),
            "endpoint": request.endpoint or "",
            "messages": get_flashed_messages(with_categories=True),
            "town_name": app.extensions["appliance"].config.town.name,
        }


def bdi(value: object) -> Markup:
    """Citizen text in its own bidi island: a right-to-left override cannot reorder the page."""
    return Markup("<bdi>%s</bdi>") % ("" if value is None else value)


def isolate(value: object) -> str:
    """The same inside a sentence (FSI … PDI), for text passed to ``_()`` placeholders."""
    return f"\u2068{'' if value is None else value}\u2069"


def _localtime(value: str | None) -> str:
    """A stored UTC timestamp in the box's local time, to the second."""
    if not value:
        return ""
    return parse_iso(value).astimezone().strftime("%Y-%m-%d %H:%M:%S")
