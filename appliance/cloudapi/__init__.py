"""Speaking the WhatsApp Cloud API: webhook deliveries, typed events, client, limits, error codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.cloudapi.account import AccountHealth
from appliance.cloudapi.client import CLOUDAPI, CloudApiClient
from appliance.cloudapi.deliveries import DELIVERIES, Deliveries
from appliance.cloudapi.probes import client_probe, webhook_probe
from appliance.cloudapi.templates import TEMPLATES, TemplateCatalog
from appliance.cloudapi.templatesync import TemplateSync
from appliance.core.capability import Capability
from appliance.core.services import Service

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def setup(appliance: Appliance) -> None:
    """Register the client service, the webhook deliveries, the /webhook routes and the probes."""
    from appliance.cloudapi.receiver import WebhookReceiver, blueprint

    catalog = TemplateCatalog(appliance.db)
    client = CloudApiClient(appliance.config, catalog)
    deliveries = Deliveries(appliance.db)
    deliveries.subscribe(
        catalog.on_event, name="templates", kinds=("template_status", "template_category")
    )
    account = AccountHealth(appliance.db)
    deliveries.subscribe(
        account.on_event,
        name="account-health",
        kinds=("account_update", "error", "template_status"),
    )
    appliance.parts.provide(CLOUDAPI, client)
    appliance.parts.provide(DELIVERIES, deliveries)
    appliance.parts.provide(TEMPLATES, catalog)
    appliance.services.add(Service("cloudapi", client.start, client.stop))
    sync = TemplateSync(client)
    appliance.services.add(Service("template-sync", sync.job.start, sync.job.stop))
    assert appliance.public is not None
    appliance.public.register_blueprint(blueprint)
    whatsapp = appliance.config.whatsapp
    appliance.public.asgi_app = WebhookReceiver(  # type: ignore[method-assign]
        appliance.public.asgi_app, deliveries, lambda: whatsapp.app_secret
    )
    silence = appliance.config.health.webhook_silence_minutes
    appliance.health.add("webhook", webhook_probe(deliveries, silence))
    appliance.health.add("cloudapi", client_probe(client))
    appliance.health.add("account", account.probe())
    appliance.services.add(Service("account-health", account.start, account.stop))


CAPABILITY = Capability("cloudapi", setup)
