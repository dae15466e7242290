"""CAP as published: MeteoAlarm's Atom feed followed to its CAP documents, DPC's CAP zips."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest

from appliance.feeds.fetch import FeedFormatError
from appliance.feeds.levels import Level
from appliance.feeds.words import TZ
from tests.support.alerts import alerts_text, events, poll
from tests.support.realfeeds import real

pytestmark = pytest.mark.slow

LOMBARDIA_CAP = "meteoalarm/italy_lombardia_IT003_snow-ice_2025-11-19.xml"
FRENCH_ATOM = "meteoalarm/meteoalert-api_france_sample.xml"
SHARED = "04d497d4-d114-4d6b-93ba-13fa7ed577fe"  # the CAP document of six French entries
WARNINGS = "https://feeds.meteoalarm.org/api/v1/warnings/feeds-france/"
BEFORE_SNOW = datetime(2025, 11, 19, 12, 0, tzinfo=TZ)
DISCLAIMER = "non è l'allerta ufficiale di protezione civile"


def serve_atom(fake) -> None:
    """The real French Atom feed pointed at us, one entry relabelled to Lombardy (IT003)."""
    atom = real(FRENCH_ATOM).decode().replace(WARNINGS, f"{fake.url}/meteoalarm/cap/")
    atom = atom.replace("<cap:areaDesc>Haute Savoie<", "<cap:areaDesc>Lombardia<", 1)
    atom = atom.replace("EMMA_ID:FR035", "EMMA_ID:IT003", 1)
    fake.reply("/meteoalarm/atom-italy", atom.encode())


def test_meteoalarm_atom_entries_are_followed_to_their_cap(appliance_factory, fake):
    serve_atom(fake)
    fake.reply(f"/meteoalarm/cap/{SHARED}", real(LOMBARDIA_CAP))
    running = appliance_factory(BEFORE_SNOW, alert_sources=["meteoalarm"])
    [snow] = poll(running, "meteoalarm")
    assert (snow.source, snow.zone, snow.zone_name, snow.risk, snow.new_level) == (
        "meteoalarm",
        "",
        "Lombardia",
        "snow",
        Level.YELLOW,
    )
    assert snow.message("it").startswith(
        "🟡 Nuova allerta – neve: allerta gialla da gio 20/11 ore 01:00 a ven 21/11 ore 00:59.\n"
        "Zona Lombardia.\n"
    )
    assert DISCLAIMER in snow.message("it") and DISCLAIMER in alerts_text(running)
    # Only our region's entry was followed, and its shared document only once.
    assert fake.count(f"/meteoalarm/cap/{SHARED}") == 1
    assert fake.count("/meteoalarm/cap/2f32f9f9-06df-48aa-b0a0-10493ea07c51") == 0


def test_meteoalarm_red_is_four_red_extreme(appliance_factory, fake):
    serve_atom(fake)
    red = real(LOMBARDIA_CAP).decode().replace("<severity>Moderate<", "<severity>Extreme<")
    red = red.replace(
        "<web>",
        "<parameter><valueName>awareness_level</valueName><value>4; red; Extreme</value>"
        "</parameter><web>",
    )
    fake.reply(f"/meteoalarm/cap/{SHARED}", red.encode())
    running = appliance_factory(BEFORE_SNOW, alert_sources=["meteoalarm"])
    [snow] = poll(running, "meteoalarm")
    assert (snow.new_level, snow.lane) == (Level.RED, "auto")


def bulletin_zip(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members:
            archive.writestr(name, body)
    return buffer.getvalue()


def test_dpc_cap_inside_its_bulletin_zip(appliance_factory, fake):
    ours = real("dpc-cap/Cap_20260730_1511.xml").decode()
    ours = ours.replace("Provincia Autonoma di Bolzano", "Orobie bergamasche")
    ours = ours.replace("Tren-A", "Lomb-06")
    fake.reply(
        "/cap/latest.xml",
        bulletin_zip(
            ("Cap_20260730_1511.xml", ours.encode()),
            ("Cap_20240207_1449.xml", real("dpc-cap/Cap_20240207_1449_issue8_excerpt.xml")),
            ("20260730_1511_today.dbf", b"\x03not xml"),
        ),
    )
    running = appliance_factory(datetime(2026, 7, 30, 16, 0, tzinfo=TZ))
    [storms] = poll(running, "cap")
    assert (storms.zone, storms.zone_name, storms.risk, storms.new_level) == (
        "IM-06",
        "Orobie bergamasche",
        "thunderstorm",
        Level.YELLOW,
    )
    assert storms.valid_from == datetime(2026, 7, 31, 0, 0, tzinfo=TZ)


def test_the_real_dpc_zip_of_another_region_and_a_broken_zip(appliance_factory, fake):
    whole = bulletin_zip(("Cap_20260118_1515.xml", real("dpc-cap/Cap_20260118_1515.xml")))
    fake.reply("/cap/latest.xml", whole)
    running = appliance_factory(datetime(2026, 1, 18, 16, 0, tzinfo=TZ))
    assert poll(running, "cap") == []  # Calabria's orange and red are not ours
    fake.reply("/cap/latest.xml", b"PK\x03\x04 truncated")
    with pytest.raises(FeedFormatError, match="not a readable zip"):
        poll(running, "cap")
    assert events(running) == []
