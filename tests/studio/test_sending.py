"""Window-aware campaigns through the simulator: split, 131047 fallback, "Leggi", re-categorised
and paused templates, media reuse and renewal."""

from __future__ import annotations

import csv
import io
import time
from contextlib import closing
from datetime import UTC, datetime

import pytest

from appliance.campaigns.media import RENEW_AFTER
from appliance.cloudapi.client import CLOUDAPI
from tests.support.settled import settled
from tests.support.studio import LEGGI, PDF_TEXT, PNG
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

TEMPLATE = {"name": "avviso_servizio", "language": "it", "parameters": ["Via Roma", "12/10"]}


def test_inside_the_window_free_form_outside_the_template_with_its_image_header(studio):
    studio.add_template(LEGGI)
    inside = studio.engine.seed(3, window=True)
    outside = studio.engine.seed(3, first=50)
    image = studio.upload(PNG, "image/png", "mappa.png")
    pdf = studio.upload(PDF_TEXT, "application/pdf", "ordinanza.pdf")
    draft = studio.draft(
        content=[
            {"type": "text", "text": "Lavori in via Roma: https://comune.example.it/lavori"},
            {"type": "image", "media": image["id"], "caption": "La mappa dei lavori"},
            {"type": "document", "media": pdf["id"], "filename": "ordinanza.pdf"},
        ],
        template={
            "name": "avviso_leggi",
            "language": "it",
            "parameters": ["lavori in via Roma"],
            "header": image["id"],
        },
    )
    preview = studio.call(studio.drafts.preview(draft))
    assert (preview.total, preview.inside, preview.outside) == (6, 3, 3)
    assert preview.messages == 3 * 3 + 3 and preview.ready, preview.problems
    campaign = studio.launch(draft)
    studio.engine.wait_status(campaign, "done")
    for person in inside:
        sent = studio.sim.messages(person)
        assert [m["type"] for m in sent] == ["text", "image", "document"]
        assert sent[1]["body"]["image"]["id"] == image["media_id"]
    for person in outside:
        (sent,) = studio.sim.messages(person)
        assert sent["template"] == "avviso_leggi"
        header = sent["body"]["template"]["components"][0]
        assert header == {
            "type": "header",
            "parameters": [{"type": "image", "image": {"id": image["media_id"]}}],
        }


def test_a_window_closed_meanwhile_gets_the_template_after_131047(studio):
    people = studio.engine.seed(2, window=True)
    for person in people:
        studio.sim.simulator.state.set_window(person, False)  # Meta's clock says closed
    draft = studio.draft(content=[{"type": "text", "text": "Ciao"}], template=TEMPLATE)
    campaign = studio.launch(draft)
    studio.engine.wait_status(campaign, "done")
    for person in people:
        # Accepted, failed by webhook (131047, as Meta does), then the template instead.
        assert [m["template"] for m in studio.sim.messages(person)] == [None, "avviso_servizio"]
    rows = studio.engine.sql(
        "SELECT part, state, error_code FROM outbox WHERE campaign_id = ? ORDER BY id", (campaign,)
    )
    assert (
        sorted((part, state, code) for part, state, code in rows if part == 0)
        == [(0, "needs_template", 131047)] * 2
    )
    assert len([r for r in rows if r[0] == -1]) == 2


def draft_template(image):
    return {
        "name": "avviso_leggi",
        "language": "it",
        "parameters": ["festa"],
        "header": image["id"],
    }


def test_leggi_brings_the_full_content_once(studio):
    studio.add_template(LEGGI)
    (person,) = studio.engine.seed(1)
    image = studio.upload(PNG, "image/png", "festa.png")
    content = [
        {"type": "text", "text": "Il programma completo della giornata."},
        {"type": "image", "media": image["id"], "caption": "Il manifesto"},
        {"type": "location", "latitude": 45.74, "longitude": 7.41, "name": "Piazza"},
    ]
    campaign = studio.launch(studio.draft(content=content, template=draft_template(image)))
    studio.engine.wait_status(campaign, "done")
    wamid = studio.last_wamid(person)
    studio.tap_leggi(person, wamid)
    kinds = wait_until(
        lambda: len(m := studio.sim.messages(person)) == 4 and [x["type"] for x in m], 60
    )
    assert sorted(kinds[1:]) == ["image", "location", "text"]
    studio.tap_leggi(person, wamid)  # a second tap brings nothing new
    # Nor does a tap after unsubscribing (this time from someone else who got the template).
    (other,) = studio.engine.seed(1, first=500)
    again = studio.launch(studio.draft(content=content, template=draft_template(image)))
    studio.engine.wait_status(again, "done")
    studio.engine.write("UPDATE subscribers SET status = 'unsubscribed' WHERE wa_id = ?", (other,))
    studio.tap_leggi(other, studio.last_wamid(other))
    wait_until(lambda: settled(studio.app), what="both taps handled")
    assert len(studio.sim.messages(person)) == 4 + 3  # now inside the window: all free-form
    assert len(studio.sim.messages(other)) == 1


def test_a_template_recategorised_to_marketing_before_sending_goes_to_marketing_messages(studio):
    people = studio.engine.seed(2)
    draft = studio.draft(template=TEMPLATE)
    assert studio.call(studio.drafts.preview(draft)).category == "UTILITY"
    studio.sim.control(
        "templates/category", {"name": "avviso_servizio", "new_category": "MARKETING"}
    )
    templates = studio.app.appliance.parts[CLOUDAPI].templates
    wait_until(lambda: templates.get("avviso_servizio", "it")["category"] == "MARKETING", 30)
    assert studio.call(studio.drafts.preview(draft)).category == "MARKETING"
    campaign = studio.launch(draft)
    studio.engine.wait_status(campaign, "done")
    assert studio.campaign(campaign)["category"] == "MARKETING"
    for person in people:
        assert [m["endpoint"] for m in studio.sim.messages(person)] == ["marketing_messages"]


def test_a_template_paused_by_meta_pauses_the_campaign_and_says_why(make_engine):
    from tests.support.studio import Studio

    studio = Studio(make_engine(campaigns={"lane_per_second": 5}))
    studio.sync_templates()
    studio.engine.seed(200)
    campaign = studio.launch(studio.draft(template=TEMPLATE))
    wait_until(lambda: studio.sim.messages(), 30)
    studio.sim.control("templates/status", {"name": "avviso_servizio", "status": "PAUSED"})
    paused = studio.engine.wait_status(campaign, "paused")
    assert len(studio.sim.messages()) < 200
    row = studio.engine.sql("SELECT paused_reason FROM campaigns WHERE id = ?", (campaign,))
    assert "avviso_servizio" in row[0][0] and "PAUSED" in row[0][0]
    assert paused["status"] == "paused"
    with closing(studio.login("operator")) as http:
        page = http.get(f"/studio/campaigns/{campaign}").text
    assert "Meta ha messo il modello «avviso_servizio» in stato PAUSED" in page


def test_the_preview_refuses_without_an_approved_template_for_those_outside(studio):
    studio.engine.seed(2)
    draft = studio.draft(content=[{"type": "text", "text": "Ciao"}])
    preview = studio.call(studio.drafts.preview(draft))
    assert not preview.ready and "fuori dalla finestra" in preview.problems[0]
    studio.sim.control("templates/status", {"name": "avviso_servizio", "status": "REJECTED"})
    templates = studio.app.appliance.parts[CLOUDAPI].templates
    wait_until(lambda: templates.get("avviso_servizio", "it")["status"] == "REJECTED", 30)
    draft = studio.draft(template=TEMPLATE)
    preview = studio.call(studio.drafts.preview(draft))
    assert any("non è approvato" in p for p in preview.problems)


def test_media_is_uploaded_once_and_renewed_before_expiry(studio):
    first = studio.upload(PNG, "image/png", "a.png")
    again = studio.upload(PNG, "image/png", "b.png")
    assert again["media_id"] == first["media_id"] and again["id"] == first["id"]
    assert len(studio.sim.simulator.state.media) == 1
    studio.engine.write(
        "UPDATE studio_media SET uploaded_at = ? WHERE id = ?",
        (time.time() - RENEW_AFTER - 60, first["id"]),
    )
    renewed = studio.call(studio.drafts.media.fresh(first["id"]))
    assert renewed["media_id"] != first["media_id"]
    assert len(studio.sim.simulator.state.media) == 2


def test_the_dashboard_says_when_templates_are_missing_or_paused(studio):
    assert studio.engine.health("studio_templates").status == "ok"
    studio.sim.control("templates/status", {"name": "avviso_servizio", "status": "PAUSED"})
    check = wait_until(
        lambda: (c := studio.engine.health("studio_templates")).status == "warn" and c, 30
    )
    assert "avviso_servizio" in check.value
    for name in ("ordinanza", "festa_paese", "allerta_meteo", "emergenza"):
        studio.sim.control("templates/status", {"name": name, "status": "REJECTED"})
    check = wait_until(
        lambda: (c := studio.engine.health("studio_templates")).value == "nessuno" and c, 30
    )
    assert "pagina Modelli" in check.explanation


def age_media(studio, days: float = 26) -> None:
    """Every file of the library was uploaded ``days`` ago (near Meta's 30-day expiry)."""
    then = time.time() - days * 86400
    studio.engine.write("UPDATE studio_media SET uploaded_at = ?", (then,))
    studio.engine.write("UPDATE studio_media_uploads SET uploaded_at = ?", (then,))


def test_a_leggi_tap_lost_to_a_failed_write_is_answered_on_the_retry_and_counted(studio):
    studio.add_template(LEGGI)
    (person,) = studio.engine.seed(1)
    image = studio.upload(PNG, "image/png", "festa.png")
    content = [{"type": "text", "text": "Il programma."}, {"type": "image", "media": image["id"]}]
    campaign = studio.launch(studio.draft(content=content, template=draft_template(image)))
    studio.engine.wait_status(campaign, "done")
    # The disk refuses the replies once: the tap must not be marked as answered meanwhile.
    studio.engine.write(
        "CREATE TRIGGER refuse_replies BEFORE INSERT ON outbox WHEN NEW.lane = 1"
        " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    studio.tap_leggi(person, studio.last_wamid(person))
    wait_until(
        lambda: studio.engine.sql(
            "SELECT attempts FROM webhook_events WHERE kind = 'message' AND attempts > 0"
        ),
        30,
    )
    assert studio.engine.sql("SELECT count(*) FROM studio_followups") == [(0,)]
    studio.engine.write("DROP TRIGGER refuse_replies")
    sent = wait_until(lambda: len(m := studio.sim.messages(person)) == 3 and m, 60)
    assert [m["type"] for m in sent[1:]] == ["text", "image"]
    with closing(studio.login("operator")) as http:
        page = http.get(f"/studio/campaigns/{campaign}").text
        exported = http.get(f"/studio/campaigns/{campaign}/recipients.csv").text
    assert '<dd id="followups">1</dd>' in page
    assert "Ha toccato «Leggi»" in page
    (row,) = csv.DictReader(io.StringIO(exported.lstrip("\ufeff")), delimiter=";")
    assert row["parte"] == "Modello" and row["ha toccato «Leggi»"] >= row["letto"] > ""


def test_media_near_expiry_is_uploaded_again_when_a_scheduled_campaign_starts(studio):
    (inside,) = studio.engine.seed(1, window=True)
    image = studio.upload(PNG, "image/png", "mappa.png")
    start = datetime.fromtimestamp(time.time() + 3, UTC).isoformat()
    draft = studio.draft(
        content=[{"type": "image", "media": image["id"], "caption": "La mappa"}],
        template=TEMPLATE,
        send_at=start,
    )
    campaign = studio.launch(draft)
    assert studio.campaign(campaign)["status"] == "scheduled"
    age_media(studio)  # the campaign waited for weeks
    studio.engine.wait_status(campaign, "done")
    (sent,) = studio.sim.messages(inside)
    assert sent["body"]["image"]["id"] != image["media_id"]
    assert sent["body"]["image"]["id"] in studio.sim.simulator.state.media
    assert len(studio.sim.simulator.state.media) == 2


def test_a_leggi_tap_weeks_later_brings_files_uploaded_again(studio):
    studio.add_template(LEGGI)
    (person,) = studio.engine.seed(1)
    image = studio.upload(PNG, "image/png", "festa.png")
    content = [{"type": "image", "media": image["id"], "caption": "Il manifesto"}]
    campaign = studio.launch(studio.draft(content=content, template=draft_template(image)))
    studio.engine.wait_status(campaign, "done")
    age_media(studio)
    studio.tap_leggi(person, studio.last_wamid(person))
    sent = wait_until(lambda: len(m := studio.sim.messages(person)) == 2 and m, 60)
    assert (
        sent[0]["body"]["template"]["components"][0]["parameters"][0]["image"]["id"]
        == (image["media_id"])
    )
    assert sent[1]["body"]["image"]["id"] not in ("", image["media_id"])


def test_a_paused_campaign_resumed_weeks_later_sends_files_uploaded_again(make_engine):
    from tests.support.studio import Studio

    studio = Studio(make_engine(campaigns={"lane_per_second": 5}))
    people = studio.engine.seed(30, window=True)
    image = studio.upload(PNG, "image/png", "mappa.png")
    draft = studio.draft(content=[{"type": "image", "media": image["id"], "caption": "La mappa"}])
    campaign = studio.launch(draft)
    studio.engine.act(campaign, "pause")
    studio.engine.wait_status(campaign, "paused")
    age_media(studio)
    studio.call(studio.drafts.media.renew_active())  # the hourly check
    studio.engine.act(campaign, "resume")
    studio.engine.wait_status(campaign, "done")
    renewed = studio.engine.sql("SELECT media_id FROM studio_media")[0][0]
    assert renewed != image["media_id"]
    ids = [studio.sim.messages(p)[0]["body"]["image"]["id"] for p in people]
    assert ids[-1] == renewed  # those after the resume get the new upload
