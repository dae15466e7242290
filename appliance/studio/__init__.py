"""Campaign studio: segments, templates, the compose wizard and the campaign pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.campaigns.election import ELECTION
from appliance.campaigns.media import MEDIA
from appliance.cloudapi.deliveries import DELIVERIES
from appliance.cloudapi.templates import TEMPLATES
from appliance.core.capability import Capability
from appliance.core.parts import PartKey

if TYPE_CHECKING:
    from appliance.core.context import Appliance
    from appliance.studio.drafts import Drafts

STUDIO: PartKey[Drafts] = PartKey("studio")


def setup(appliance: Appliance) -> None:
    """Register the studio's part, its webhook subscribers and its pages (after the engine)."""
    from appliance.campaigns.followup import FollowUp
    from appliance.lan.registry import NavItem, add_pages
    from appliance.studio import compose, pages, segment_pages  # noqa: F401 (its routes)
    from appliance.studio.drafts import Drafts
    from appliance.studio.probes import templates_probe
    from appliance.studio.watch import TemplateWatch

    media = appliance.parts[MEDIA]
    appliance.parts.provide(STUDIO, Drafts(appliance, media, appliance.parts[ELECTION]))
    deliveries = appliance.parts[DELIVERIES]
    # Subscribed here, after the conversation and the audience: handlers run in this order.
    deliveries.subscribe(
        FollowUp(appliance, media).on_message, name="studio-followup", kinds=("message",)
    )
    deliveries.subscribe(
        TemplateWatch(appliance).on_event,
        name="studio-templates",
        kinds=("template_status",),
    )

    appliance.health.add("studio_templates", templates_probe(appliance.parts[TEMPLATES]))
    assert appliance.lan is not None
    add_pages(
        appliance.lan,
        pages.bp,
        NavItem("studio.index", "Campagne", order=30, covers=("studio.", "compose.")),
        NavItem("studio.templates", "Modelli", order=32, covers=("studio.templates",)),
    )
    add_pages(
        appliance.lan,
        compose.bp,
        NavItem("compose.segment_list", "Segmenti", order=31, covers=("compose.segment_",)),
    )


CAPABILITY = Capability("studio", setup, requires=("cloudapi", "audience", "campaigns"))
