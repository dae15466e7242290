"""A sample capability's pages, plugged into the LAN shell by tests of the registry."""

from __future__ import annotations

from quart import Blueprint, render_template_string

from appliance.lan.access import requires

PAGE = """{% extends "base.html" %}{% block title %}Campagne{% endblock %}
{% block content %}<h1>Campagne</h1>
{% if can("operator") %}<form method="post" action="/campaigns/1/send"><button>Invia</button></form>{% endif %}
{% endblock %}"""


def sample_campaigns_pages() -> Blueprint:
    """A later capability's pages: one per role, and one that declares nothing (admin only)."""
    bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")

    @bp.get("")
    @requires("editor")
    async def index():
        return await render_template_string(PAGE)

    @bp.post("/<int:campaign_id>/send")
    @requires("operator")
    async def send(campaign_id: int):
        return "sent"

    @bp.post("/<int:campaign_id>/purge")
    async def purge(campaign_id: int):  # declares nothing: admin only
        return "purged"

    return bp
