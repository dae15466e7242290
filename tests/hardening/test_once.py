"""A launch, a send and a resume happen once however many presses arrive at the same moment."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.engine import template_campaign

pytestmark = pytest.mark.slow

PRESSES = 10


async def _press_together(url: str, path: str, data: dict, cookies: httpx.Cookies) -> list[int]:
    async with httpx.AsyncClient(
        base_url=url, headers={"Origin": url}, cookies=cookies, timeout=60
    ) as http:
        answers = await asyncio.gather(*(http.post(path, data=data) for _ in range(PRESSES)))
    return [a.status_code for a in answers]


def test_ten_approvals_of_one_draft_send_the_campaign_once(studio):
    people = studio.engine.seed(13, window=True)
    draft = studio.draft(content=[{"type": "text", "text": "Strada chiusa domani"}])
    operator = studio.login("operator")
    form = {"action": "launch", "send_at": "", "expires_at": ""}
    statuses = asyncio.run(
        _press_together(
            studio.app.lan_url, f"/studio/drafts/{draft}/decide", form, operator.cookies
        )
    )
    assert set(statuses) == {302}  # the others are told on the page, not with an error
    [(campaign,)] = studio.engine.sql("SELECT id FROM campaigns")
    studio.engine.wait_status(campaign, "done")
    for person in people:
        assert len(studio.sim.messages(person)) == 1
    launches = studio.engine.sql("SELECT count(*) FROM audit_log WHERE action = 'studio.launched'")
    assert launches == [(1,)]
    assert studio.engine.sql("SELECT state, campaign_id FROM studio_drafts") == [
        ("launched", campaign)
    ]


async def _act_together(engine, campaign_id: int, action: str) -> list[int]:
    token_client = engine.api("operator")
    headers = dict(token_client.headers)
    base = str(token_client.base_url)
    token_client.close()
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        answers = await asyncio.gather(
            *(http.post(f"/campaigns/{campaign_id}/{action}") for _ in range(PRESSES))
        )
    return [a.status_code for a in answers]


def test_ten_sends_and_ten_resumes_at_once_each_happen_once(make_engine):
    engine = make_engine()
    people = engine.seed(8)
    now = engine.create(template_campaign("Subito"))
    sent = asyncio.run(_act_together(engine, now, "send"))
    assert sent.count(200) == 1 and sent.count(409) == PRESSES - 1, sent
    engine.wait_status(now, "done")
    for person in people:
        assert len(engine.accepted(person)) == 1
    later = engine.create(template_campaign("Domani", send_at="2099-01-01T08:00:00Z"))
    assert engine.act(later, "send").status_code == 200
    assert engine.act(later, "pause").status_code == 200
    resumed = asyncio.run(_act_together(engine, later, "resume"))
    assert resumed.count(200) == 1 and resumed.count(409) == PRESSES - 1, resumed
    assert engine.show(later)["status"] == "scheduled"
    actions = engine.sql(
        "SELECT action, count(*) FROM audit_log WHERE action IN ('campaign.sent',"
        " 'campaign.scheduled', 'campaign.resumed') GROUP BY action"
    )
    assert dict(actions) == {"campaign.sent": 1, "campaign.scheduled": 1, "campaign.resumed": 1}
