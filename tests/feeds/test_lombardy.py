"""allertaLOM over real HTTP: what citizens are told, and what is never sent."""

from __future__ import annotations

import pytest

from appliance.feeds.fetch import FeedError, FeedFormatError
from appliance.feeds.levels import Level
from tests.support.alerts import (
    LOMBARDY_CREDIT,
    LOMBARDY_LINK,
    OFFER_IT,
    alerts_text,
    events,
    health,
    poll,
    risk_error,
    rome,
    serve_lombardy,
)
from tests.support.fakefeeds import Reply
from tests.support.feeds import ALERTS_NOW

pytestmark = pytest.mark.slow


def test_green_only_sends_nothing_and_the_menu_shows_every_risk_green(appliance_factory, fake):
    serve_lombardy(fake, "allertalom_im06_green.xml")
    changes: list = []
    running = appliance_factory(ALERTS_NOW, changes)
    assert poll(running, "lombardy") == []
    assert changes == [] and events(running) == []
    assert alerts_text(running) == "\n".join(
        [
            "Allerte di protezione civile per Rota d'Imagna",
            "Zona IM-06 Orobie bergamasche",
            "🟢 Rischio idrogeologico: nessuna allerta",
            "🟢 Temporali: nessuna allerta",
            "Aggiornato: mar 15/09 ore 10:00",
            LOMBARDY_CREDIT,
            LOMBARDY_LINK,
            OFFER_IT,
        ]
    )
    # The comune is asked for by its ISTAT code, one risk type per request.
    queries = [q for p, q, _ in fake.requests if p == "/lista-zone"]
    assert sorted(q["cdTipologiaGis"] for q in queries) == ["7", "9"]
    assert {q["cdIstatComune"] for q in queries} == {"016186"}
    assert health(running, "alerts").value.startswith("allertaLOM: ok")


def test_yellow_rising_to_orange_then_back_to_green(appliance_factory, fake):
    serve_lombardy(fake, "allertalom_im06_green.xml")
    changes: list = []
    running = appliance_factory(ALERTS_NOW, changes)
    poll(running, "lombardy")

    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    [yellow] = poll(running, "lombardy")
    assert (yellow.source, yellow.zone, yellow.zone_name, yellow.risk) == (
        "lombardy",
        "IM-06",
        "Orobie bergamasche",
        "thunderstorm",
    )
    assert (yellow.old_level, yellow.new_level, yellow.kind) == (Level.GREEN, Level.YELLOW, "new")
    assert (yellow.valid_from, yellow.valid_to) == (rome(15, 14), rome(15, 21))
    assert yellow.lane == "approval"  # below the default automatic level (orange)
    assert yellow.key == "lombardy:IM-06:thunderstorm:1:yellow"
    assert yellow.message("it") == (
        "🟡 Nuova allerta – temporali: allerta gialla mar 15/09 dalle 14:00 alle 21:00.\n"
        f"Zona IM-06 Orobie bergamasche.\n{LOMBARDY_CREDIT}\n{LOMBARDY_LINK}"
    )
    assert yellow.message("en").startswith(
        "🟡 New alert – thunderstorms: yellow alert Tue 15/09 from 14:00 to 21:00."
    )

    serve_lombardy(fake, "allertalom_im06_orange.xml")
    [orange] = poll(running, "lombardy")
    assert (orange.old_level, orange.new_level, orange.kind) == (
        Level.YELLOW,
        Level.ORANGE,
        "worse",
    )
    assert (orange.valid_from, orange.valid_to) == (rome(15, 17), rome(15, 21))
    assert orange.lane == "auto" and orange.key == "lombardy:IM-06:thunderstorm:2:orange"
    assert "🟠 Temporali: allerta arancione mar 15/09 dalle 17:00 alle 21:00" in (
        alerts_text(running)
    )
    assert poll(running, "lombardy") == []  # same data again: nothing new

    serve_lombardy(fake, "allertalom_im06_green.xml")
    [ended] = poll(running, "lombardy")
    assert (ended.old_level, ended.new_level, ended.kind) == (Level.ORANGE, Level.GREEN, "ended")
    assert ended.message("it").startswith("🟢 Fine allerta – temporali: nessuna allerta.")
    assert [c.key for c in changes] == [yellow.key, orange.key, ended.key]
    # Each change replaces the one before: only the latest still waits for staff.
    assert [e.status for e in events(running)] == ["pending", "dismissed", "dismissed"]


def test_no_forecast_hours_change_nothing(appliance_factory, fake):
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    running = appliance_factory(ALERTS_NOW)
    assert len(poll(running, "lombardy")) == 1
    serve_lombardy(fake, "allertalom_im06_minus1.xml")
    assert poll(running, "lombardy") == []
    assert "🟡 Temporali: allerta gialla" in alerts_text(running)
    serve_lombardy(fake, "allertalom_empty.xml")
    assert poll(running, "lombardy") == []
    assert "🟡 Temporali: allerta gialla" in alerts_text(running)
    assert len(events(running)) == 1


@pytest.mark.parametrize(
    ("fixture", "error"),
    [
        ("allertalom_im06_missing_level.xml", "item 6 is incomplete"),
        ("allertalom_malformed.xml", "not well-formed"),
        ("hostile_billion_laughs.xml", "hostile XML"),
        ("hostile_external_entity.xml", "hostile XML"),
        ("hostile_doctype.xml", "hostile XML"),
    ],
)
def test_malformed_or_hostile_answers_change_nothing(appliance_factory, fake, fixture, error):
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    changes: list = []
    running = appliance_factory(ALERTS_NOW, changes)
    poll(running, "lombardy")
    # The bad answer claims red (or hides the yellow): neither may reach a citizen.
    serve_lombardy(fake, fixture, hydrogeological=fixture)
    with pytest.raises(FeedFormatError, match=error):
        poll(running, "lombardy")
    assert [c.new_level for c in changes] == [Level.YELLOW]
    assert "🟡 Temporali: allerta gialla" in alerts_text(running)
    check = health(running, "alerts")
    assert check.status == "warn" and error in check.value


def test_oversized_and_failing_answers_change_nothing(appliance_factory, fake):
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    running = appliance_factory(ALERTS_NOW)
    poll(running, "lombardy")
    fake.routes["/lista-zone?cdTipologiaGis=7"] = Reply(b"<List>" + b" " * (2 * 1024 * 1024))
    assert poll(running, "lombardy") == []  # the landslide list still answered
    assert risk_error(running, "thunderstorm").startswith("risposta troppo grande: ")
    fake.routes["/lista-zone?cdTipologiaGis=7"] = Reply(b"busy", 503)
    assert poll(running, "lombardy") == []
    assert "HTTP 503" in risk_error(running, "thunderstorm")
    fake.routes["/lista-zone?cdTipologiaGis=9"] = Reply(b"busy", 503)
    with pytest.raises(FeedError, match="HTTP 503"):  # nothing read: the source failed
        poll(running, "lombardy")
    assert len(events(running)) == 1
    assert "🟡 Temporali: allerta gialla" in alerts_text(running)


def test_menu_without_any_data_points_to_the_official_site(appliance_factory, fake):
    running = appliance_factory(ALERTS_NOW)
    assert alerts_text(running) == "\n".join(
        [
            "Al momento non abbiamo dati aggiornati sulle allerte per Rota d'Imagna.",
            f"Sito ufficiale: {LOMBARDY_LINK}",
            OFFER_IT,
        ]
    )
    assert alerts_text(running, "en").startswith(
        "We have no up-to-date alert data for Rota d'Imagna right now."
    )


def test_unchanged_answers_are_revalidated_with_etags(appliance_factory, fake):
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    fake.serve("/lista-zone?cdTipologiaGis=7", "allertalom_im06_yellow.xml", ETag='"v1"')
    running = appliance_factory(ALERTS_NOW)
    assert len(poll(running, "lombardy")) == 1
    fake.routes["/lista-zone?cdTipologiaGis=7"] = Reply(b"", 304)
    assert poll(running, "lombardy") == []
    last = [h for p, q, h in fake.requests if q.get("cdTipologiaGis") == "7"][-1]
    assert last.get("If-None-Match") == '"v1"'
    text = alerts_text(running)
    assert "🟡 Temporali: allerta gialla" in text
    assert len(text) < 1024  # a phone screen, far below WhatsApp's 4096
