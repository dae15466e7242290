"""The simulator's control API under /_sim: settings, faults, clock, citizens and notices on command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quart import Quart, Response, request

from appliance.simulator.errors import Rejected
from appliance.simulator.graph import json_response
from appliance.simulator.state import public_template

if TYPE_CHECKING:
    from appliance.simulator.server import Simulator


def add_control_routes(app: Quart, sim: Simulator) -> None:
    """The routes tests and the demo drive the simulator with (never behind the faults)."""
    state = sim.state

    @app.get("/_sim/state")
    async def control_state() -> Response:
        settings = state.settings.as_dict()
        settings.pop("access_token")
        settings.pop("app_secret")
        return json_response(
            {
                "settings": settings,
                "faults": state.faults.as_dict(),
                "accepted": len(state.accepted),
                "webhooks_pending": sim.webhooks.pending,
                "webhooks_delivered": sim.webhooks.delivered,
                "open_windows": sorted(state.windows),
            }
        )

    @app.post("/_sim/settings")
    async def control_settings() -> Response:
        try:
            state.settings.update(await request.get_json(force=True))
        except (ValueError, TypeError, AttributeError) as err:
            return json_response({"error": str(err)}, 400)
        return json_response({"ok": True})

    @app.route("/_sim/faults", methods=["POST", "DELETE"])
    async def control_faults() -> Response:
        if request.method == "DELETE":
            state.faults = type(state.faults)()
            return json_response({"ok": True})
        data = await request.get_json(force=True)
        refuse = data.pop("refuse_seconds", None)
        try:
            for key, value in data.items():
                if not hasattr(state.faults, key):
                    raise ValueError(f"unknown fault {key!r}")
                setattr(state.faults, key, type(getattr(state.faults, key))(value))
        except (ValueError, TypeError) as err:
            return json_response({"error": str(err)}, 400)
        if refuse:
            sim.spawn(sim.refuse_connections(float(refuse), after=0.05))
        return json_response({"ok": True})

    @app.post("/_sim/clock")
    async def control_clock() -> Response:
        data = await request.get_json(force=True)
        state.clock_offset += float(data.get("advance", 0))
        sim.clock_moved.set()
        return json_response({"now": state.now()})

    @app.post("/_sim/windows")
    async def control_windows() -> Response:
        data = await request.get_json(force=True)
        state.set_window(str(data["wa_id"]).lstrip("+"), bool(data.get("open", True)))
        return json_response({"ok": True})

    @app.post("/_sim/inbound")
    async def control_inbound() -> Response:
        return json_response(await sim.inbound(await request.get_json(force=True)))

    @app.post("/_sim/system")
    async def control_system() -> Response:
        return json_response(
            {"webhook_status": await sim.system(await request.get_json(force=True))}
        )

    @app.post("/_sim/user_id_update")
    async def control_user_id_update() -> Response:
        status = await sim.user_id_update(await request.get_json(force=True))
        return json_response({"webhook_status": status})

    @app.post("/_sim/account_update")
    async def control_account_update() -> Response:
        value = await request.get_json(force=True)
        if not isinstance(value, dict):
            raise Rejected(100, 'an object like {"event": "ACCOUNT_RESTRICTION"}')
        return json_response({"webhook_status": await sim.account_update(value)})

    @app.post("/_sim/templates")
    async def control_templates() -> Response:
        data = await request.get_json(force=True)
        template = state.put_template(
            data["name"],
            data.get("language", "it"),
            data.get("category", "UTILITY"),
            data.get("status", "APPROVED"),
            data.get("components") or [{"type": "BODY", "text": data.get("text", "")}],
        )
        return json_response(public_template(template))

    @app.post("/_sim/templates/status")
    async def control_template_status() -> Response:
        data = await request.get_json(force=True)
        sim.template_status(
            data["name"], data.get("language", "it"), data["status"], data.get("reason", "")
        )
        return json_response({"ok": True})

    @app.post("/_sim/templates/category")
    async def control_template_category() -> Response:
        data = await request.get_json(force=True)
        sim.template_category(
            data["name"],
            data.get("language", "it"),
            data["new_category"],
            completed=data.get("phase", "completed") == "completed",
        )
        return json_response({"ok": True})

    @app.post("/_sim/user_preferences")
    async def control_user_preferences() -> Response:
        data = await request.get_json(force=True)
        sim.user_preferences(str(data["wa_id"]).lstrip("+"), data.get("value", "stop"))
        return json_response({"ok": True})

    @app.get("/_sim/messages")
    async def control_messages() -> Response:
        to = request.args.get("to", "").lstrip("+")
        since = float(request.args.get("since", "0"))
        rows = [e for e in state.accepted if (not to or e["to"] == to) and e["at"] >= since]
        return json_response({"messages": rows})

    @app.post("/_sim/reset")
    async def control_reset() -> Response:
        state.reset()
        return json_response({"ok": True})
