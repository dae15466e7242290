"""Campaigns over the REST core against the simulator: life cycle, counts, roles, recipients."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.support.engine import template_campaign
from tests.support.waiting import wait_until

# In the fast subset: the unit-level tests and one real appliance per capability.


@pytest.mark.fast
def test_a_template_campaign_reaches_every_subscriber_once_and_counts_statuses(engine):
    people = engine.seed(30, topics=("notizie",))
    engine.seed(5, first=100)  # not in the topic
    campaign = engine.create(template_campaign(audience={"topics": ["notizie"]}))
    with engine.api("editor") as editor:
        assert editor.post(f"/campaigns/{campaign}/send").status_code == 403
    sent = engine.act(campaign, "send")
    assert sent.status_code == 200 and sent.json() == {"id": campaign, "status": "sending"}
    done = engine.wait_status(campaign, "done")
    assert done["recipients"] == 30
    log = engine.accepted()
    assert Counter(m["to"] for m in log) == Counter(dict.fromkeys(people, 1))
    rows = dict(engine.sql("SELECT recipient, id FROM outbox WHERE campaign_id = ?", (campaign,)))
    assert all(m["callback_data"] == str(rows[m["to"]]) for m in log)
    counts = wait_until(lambda: (c := engine.show(campaign)["counts"])["read"] == 30 and c)
    assert counts["sent"] == counts["delivered"] == 30 and counts["failed"] == 0
    with engine.api("viewer") as viewer:
        page = viewer.get(f"/campaigns/{campaign}/recipients", params={"per_page": 10}).json()
    assert len(page["recipients"]) == 10 and page["has_more"]
    assert {r["status"] for r in page["recipients"]} == {"read"}
    assert page["recipients"][0]["part"] == "template"
    actions = [a for (a,) in engine.sql("SELECT action FROM audit_log ORDER BY id")]
    assert "campaign.created" in actions and "campaign.sent" in actions


def test_window_aware_parts_go_in_order_and_the_template_outside(engine):
    inside = engine.seed(3, window=True)
    outside = engine.seed(3, first=50)
    body = template_campaign(
        content=[
            {"type": "text", "text": "Lavori in via Roma: https://comune.example.it/lavori"},
            {"type": "location", "latitude": 45.83, "longitude": 9.51, "name": "Via Roma"},
        ]
    )
    campaign = engine.create(body)
    engine.act(campaign, "send")
    engine.wait_status(campaign, "done")
    for person in inside:
        assert [m["type"] for m in engine.accepted(person)] == ["text", "location"]
    for person in outside:
        assert [m["template"] for m in engine.accepted(person)] == ["avviso_servizio"]


def test_free_form_outside_the_window_marks_needs_template(engine):
    people = engine.seed(4)
    campaign = engine.create({"name": "Solo testo", "content": [{"type": "text", "text": "Ciao"}]})
    engine.act(campaign, "send")
    done = engine.wait_status(campaign, "done")
    assert done["counts"]["needs_template"] == 4
    assert done["counts"]["failed_by_code"] == {"131047": 4}
    # Like Meta, the simulator accepts them and fails each by a status webhook.
    assert sorted(m["to"] for m in engine.accepted()) == sorted(people)


BAD_BODIES = [
    ({"name": ""}, "name"),
    ({"name": "x"}, "content or template"),
    ({"name": "x", "content": [{"type": "text", "text": "a" * 4097}]}, "content[0]"),
    ({"name": "x", "content": [{"type": "sticker", "media_id": "1"}]}, "content[0].type"),
    (
        {"name": "x", "audience": {"segment_id": 3}, "content": [{"type": "text", "text": "a"}]},
        "segment",
    ),
    (
        {"name": "x", "send_at": "2026-01-01T10:00:00", "content": [{"type": "text", "text": "a"}]},
        "time zone",
    ),
]


@pytest.mark.fast
def test_bad_bodies_get_a_clear_400_and_store_nothing(engine):
    with engine.api("editor") as editor:
        for body, problem in BAD_BODIES:
            response = editor.post("/campaigns", content=json.dumps(body))
            assert response.status_code == 400, body
            assert problem in response.json()["error"]["message"]
        assert editor.get("/campaigns/999").status_code == 404
    assert engine.sql("SELECT count(*) FROM campaigns") == [(0,)]


def test_openapi_lists_the_campaign_core_with_roles(engine):
    with engine.api("viewer") as viewer:
        paths = viewer.get("/openapi.json").json()["paths"]
    assert paths["/api/v1/campaigns"]["post"]["x-required-role"] == "editor"
    assert paths["/api/v1/campaigns/{campaign_id}/send"]["post"]["x-required-role"] == "operator"
    assert "201" in paths["/api/v1/campaigns"]["post"]["responses"]
    for action in ("pause", "resume", "cancel"):
        assert f"/api/v1/campaigns/{{campaign_id}}/{action}" in paths
    assert "/api/v1/campaigns/{campaign_id}/recipients" in paths
