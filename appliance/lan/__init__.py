"""The LAN web shell: the staff app, its security and what every capability adds pages with."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from quart import Quart, g, get_flashed_messages, request

import appliance as appliance_package
from appliance import __version__
from appliance.core import formats
from appliance.core.db.ids import bounded_ids
from appliance.lan import i18n, labels
from appliance.lan.api import openapi_document
from appliance.lan.auth import guard, principal
from appliance.lan.errorpages import install_error_handlers
from appliance.lan.registry import current_entry, visible_nav
from appliance.lan.security import HostAllowList, add_security_headers, parse_networks
from appliance.lan.sessions import COOKIE_NAME, SESSION_HOURS, CookieSessions, load_secret_key

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def _web_folder() -> Path:
    """The admin UI's templates and static files: package data in a wheel, web/ in a checkout."""
    package = Path(appliance_package.__file__).resolve().parent
    packaged = package / "web"
    return packaged if packaged.is_dir() else package.parent / "web"


WEB = _web_folder()


def create_lan_app(appliance: Appliance) -> Quart:
    """The app for staff on the LAN: the shell and its security; capabilities add the pages."""
    app = Quart(
        "appliance.lan",
        template_folder=str(WEB / "templates"),
        static_folder=str(WEB / "static"),
        static_url_path="/static",
    )
    bounded_ids(app)
    app.extensions["appliance"] = appliance
    formats.set_zone(appliance.config.town.timezone)
    app.extensions["admin.networks"] = parse_networks(appliance.config.server.allowed_networks)
    app.extensions["admin.hosts"] = HostAllowList(appliance.config.server.allowed_hosts)
    app.session_interface = CookieSessions()
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    app.before_request(guard)
    app.after_request(add_security_headers)
    install_error_handlers(app)
    _install_template_helpers(app)

    @app.before_serving
    async def prepare() -> None:
        """Needs the database: the session key; and every route: the API document."""
        app.secret_key = await load_secret_key(
            appliance.config.server.secret_key, appliance.db.path.parent
        )
        app.extensions["admin.openapi"] = openapi_document(app)

    return app


def _install_template_helpers(app: Quart) -> None:
    app.jinja_env.globals.update(
        _=i18n.gettext,
        ngettext=i18n.ngettext,
        languages=i18n.LANGUAGES,
        version=__version__,
        time_zone=formats.zone().key,
    )
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.filters["bdi"] = bdi
    app.jinja_env.filters["isolate"] = isolate
    app.jinja_env.filters["localdate"] = _localdate
    app.jinja_env.filters["number"] = _number
    app.jinja_env.filters["label"] = labels.label

    @app.context_processor
    async def shell() -> dict[str, Any]:
        who = principal()
        nav = visible_nav(app, who)
        badges = app.extensions.get("admin.nav_badges", {})
        shown = {item.endpoint for item in nav}
        return {
            "nav_badges": {e: await count() for e, count in badges.items() if e in shown},
            "lang": g.get("lang", i18n.DEFAULT_LANGUAGE),
            "principal": who,
            "can": lambda role: who is not None and who.can(role),
            "nav": nav,
            "endpoint": request.endpoint or "",
            "nav_current": current_entry(nav, request.endpoint or ""),
            "messages": get_flashed_messages(with_categories=True),
            "town_name": app.extensions["appliance"].config.town.name,
        }


def bdi(value: object) -> Markup:
    """Citizen text in its own bidi island: a right-to-left override cannot reorder the page."""
    return Markup("<bdi>%s</bdi>") % ("" if value is None else value)


def isolate(value: object) -> str:
    """The same inside a sentence (FSI … PDI), for text passed to ``_()`` placeholders."""
    return f"\u2068{'' if value is None else value}\u2069"


def _localtime(value: str | float | None, seconds: bool = False) -> str:
    """A stored moment in the town's time, in the staff's date form."""
    return formats.format_datetime(value, g.get("lang", i18n.DEFAULT_LANGUAGE), seconds=seconds)


def _localdate(value: str | float | None) -> str:
    """A stored moment's day in the town's time."""
    return formats.format_date(value, g.get("lang", i18n.DEFAULT_LANGUAGE))


def _number(value: float, decimals: int = 0) -> str:
    """A number with the staff language's separators."""
    return formats.format_number(value, g.get("lang", i18n.DEFAULT_LANGUAGE), decimals)
