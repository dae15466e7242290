"""Subscribers, consent, topics, profile answers, the suppression list and retention."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from appliance.audience import notice
from appliance.audience.retention import RETENTION, Retention
from appliance.audience.store import AUDIENCE, Audience
from appliance.audience.suppression import SUPPRESSION, SuppressionList
from appliance.cloudapi.deliveries import DELIVERIES
from appliance.core.capability import Capability
from appliance.core.services import Service

if TYPE_CHECKING:
    from appliance.core.context import Appliance


async def _nothing() -> None:
    """Nothing to stop."""


def setup(appliance: Appliance) -> None:
    """Register the audience parts, the restore hook, retention, staff pages, REST and /privacy."""
    from appliance.audience import api, pages, papers_pages
    from appliance.audience.privacy_page import bp as privacy_pages
    from appliance.lan.registry import NavItem, add_pages

    suppression = SuppressionList(appliance.db.path.parent)
    audience = Audience(appliance.db, suppression)
    retention = Retention(appliance.db, appliance.config, suppression)
    appliance.parts.provide(AUDIENCE, audience)
    appliance.parts.provide(SUPPRESSION, suppression)
    appliance.parts.provide(RETENTION, retention)
    appliance.after_restore.add("suppression", suppression.restore_hook())
    appliance.parts[DELIVERIES].subscribe(
        audience.on_status, name="erasure-followup", kinds=("status",)
    )
    appliance.parts[DELIVERIES].subscribe(audience.on_system, name="identity", kinds=("system",))
    appliance.services.add(Service("suppression", suppression.load, suppression.unload))
    appliance.services.add(Service("identity-merges", audience.merge_queued, _nothing))
    appliance.services.add(Service("retention", retention.job.start, retention.job.stop))
    appliance.services.add(Service("notice", _publish_first(appliance), _nothing))
    appliance.health.add("privacy", notice.notice_probe(appliance.db, appliance.config))
    assert appliance.lan is not None and appliance.public is not None
    add_pages(appliance.lan, pages.bp, NavItem("audience.index", "Iscritti", order=20))
    add_pages(appliance.lan, api.bp)
    add_pages(appliance.lan, papers_pages.bp)
    appliance.public.register_blueprint(privacy_pages)


def _publish_first(appliance: Appliance) -> Callable[[], Awaitable[None]]:
    async def start() -> None:
        await notice.ensure_first_version(appliance.db)
        await notice.publish_first_when_ready(appliance.db, appliance.config)

    return start


async def _nothing() -> None:
    """The notice needs nothing at stop."""


CAPABILITY = Capability("audience", setup, requires=("cloudapi",))
