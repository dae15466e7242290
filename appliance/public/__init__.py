"""The public app (tunnel side): only /webhook, /healthz and /privacy. Imports nothing of admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quart import Quart, Response

from appliance.cloudapi.responses import MAX_BODY_BYTES, PLAIN_TEXT
from appliance.core.db.ids import bounded_ids
from appliance.core.errors import ApplianceError

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def create_public_app(appliance: Appliance) -> Quart:
    """The app behind the tunnel: its own routes, no templates, no static files."""
    app = Quart("appliance.public", static_folder=None, template_folder=None)
    bounded_ids(app)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["appliance"] = appliance

    @app.get("/healthz")
    async def healthz() -> Response:
        """A bare ``ok`` for the tunnel and uptime checks."""
        return Response("ok", content_type=PLAIN_TEXT)

    @app.errorhandler(ApplianceError)
    async def render_error(err: ApplianceError) -> Response:
        """Plain text: nothing about the inside of the box goes out through the tunnel."""
        return Response(err.message, status=err.status, content_type=PLAIN_TEXT)

    @app.errorhandler(404)
    async def not_found(_err: Exception) -> Response:
        """Anything else is simply not here."""
        return Response("not found", status=404, content_type=PLAIN_TEXT)

    @app.errorhandler(405)
    async def not_allowed(_err: Exception) -> Response:
        """Wrong method on a public route."""
        return Response("method not allowed", status=405, content_type=PLAIN_TEXT)

    @app.errorhandler(413)
    async def too_large(_err: Exception) -> Response:
        """Body over the cap."""
        return Response("payload too large", status=413, content_type=PLAIN_TEXT)

    return app
