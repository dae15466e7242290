"""Two bulletins per source: an alert, its expiry, a new alert → two announcements, worded as new.

Built from the real published files with their dates moved to tomorrow, so the broadcast
engine (which judges expiry by the wall clock) treats the campaigns as live.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from appliance.campaigns.engine import CAMPAIGNS
from appliance.feeds.words import TZ
from tests.support.alerts import alerts_text, monitor, poll
from tests.support.realfeeds import dpc_day, lombardy_list, real, shifted

pytestmark = pytest.mark.slow

BASE = (datetime.now(TZ) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
# first level, second level, the second announcement's head
SEQUENCES = [
    (1, 1, "🟡 Nuova allerta – temporali"),
    (1, 2, "🟠 Nuova allerta – temporali"),
    (2, 1, "🟡 Nuova allerta – temporali"),
]
DPC_WORDS = {
    0: "Assenza di fenomeni significativi prevedibili / NESSUNA ALLERTA",
    1: "Ordinaria / ALLERTA GIALLA",
    2: "Moderata / ALLERTA ARANCIONE",
}
CAP_WORDS = {
    1: ("Moderate", "ORDINARIA CRITICITA' PER RISCHIO TEMPORALI / ALLERTA GIALLA:"),
    2: ("Severe", "MODERATA CRITICITA' PER RISCHIO TEMPORALI / ALLERTA ARANCIONE:"),
}


def at(running, moment: datetime) -> None:
    monitor(running).clock = lambda: moment


def alert_campaigns(running) -> list[str]:
    rows = running.call(
        running.appliance.db.fetchall(
            "SELECT alert_key FROM campaigns WHERE alert_key IS NOT NULL ORDER BY id"
        )
    )
    return [row[0] for row in rows]


def pending(running) -> list[str]:
    return [c.key for c in running.call(monitor(running).changes("pending"))]


def check_two_announcements(running, first, second, level: int, head: str) -> None:
    """Both changes are new; each has its own campaign; only a yellow still waits for staff."""
    assert first.kind == "new" and second.kind == "new"
    assert second.message("it").startswith(head)
    assert alert_campaigns(running) == [first.key, second.key]
    assert pending(running) == ([second.key] if level == 1 else [])


def serve_lombardy_at(fake, start: datetime, thunderstorm: list[int]) -> None:
    fake.reply("/lista-zone?cdTipologiaGis=7", lombardy_list(start, thunderstorm))
    fake.reply("/lista-zone?cdTipologiaGis=9", lombardy_list(start, [0] * 12))


@pytest.mark.parametrize(("first", "second", "head"), SEQUENCES)
def test_lombardy_alert_expiry_new_alert(appliance_factory, fake, first, second, head):
    running = appliance_factory(BASE)
    serve_lombardy_at(fake, BASE, [0, 0, first, first, first, 0])
    [one] = poll(running, "lombardy")

    later = BASE + timedelta(hours=6)
    at(running, later)
    serve_lombardy_at(fake, later, [-1] * 6)  # after it: nothing forecast for those hours
    assert poll(running, "lombardy") == []
    assert "Temporali: allerta" not in alerts_text(running)

    again = BASE + timedelta(hours=8)
    at(running, again)
    serve_lombardy_at(fake, again, [0, second, second, second, 0])
    [two] = poll(running, "lombardy")
    check_two_announcements(running, one, two, second, head)
    assert f"Temporali: {two.new_level.label('it')}" in alerts_text(running)


def serve_dpc_at(fake, day: datetime, thunderstorm: int) -> None:
    bulletin = f"{day:%Y%m%d}_1510"
    fake.reply("/dpc/index.html", f'<a href="files/geojson/{bulletin}_today.json">'.encode())
    green = {"Per rischio idrogeologico": DPC_WORDS[0], "Per rischio temporali": DPC_WORDS[0]}
    today = {**green, "Per rischio temporali": DPC_WORDS[thunderstorm]}
    fake.reply(
        f"/dpc/{bulletin}_today.json", dpc_day("dpc/20260720_1510_today.trimmed.json", **today)
    )
    fake.reply(
        f"/dpc/{bulletin}_tomorrow.json",
        dpc_day("dpc/20260720_1510_tomorrow.trimmed.json", **green),
    )


@pytest.mark.parametrize(("first", "second", "head"), SEQUENCES)
def test_dpc_bulletin_expiry_new_bulletin(appliance_factory, fake, first, second, head):
    start = BASE.replace(hour=15, minute=30)
    running = appliance_factory(start)
    serve_dpc_at(fake, start, first)
    [one] = poll(running, "dpc")

    at(running, start + timedelta(days=1))  # the same bulletin: today is over, tomorrow green
    assert poll(running, "dpc") == []
    assert "Temporali: allerta" not in alerts_text(running)

    again = start + timedelta(days=3)
    at(running, again)
    serve_dpc_at(fake, again, second)
    [two] = poll(running, "dpc")
    check_two_announcements(running, one, two, second, head)


def dpc_cap(onset: datetime, level: int, number: int) -> bytes:
    """The real DPC CAP of 30/07 relabelled to our zone and moved to ``onset``'s day."""
    text = real("dpc-cap/Cap_20260730_1511.xml").decode()
    text = text.replace("Provincia Autonoma di Bolzano", "Orobie bergamasche")
    text = text.replace("Tren-A", "Lomb-06").replace("_5050<", f"_{5050 + number}<")
    severity, event = CAP_WORDS[level]
    text = text.replace("<severity>Moderate<", f"<severity>{severity}<")
    text = text.replace(CAP_WORDS[1][1], event)
    return shifted(text, onset.date() - datetime(2026, 7, 31).date()).encode()


@pytest.mark.parametrize(("first", "second", "head"), SEQUENCES)
def test_cap_alert_expiry_new_alert(appliance_factory, fake, first, second, head):
    start = BASE.replace(hour=16) - timedelta(days=1)
    running = appliance_factory(start)
    fake.reply("/cap/latest.xml", dpc_cap(BASE, first, 0))
    [one] = poll(running, "cap")
    assert (one.zone, one.risk) == ("IM-06", "thunderstorm")

    at(running, BASE + timedelta(days=1))
    assert poll(running, "cap") == []  # expired, and the same document again
    assert alerts_text(running).startswith("Al momento non abbiamo dati aggiornati")

    at(running, BASE + timedelta(days=2, hours=6))
    fake.reply("/cap/latest.xml", dpc_cap(BASE + timedelta(days=3), second, 1))
    [two] = poll(running, "cap")
    check_two_announcements(running, one, two, second, head)


def campaign_statuses(running) -> dict[str, str]:
    rows = running.call(
        running.appliance.db.fetchall(
            "SELECT alert_key, status FROM campaigns WHERE alert_key IS NOT NULL"
        )
    )
    return {row[0]: row[1] for row in rows}


def test_nothing_about_an_alert_goes_out_once_it_is_over(appliance_factory, fake):
    running = appliance_factory(BASE)
    serve_lombardy_at(fake, BASE, [1] * 8)
    [yellow] = poll(running, "lombardy")
    assert campaign_statuses(running) == {yellow.key: "draft"}
    expiry = running.call(running.appliance.parts[CAMPAIGNS].by_alert(yellow.key))["expires_at"]
    assert expiry == yellow.valid_to.timestamp()  # the campaign ends when the alert does

    serve_lombardy_at(fake, BASE, [0] * 8)  # withdrawn early: the region says green now
    [ended] = poll(running, "lombardy")
    assert ended.kind == "ended"
    statuses = campaign_statuses(running)
    assert statuses[yellow.key] == "cancelled"  # nobody can send the old draft any more
    [waiting] = running.call(monitor(running).changes("pending"))
    assert waiting.key == ended.key
    old = running.call(monitor(running).get(yellow.key))
    assert old.status == "dismissed" and old.note.startswith("superata da un cambio più recente")
