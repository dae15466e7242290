"""Template status and category are re-read from Meta daily, even when a webhook was missed."""

import pytest

from appliance.cloudapi.client import CLOUDAPI
from appliance.cloudapi.templates import TEMPLATES
from appliance.cloudapi.templatesync import TemplateSync
from tests.support.waiting import wait_until

pytestmark = pytest.mark.fast


def test_a_change_without_a_webhook_is_picked_up_by_the_daily_re_check(sim_appliance, simulator):
    appliance = sim_appliance.appliance
    catalog = appliance.parts[TEMPLATES]
    sim_appliance.call(appliance.parts[CLOUDAPI].list_templates())
    assert catalog.get("emergenza", "it")["status"] == "APPROVED"
    # Meta pauses the template and the webhook never arrives (tunnel down, say).
    simulator.control(
        "templates",
        {"name": "emergenza", "status": "PAUSED", "category": "UTILITY", "text": "Allerta {{1}}"},
    )
    sync = TemplateSync(appliance.parts[CLOUDAPI], interval=0.2, first_delay=0.05)
    sim_appliance.call(sync.job.start())
    try:
        wait_until(lambda: catalog.get("emergenza", "it")["status"] == "PAUSED", timeout=20)
    finally:
        sim_appliance.call(sync.job.stop())


def test_the_appliance_runs_the_re_check_as_a_service(sim_appliance):
    assert "template-sync" in sim_appliance.appliance.services.names
