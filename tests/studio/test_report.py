"""The campaign detail's per-recipient log and its CSV: every status with its time, failures
explained, purged with the delivery logs and pseudonymised at erasure."""

from __future__ import annotations

import csv
import io
import re
import time
from contextlib import closing

import pytest

from appliance.audience.retention import RETENTION
from appliance.audience.store import AUDIENCE
from appliance.studio import report
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

TEMPLATE = {"name": "avviso_servizio", "language": "it", "parameters": ["Via Roma", "12/10"]}
STAMP = r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d"  # the town's clock, Italian form


def history(page: str, person: str) -> list[tuple[str, str]]:
    """(time, status) lines of a person's log row on the detail page."""
    row = re.search(rf"<th scope=\"row\">(?:<bdi>)?{person}(?:</bdi>)?</th>(.*?)</tr>", page, re.S)
    assert row, f"{person} is not in the log"
    items = re.findall(r"<li><time>([^<]*)</time> ([^<(]+)", row[1])
    return [(at, label.strip()) for at, label in items]


def read_by_two(studio) -> tuple[list[str], int]:
    """Two subscribers and a template campaign both have read."""
    people = studio.engine.seed(2)
    campaign = studio.launch(studio.draft(template=TEMPLATE))
    wait_until(lambda: studio.campaign(campaign)["counts"]["read"] == 2, 60)
    return people, campaign


def exported(http, campaign: int) -> dict[str, dict[str, str]]:
    """The CSV export, one dict per recipient."""
    response = http.get(f"/studio/campaigns/{campaign}/recipients.csv")
    return {
        r["destinatario"]: r
        for r in csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";")
    }


def test_the_log_shows_each_status_with_its_time_and_explains_failures(studio):
    reached, unreachable = studio.engine.seed(2)
    # Twice, as Meta may deliver them: each status still shows once.
    studio.sim.control("settings", {"undeliverable": [unreachable], "duplicate_statuses": True})
    campaign = studio.launch(studio.draft(template=TEMPLATE))
    wait_until(lambda: (c := studio.campaign(campaign)["counts"])["read"] == 1 and c["failed"], 60)
    with closing(studio.login("operator")) as http:
        page = http.get(f"/studio/campaigns/{campaign}").text
        rows = exported(http, campaign)
    lines = history(page, reached)
    assert [label for _, label in lines] == ["Accettato da Meta", "Inviato", "Consegnato", "Letto"]
    assert all(re.fullmatch(STAMP, at) for at, _ in lines)
    assert [at for at, _ in lines] == sorted(at for at, _ in lines)
    failed = history(page, unreachable)
    assert [label for _, label in failed][-1] == "Non riuscito"
    assert "131026" in page and "il numero non usa WhatsApp" in page
    mine = rows[reached]
    assert mine["stato"] == "Letto" and mine["non riuscito"] == ""
    assert [mine["inviato"], mine["consegnato"], mine["letto"]] == [at for at, _ in lines[1:]]
    theirs = rows[unreachable]
    assert theirs["stato"] == "Non riuscito" and theirs["codice errore"] == "131026"
    assert (
        re.fullmatch(STAMP, theirs["non riuscito"]) and "non usa WhatsApp" in theirs["spiegazione"]
    )


def test_the_log_says_in_words_that_a_user_id_refused_with_no_known_number_was_not_sent(studio):
    studio.engine.write(
        "INSERT INTO subscribers (user_id, status, subscribed_at) VALUES ('IT.5', 'active', '2026')"
    )
    studio.sim.control("settings", {"refusals": {"IT.5": 131062}})
    campaign = studio.launch(studio.draft(template=TEMPLATE))
    wait_until(lambda: studio.campaign(campaign)["counts"]["failed"] == 1, 60)
    with closing(studio.login("operator")) as http:
        page = http.get(f"/studio/campaigns/{campaign}").text
    assert "131062" in page and "il numero di telefono non è noto: non inviato" in page


def test_the_history_goes_with_the_delivery_logs_and_erasure_hides_the_number(studio):
    (kept, erased), campaign = read_by_two(studio)
    # Meta's error details may quote the number: erasure must not leave it there.
    studio.engine.write(
        "UPDATE outbox_history SET error_code = 131000, error_detail = ? WHERE state = 'read'"
        " AND outbox_id IN (SELECT id FROM outbox WHERE recipient = ?)",
        (f"retry for {erased}", erased),
    )
    audience = studio.app.appliance.parts[AUDIENCE]
    row = studio.call(
        studio.app.appliance.db.fetchone("SELECT * FROM subscribers WHERE wa_id = ?", (erased,))
    )
    studio.call(audience.erase(row, "admin", "request"))
    with closing(studio.login("operator")) as http:
        page = http.get(f"/studio/campaigns/{campaign}").text
        csv_text = http.get(f"/studio/campaigns/{campaign}/recipients.csv").text
    assert erased not in page and erased not in csv_text
    alias = f"erased-{row['id']}"
    assert [label for _, label in history(page, alias)][-1] == "Letto"
    # Past the delivery logs' period the statuses go; the row keeps its state for the counts.
    old = time.time() - 400 * 86400
    studio.engine.write(
        "UPDATE outbox_history SET at = ? WHERE outbox_id IN"
        " (SELECT id FROM outbox WHERE recipient = ?)",
        (old, kept),
    )
    counts = studio.call(studio.app.appliance.parts[RETENTION].run_once())
    assert counts["history"] == 4
    with closing(studio.login("operator")) as http:
        page = http.get(f"/studio/campaigns/{campaign}").text
    assert [label for _, label in history(page, kept)] == ["Letto"]
    assert len(history(page, alias)) == 4


def test_the_timeline_counts_each_person_once_per_line_even_when_a_status_never_came(studio):
    (_, skipped), campaign = read_by_two(studio)
    # Meta may report a message read without ever reporting it delivered.
    studio.engine.write(
        "DELETE FROM outbox_history WHERE state = 'delivered'"
        " AND outbox_id IN (SELECT id FROM outbox WHERE recipient = ?)",
        (skipped,),
    )
    lines = studio.call(report.timeline(studio.app.appliance.db, campaign))
    assert [line.key for line in lines] == ["accepted", "sent", "delivered", "read"]
    for line in lines:
        assert [n for _, n in line.points] == [1, 2], line.key
        assert [t for t, _ in line.points] == sorted(t for t, _ in line.points)
    reached = {line.key: line.points[-1][0] for line in lines}
    assert reached["accepted"] <= reached["sent"] <= reached["read"]
    with closing(studio.login("operator")) as http:
        page = http.get(f"/studio/campaigns/{campaign}").text
    assert page.count("<polyline") == 4 and "Letti" in page
