"""The simulator's HTTP side: Graph API routes, the control API under /_sim, its own listener."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from typing import Any

from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config as HypercornConfig
from hypercorn.config import Sockets
from hypercorn.utils import wrap_app
from quart import Quart, Response, request

from appliance.simulator.state import ERRORS, Rejected, Settings, SimState
from appliance.simulator.webhooks import WebhookSender

log = logging.getLogger(__name__)


class Simulator:
    """A Graph API stand-in on its own port; ``bind`` first (the URL is then known), then ``start``."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.state = SimState(settings or Settings())
        self.webhooks = WebhookSender(self.state)
        self.app = create_simulator_app(self)
        self._config: HypercornConfig | None = None
        self._sockets: Sockets | None = None
        self._serving: asyncio.Task[None] | None = None
        self._listener_stop: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.clock_moved = asyncio.Event()  # set when a test advances the simulated clock
        self.url = ""

    @property
    def settings(self) -> Settings:
        """The live settings (changes apply to the next request)."""
        return self.state.settings

    # -- lifecycle --------------------------------------------------------------------------

    def bind(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Create the listening socket now, so the URL is known before anything starts."""
        cfg = HypercornConfig()
        cfg.bind = [f"{host}:{port}"]
        cfg.accesslog = None
        cfg.errorlog = None
        cfg.graceful_timeout = 0.2
        cfg.keep_alive_timeout = 30.0
        self._sockets = self._listen(cfg)
        bound_port = self._sockets.insecure_sockets[0].getsockname()[1]
        cfg.bind = [f"{host}:{bound_port}"]
        self._config = cfg
        self.url = f"http://{host}:{bound_port}"
        return self.url

    async def start(self) -> None:
        """Serve on the bound socket and start posting webhooks."""
        if self._sockets is None:
            self.bind()
        await self.webhooks.start()
        self._serve()

    async def stop(self) -> None:
        """Stop serving, cancel control actions in progress, stop the webhook sender."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._stop_listener()
        await self.webhooks.stop()

    def _serve(self) -> None:
        assert self._config is not None and self._sockets is not None
        self._listener_stop = asyncio.Event()
        wrapped = wrap_app(self.app, self._config.wsgi_max_body_size, "asgi")
        self._serving = asyncio.create_task(
            worker_serve(
                wrapped,
                self._config,
                sockets=self._sockets,
                shutdown_trigger=self._listener_stop.wait,
            ),
            name="simulator-listener",
        )

    async def _stop_listener(self) -> None:
        if self._serving is not None and self._listener_stop is not None:
            self._listener_stop.set()
            await asyncio.gather(self._serving, return_exceptions=True)
            self._serving = None
        if self._sockets is not None:
            for sock in self._sockets.insecure_sockets:
                sock.close()
            self._sockets = None

    async def refuse_connections(self, seconds: float, *, after: float = 0.0) -> None:
        """Close the listener for ``seconds`` (connection refused), then listen again."""
        await asyncio.sleep(after)  # lets the control answer that asked for it go out first
        await self._stop_listener()
        await asyncio.sleep(seconds)
        assert self._config is not None
        self._sockets = self._listen(self._config)
        self._serve()

    @staticmethod
    def _listen(cfg: HypercornConfig) -> Sockets:
        # Listen at once: clients that connect before the server task runs wait in the backlog.
        sockets = cfg.create_sockets()
        for sock in sockets.insecure_sockets:
            sock.listen(cfg.backlog)
        return sockets

    def spawn(self, coro: Any) -> None:
        """Run a control action after the answer went out; stop() cancels it."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- actions shared by the control API and Python callers -------------------------------

    async def inbound(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A citizen writes to the number: open the window and post the signed webhook."""
        sender = str(spec["from"]).lstrip("+") if spec.get("from") else None
        user_id = spec.get("user_id")
        if sender and self.settings.user_ids and not user_id:
            user_id = self.state.user_id_for(sender)
        if sender in self.settings.username_only:
            user_id, sender = user_id or self.state.user_id_for(sender), None  # number withheld
        key = str(sender or user_id or "")
        if not key:
            raise Rejected(131008, "from (wa_id) or user_id is required")
        self.state.inbound(key.lstrip("+"))
        kind = str(spec.get("type") or "text")
        wamid = self.state.new_id("wamid.IN")
        message: dict[str, Any] = {
            "id": wamid,
            "timestamp": str(int(self.state.now())),
            "type": kind,
        }
        if sender:
            message["from"] = str(sender).lstrip("+")
        if user_id:
            message["from_user_id"] = user_id
        content = spec.get(kind)
        message[kind] = (
            {"body": content} if kind == "text" and isinstance(content, str) else content
        )
        for extra in ("context", "referral", "errors"):
            if extra in spec:
                message[extra] = spec[extra]
        if kind == "contacts":
            message["contacts"] = message.pop("contacts")
        contact: dict[str, Any] = {"profile": {"name": spec.get("name") or "Cittadino"}}
        if sender:
            contact["wa_id"] = message["from"]
        if user_id:
            contact["user_id"] = user_id
        value = self.webhooks.messages_value(contacts=[contact], messages=[message])
        status = await self.webhooks.deliver(self.webhooks.envelope("messages", value))
        return {"wamid": wamid, "webhook_status": status}

    async def system(self, spec: dict[str, Any]) -> int | None:
        """Meta's notice that a citizen changed number or user id (a ``system`` message)."""
        sender = str(spec["from"]).lstrip("+")
        change = str(spec.get("type") or "user_changed_number")
        new_wa_id = str(spec.get("new_wa_id") or sender).lstrip("+")
        notice: dict[str, Any] = {"type": change}
        if change == "user_changed_number":
            notice |= {"body": f"User changed from {sender} to {new_wa_id}", "new_wa_id": new_wa_id}
        else:
            new_user_id = str(spec.get("new_user_id") or self.state.user_id_for(new_wa_id + "'"))
            notice |= {"body": "User changed user id", "wa_id": new_wa_id, "user_id": new_user_id}
        message = {
            "from": sender,
            "id": self.state.new_id("wamid.SYS"),
            "timestamp": str(int(self.state.now())),
            "type": "system",
            "system": notice,
        }
        value = self.webhooks.messages_value(messages=[message])
        return await self.webhooks.deliver(self.webhooks.envelope("messages", value))

    async def account_update(self, value: dict[str, Any]) -> int | None:
        """An ``account_update`` (ban, restriction…) or, with ``field``, another account notice."""
        field_name = str(value.pop("field", "account_update"))
        return await self.webhooks.deliver(self.webhooks.envelope(field_name, value))

    def template_status(self, name: str, language: str, status: str, reason: str = "") -> None:
        """Change a template's status and send ``message_template_status_update``."""
        template = self._template(name, language)
        template["status"] = status.upper()
        value = {
            "event": status.upper(),
            "message_template_id": int(template["id"]),
            "message_template_name": name,
            "message_template_language": language,
            "reason": reason or None,
        }
        self.webhooks.schedule_payload(
            self.webhooks.envelope("message_template_status_update", value)
        )

    def template_category(
        self, name: str, language: str, new_category: str, *, completed: bool = True
    ) -> None:
        """Send ``template_category_update``; a completed change also moves the category."""
        template = self._template(name, language)
        value: dict[str, Any] = {
            "message_template_id": int(template["id"]),
            "message_template_name": name,
            "message_template_language": language,
        }
        if completed:
            value |= {"previous_category": template["category"], "new_category": new_category}
            template["category"] = new_category.upper()
        else:
            value |= {
                "correct_category": new_category,
                "new_category": template["category"],
                "category_update_timestamp": int(self.state.now()) + 86400,
            }
        self.webhooks.schedule_payload(self.webhooks.envelope("template_category_update", value))

    def user_preferences(self, wa_id: str, value: str) -> None:
        """A citizen taps "stop promotions" (``stop``) or resumes them (``resume``)."""
        pref = {
            "wa_id": wa_id,
            "detail": f"User requested to {value} marketing messages",
            "category": "marketing_messages",
            "value": value,
            "timestamp": int(self.state.now()),
        }
        payload = self.webhooks.messages_value(contacts=[{"wa_id": wa_id}], user_preferences=[pref])
        self.webhooks.schedule_payload(self.webhooks.envelope("user_preferences", payload))

    def _template(self, name: str, language: str) -> dict[str, Any]:
        template = self.state.templates.get((name, language))
        if template is None:
            raise Rejected(132001, f"no template {name}/{language}", 404)
        return template

    async def review_later(self, name: str, language: str) -> None:
        """Approve (or reject) a new template after the review time on the simulated clock."""
        due = self.state.now() + self.settings.review_seconds
        while (left := due - self.state.now()) > 0:
            self.clock_moved.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(left):
                    await self.clock_moved.wait()
        rejected = name.startswith("rifiuta")  # lets demos and tests show a rejection
        self.template_status(
            name,
            language,
            "REJECTED" if rejected else "APPROVED",
            "INVALID_FORMAT" if rejected else "",
        )


# -- HTTP -------------------------------------------------------------------------------------


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
    return _json(body, error.http_status)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


def create_simulator_app(sim: Simulator) -> Quart:
    """The Quart app: Graph routes under /<version>/…, control routes under /_sim/…"""
    app = Quart("appliance.simulator", static_folder=None, template_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = 110 * 1024 * 1024
    state = sim.state

    @app.errorhandler(Rejected)
    async def rejected(error: Rejected) -> Response:
        return graph_error(error)

    async def guard() -> None:
        """Faults, then the bearer token: what every Graph request meets first."""
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
        return _json(answer)

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
        return _json({"id": state.store_media(upload.read(), mime_type)})

    @app.get("/<version>/<object_id>")
    async def get_object(version: str, object_id: str) -> Response:
        await guard()
        settings = state.settings
        if object_id == settings.phone_number_id:
            return _json(
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
        return _json(
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
            return _json(
                {"id": template["id"], "status": "PENDING", "category": template["category"]}
            )
        limit = min(max(int(request.args.get("limit", "25")), 1), 1000)
        page, after = state.template_page(limit, request.args.get("after"))
        paging: dict[str, Any] = {
            "cursors": {"before": page[0]["id"] if page else "", "after": after or ""}
        }
        if after:
            paging["next"] = f"{sim.url}{request.path}?limit={limit}&after={after}"
        return _json({"data": page, "paging": paging})

    # Control API ------------------------------------------------------------------------

    @app.get("/_sim/state")
    async def control_state() -> Response:
        settings = state.settings.as_dict()
        settings.pop("access_token")
        settings.pop("app_secret")
        return _json(
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
            return _json({"error": str(err)}, 400)
        return _json({"ok": True})

    @app.route("/_sim/faults", methods=["POST", "DELETE"])
    async def control_faults() -> Response:
        if request.method == "DELETE":
            state.faults = type(state.faults)()
            return _json({"ok": True})
        data = await request.get_json(force=True)
        refuse = data.pop("refuse_seconds", None)
        try:
            for key, value in data.items():
                if not hasattr(state.faults, key):
                    raise ValueError(f"unknown fault {key!r}")
                setattr(state.faults, key, type(getattr(state.faults, key))(value))
        except (ValueError, TypeError) as err:
            return _json({"error": str(err)}, 400)
        if refuse:
            sim.spawn(sim.refuse_connections(float(refuse), after=0.05))
        return _json({"ok": True})

    @app.post("/_sim/clock")
    async def control_clock() -> Response:
        data = await request.get_json(force=True)
        state.clock_offset += float(data.get("advance", 0))
        sim.clock_moved.set()
        return _json({"now": state.now()})

    @app.post("/_sim/windows")
    async def control_windows() -> Response:
        data = await request.get_json(force=True)
        state.set_window(str(data["wa_id"]).lstrip("+"), bool(data.get("open", True)))
        return _json({"ok": True})

    @app.post("/_sim/inbound")
    async def control_inbound() -> Response:
        return _json(await sim.inbound(await request.get_json(force=True)))

    @app.post("/_sim/system")
    async def control_system() -> Response:
        return _json({"webhook_status": await sim.system(await request.get_json(force=True))})

    @app.post("/_sim/account_update")
    async def control_account_update() -> Response:
        value = await request.get_json(force=True)
        if not isinstance(value, dict):
            raise Rejected(100, 'an object like {"event": "ACCOUNT_RESTRICTION"}')
        return _json({"webhook_status": await sim.account_update(value)})

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
        return _json({k: v for k, v in template.items() if k != "placeholders"})

    @app.post("/_sim/templates/status")
    async def control_template_status() -> Response:
        data = await request.get_json(force=True)
        sim.template_status(
            data["name"], data.get("language", "it"), data["status"], data.get("reason", "")
        )
        return _json({"ok": True})

    @app.post("/_sim/templates/category")
    async def control_template_category() -> Response:
        data = await request.get_json(force=True)
        sim.template_category(
            data["name"],
            data.get("language", "it"),
            data["new_category"],
            completed=data.get("phase", "completed") == "completed",
        )
        return _json({"ok": True})

    @app.post("/_sim/user_preferences")
    async def control_user_preferences() -> Response:
        data = await request.get_json(force=True)
        sim.user_preferences(str(data["wa_id"]).lstrip("+"), data.get("value", "stop"))
        return _json({"ok": True})

    @app.get("/_sim/messages")
    async def control_messages() -> Response:
        to = request.args.get("to", "").lstrip("+")
        since = float(request.args.get("since", "0"))
        rows = [e for e in state.accepted if (not to or e["to"] == to) and e["at"] >= since]
        return _json({"messages": rows})

    @app.post("/_sim/reset")
    async def control_reset() -> Response:
        state.reset()
        return _json({"ok": True})

    return app
