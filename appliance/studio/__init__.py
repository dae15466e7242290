"""Campaign studio: segments, templates, the compose wizard and the campaign pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def setup(appliance: Appliance) -> None:
    """Register the studio's part, its inbox subscribers and its pages (after the engine)."""
    # Imported here: the engine imports studio.segments, so this package stays light.
    from appliance.campaigns.election import Election
    from appliance.campaigns.followup import FollowUp
    from appliance.campaigns.media import MediaLibrary
    from appliance.core.services import Service
    from appliance.lan.i18n import add_catalog
    from appliance.lan.registry import NavItem, add_pages
    from appliance.studio import compose, pages, segment_pages  # noqa: F401 (its routes)
    from appliance.studio.catalog_en import MESSAGES_EN
    from appliance.studio.drafts import Drafts
    from appliance.studio.probes import templates_probe
    from appliance.studio.watch import TemplateWatch

    add_catalog("en", MESSAGES_EN)
    election = Election(appliance.db)
    media = MediaLibrary(appliance)
    drafts = Drafts(appliance, media, election)
    appliance.parts["studio"] = drafts
    appliance.parts["campaigns"].send_gates.append(election.gate)
    appliance.parts["campaigns"].before_start.append(media.renew_campaign)
    inbox = appliance.parts["inbox"]
    inbox.subscribe(
        FollowUp(appliance, media).on_message, name="studio-followup", kinds=("message",)
    )
    inbox.subscribe(
        TemplateWatch(appliance).on_event,
        name="studio-templates",
        kinds=("template_status",),
    )

    async def start() -> None:
        """Read the election switch; check the media of campaigns still sending hourly."""
        await election.load()
        await media.start()

    appliance.services.add(Service("studio", start, media.stop))
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
