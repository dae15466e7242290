"""The async Cloud API client: one shared httpx client, limits checked before every request."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from appliance.cloudapi import messages
from appliance.cloudapi.codes import Action, Rule, rule_for
from appliance.cloudapi.limits import validate_message, validate_template_name, validate_upload
from appliance.cloudapi.messages import ListSection, Media
from appliance.cloudapi.templates import TemplateCatalog
from appliance.core.config import Config
from appliance.core.errors import ApplianceError
from appliance.core.parts import PartKey

CLOUDAPI: PartKey[CloudApiClient] = PartKey("cloudapi")

log = logging.getLogger(__name__)

# In-flight requests near rate × round trip (80 msg/s × ~0.3 s): more only costs CPU (stack notes).
MAX_CONNECTIONS = 24
TEMPLATE_REFRESH_SECONDS = 60.0


class GraphApiError(ApplianceError):
    """The Graph API refused or could not be reached; ``rule`` says what to do about it."""

    status = 502
    code = "graph_api_error"

    def __init__(
        self,
        graph_code: int | None,
        message: str,
        *,
        http_status: int | None = None,
        details: str = "",
    ) -> None:
        self.graph_code = graph_code
        self.http_status = http_status
        self.details = details
        self.rule: Rule = rule_for(graph_code, http_status)
        label = f"Graph API error {graph_code}" if graph_code is not None else "Graph API error"
        super().__init__(
            f"{label}: {message}" + (f" ({details})" if details else ""),
            detail={"graph_code": graph_code, "action": str(self.rule.action)},
        )

    @property
    def action(self) -> Action:
        """Retry, retry this recipient later, resend as template, permanent, or alert staff."""
        return self.rule.action


@dataclass(frozen=True)
class SendResult:
    """An accepted message: accepted is not delivered, statuses arrive by webhook."""

    wamid: str
    wa_id: str | None
    input: str | None
    endpoint: str
    message_status: str | None = None


class CloudApiClient:
    """Sends messages, uploads media and manages templates; ``parts[CLOUDAPI]``."""

    def __init__(self, config: Config, templates: TemplateCatalog) -> None:
        wa = config.whatsapp
        self._config = config
        self.templates = templates
        self.phone_number_id = wa.phone_number_id
        self.account_id = wa.business_account_id
        self._http: httpx.AsyncClient | None = None
        self._templates_refreshed_at = 0.0
        self.last_success_at: float | None = None
        self.last_auth_error: str = ""
        self.last_auth_error_at: float | None = None

    @property
    def base_url(self) -> str:
        """``{api_base_url}/{api_version}``, read when the client starts (demo mode sets it)."""
        wa = self._config.whatsapp
        return f"{wa.api_base_url.rstrip('/')}/{wa.api_version}"

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the shared HTTP client and load the template routes."""
        await self.templates.load()
        limits = httpx.Limits(
            max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
        )
        token = self._config.whatsapp.access_token
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(15.0, connect=5.0),
            limits=limits,
            headers={"Authorization": f"Bearer {token}"},
        )

    async def stop(self) -> None:
        """Close the HTTP client and its connections."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- sending ----------------------------------------------------------------------------

    async def send(
        self,
        to: str,
        message: tuple[str, Any],
        *,
        callback_data: str | None = None,
        reply_to: str | None = None,
    ) -> SendResult:
        """Send one built message (see ``messages``) to a phone number or BSUID."""
        kind, content = message
        body = messages.envelope(to, kind, content, callback_data=callback_data, reply_to=reply_to)
        validate_message(body)
        endpoint = "messages"
        if kind == "template":
            endpoint = await self._template_endpoint(content["name"], content["language"]["code"])
        data = await self._request("POST", f"/{self.phone_number_id}/{endpoint}", json=body)
        contact = (data.get("contacts") or [{}])[0]
        sent = (data.get("messages") or [{}])[0]
        if not sent.get("id"):
            raise GraphApiError(None, "answer without a message id", http_status=200)
        return SendResult(
            wamid=sent["id"],
            wa_id=contact.get("wa_id"),
            input=contact.get("input"),
            endpoint=endpoint,
            message_status=sent.get("message_status"),
        )

    async def send_text(
        self, to: str, body: str, *, preview_url: bool = False, **options: Any
    ) -> SendResult:
        """Plain text (4096 characters at most)."""
        return await self.send(to, messages.text(body, preview_url=preview_url), **options)

    async def send_media(self, to: str, media: Media, **options: Any) -> SendResult:
        """Image, video, audio or voice note, document or sticker, by media id or link."""
        return await self.send(to, messages.media(media), **options)

    async def send_location(
        self,
        to: str,
        latitude: float | str,
        longitude: float | str,
        *,
        name: str = "",
        address: str = "",
        **options: Any,
    ) -> SendResult:
        """A map pin."""
        return await self.send(
            to, messages.location(latitude, longitude, name=name, address=address), **options
        )

    async def send_buttons(
        self,
        to: str,
        body: str,
        choices: Sequence[tuple[str, str]],
        *,
        header: str = "",
        footer: str = "",
        **options: Any,
    ) -> SendResult:
        """Up to three reply buttons ``(id, title)``."""
        return await self.send(
            to, messages.buttons(body, choices, header=header, footer=footer), **options
        )

    async def send_list(
        self,
        to: str,
        body: str,
        button: str,
        sections: Sequence[ListSection],
        *,
        header: str = "",
        footer: str = "",
        **options: Any,
    ) -> SendResult:
        """An interactive list (10 rows at most)."""
        return await self.send(
            to,
            messages.list_message(body, button, sections, header=header, footer=footer),
            **options,
        )

    async def send_template(
        self,
        to: str,
        name: str,
        language: str = "it",
        *,
        body: Sequence[str] | Mapping[str, str] = (),
        header: Media | str | None = None,
        **options: Any,
    ) -> SendResult:
        """An approved template, routed by its latest category."""
        return await self.send(
            to, messages.template(name, language, body=body, header=header), **options
        )

    async def mark_read(self, wamid: str) -> None:
        """Show the citizen's message as read."""
        body = messages.mark_read(wamid)
        validate_message(body)
        await self._request("POST", f"/{self.phone_number_id}/messages", json=body)

    # -- media ------------------------------------------------------------------------------

    async def upload_media(self, data: bytes, mime_type: str, filename: str) -> str:
        """Upload a file (valid 30 days); return its media id."""
        validate_upload(mime_type, len(data))
        answer = await self._request(
            "POST",
            f"/{self.phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, data, mime_type)},
        )
        return str(answer["id"])

    async def download_media(self, media_id: str) -> tuple[bytes, str]:
        """A citizen's attachment (its id expires after 7 days): content and MIME type."""
        info = await self._request("GET", f"/{media_id}")
        http = self._client()
        try:
            response = await http.get(info["url"])
        except httpx.HTTPError as err:
            raise GraphApiError(None, f"media download failed: {type(err).__name__}") from err
        if response.status_code != 200:
            raise GraphApiError(None, "media download failed", http_status=response.status_code)
        return response.content, str(info.get("mime_type") or "")

    # -- templates and account --------------------------------------------------------------

    async def list_templates(self) -> list[dict[str, Any]]:
        """Every template of the account (all pages), stored as the route table."""
        templates: list[dict[str, Any]] = []
        params: dict[str, str] = {"limit": "100"}
        while True:
            page = await self._request(
                "GET", f"/{self.account_id}/message_templates", params=params
            )
            templates.extend(t for t in page.get("data") or [] if isinstance(t, dict))
            after = ((page.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (page.get("paging") or {}).get("next"):
                break
            params = {"limit": "100", "after": after}
        await self.templates.replace_from_api(templates, self.account_id)
        self._templates_refreshed_at = time.monotonic()
        return templates

    async def create_template(
        self, name: str, language: str, category: str, components: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Submit a template for review; Meta answers PENDING and reports by webhook."""
        validate_template_name(name)
        return await self._request(
            "POST",
            f"/{self.account_id}/message_templates",
            json={
                "name": name,
                "language": language,
                "category": category.upper(),
                "components": components,
            },
        )

    async def phone_number_info(self) -> dict[str, Any]:
        """The number as Meta sees it; also proves the token works (what ``check`` asks)."""
        return await self._request("GET", f"/{self.phone_number_id}")

    async def _template_endpoint(self, name: str, language: str) -> str:
        if self.templates.get(name, language) is None and (
            time.monotonic() - self._templates_refreshed_at > TEMPLATE_REFRESH_SECONDS
        ):
            # A template created in Meta's dashboard: learn its category before routing it.
            # The attempt counts even when it fails: while Meta is unreachable every send
            # would otherwise wait for a template list first.
            self._templates_refreshed_at = time.monotonic()
            try:
                await self.list_templates()
            except GraphApiError as err:
                log.warning("could not refresh templates before sending %s: %s", name, err)
        return self.templates.endpoint(name, language)

    # -- transport --------------------------------------------------------------------------

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            raise GraphApiError(None, "the Cloud API client is not started")
        return self._http

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        http = self._client()
        try:
            response = await http.request(method, path, **kwargs)
        except httpx.TimeoutException as err:
            raise GraphApiError(None, f"timeout ({type(err).__name__})") from err
        except httpx.HTTPError as err:
            raise GraphApiError(None, f"not reachable ({type(err).__name__}: {err})") from err
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code < 400 and isinstance(data, dict):
            self.last_success_at = time.time()
            return data
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict):
            raise GraphApiError(
                None,
                f"unexpected answer HTTP {response.status_code}",
                http_status=response.status_code,
            )
        code = error.get("code")
        error_data = error.get("error_data") if isinstance(error.get("error_data"), dict) else {}
        failure = GraphApiError(
            code if isinstance(code, int) else None,
            str(error.get("message") or ""),
            http_status=response.status_code,
            details=str(error_data.get("details") or ""),
        )
        if failure.action is Action.OPERATOR_ALERT:
            self.last_auth_error = failure.message
            self.last_auth_error_at = time.time()
        raise failure
