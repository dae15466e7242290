"""Every acknowledged citizen message gets its answer exactly once, even when the write that
queues the answers fails or the process is killed while it runs (issue 18, finding 1)."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from appliance.campaigns.limiter import REPLY
from appliance.conversation.texts import DEFAULTS
from tests.support.citizen import Citizen, text_of
from tests.support.processes import ApplianceProcess, write_config
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

HELP = DEFAULTS["help"].it
# Refuses every queued reply, as a full disk would refuse the write that queues them.
REFUSE = (
    "CREATE TRIGGER test_refuse_replies BEFORE INSERT ON outbox"
    f" WHEN NEW.lane = {REPLY} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
)
# Keeps the write that queues a reply busy for minutes: the process is killed inside it.
SLOW_ROWS = 2000
SLOW = (
    "CREATE TRIGGER test_slow_replies BEFORE INSERT ON outbox"
    f" WHEN NEW.lane = {REPLY} BEGIN SELECT count(*) FROM test_slow a, test_slow b, test_slow c;"
    " END"
)


def sql(path: Path, *statements: str) -> None:
    """Run statements from outside the appliance (its writer sees the schema change)."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def event_state(path: Path, wamid: str) -> tuple[str, int] | None:
    conn = sqlite3.connect(path, timeout=10)
    try:
        return conn.execute(
            "SELECT state, attempts FROM webhook_events WHERE dedupe_key = ?", (f"m:{wamid}",)
        ).fetchone()
    finally:
        conn.close()


def chat_lines(path: Path, wa_id: str) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path, timeout=10)
    try:
        return conn.execute(
            "SELECT c.direction, c.text FROM chat_messages c JOIN subscribers s"
            " ON s.id = c.subscriber_id WHERE s.wa_id = ? ORDER BY c.id",
            (wa_id,),
        ).fetchall()
    finally:
        conn.close()


def helps(citizen: Citizen) -> int:
    return sum(1 for m in citizen.all() if text_of(m["body"]) == HELP)


def test_a_failed_write_of_the_answers_is_retried_until_they_are_queued(bot, new_citizen):
    path = bot.appliance.db.path
    citizens = [new_citizen(f"Persona {i}") for i in range(4)]
    for citizen in citizens:
        citizen.send("Rota")
        citizen.reply()
    sql(path, REFUSE)
    wamids = [c.send("aiuto") for c in citizens]
    for wamid in wamids:  # acknowledged, tried, refused by the full disk
        wait_until(lambda w=wamid: (event_state(path, w) or ("", 0))[1] >= 1, timeout=20)
    for citizen in citizens:
        # Nothing the citizen did not get is shown to staff as sent.
        assert ("out", HELP) not in chat_lines(path, citizen.wa_id)
    sql(path, "DROP TRIGGER test_refuse_replies")
    for citizen in citizens:
        assert text_of(citizen.reply(timeout=30)) == HELP
    wait_until(lambda: all(event_state(path, w)[0] == "done" for w in wamids), timeout=20)
    for citizen in citizens:
        citizen.quiet(bot)
        assert helps(citizen) == 1
        lines = chat_lines(path, citizen.wa_id)
        assert lines.count(("in", "aiuto")) == 1 and lines.count(("out", HELP)) == 1


def writer_busy(path: Path) -> bool:
    """True when another connection holds the database's write lock."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def busy_for(path: Path, seconds: float) -> bool:
    """The write lock held for ``seconds`` in a row (not one of the short commits)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if not writer_busy(path):
            return False
        time.sleep(0.05)
    return True


def test_killed_while_the_answers_are_being_queued_the_restart_answers_once(tmp_path, simulator):
    config = str(write_config(tmp_path, simulator_url=simulator.url))
    path = tmp_path / "banditore.db"
    citizen = Citizen(simulator, "393337780001")
    proc = ApplianceProcess("serve", "--config", config)
    try:
        public, _ = proc.wait_ready()
        simulator.settings.webhook_url = public + "/webhook"
        citizen.send("Rota")
        citizen.reply()
        sql(
            path,
            "CREATE TABLE test_slow (x INTEGER)",
            f"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {SLOW_ROWS})"
            " INSERT INTO test_slow SELECT x FROM n",
            SLOW,
        )
        wamid = citizen.send("aiuto")
        wait_until(lambda: event_state(path, wamid) is not None, timeout=20)
        wait_until(lambda: busy_for(path, 1.0), timeout=30, interval=0)
        proc.proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.proc.poll() is None:
            proc.proc.kill()
            proc.wait(10)
    assert helps(citizen) == 0
    sql(path, "DROP TRIGGER test_slow_replies", "DROP TABLE test_slow")
    again = ApplianceProcess("serve", "--config", config)
    try:
        public, _ = again.wait_ready()
        simulator.settings.webhook_url = public + "/webhook"
        assert text_of(citizen.reply(timeout=30)) == HELP, again.output
        wait_until(lambda: event_state(path, wamid)[0] == "done", timeout=20)
        citizen.quiet(path)
        assert helps(citizen) == 1
        lines = chat_lines(path, citizen.wa_id)
        assert lines.count(("in", "aiuto")) == 1 and lines.count(("out", HELP)) == 1
    finally:
        again.proc.kill()
        again.wait(10)
