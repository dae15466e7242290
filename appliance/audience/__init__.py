"""Subscribers, consent, topics, profile answers, the suppression list and retention."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.audience.store import Audience
from appliance.audience.suppression import SuppressionList
from appliance.services import Service

if TYPE_CHECKING:
    from appliance.app import Appliance


def setup(appliance: Appliance) -> None:
    """Register ``parts["audience"]``, ``parts["suppression"]``, the restore hook and retention."""
    suppression = SuppressionList(appliance.db.path.parent)
    audience = Audience(appliance.db, suppression)
    appliance.parts.update(audience=audience, suppression=suppression)
    appliance.parts["after_restore"].add("suppression", suppression.restore_hook())
    appliance.services.add(Service("suppression", suppression.load, suppression.unload))
