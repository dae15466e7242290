"""Campaign studio: segments, templates, the compose wizard and the campaign pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def setup(appliance: Appliance) -> None:
    """Register the studio's part, its inbox subscribers and its pages (after the engine)."""
    # Imported here: the engine imports studio.segments, so this package stays light.
    from appliance.campaigns.followup import FollowUp
    from appliance.lan.i18n import add_catalog
    from appliance.lan.registry import NavItem, add_pages
    from appliance.studio import compose, pages, segment_pages  # noqa: F401 (its routes)
    from appliance.studio.catalog_en import MESSAGES_EN
    from appliance.studio.drafts import Drafts
    from appliance.studio.probes import templates_probe
    from appliance.studio.watch import TemplateWatch

    add_catalog("en", MESSAGES_EN)
    drafts = Drafts(appliance, appliance.parts["media"], appliance.parts["election"])
    appliance.parts["studio"] = drafts
    inbox = appliance.parts["inbox"]
    # Subscribed here, after the conversation and the audience: handlers run in this order.
    inbox.subscribe(
        FollowUp(appliance, appliance.parts["media"]).on_message,
        name="studio-followup",
        kinds=("message",),
    )
    inbox.subscribe(
        TemplateWatch(appliance).on_event,
        name="studio-templates",
        kinds=("template_status",),
    )

    appliance.health.add("studio_templates", templates_probe(appliance.parts["templates"]))
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
