"""Template quick replies: only the campaign's own "Leggi" brings the content; Meta's opt-out opts out."""

from __future__ import annotations

import pytest

from tests.support.studio import LEGGI, PNG
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


def _template_sent(studio) -> tuple[str, str]:
    studio.add_template(LEGGI)
    (person,) = studio.engine.seed(1)
    image = studio.upload(PNG, "image/png", "festa.png")
    template = {"name": "avviso_leggi", "language": "it", "parameters": ["festa"]}
    template["header"] = image["id"]
    content = [{"type": "text", "text": "Il programma completo della giornata."}]
    campaign = studio.launch(studio.draft(content=content, template=template))
    studio.engine.wait_status(campaign, "done")
    return person, studio.last_wamid(person)


def _tap(studio, person: str, wamid: str, payload: str) -> None:
    studio.sim.control(
        "inbound",
        {
            "from": person,
            "type": "button",
            "button": {"payload": payload, "text": payload},
            "context": {"id": wamid},
        },
    )


def _processed(studio, count: int) -> bool:
    done = studio.engine.sql(
        "SELECT count(*) FROM webhook_events WHERE kind = 'message' AND state = 'done'"
    )
    return done[0][0] >= count


def test_meta_stop_promotions_button_opts_out_and_brings_no_content(studio):
    person, wamid = _template_sent(studio)
    _tap(studio, person, wamid, "Interrompi promozioni")
    wait_until(
        lambda: (
            studio.engine.sql(
                "SELECT marketing_opt_out FROM subscribers WHERE wa_id = ?", (person,)
            )
            == [(1,)]
        ),
        30,
    )
    assert len(studio.sim.messages(person)) == 1  # the template only, no content
    assert studio.engine.sql("SELECT status FROM subscribers WHERE wa_id = ?", (person,)) == [
        ("active",)
    ]


def test_another_button_of_the_template_does_not_send_the_content(studio):
    person, wamid = _template_sent(studio)
    _tap(studio, person, wamid, "Non mi interessa")
    wait_until(lambda: _processed(studio, 1), 30)
    _tap(studio, person, wamid, "Leggi")  # the campaign's own button still works after it
    wait_until(lambda: len(studio.sim.messages(person)) == 2, 30)
    assert studio.sim.messages(person)[-1]["type"] == "text"
