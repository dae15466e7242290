"""The Alerts page over real HTTP: roles, same-origin forms, approval with audit, hostile sources."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime

import pytest

from appliance.campaigns.engine import CAMPAIGNS
from tests.support.alerts import events, poll, serve_lombardy
from tests.support.db import rows
from tests.support.fakefeeds import FIXTURES, Reply
from tests.support.feeds import ALERTS_NOW, live_cap
from tests.support.staff import add_user, login

pytestmark = pytest.mark.slow

NOT_AVAILABLE = "L&#39;invio delle allerte agli iscritti non è ancora disponibile"
HOSTILE_HEADLINE = "<script>window.__x=1</script>"
HOSTILE_AREA = 'IM-06 "><img src=x onerror=alert(1)>'


@pytest.fixture
def running(appliance_factory, fake):
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    app = appliance_factory(ALERTS_NOW, alert_sources=["lombardy"])
    for role in ("admin", "operator", "editor", "viewer"):
        add_user(app, role, role)
    return app


def pending(app):
    [change] = poll(app, "lombardy")
    assert change.status == "pending" and change.lane == "approval"
    return change


def status_of(app, key: str) -> str:
    return next(c.status for c in events(app) if c.key == key)


def test_viewer_and_editor_read_but_cannot_decide(running):
    change = pending(running)
    for role in ("viewer", "editor"):
        with closing(login(running, role)) as http:
            page = http.get("/alerts")
            assert page.status_code == 200
            assert "Allerta gialla" in page.text or "allerta gialla" in page.text
            assert "IM-06" in page.text
            assert 'action="/alerts/approve"' not in page.text
            assert "Solo operatori e amministratori" in page.text
            for path in ("/alerts/approve", "/alerts/dismiss"):
                answer = http.post(path, data={"key": change.key})
                assert answer.status_code == 403, (role, path)
    assert status_of(running, change.key) == "pending"


def test_operator_approves_a_change_the_engine_cannot_send_and_is_told_so(running):
    # The fixture's alert is long over in real time: the engine prepares no campaign for it.
    change = pending(running)
    with closing(login(running, "operator")) as http:
        page = http.get("/alerts").text
        assert 'action="/alerts/approve"' in page and change.key in page
        assert ">Approva</button>" in page
        answer = http.post("/alerts/approve", data={"key": change.key, "status": "pending"})
        assert answer.status_code == 303 and answer.headers["location"] == "/alerts?status=pending"
        assert "nessun messaggio è partito" in http.get("/alerts").text
        assert change.key in http.get("/alerts?status=approved").text
        # A second approval is refused with a message, not an error page.
        http.post("/alerts/approve", data={"key": change.key})
        assert "Non è stato possibile" in http.get("/alerts").text
    assert status_of(running, change.key) == "approved"
    audit = rows(
        running,
        "SELECT actor, action, target, address FROM audit_log WHERE action LIKE 'alert.%'",
    )
    assert audit == [("operator", "alert.approved", change.key, "127.0.0.1")]


def test_without_the_engine_the_page_says_sending_is_not_available(running):
    running.appliance.parts[CAMPAIGNS].on_alert_sent = None  # the engine's alert hook out
    pending(running)
    with closing(login(running, "viewer")) as http:
        page = http.get("/alerts").text
    assert NOT_AVAILABLE in page and "bozza di campagna" not in page


@pytest.fixture
def engine_app(appliance_factory, fake):
    live_cap(fake)
    app = appliance_factory(datetime.now(UTC), alert_sources=["cap"])
    add_user(app, "operator", "operator")
    return app


def campaign_of(app, key: str):
    return app.call(app.appliance.parts[CAMPAIGNS].by_alert(key))


def test_approve_and_send_starts_the_engines_draft(engine_app):
    [change] = poll(engine_app, "cap")
    assert change.lane == "approval" and campaign_of(engine_app, change.key)["status"] == "draft"
    with closing(login(engine_app, "operator")) as http:
        page = http.get("/alerts").text
        assert "bozza di campagna" in page and NOT_AVAILABLE not in page
        assert ">Approva e invia</button>" in page and "Destinatari adesso" in page
        campaign = campaign_of(engine_app, change.key)["id"]
        if "studio.detail" in engine_app.appliance.lan.view_functions:
            assert f'href="/studio/campaigns/{campaign}"' in page
        assert http.post("/alerts/approve", data={"key": change.key}).status_code == 303
        assert "l&#39;invio agli iscritti è partito" in http.get("/alerts").text
    assert campaign_of(engine_app, change.key)["status"] in ("sending", "done")
    assert status_of(engine_app, change.key) == "sent"
    actions = rows(engine_app, "SELECT action FROM audit_log WHERE actor = 'operator' ORDER BY id")
    assert [a for (a,) in actions if not a.startswith("login")] == [
        "campaign.sent",
        "alert.approved",
        "alert.sent",
    ]


def test_dismiss_cancels_the_engines_draft(engine_app):
    [change] = poll(engine_app, "cap")
    with closing(login(engine_app, "operator")) as http:
        assert http.post("/alerts/dismiss", data={"key": change.key}).status_code == 303
    assert status_of(engine_app, change.key) == "dismissed"
    assert campaign_of(engine_app, change.key)["status"] == "cancelled"


def test_operator_dismisses(running):
    change = pending(running)
    with closing(login(running, "operator")) as http:
        assert http.post("/alerts/dismiss", data={"key": change.key}).status_code == 303
        assert change.key in http.get("/alerts?status=dismissed").text
    assert status_of(running, change.key) == "dismissed"


def test_cross_origin_posts_are_refused(running):
    change = pending(running)
    with closing(login(running, "admin")) as http:
        answer = http.post(
            "/alerts/approve", data={"key": change.key}, headers={"Origin": "http://evil.example"}
        )
        assert answer.status_code == 403
    assert status_of(running, change.key) == "pending"


def test_unknown_filter_is_not_found(running):
    with closing(login(running, "viewer")) as http:
        assert http.get("/alerts?status=everything").status_code == 404


def test_hostile_source_text_is_escaped_and_no_script_link(appliance_factory, fake):
    xml = (FIXTURES / "cap_alert.xml").read_text(encoding="utf-8")
    xml = xml.replace(
        "<headline>Allerta gialla per temporali forti – Orobie bergamasche</headline>",
        "<headline>&lt;script&gt;window.__x=1&lt;/script&gt;</headline>"
        "<web>javascript:alert(1)</web>",
    ).replace(
        "<areaDesc>IM-06 Orobie bergamasche</areaDesc>",
        "<areaDesc>IM-06 &quot;&gt;&lt;img src=x onerror=alert(1)&gt;</areaDesc>",
    )
    fake.routes["/cap/latest.xml"] = Reply(xml.encode())
    app = appliance_factory(ALERTS_NOW, alert_sources=["cap"])
    add_user(app, "viewer", "viewer")
    [change] = poll(app, "cap")
    assert change.detail["headline"] == HOSTILE_HEADLINE and change.link == "javascript:alert(1)"
    with closing(login(app, "viewer")) as http:
        page = http.get("/alerts").text
    assert HOSTILE_HEADLINE not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__x=1&lt;/script&gt;" in page
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page


def test_each_risk_shows_its_last_success_and_its_last_error_in_words(running, fake):
    pending(running)
    fake.routes["/lista-zone?cdTipologiaGis=7"] = Reply(b"<!DOCTYPE html><html>manutenzione</html>")
    assert poll(running, "lombardy") == []
    with closing(login(running, "viewer")) as http:
        page = http.get("/alerts").text
    assert "allertaLOM – rischio idrogeologico" in page
    storms = page[page.index("allertaLOM – temporali") :]
    storms = storms[: storms.index("</li>")]
    assert "Ultimo controllo riuscito: mar 15/09 ore 10:00" in storms
    assert "il servizio risponde con una pagina web invece dei dati (manutenzione?)" in storms
