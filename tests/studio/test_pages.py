"""Studio pages over HTTP: the wizard with an editor's approval request, the operator's
decision, the election switch, segments, the campaign detail and its CSV."""

from __future__ import annotations

import html
from contextlib import closing

import pytest

from appliance.cloudapi.client import CLOUDAPI
from tests.support.studio import PNG, compose, draft_id
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

TEMPLATE = {"name": "avviso_servizio", "language": "it", "parameters": ["Via Roma", "12/10"]}


def test_an_editors_draft_needs_an_operators_approval(studio):
    inside = studio.engine.seed(2, topics=("notizie",), window=True)
    outside = studio.engine.seed(3, topics=("notizie",), first=100)
    studio.engine.seed(4, first=200)  # not in the topic
    with closing(studio.login("editor")) as editor:
        draft = compose(editor)
        preview = editor.get(f"/studio/drafts/{draft}/preview").text
        assert 'id="pv-inside">2<' in preview and 'id="pv-outside">3<' in preview
        assert "Chiedi l&#39;approvazione" in preview or "Chiedi l'approvazione" in preview
        assert "Approva e invia" not in preview
        refused = editor.post(f"/studio/drafts/{draft}/decide", data={"action": "launch"})
        assert refused.status_code in (302, 303)
        assert studio.engine.sql("SELECT count(*) FROM campaigns") == [(0,)]
        asked = editor.post(f"/studio/drafts/{draft}/decide", data={"action": "submit"})
        assert asked.status_code in (302, 303)
    assert studio.engine.sql("SELECT state FROM studio_drafts WHERE id = ?", (draft,)) == [
        ("pending",)
    ]
    with closing(studio.login("operator")) as operator:
        listing = operator.get("/studio").text
        assert "In attesa di approvazione" in listing
        page = operator.get(f"/studio/drafts/{draft}/preview").text
        assert "In attesa di approvazione" in page and "Approva e invia" in page
        launched = operator.post(f"/studio/drafts/{draft}/decide", data={"action": "launch"})
        assert "/studio/campaigns/" in launched.headers["location"]
        campaign = int(launched.headers["location"].rsplit("/", 1)[1])
        studio.engine.wait_status(campaign, "done")
        for person in inside:
            assert [m["type"] for m in studio.sim.messages(person)] == ["text", "image"]
        for person in outside:
            assert [m["template"] for m in studio.sim.messages(person)] == ["avviso_servizio"]
        wait_until(lambda: studio.campaign(campaign)["counts"]["read"] == 7, 60)
        detail = operator.get(f"/studio/campaigns/{campaign}").text
        assert "Registro per destinatario" in detail and "<svg" in detail
        assert "Tasso di lettura" in detail and "100%" in detail
        for person in inside + outside:
            assert person in detail
        exported = operator.get(f"/studio/campaigns/{campaign}/recipients.csv")
        assert exported.headers["content-type"].startswith("text/csv")
        assert exported.text.count("\r\n") == 1 + 2 * 2 + 3
    actions = [a for (a,) in studio.engine.sql("SELECT action FROM audit_log ORDER BY id")]
    assert actions.index("studio.submitted") < actions.index("studio.launched")
    assert "campaign.sent" in actions


def test_the_operator_can_send_a_draft_back_with_a_note(studio):
    studio.engine.seed(1, topics=("notizie",))
    with closing(studio.login("editor")) as editor:
        draft = compose(editor)
        editor.post(f"/studio/drafts/{draft}/decide", data={"action": "submit"})
    with closing(studio.login("operator")) as operator:
        operator.post(
            f"/studio/drafts/{draft}/decide", data={"action": "reject", "note": "Manca la data"}
        )
    assert studio.engine.sql(
        "SELECT state, decision_note, decided_by FROM studio_drafts WHERE id = ?", (draft,)
    ) == [("rejected", "Manca la data", "operator")]


def test_the_election_period_blocks_all_but_essential_campaigns(studio):
    studio.engine.seed(2, topics=("notizie",))
    with closing(studio.login("editor")) as editor:
        assert editor.post("/studio/election", data={"on": "1"}).status_code == 403
    with closing(studio.login("operator")) as operator:
        operator.post("/studio/election", data={"on": "1"})
        assert "studio-election" in operator.get("/studio").text
        draft = compose(operator, "Festa di primavera")
        assert "par condicio" in operator.get(f"/studio/drafts/{draft}/preview").text
        operator.post(f"/studio/drafts/{draft}/decide", data={"action": "launch"})
        assert studio.engine.sql("SELECT count(*) FROM campaigns") == [(0,)]
        sent = operator.post(
            f"/studio/drafts/{draft}/decide", data={"action": "launch", "essential": "1"}
        )
        assert "/studio/campaigns/" in sent.headers["location"]
        rest = studio.engine.create({"name": "Via REST", "template": TEMPLATE})
        refused = studio.engine.act(rest, "send")
        assert refused.status_code == 409 and "par condicio" in refused.text
        operator.post("/studio/election", data={"on": "0"})
        assert "studio-election" not in operator.get("/studio").text
        assert studio.engine.act(rest, "send").status_code == 200
    actions = {a for (a,) in studio.engine.sql("SELECT action FROM audit_log")}
    assert {"studio.election_on", "studio.election_off"} <= actions


def test_segments_are_saved_counted_and_used_as_an_audience(studio):
    studio.engine.seed(3, topics=("allerte",))
    studio.engine.seed(2, first=100)
    studio.engine.write("UPDATE subscribers SET language = 'en' WHERE wa_id LIKE '%0000100'")
    rows = {
        "name": "Allerte <b>o</b> inglese",
        "match": "all",
        "g0_match": "any",
        "g0_c0_rule": "topic:has",
        "g0_c0_value": "allerte",
        "g0_c1_rule": "language:is",
        "g0_c1_value": "en",
    }
    with closing(studio.login("editor")) as editor:
        counted = editor.post("/studio/segments/count", data=rows)
        assert counted.json() == {"count": 4, "text": "Persone raggiunte ora: 4"}
        hostile = editor.post(
            "/studio/segments/count", data={**rows, "g0_c1_value": "en' OR '1'='1"}
        )
        assert hostile.json()["count"] == 3
        saved = editor.post("/studio/segments/new", data={**rows, "action": "save"})
        segment = int(saved.headers["location"].rsplit("/", 1)[1])
        listing = editor.get("/studio/segments").text
        assert "Allerte &lt;b&gt;o&lt;/b&gt; inglese" in listing and "4 persone" in listing
        created = editor.post("/studio/drafts", data={"name": "Allerta"})
        draft = draft_id(created.headers["location"])
        page = editor.post(
            f"/studio/drafts/{draft}/audience",
            data={"name": "Allerta", "segment_id": str(segment), "action": "count"},
        ).text
        assert "Persone raggiunte ora: 4" in page
    draft_data = studio.call(studio.drafts.get(draft))["data"]
    draft_data["template"] = {
        "name": "avviso_servizio",
        "language": "it",
        "parameters": ["Via Roma", "12/10"],
    }
    studio.call(studio.drafts.save(draft, draft_data))
    campaign = studio.launch(draft)
    studio.engine.wait_status(campaign, "done")
    assert len(studio.sim.messages()) == 4
    # An unsubscribed person leaves the segment's count at once.
    studio.engine.write("UPDATE subscribers SET status = 'unsubscribed' WHERE wa_id LIKE '%01'")
    with closing(studio.login("editor")) as editor:
        assert editor.post("/studio/segments/count", data=rows).json()["count"] == 3


def test_templates_page_lists_and_submits_the_shipped_set(studio):
    with closing(studio.login("operator")) as operator:
        page = operator.get("/studio/templates").text
        assert "avviso_servizio" in page and "avviso_comune" in page
        operator.post("/studio/templates/submit", data={"name": "avviso_comune"})
        templates = studio.app.appliance.parts[CLOUDAPI].templates
        wait_until(lambda: (templates.get("avviso_comune", "it") or {}).get("status") == "APPROVED")
        sent = studio.sim.simulator.state.templates[("avviso_comune", "it")]
        assert sent["category"] == "UTILITY"
        assert {"type": "HEADER", "format": "IMAGE"} in sent["components"]
        page = operator.get("/studio/templates").text
        assert "Già presente nell" in page
    with closing(studio.login("editor")) as editor:
        assert (
            editor.post("/studio/templates/submit", data={"name": "eventi_notizie"}).status_code
            == 403
        )


def test_resend_to_failed_reaches_only_retryable_failures(studio):
    people = studio.engine.seed(4, topics=("notizie",))
    with closing(studio.login("operator")) as operator:
        draft = compose(operator)
        launched = operator.post(f"/studio/drafts/{draft}/decide", data={"action": "launch"})
        campaign = int(launched.headers["location"].rsplit("/", 1)[1])
        studio.engine.wait_status(campaign, "done")
        # As Meta's failed statuses would leave them: one outage, one undeliverable number.
        for person, code in ((people[0], 131000), (people[1], 131026)):
            studio.engine.write(
                "UPDATE outbox SET state = 'failed', rank = 9, error_code = ?"
                " WHERE campaign_id = ? AND recipient = ?",
                (code, campaign, person),
            )
        detail = operator.get(f"/studio/campaigns/{campaign}").text
        assert "1 persona non ha ricevuto il messaggio" in detail
        assert "Messaggio non consegnabile" in detail  # 131026 explained in Italian
        again = operator.post(f"/studio/campaigns/{campaign}/resend")
        draft = draft_id(again.headers["location"])
        preview = operator.get(f"/studio/drafts/{draft}/preview").text
        assert 'id="pv-total">1<' in preview
        sent = operator.post(f"/studio/drafts/{draft}/decide", data={"action": "launch"})
        second = int(sent.headers["location"].rsplit("/", 1)[1])
        studio.engine.wait_status(second, "done")
    recipients = {
        r
        for (r,) in studio.engine.sql(
            "SELECT recipient FROM outbox WHERE campaign_id = ?", (second,)
        )
    }
    assert recipients == {people[0]}


def test_image_only_and_audio_only_posts_are_warned_about(studio):
    with closing(studio.login("editor")) as editor:
        created = editor.post("/studio/drafts", data={"name": "Solo immagine"})
        draft = draft_id(created.headers["location"])
        editor.post(
            f"/studio/drafts/{draft}/content",
            data={"action": "media"},
            files={"file": ("foto.png", PNG, "image/png")},
        )
        page = editor.get(f"/studio/drafts/{draft}/content").text
        assert "Un&#39;immagine senza didascalia" in page or "Un'immagine senza didascalia" in page
        editor.post(f"/studio/drafts/{draft}/content", data={"action": "text", "text": "La foto"})
        page = editor.get(f"/studio/drafts/{draft}/content").text
        assert "immagine senza didascalia" not in page


def test_a_scheduled_draft_waits_for_its_time(studio):
    studio.engine.seed(1)
    draft = studio.draft(template=TEMPLATE, send_at="2099-01-01T08:00:00+01:00")
    campaign = studio.launch(draft)
    assert studio.campaign(campaign)["status"] == "scheduled"
    assert studio.sim.messages() == []


def test_pause_resume_and_cancel_from_the_detail_page(studio):
    studio.engine.seed(1)
    campaign = studio.launch(studio.draft(template=TEMPLATE, send_at="2099-01-01T08:00:00+01:00"))
    with closing(studio.login("operator")) as operator:
        operator.post(f"/studio/campaigns/{campaign}/pause")
        assert studio.campaign(campaign)["status"] == "paused"
        operator.post(f"/studio/campaigns/{campaign}/resume")
        assert studio.campaign(campaign)["status"] == "scheduled"
        assert operator.post(f"/studio/campaigns/{campaign}/explode").status_code == 404
        operator.post(f"/studio/campaigns/{campaign}/cancel")
        assert studio.campaign(campaign)["status"] == "cancelled"
    with closing(studio.login("editor")) as editor:
        assert editor.post(f"/studio/campaigns/{campaign}/pause").status_code == 403


def test_the_rest_core_takes_a_saved_segment_as_the_audience(studio):
    studio.engine.seed(2, topics=("allerte",))
    studio.engine.seed(3, first=100)
    definition = {"groups": [{"conditions": [{"field": "topic", "op": "has", "value": "allerte"}]}]}
    segment = studio.call(studio.drafts.segments.save("Allerte", definition, "test"))
    body = {"name": "Via REST", "template": TEMPLATE, "audience": {"segment_id": segment}}
    campaign = studio.engine.create(body)
    # The campaign keeps the segment as it was: editing it later changes nothing.
    studio.call(studio.drafts.segments.save("Allerte", {"groups": []}, "test", segment))
    studio.engine.act(campaign, "send")
    studio.engine.wait_status(campaign, "done")
    assert len(studio.sim.messages()) == 2
    with studio.engine.api("editor") as api:
        missing = api.post("/campaigns", json={**body, "audience": {"segment_id": 999}})
        wrong = api.post("/campaigns", json={**body, "audience": {"segment_id": "1 OR 1"}})
    assert missing.status_code == 400 and wrong.status_code == 400


def test_a_template_written_on_the_page_is_submitted_for_review(studio):
    form = {
        "action": "new",
        "new_name": "chiusura_scuole",
        "category": "UTILITY",
        "body": "Le scuole di {{1}} restano chiuse il {{2}}.",
        "examples": "Quart\n12 maggio",
        "header": "DOCUMENT",
        "read_button": "1",
    }
    with closing(studio.login("operator")) as operator:
        page = operator.get("/studio/templates").text
        assert "Testo, con le variabili {{1}}, {{2}}…" in page
        operator.post("/studio/templates/submit", data={**form, "examples": "Quart"})
        assert ("chiusura_scuole", "it") not in studio.sim.simulator.state.templates
        operator.post("/studio/templates/submit", data=form)
        stored = studio.sim.simulator.state.templates[("chiusura_scuole", "it")]
        assert {"type": "HEADER", "format": "DOCUMENT"} in stored["components"]
        assert stored["components"][-1]["buttons"] == [{"type": "QUICK_REPLY", "text": "Leggi"}]
        known = len(studio.sim.simulator.state.templates)
        operator.post("/studio/templates/submit", data={**form, "new_name": "Nome Con Spazi"})
        assert len(studio.sim.simulator.state.templates) == known


def test_studio_messages_speak_the_staff_users_language(studio):
    with closing(studio.login("operator")) as operator:
        operator.post("/language", data={"language": "en", "next": "/studio"})
        switched = operator.post("/studio/election", data={"on": "1"})
        page = operator.get(switched.headers["location"]).text
        assert "Election period on: essential communications only." in page
        operator.post("/language", data={"language": "it", "next": "/studio"})
        switched = operator.post("/studio/election", data={"on": "0"})
        assert "Periodo elettorale terminato." in operator.get(switched.headers["location"]).text


NAMED = {
    "name": "lavori_nominati",
    "language": "it",
    "category": "UTILITY",
    "status": "APPROVED",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Lavori in {{zona}}"},
        {"type": "BODY", "text": "Chiusa {{via}} dal {{giorno}}."},
    ],
}


def test_a_template_with_named_variables_and_a_text_header_is_mapped_and_sent(studio):
    studio.add_template(NAMED)
    (person,) = studio.engine.seed(1)
    with closing(studio.login("operator")) as operator:
        created = operator.post("/studio/drafts", data={"name": "Lavori"})
        draft = draft_id(created.headers["location"])
        operator.post(
            f"/studio/drafts/{draft}/template",
            data={"template": "lavori_nominati|it", "action": "choose"},
        )
        step = operator.get(f"/studio/drafts/{draft}/template").text
        assert "Valore per la variabile via" in step and 'name="header_text"' in step
        operator.post(
            f"/studio/drafts/{draft}/template",
            data={
                "template": "lavori_nominati|it",
                "p0": "via Roma",
                "p1": "12 ottobre",
                "header_text": "centro",
                "action": "save",
            },
        )
        preview = operator.get(f"/studio/drafts/{draft}/preview").text
        assert "Lavori in centro" in preview and "Chiusa via Roma dal 12 ottobre." in preview
        launched = operator.post(f"/studio/drafts/{draft}/decide", data={"action": "launch"})
        campaign = int(launched.headers["location"].rsplit("/", 1)[1])
    studio.engine.wait_status(campaign, "done")
    (sent,) = studio.sim.messages(person)
    header, body = sent["body"]["template"]["components"]
    assert header == {
        "type": "header",
        "parameters": [{"type": "text", "parameter_name": "zona", "text": "centro"}],
    }
    assert body["parameters"] == [
        {"type": "text", "parameter_name": "via", "text": "via Roma"},
        {"type": "text", "parameter_name": "giorno", "text": "12 ottobre"},
    ]


def test_a_text_header_variable_left_empty_blocks_the_launch(studio):
    studio.add_template(NAMED)
    studio.engine.seed(1)
    draft = studio.draft(
        template={
            "name": "lavori_nominati",
            "language": "it",
            "parameters": {"via": "via Roma", "giorno": "12 ottobre"},
        }
    )
    preview = studio.call(studio.drafts.preview(draft))
    assert "L'intestazione del modello ha una variabile: compilala al passo 3." in preview.problems


def test_names_and_phone_numbers_in_a_post_are_warned_about(studio):
    with closing(studio.login("editor")) as editor:
        created = editor.post("/studio/drafts", data={"name": "Ringraziamento"})
        draft = draft_id(created.headers["location"])
        text = "Grazie al sig. Rossi, ricoverato ieri; per informazioni 333 1234567."
        editor.post(f"/studio/drafts/{draft}/content", data={"action": "text", "text": text})
        page = html.unescape(editor.get(f"/studio/drafts/{draft}/content").text)
        assert "«sig. Rossi»" in page and "«333 1234567»" in page
        assert "non deve identificare nessuno" in page
