"""Speaking the WhatsApp Cloud API: webhook inbox, typed events, client, limits, error codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.cloudapi.account import AccountHealth
from appliance.cloudapi.client import CloudApiClient
from appliance.cloudapi.inbox import Inbox
from appliance.cloudapi.probes import client_probe, webhook_probe
from appliance.cloudapi.templates import TemplateCatalog
from appliance.cloudapi.templatesync import TemplateSync
from appliance.core.services import Service

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def setup(appliance: Appliance) -> None:
    """Register the client service, the inbox, the /webhook routes and the health probes."""
    from appliance.cloudapi.receiver import WebhookReceiver, blueprint

    catalog = TemplateCatalog(appliance.db)
    client = CloudApiClient(appliance.config, catalog)
    inbox = Inbox(appliance.db)
    inbox.subscribe(
        catalog.on_event, name="templates", kinds=("template_status", "template_category")
    )
    account = AccountHealth(appliance.db)
    inbox.subscribe(
        account.on_event,
        name="account-health",
        kinds=("account_update", "error", "template_status"),
    )
    appliance.parts.update(cloudapi=client, inbox=inbox, templates=catalog)
    appliance.services.add(Service("cloudapi", client.start, client.stop))
    sync = TemplateSync(client)
    appliance.parts["template_sync"] = sync
    appliance.services.add(Service("template-sync", sync.start, sync.stop))
    assert appliance.public is not None
    appliance.public.register_blueprint(blueprint)
    whatsapp = appliance.config.whatsapp
    appliance.public.asgi_app = WebhookReceiver(  # type: ignore[method-assign]
        appliance.public.asgi_app, inbox, lambda: whatsapp.app_secret
    )
    silence = appliance.config.health.webhook_silence_minutes
    appliance.health.add("webhook", webhook_probe(inbox, silence))
    appliance.health.add("cloudapi", client_probe(client))
    appliance.health.add("account", account.probe())
    appliance.services.add(Service("account-health", account.start, account.stop))
