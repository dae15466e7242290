"""CSV import through the staff pages: dry run, commit, undo, refusals; CSV export is safe."""

from __future__ import annotations

import json
import re

import pytest

from appliance.audience.store import AUDIENCE
from tests.support.db import rows
from tests.support.staff import add_user, login
from tests.support.subscribers import add_subscriber

pytestmark = pytest.mark.slow

CSV = (
    "telefono;nome;argomenti\n"
    "3331234001;Anna;allerte\n"
    '+39 333 123 4002;=HYPERLINK("x");eventi\n'
    "393331234003;Carlo;\n"
    "12;Troppo corto;\n"
    "3331234001;Doppio;\n"
    "393331234009;Ugo;sagre\n"
    "393331234010;Già iscritto;\n"
    "393331234011;Disiscritto;\n"
)


def dry_run(http, data=CSV, source="modulo cartaceo", day="2024-05-01"):
    return http.post(
        "/subscribers/import",
        data={"consent_source": source, "consent_date": day},
        files={"file": ("lista.csv", data.encode(), "text/csv")},
    )


@pytest.fixture
def admin(running):
    add_user(running, "admin")
    return login(running, "admin")


def test_dry_run_then_commit_then_undo(running, admin):
    add_subscriber(running, "393331234010")
    left = add_subscriber(running, "393331234011")
    audience = running.appliance.parts[AUDIENCE]
    running.call(audience.unsubscribe(audience_row(running, left), "citizen", "chat"))
    report = dry_run(admin)
    assert report.status_code == 200
    text = report.text
    assert "Nuovi: 3" in text and "Aggiornati: 1" in text and "Rifiutati: 4" in text
    for reason in ("numero non valido", "numero ripetuto", "argomento sconosciuto", "annullato"):
        assert reason in text
    assert len(rows(running, "SELECT * FROM subscribers")) == 2  # nothing written yet
    token = re.search(r'name="token" value="([^"]+)"', text)[1]
    assert admin.post("/subscribers/import/commit", data={"token": token}).status_code == 303
    subs = {r["wa_id"]: r for r in rows(running, "SELECT * FROM subscribers")}
    assert (
        subs["393331234001"]["status"] == "active"
        and subs["393331234001"]["profile_name"] == "Anna"
    )
    assert subs["393331234011"]["status"] == "unsubscribed"  # an opt-out is never overwritten
    imported = rows(running, "SELECT * FROM consents WHERE kind = 'imported'")
    assert len(imported) == 4 and "modulo cartaceo (2024-05-01)" in imported[0]["detail"]
    topics = rows(
        running,
        "SELECT t.key FROM subscriber_topics st JOIN topics t ON t.id = st.topic_id"
        " JOIN subscribers s ON s.id = st.subscriber_id WHERE s.wa_id = '393331234001'",
    )
    assert topics == [("allerte",)]
    # The same token cannot be used twice.
    again = admin.post("/subscribers/import/commit", data={"token": token})
    assert again.headers["location"].endswith("/subscribers/import")
    [imp] = rows(running, "SELECT * FROM imports")
    assert (imp["created"], imp["updated"], imp["refused"]) == (3, 1, 4)
    # Someone imported unsubscribes before the undo: that choice stays.
    stopped = audience_row(running, subs["393331234003"]["id"])
    running.call(audience.unsubscribe(stopped, "citizen", "chat"))
    assert admin.post(f"/subscribers/imports/{imp['id']}/undo").status_code == 303
    after = {r["wa_id"]: r["status"] for r in rows(running, "SELECT * FROM subscribers")}
    assert after == {
        "393331234010": "active",
        "393331234011": "unsubscribed",
        "393331234003": "unsubscribed",
    }
    actions = [r["action"] for r in rows(running, "SELECT action FROM audit_log")]
    assert "subscribers.imported" in actions and "subscribers.import_undone" in actions


def audience_row(running, sid):
    return running.call(running.appliance.parts[AUDIENCE].get(sid))


@pytest.mark.parametrize(
    ("source", "day", "message"),
    [
        ("", "2024-05-01", "consent"),
        ("modulo", "", "2024-03-31"),
        ("modulo", "2999-01-01", "future"),
    ],
)
def test_consent_source_and_date_are_mandatory(running, admin, source, day, message):
    response = dry_run(admin, source=source, day=day)
    assert response.status_code == 400 and message in response.text


def test_a_file_without_a_number_column_is_refused(running, admin):
    response = dry_run(admin, data="nome\nAnna\n")
    assert response.status_code == 400 and "wa_id" in response.text


def test_erased_people_are_never_reimported(running, admin):
    sid = add_subscriber(running, "393331234001")
    audience = running.appliance.parts[AUDIENCE]
    running.call(audience.erase(audience_row(running, sid), "staff", "test"))
    text = dry_run(admin, data="wa_id\n393331234001\n").text
    assert "Nuovi: 0" in text and "cancellazione dei dati" in text


def test_csv_export_defuses_formulas(running, admin):
    add_subscriber(running, "393331234001", name='=HYPERLINK("http://x")')
    response = admin.post("/subscribers/export.csv", data={"purpose": "verifica dell'RPD"})
    assert response.status_code == 200
    assert "'=HYPERLINK" in response.text and "393331234001" in response.text
    # Headers and statuses in Italian words, the time on the town's clock.
    header, first = response.text.splitlines()[:2]
    assert header.lstrip("\ufeff").startswith(
        '"telefono";"id utente";"id utente principale";"nome utente";"stato";"lingua";"nome";'
    )
    assert ';"iscritto";"italiano";' in first


def test_an_export_needs_a_stated_purpose_which_the_audit_log_keeps(running, admin):
    add_subscriber(running, "393331234001")
    refused = admin.post("/subscribers/export.csv", data={"purpose": "boh"})
    assert refused.status_code == 303 and "393331234001" not in refused.text
    assert "propaganda" in admin.get(refused.headers["location"]).text
    done = admin.post("/subscribers/export.csv", data={"purpose": "verifica annuale dell'RPD"})
    assert done.status_code == 200 and "393331234001" in done.text
    [detail] = [
        r[0]
        for r in rows(running, "SELECT detail FROM audit_log WHERE action = 'subscribers.exported'")
    ]
    assert json.loads(detail)[1]["purpose"] == "verifica annuale dell'RPD"
