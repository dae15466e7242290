"""One rule for who receives: the live count, the studio preview, the REST preflight and the
campaign's enqueued rows agree for any segment, and nobody who left is ever in them."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.audience import recipients
from appliance.audience.store import AUDIENCE
from appliance.audience.suppression import SUPPRESSION
from appliance.campaigns import outbox
from appliance.campaigns.engine import CAMPAIGNS
from appliance.campaigns.model import parse_campaign
from tests.support.segments import definitions

pytestmark = pytest.mark.slow

_names = itertools.count()


def _people(studio) -> dict[str, set[str]]:
    """A town of every kind: active, opted out of marketing, unsubscribed, erased, pending."""
    app, audience = studio.app, studio.app.appliance.parts[AUDIENCE]
    active = studio.engine.seed(12, topics=("allerte",), window=True)
    active += studio.engine.seed(10, topics=("notizie",), first=100)
    opted_out = studio.engine.seed(
        6, topics=("allerte", "notizie"), first=200, marketing_opt_out=True
    )
    leaving = studio.engine.seed(8, topics=("allerte",), first=300)
    studio.engine.write(
        "INSERT INTO subscribers (wa_id, status) VALUES ('393339990001', 'pending')"
    )
    studio.engine.write("UPDATE subscribers SET language = 'en' WHERE id % 3 = 0")
    studio.engine.write(
        "INSERT INTO profile_answers (subscriber_id, question_id, value)"
        " SELECT s.id, q.id, json_quote(CASE s.id % 2 WHEN 0 THEN 'centro' ELSE 'fuori' END)"
        " FROM subscribers s, profile_questions q WHERE q.key = 'frazione'"
    )
    for n, wa_id in enumerate(leaving):
        row = app.call(audience.find(wa_id, None))
        if n % 2:
            app.call(audience.unsubscribe(row, "citizen", "chat"))
        else:
            app.call(audience.erase(row, "citizen", "chat"))
    return {"active": set(active), "opted_out": set(opted_out), "left": set(leaving)}


@pytest.fixture
def town(studio):
    """The studio appliance's town of people."""
    return _people(studio)


def _enqueued(studio, draft_id: int) -> set[str]:
    """Create the draft's campaign and enqueue it exactly as a send does; the recipients."""
    drafts = studio.drafts
    data = studio.call(drafts.get(draft_id))["data"]
    body = studio.call(drafts._engine_body(f"c{draft_id}", data, drafts.category(data)))
    campaigns = studio.app.appliance.parts[CAMPAIGNS]
    campaign_id = studio.call(campaigns.create(parse_campaign(body), "test"))

    async def job(conn: Any) -> int:
        async with conn.execute("SELECT * FROM campaigns WHERE id = ?", (campaign_id,)) as cur:
            row = await cur.fetchone()
        return await outbox.enqueue(conn, row, time.time())

    counted = studio.call(studio.app.appliance.db.write(job))
    preflight = studio.call(campaigns.preflight(campaign_id))
    found = {
        r[0]
        for r in studio.engine.sql(
            "SELECT DISTINCT recipient FROM outbox WHERE campaign_id = ?", (campaign_id,)
        )
    }
    assert counted == preflight.recipients == len(found)
    studio.engine.write("DELETE FROM outbox WHERE campaign_id = ?", (campaign_id,))
    return found


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    definition=definitions,
    topics=st.lists(st.sampled_from(["allerte", "notizie", "eventi"]), max_size=2, unique=True),
    marketing=st.booleans(),
)
def test_preview_count_is_who_is_enqueued_and_nobody_who_left(
    studio,
    town,
    definition,
    topics,
    marketing,
):
    people = town
    suppression = studio.app.appliance.parts[SUPPRESSION]
    segment_id = studio.call(studio.drafts.segments.save(f"s{next(_names)}", definition, "test"))
    draft_id = studio.draft(
        content=[{"type": "text", "text": "Avviso"}],
        audience={"segment_id": segment_id, "topics": topics},
        category="MARKETING" if marketing else "UTILITY",
    )
    preview = studio.call(studio.drafts.preview(draft_id))
    stored = json.loads(json.dumps(studio.call(studio.drafts.segments.get(segment_id))))
    live = studio.call(
        recipients.count(studio.app.appliance.db, stored["definition"], topics, marketing=marketing)
    )
    found = _enqueued(studio, draft_id)
    assert preview.total == live == len(found)
    assert not found & people["left"]
    assert not any(studio.call(suppression.is_suppressed(r, None)) for r in found)
    if marketing:
        assert not found & people["opted_out"]
    assert found <= people["active"] | people["opted_out"]
