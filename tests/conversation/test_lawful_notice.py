"""Lawful by design: the notice names the legal basis and every fact, and is never published
without them; the opt-in is recorded as such; the DPO's papers carry the configured facts."""

from __future__ import annotations

import asyncio
import html
import sqlite3
import subprocess
import sys

import httpx
import pytest

from appliance.audience import notice
from appliance.conversation.texts import DEFAULTS
from appliance.core.db.migrate import discover, migrate
from appliance.operations.checks import run_checks
from tests.support.appliance import PRIVACY_FACTS, make_config
from tests.support.citizen import Citizen, button_ids, conversation_config, start_appliance, text_of
from tests.support.staff import add_user, login

EMPTY_FACTS = {key: "" for key in PRIVACY_FACTS}


@pytest.fixture
def unready_bot(tmp_path, simulator):
    """A box whose comune has not yet entered the act, the PEC or the DPO."""
    app = start_appliance(conversation_config(tmp_path, simulator, privacy=EMPTY_FACTS), simulator)
    try:
        yield app
    finally:
        app.stop()


def test_without_the_legal_facts_nothing_is_published_and_nobody_is_signed_up(
    unready_bot, simulator
):
    assert httpx.get(unready_bot.public_url + "/privacy").status_code == 503
    with pytest.raises(notice.NoticeIncomplete, match="l'atto che istituisce il servizio"):
        unready_bot.call(notice.publish(unready_bot.appliance.db, unready_bot.config, "t", ""))
    [check] = [
        c for c in unready_bot.call(unready_bot.appliance.health.snapshot()) if c.key == "privacy"
    ]
    assert check.status == "warn" and "la PEC del titolare" in check.explanation
    citizen = Citizen(simulator, "393330009001")
    citizen.send("4")
    assert text_of(citizen.reply()) == DEFAULTS["notice_not_published"].it
    citizen.send("menu")  # no subscribe line, and the subscribe row opts nobody in
    menu = citizen.reply()
    assert "Con «Iscriviti»" not in text_of(menu) and "menu:4" in button_ids(menu)
    citizen.tap("menu:4", kind="list_reply")
    assert text_of(citizen.reply()) == DEFAULTS["notice_not_published"].it
    assert unready_bot.call(unready_bot.appliance.db.fetchval("SELECT count(*) FROM consents")) == 0


def test_the_editor_refuses_to_publish_and_says_what_is_missing(unready_bot):
    add_user(unready_bot, "admin")
    http = login(unready_bot, "admin")
    answer = http.post("/bot/notice/publish")
    assert answer.status_code == 303
    page = http.get(answer.headers["location"]).text
    assert "mancano" in page and "il contatto del responsabile della protezione dei dati" in page
    assert unready_bot.call(notice.current(unready_bot.appliance.db)) is None


def test_the_published_page_and_the_chat_notice_hold_every_fact(bot, citizen):
    page = html.unescape(httpx.get(bot.public_url + "/privacy").text)
    citizen.send("PRIVACY")
    chat = "\n".join(text_of(m) for m in citizen.replies(1))
    for text in (page, chat):
        for fact in PRIVACY_FACTS.values():
            assert fact in text
        assert "art. 6, par. 1, lett. e" in text
        assert "Meta Platforms Ireland" in text and "Data Privacy Framework" in text
        assert "non è la base giuridica" in text  # the opt-in is not the legal basis
        assert "{controller" not in text and "_days}" not in text  # every placeholder filled


def test_the_opt_in_is_recorded_as_such_with_version_and_message(bot, citizen):
    citizen.send("4")
    citizen.replies(2)
    optin = citizen.all()[-1]["body"]
    wamid = citizen.tap(optin["interactive"]["action"]["buttons"][0]["reply"]["id"])
    citizen.replies(1)
    rows = bot.call(bot.appliance.db.fetchall("SELECT kind, notice_version, wamid FROM consents"))
    assert [(r["kind"], r["notice_version"], r["wamid"]) for r in rows] == [("opted_in", 1, wamid)]


def test_the_migration_relabels_every_consent_record_and_loses_none(tmp_path):
    steps = discover()
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    migrate(conn, steps[:9])
    conn.execute("INSERT INTO subscribers (id, wa_id, status) VALUES (1, '393330001', 'active')")
    kinds = ["granted", "refused", "withdrawn", "imported", "granted"]
    conn.executemany(
        "INSERT INTO consents (subscriber_id, kind, notice_version, wamid) VALUES (1, ?, 1, ?)",
        [(kind, f"wamid.{n}") for n, kind in enumerate(kinds)],
    )
    migrate(conn, steps)
    rows = conn.execute("SELECT kind, wamid FROM consents ORDER BY id").fetchall()
    assert rows == [
        ("opted_in", "wamid.0"),
        ("declined", "wamid.1"),
        ("opted_out", "wamid.2"),
        ("imported", "wamid.3"),
        ("opted_in", "wamid.4"),
    ]


def test_the_papers_carry_the_configured_facts(running, tmp_path):
    add_user(running, "dpo", role="viewer")
    http = login(running, "dpo")
    assert "Documenti per l'RPD" in html.unescape(http.get("/settings/papers").text)
    for key in ("deliberazione", "registro_trattamenti", "dpia", "dichiarazione_accessibilita"):
        shown = html.unescape(http.get(f"/settings/papers/{key}").text)
        saved = http.get(f"/settings/papers/{key}.md")
        assert saved.headers["content-type"].startswith("text/markdown")
        assert PRIVACY_FACTS["controller_name"] in saved.text
        assert PRIVACY_FACTS["controller_name"] in shown
    register = http.get("/settings/papers/registro_trattamenti.md").text
    for fact in PRIVACY_FACTS.values():
        assert fact in register
    assert http.get("/settings/papers/nothing").status_code == 404


def test_the_papers_command_writes_every_paper(tmp_path):
    config = tmp_path / "banditore.toml"
    config.write_text(
        '[privacy]\nlegal_basis_act = "Regolamento comunale approvato con delibera n. 7"\n'
        f'[database]\npath = "{tmp_path / "none.db"}"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "appliance",
            "papers",
            "--config",
            str(config),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    written = (tmp_path / "deliberazione.md").read_text(encoding="utf-8")
    assert "Regolamento comunale approvato con delibera n. 7" in written
    assert not (tmp_path / "none.db").exists()  # read only: no database is created


def test_check_names_the_missing_facts(tmp_path):
    lines: list[str] = []
    config = make_config(tmp_path, privacy=EMPTY_FACTS)
    asyncio.run(run_checks(config, lines.append))
    [line] = [line for line in lines if line.startswith("privacy notice")]
    assert "[privacy] legal_basis_act" in line and "[privacy] dpo_contact" in line
    lines.clear()
    asyncio.run(run_checks(make_config(tmp_path), lines.append))
    assert "privacy notice: every legal fact is set" in lines


def test_each_profile_question_tells_the_citizen_what_it_is_for(bot, citizen):
    citizen.send("4")
    _, optin = citizen.replies(2)  # without a public page the notice comes first
    citizen.tap(optin["interactive"]["action"]["buttons"][0]["reply"]["id"])
    first_question = text_of(citizen.reply())
    assert "(Serve a mandarti gli avvisi pensati per la tua età" in first_question
