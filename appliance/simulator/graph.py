"""The simulator's Graph API routes: messages, media, the number, templates; Meta's error JSON."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import TYPE_CHECKING, Any

from quart import Quart, Response, request

from appliance.simulator.errors import ERRORS, Rejected

if TYPE_CHECKING:
    from appliance.simulator.server import Simulator


def graph_error(error: Rejected) -> Response:
    """Meta's error JSON shape for one code."""
    title = ERRORS.get(error.code, ("Error", ""))[0]
    body = {
        "error": {
            "message": f"(#{error.code}) {title}",
            "type": "OAuthException",
            "code": error.code,
            "error_data": {"messaging_product": "whatsapp", "details": error.details},
            "fbtrace_id": "A" + secrets.token_hex(11),
        }
    }
    return json_response(body, error.http_status)


def json_response(data: Any, status: int = 200) -> Response:
    """A JSON answer with the given status."""
    return Response(json.dumps(data), status=status, content_type="application/json")


def add_graph_routes(app: Quart, sim: Simulator) -> None:
    """The Graph routes under /<version>/…, each behind the faults and the bearer token."""
    state = sim.state

    @app.errorhandler(Rejected)
    async def rejected(error: Rejected) -> Response:
        return graph_error(error)

    async def guard() -> None:
        """Faults, then the bearer token: what every Graph request meets first."""
        if request.mimetype == "application/json":
            # Read before any refusal: a body left unread makes the server close a
            # keep-alive connection the client may already be reusing.
            await request.get_data()
        faults = state.faults
        if faults.latency:
            await asyncio.sleep(faults.latency)
        if faults.hang_count:
            faults.hang_count -= faults.hang_count > 0
            await asyncio.sleep(faults.hang_seconds)
        if faults.fail_count:
            faults.fail_count -= faults.fail_count > 0
            code = 2 if faults.fail_status == 503 else 1
            raise Rejected(code, http_status=faults.fail_status or 500)
        state.check_token(request.headers.get("Authorization", ""))

    async def body_json() -> Any:
        try:
            return json.loads(await request.get_data())
        except ValueError as err:
            raise Rejected(100, "the body is not JSON") from err

    def own_number(number: str) -> None:
        if number != state.settings.phone_number_id:
            raise Rejected(
                100, f"Unsupported post request. Object with ID '{number}' does not exist"
            )

    # Graph API --------------------------------------------------------------------------

    @app.post("/<version>/<number>/<any(messages, marketing_messages):endpoint>")
    async def send(version: str, number: str, endpoint: str) -> Response:
        await guard()
        own_number(number)
        answer, entry = state.send(endpoint, await body_json())
        if entry is not None:
            sim.webhooks.schedule_statuses(entry)
        return json_response(answer)

    @app.post("/<version>/<number>/media")
    async def upload(version: str, number: str) -> Response:
        await guard()
        own_number(number)
        files = await request.files
        form = await request.form
        upload = files.get("file")
        if upload is None or form.get("messaging_product") != "whatsapp":
            raise Rejected(131008, "file and messaging_product=whatsapp are required")
        mime_type = form.get("type") or upload.mimetype
        return json_response({"id": state.store_media(upload.read(), mime_type)})

    @app.get("/<version>/<object_id>")
    async def get_object(version: str, object_id: str) -> Response:
        await guard()
        settings = state.settings
        if object_id == settings.phone_number_id:
            return json_response(
                {
                    "verified_name": "Comune (simulatore)",
                    "display_phone_number": settings.display_phone_number,
                    "id": settings.phone_number_id,
                    "quality_rating": "GREEN",
                    "throughput": {"level": "STANDARD"},
                    "whatsapp_business_manager_messaging_limit": f"TIER_{settings.tier}"
                    if settings.tier
                    else "TIER_UNLIMITED",
                }
            )
        media = state.media.get(object_id)
        if media is None:
            raise Rejected(100, f"Object with ID '{object_id}' does not exist", 404)
        info = {k: v for k, v in media.items() if k != "data"}
        return json_response(
            {**info, "url": f"{sim.url}/_media/{object_id}", "messaging_product": "whatsapp"}
        )

    @app.get("/_media/<media_id>")
    async def download(media_id: str) -> Response:
        await guard()
        media = state.media.get(media_id)
        if media is None:
            raise Rejected(100, "media not found", 404)
        return Response(media["data"], content_type=media["mime_type"])

    @app.route("/<version>/<account>/message_templates", methods=["GET", "POST"])
    async def templates(version: str, account: str) -> Response:
        await guard()
        if account != state.settings.business_account_id:
            raise Rejected(100, f"Object with ID '{account}' does not exist")
        if request.method == "POST":
            template = state.create_template(await body_json())
            sim.spawn(sim.review_later(template["name"], template["language"]))
            return json_response(
                {"id": template["id"], "status": "PENDING", "category": template["category"]}
            )
        limit = min(max(int(request.args.get("limit", "25")), 1), 1000)
        page, after = state.template_page(limit, request.args.get("after"))
        paging: dict[str, Any] = {
            "cursors": {"before": page[0]["id"] if page else "", "after": after or ""}
        }
        if after:
            paging["next"] = f"{sim.url}{request.path}?limit={limit}&after={after}"
        return json_response({"data": page, "paging": paging})
