"""National DPC bulletins and CAP 1.2 messages over real HTTP."""

from __future__ import annotations

import pytest

from appliance.feeds.levels import Level
from tests.support.alerts import alerts_text, events, poll, rome, serve_lombardy
from tests.support.feeds import ALERTS_NOW

pytestmark = pytest.mark.slow

DPC_NOW = rome(15, 18)
CAP_ALERT = "test@example.invalid,TEST.IT.LOMB.2026-09-15.0001,2026-09-14T15:30:00+02:00"
CAP_UPDATE = "test@example.invalid,TEST.IT.LOMB.2026-09-15.0002,2026-09-15 09:30:00+02:00"


def serve_dpc(fake, bulletin: str) -> None:
    fake.serve("/dpc/index.html", f"dpc_index_{bulletin[-4:]}.html")
    for day in ("today", "tomorrow"):
        fake.serve(f"/dpc/{bulletin}_{day}.json", f"dpc_{bulletin}_{day}.json")


def test_dpc_bulletin_and_its_same_day_correction(appliance_factory, fake):
    serve_dpc(fake, "20260915_1600")
    changes: list = []
    running = appliance_factory(DPC_NOW, changes)
    [yellow] = poll(running, "dpc")
    assert (yellow.source, yellow.zone, yellow.risk) == (
        "dpc",
        "Orobie bergamasche",
        "thunderstorm",
    )
    assert (yellow.old_level, yellow.new_level, yellow.issued_id) == (
        None,
        Level.YELLOW,
        "20260915_1600",
    )
    assert (yellow.valid_from, yellow.valid_to) == (rome(15, 16), rome(16, 0))  # from its issue
    assert yellow.detail["Per rischio temporali"] == "Ordinaria / ALLERTA GIALLA"
    assert yellow.message("it") == (
        "🟡 Nuova allerta – temporali: allerta gialla mar 15/09 dalle 16:00 alle 24:00.\n"
        "Zona Orobie bergamasche.\n"
        "Fonte: Dipartimento della Protezione Civile (CC BY 4.0)\n"
        "https://mappe.protezionecivile.gov.it/it/mappe-rischi/bollettino-di-criticita/"
    )
    # The same bulletin id: the big files are not downloaded again.
    assert poll(running, "dpc") == []
    assert fake.count("/dpc/20260915_1600_today.json") == 1

    serve_dpc(fake, "20260915_1745")
    [orange] = poll(running, "dpc")
    assert (orange.old_level, orange.new_level, orange.kind, orange.lane) == (
        Level.YELLOW,
        Level.ORANGE,
        "worse",
        "auto",
    )
    assert orange.issued_id == "20260915_1745"
    assert orange.key == "dpc:Orobie bergamasche:thunderstorm:1:orange"
    text = alerts_text(running)
    assert "Zona Orobie bergamasche" in text
    assert "🟠 Temporali: allerta arancione mar 15/09 dalle 17:45 alle 24:00" in text
    assert "🟢 Rischio idraulico: nessuna allerta" in text  # Milan's yellow is not ours
    assert [c.key for c in changes] == [yellow.key, orange.key]


def test_a_second_source_repeating_the_same_level_is_not_sent_twice(appliance_factory, fake):
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    serve_dpc(fake, "20260915_1600")
    changes: list = []
    running = appliance_factory(DPC_NOW.replace(hour=13), changes)
    [lombardy] = poll(running, "lombardy")
    assert poll(running, "dpc") == []
    assert [c.key for c in changes] == [lombardy.key]
    duplicate = events(running)[0]
    assert duplicate.source == "dpc" and duplicate.status == "dismissed"
    assert duplicate.note == f"già segnalata: {lombardy.key}"
    # A worse level from the national bulletin does go out.
    serve_dpc(fake, "20260915_1745")
    [orange] = poll(running, "dpc")
    assert orange.new_level == Level.ORANGE
    # Lombardy the most authoritative source, names the zone; the worst level wins.
    text = alerts_text(running)
    assert "Zona IM-06 Orobie bergamasche" in text
    assert "🟠 Temporali: allerta arancione" in text


def test_cap_alert_update_cancel(appliance_factory, fake):
    fake.serve("/cap/latest.xml", "cap_alert.xml")
    changes: list = []
    running = appliance_factory(ALERTS_NOW, changes)
    [alert] = poll(running, "cap")
    assert (alert.source, alert.zone, alert.risk, alert.old_level, alert.new_level) == (
        "cap",
        "IM-06",
        "thunderstorm",
        None,
        Level.YELLOW,
    )
    assert (alert.valid_from, alert.valid_to) == (rome(15, 12), rome(16, 0))
    assert alert.issued_id == CAP_ALERT
    assert alert.detail["headline"] == "Allerta gialla per temporali forti – Orobie bergamasche"
    assert alert.message("it").startswith(
        "🟡 Nuova allerta – temporali: allerta gialla mar 15/09 dalle 12:00 alle 24:00.\n"
        "Zona IM-06 Orobie bergamasche."
    )

    fake.serve("/cap/latest.xml", "cap_update.xml")
    [update] = poll(running, "cap")
    assert (update.old_level, update.new_level, update.issued_id) == (
        Level.YELLOW,
        Level.ORANGE,
        CAP_UPDATE,
    )
    assert (update.valid_from, update.valid_to) == (rome(15, 14), rome(16, 0))

    fake.serve("/cap/latest.xml", "cap_cancel.xml")
    [cancel] = poll(running, "cap")
    assert (cancel.old_level, cancel.new_level, cancel.kind) == (Level.ORANGE, Level.GREEN, "ended")
    assert cancel.detail == {"cancelled": CAP_UPDATE}
    assert poll(running, "cap") == []
    assert [c.key for c in changes] == [
        "cap:IM-06:thunderstorm:0:yellow",
        "cap:IM-06:thunderstorm:1:orange",
        "cap:IM-06:thunderstorm:2:green",
    ]


@pytest.mark.parametrize("fixture", ["cap_test.xml", "cap_expired.xml"])
def test_cap_test_and_expired_messages_send_nothing(appliance_factory, fake, fixture):
    fake.serve("/cap/latest.xml", fixture)
    running = appliance_factory(ALERTS_NOW)
    assert poll(running, "cap") == []
    assert events(running) == []
    assert alerts_text(running).startswith("Al momento non abbiamo dati aggiornati")


def test_cap_cancel_after_a_restart_still_ends_the_alert(appliance_factory, fake):
    fake.serve("/cap/latest.xml", "cap_alert.xml")
    first = appliance_factory(ALERTS_NOW)
    poll(first, "cap")
    fake.serve("/cap/latest.xml", "cap_update.xml")
    poll(first, "cap")
    first.stop()
    fake.serve("/cap/latest.xml", "cap_cancel.xml")
    second = appliance_factory(ALERTS_NOW)
    [cancel] = poll(second, "cap")
    assert (cancel.old_level, cancel.new_level) == (Level.ORANGE, Level.GREEN)
