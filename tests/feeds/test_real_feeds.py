"""The real published files and their variations: zones, broken risks, odd answers."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from appliance.feeds.levels import Level
from appliance.feeds.words import TZ
from tests.support.alerts import alerts_text, events, health, monitor, poll, risk_error
from tests.support.fakefeeds import Reply
from tests.support.realfeeds import LOMBARDY_SAMPLE, dpc_day, lombardy_list, real

pytestmark = pytest.mark.slow

NOW = datetime(2026, 7, 16, 15, 30, tzinfo=TZ)
HTML_PAGE = b"<!DOCTYPE html>\n<html><body><h1>Sito in manutenzione</h1></body></html>"


def lombardy(fake, thunderstorm: bytes, hydrogeological: bytes) -> None:
    fake.reply("/lista-zone?cdTipologiaGis=7", thunderstorm)
    fake.reply("/lista-zone?cdTipologiaGis=9", hydrogeological)


def test_a_list_of_another_zone_is_never_taken_as_ours(appliance_factory, fake):
    # The real IM-09 (Milan) sample, even with an orange hour in it.
    milan = real(LOMBARDY_SAMPLE).replace(b"<cdLivello>1<", b"<cdLivello>2<")
    lombardy(fake, milan, milan)
    running = appliance_factory(NOW)
    with pytest.raises(Exception, match="no item for zone IM-06 \\(only IM-09\\)"):
        poll(running, "lombardy")
    assert events(running) == []
    text = alerts_text(running)
    assert "IM-09" not in text and "Milano" not in text
    assert text.startswith("Al momento non abbiamo dati aggiornati sulle allerte")
    assert risk_error(running, "thunderstorm").startswith("nessun dato per la zona del Comune")


def test_one_broken_risk_list_keeps_the_others(appliance_factory, fake):
    start = NOW.replace(minute=0)
    lombardy(fake, HTML_PAGE, lombardy_list(start, [1] * 6))
    running = appliance_factory(NOW)
    [landslides] = poll(running, "lombardy")
    assert (landslides.risk, landslides.new_level) == ("hydrogeological", Level.YELLOW)
    assert "🟡 Rischio idrogeologico: allerta gialla" in alerts_text(running)
    error = risk_error(running, "thunderstorm")
    assert error.startswith("il servizio risponde con una pagina web invece dei dati")
    assert "hostile" not in error
    check = health(running, "alerts")
    assert check.status == "warn" and "temporali: il servizio risponde con una pagina web" in (
        check.value
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<List/>", "an empty list"),
        (b"", "not well-formed"),
    ],
)
def test_an_empty_answer_is_no_data_not_a_green(appliance_factory, fake, body, words):
    start = NOW.replace(minute=0)
    lombardy(fake, lombardy_list(start, [2] * 4), lombardy_list(start, [0] * 4))
    running = appliance_factory(NOW)
    [orange] = poll(running, "lombardy")
    lombardy(fake, body, lombardy_list(start, [0] * 4))
    assert poll(running, "lombardy") == []
    assert words in risk_error(running, "thunderstorm")
    assert "🟠 Temporali: allerta arancione" in alerts_text(running)  # kept, never "no alert"
    assert [e.key for e in events(running)] == [orange.key]


def test_timestamps_in_seconds_are_read_as_seconds(appliance_factory, fake):
    start = NOW.replace(minute=0)
    lombardy(fake, lombardy_list(start, [1] * 3, seconds=True), lombardy_list(start, [0] * 3))
    running = appliance_factory(NOW)
    [yellow] = poll(running, "lombardy")
    assert (yellow.valid_from, yellow.valid_to) == (start, start + timedelta(hours=3))


def test_dpc_real_bulletin_and_a_missing_today_file(appliance_factory, fake):
    fake.reply("/dpc/index.html", b"20260720_1510")
    fake.reply("/dpc/20260720_1510_today.json", real("dpc/20260720_1510_today.trimmed.json"))
    fake.reply("/dpc/20260720_1510_tomorrow.json", real("dpc/20260720_1510_tomorrow.trimmed.json"))
    running = appliance_factory(datetime(2026, 7, 20, 16, 0, tzinfo=TZ))
    changes = poll(running, "dpc")
    assert sorted(c.risk for c in changes) == ["hydrogeological", "thunderstorm"]
    assert {c.valid_from for c in changes} == {datetime(2026, 7, 20, 15, 10, tzinfo=TZ)}
    # From the bulletin's own start; the end of tomorrow is tomorrow's 24:00, not Wednesday.
    assert "🟡 Temporali: allerta gialla da lun 20/07 ore 15:10 a mar 21/07 ore 24:00" in (
        alerts_text(running)
    )
    # The late revision of 23:31 comes without its today file: tomorrow's still counts,
    # today's level stays as the earlier bulletin said.
    fake.reply("/dpc/index.html", b"20260720_2331")
    orange = dpc_day(
        "dpc/20260720_1510_tomorrow.trimmed.json",
        **{"Per rischio temporali": "Moderata / ALLERTA ARANCIONE"},
    )
    fake.reply("/dpc/20260720_2331_tomorrow.json", orange)
    monitor(running).clock = lambda: datetime(2026, 7, 20, 23, 45, tzinfo=TZ)
    [worse] = poll(running, "dpc")
    assert (worse.risk, worse.old_level, worse.new_level, worse.kind) == (
        "thunderstorm",
        Level.YELLOW,
        Level.ORANGE,
        "worse",
    )
    assert worse.valid_from == datetime(2026, 7, 21, 0, 0, tzinfo=TZ)
    assert "🟡 Rischio idrogeologico: allerta gialla" in alerts_text(running)


@pytest.mark.parametrize(
    "path",
    ["dpc-cap/Cap_20260730_1511.xml", "meteoalarm/italy_lombardia_IT003_snow-ice_2025-11-19.xml"],
)
def test_cap_about_another_zone_or_the_whole_region_is_not_ours(appliance_factory, fake, path):
    fake.reply("/cap/latest.xml", real(path))
    sent = datetime(2025, 11, 19, 12, 0, tzinfo=TZ) if "IT003" in path else NOW.replace(day=30)
    running = appliance_factory(sent)
    assert poll(running, "cap") == []
    assert events(running) == []


def test_cap_zone_by_area_name_alone(appliance_factory, fake):
    text = real("dpc-cap/Cap_20260730_1511.xml").decode()
    text = text.replace("Provincia Autonoma di Bolzano", "Orobie bergamasche")
    text = re.sub(r"<geocode>.*?</geocode>", "", text, flags=re.S)
    fake.reply("/cap/latest.xml", text.encode())
    running = appliance_factory(datetime(2026, 7, 30, 16, 0, tzinfo=TZ))
    [alert] = poll(running, "cap")
    assert (alert.zone, alert.zone_name, alert.risk) == (
        "IM-06",
        "Orobie bergamasche",
        "thunderstorm",
    )


def test_menu_lists_every_warning_worst_first_each_with_its_validity(appliance_factory, fake):
    start = NOW.replace(minute=0)
    lombardy(fake, lombardy_list(start, [0, 0, 2, 2, 2, 0]), lombardy_list(start, [1] * 6))
    fake.reply("/lista-zone?cdTipologiaGis=8", HTML_PAGE)
    running = appliance_factory(NOW, lombardy_risks=["9", "7", "8"])
    assert len(poll(running, "lombardy")) == 2
    lines = alerts_text(running).splitlines()
    assert lines[2:5] == [
        "🟠 Temporali: allerta arancione gio 16/07 dalle 17:00 alle 20:00",
        "🟡 Rischio idrogeologico: allerta gialla gio 16/07 dalle 15:00 alle 21:00",
        "⚪ Vento forte: dati non disponibili (allertaLOM non risponde)",
    ]
    english = alerts_text(running, "en").splitlines()
    assert english[2] == "🟠 Thunderstorms: orange alert Thu 16/07 from 17:00 to 20:00"


def test_a_trickling_list_times_out_alone(appliance_factory, fake):
    start = NOW.replace(minute=0)
    slow = Reply(lombardy_list(start, [3] * 6), trickle=0.2)
    fake.routes["/lista-zone?cdTipologiaGis=7"] = slow
    fake.reply("/lista-zone?cdTipologiaGis=9", lombardy_list(start, [1] * 6))
    running = appliance_factory(NOW)
    monitor(running).sources["lombardy"].deadline = 1.0
    [landslides] = poll(running, "lombardy")
    assert landslides.risk == "hydrogeological"
    assert risk_error(running, "thunderstorm").startswith("nessuna risposta entro il tempo massimo")
    assert "Temporali: allerta rossa" not in alerts_text(running)
