"""The LAN app: admin UI, REST API and (in demo) the phone page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quart import Quart, Response

from appliance import __version__

if TYPE_CHECKING:
    from appliance.app import Appliance


def create_lan_app(appliance: Appliance) -> Quart:
    """The app for staff on the LAN."""
    app = Quart("appliance.admin", static_folder=None, template_folder=None)
    app.extensions["appliance"] = appliance

    @app.get("/")
    async def index() -> Response:
        """Placeholder home until the admin shell lands."""
        return Response(f"Banditore {__version__}", content_type="text/plain; charset=utf-8")

    return app
