"""One renderer for every error of the LAN app: JSON for the API, an HTML page for people."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from quart import Quart, Response, jsonify, redirect, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from appliance.core.errors import ApplianceError, Unauthorized
from appliance.lan.api import API_PREFIX

log = logging.getLogger(__name__)

# Plain-language titles for the HTML page, by status (Italian source text).
TITLES = {
    400: "Richiesta non valida",
    401: "Accesso richiesto",
    403: "Operazione non consentita",
    404: "Pagina non trovata",
    405: "Operazione non consentita",
    409: "Operazione non possibile",
    413: "File troppo grande",
    429: "Troppe richieste",
    500: "Errore interno",
    503: "Servizio non disponibile",
}
_CODES = {405: "method_not_allowed", 413: "payload_too_large", 404: "not_found"}


def wants_json() -> bool:
    """API paths, and clients that ask for JSON rather than HTML, get JSON errors."""
    if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def login_redirect() -> Response:
    """Send a person without a session to the login page, back here afterwards."""
    target = request.full_path.rstrip("?") if request.method == "GET" else ""
    query = f"?{urlencode({'next': target})}" if target and target != "/" else ""
    return redirect(f"/login{query}", 303)


async def render_error(status: int, code: str, message: str) -> Response:
    """The error as JSON ``{"error": {"code", "message"}}`` or as the error page."""
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message}})
    else:
        title = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
        detail = message if status in (400, 409) else ""
        response = Response(
            await render_template("error.html", status=status, title=title, detail=detail),
            content_type="text/html; charset=utf-8",
        )
    response.status_code = status
    return response


def install_error_handlers(app: Quart) -> None:
    """Route every error through ``render_error``; no traceback leaves the box."""

    @app.errorhandler(ApplianceError)
    async def appliance_error(err: ApplianceError) -> Response:
        if isinstance(err, Unauthorized) and not wants_json():
            return login_redirect()
        response = await render_error(err.status, err.code, err.message)
        if isinstance(err, Unauthorized):
            response.headers["WWW-Authenticate"] = 'Bearer realm="banditore"'
        return response

    @app.errorhandler(HTTPException)
    async def http_error(err: HTTPException) -> Response:
        status = err.code or 500
        code = _CODES.get(status, (err.name or "error").lower().replace(" ", "_"))
        response = await render_error(status, code, err.description or err.name or "")
        if isinstance(err, MethodNotAllowed) and err.valid_methods:
            response.headers["Allow"] = ", ".join(err.valid_methods)
        return response

    @app.errorhandler(Exception)
    async def unexpected(err: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return await render_error(500, "internal_error", "internal error; see the log")
