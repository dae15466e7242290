"""Broadcast engine: campaigns, the durable outbox and the dispatcher that paces every send."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.audience.suppression import SUPPRESSION
from appliance.box.launcher import LAUNCHER
from appliance.campaigns.alerts import AlertCampaigns
from appliance.campaigns.dispatcher import Dispatcher
from appliance.campaigns.election import ELECTION, Election
from appliance.campaigns.emergency import EmergencyLane
from appliance.campaigns.engine import CAMPAIGNS, Campaigns
from appliance.campaigns.media import MEDIA, MediaLibrary
from appliance.campaigns.probes import outbox_probe, sending_probe, tier_probe
from appliance.campaigns.replies import REPLIES, ReplyLane
from appliance.campaigns.restored import hold_after_restore
from appliance.cloudapi.deliveries import DELIVERIES
from appliance.core.capability import Capability
from appliance.core.parts import PartKey
from appliance.core.services import Service
from appliance.feeds.alerts import ALERT_DRAFTS, ALERTS

if TYPE_CHECKING:
    from appliance.core.context import Appliance

DISPATCHER: PartKey[Dispatcher] = PartKey("dispatcher")


def setup(appliance: Appliance) -> None:
    """Register the dispatcher, the lanes, media, the election gate, the REST routes, probes."""
    from appliance.campaigns.api import bp
    from appliance.lan.registry import add_pages

    dispatcher = Dispatcher(appliance)
    campaigns = Campaigns(appliance.db, dispatcher)
    election = Election(appliance.db)
    media = MediaLibrary(appliance)
    campaigns.send_gates.append(election.gate)
    campaigns.before_start.append(media.renew_campaign)
    deliveries = appliance.parts[DELIVERIES]
    deliveries.subscribe(dispatcher.on_status, name="outbox-statuses", kinds=("status",))
    deliveries.subscribe(dispatcher.on_inbound, name="rate-inbound", kinds=("message",))
    appliance.parts.provide(DISPATCHER, dispatcher)
    appliance.parts.provide(CAMPAIGNS, campaigns)
    appliance.parts.provide(ALERT_DRAFTS, campaigns)
    appliance.parts.provide(REPLIES, ReplyLane(appliance.db, dispatcher))
    appliance.parts.provide(LAUNCHER, EmergencyLane(campaigns))
    appliance.parts.provide(ELECTION, election)
    appliance.parts.provide(MEDIA, media)

    async def start() -> None:
        dispatcher.suppressed = _suppression_check(appliance)
        monitor = appliance.parts.get(ALERTS)
        if monitor is not None:
            template = appliance.config.campaigns.alert_template
            monitor.subscribe(AlertCampaigns(campaigns, monitor, template).on_change)
        await election.load()
        await dispatcher.start()
        await campaigns.start()
        await media.start()  # the media of campaigns still sending, checked hourly

    async def stop() -> None:
        await media.stop()
        await campaigns.stop()
        await dispatcher.stop()

    appliance.services.add(Service("campaigns", start, stop))
    appliance.after_restore.add("campaigns", hold_after_restore)
    appliance.on_ready.append(dispatcher.ready)
    assert appliance.lan is not None
    add_pages(appliance.lan, bp)
    appliance.health.add("outbox", outbox_probe(appliance.db, dispatcher))
    appliance.health.add("sending", sending_probe(appliance.db, dispatcher))
    appliance.health.add("messaging_limit", tier_probe(dispatcher, appliance.db))


def _suppression_check(appliance: Appliance):  # noqa: ANN202 - the dispatcher's callable type
    """The audience's suppression list (hashed identities outside the database), if present."""
    suppression = appliance.parts.get(SUPPRESSION)
    check = getattr(suppression, "is_suppressed", None)
    return check


CAPABILITY = Capability("campaigns", setup, requires=("cloudapi",))
