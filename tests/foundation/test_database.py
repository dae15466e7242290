"""The single writer batches concurrent jobs durably; one failing job spoils nothing else."""

import asyncio
import sqlite3

import pytest

from appliance.core.db import Database, WriteJobError, writer

pytestmark = pytest.mark.fast


@pytest.fixture
async def db(tmp_path):
    database = Database(tmp_path / "banditore.db")
    await database.start()
    yield database
    await database.stop()


async def test_concurrent_writes_all_commit_in_fewer_transactions(db, monkeypatch):
    commits = 0
    original = writer._commit_batch

    def counting(raw, conn, batch):
        nonlocal commits
        commits += 1
        return original(raw, conn, batch)

    monkeypatch.setattr(writer, "_commit_batch", counting)
    ids = await asyncio.gather(
        *(
            db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (f"k{i}", "v"))
            for i in range(200)
        )
    )
    assert len(set(ids)) == 200
    assert await db.fetchval("SELECT count(*) FROM settings") == 200
    assert commits < 200


async def test_failing_job_is_undone_alone(db):
    async def bad(conn):
        await conn.execute("INSERT INTO settings (key, value) VALUES ('half', 'done')")
        raise ValueError("boom")

    results = await asyncio.gather(
        db.execute("INSERT INTO settings (key, value) VALUES ('a', '1')"),
        db.write(bad),
        db.execute("INSERT INTO settings (key, value) VALUES ('b', '2')"),
        return_exceptions=True,
    )
    assert isinstance(results[1], ValueError)
    keys = [r["key"] for r in await db.fetchall("SELECT key FROM settings ORDER BY key")]
    assert keys == ["a", "b"]


async def test_a_job_that_awaits_anything_but_sql_is_refused_and_undone(db):
    async def wanders(conn):
        await conn.execute("INSERT INTO settings (key, value) VALUES ('wander', '1')")
        await asyncio.sleep(0)  # would run in the writer thread, far from the event loop

    with pytest.raises(WriteJobError):
        await db.write(wanders)
    await db.execute("INSERT INTO settings (key, value) VALUES ('after', '1')")
    keys = [r["key"] for r in await db.fetchall("SELECT key FROM settings ORDER BY key")]
    assert keys == ["after"]


async def test_cursor_api_of_write_jobs(db):
    async def job(conn):
        cursor = await conn.execute("INSERT INTO settings (key, value) VALUES ('c', '1')")
        inserted = cursor.lastrowid
        await conn.executemany(
            "INSERT INTO settings (key, value) VALUES (?, ?)", [("d", "2"), ("e", "3")]
        )
        async with conn.execute("SELECT key FROM settings ORDER BY key") as rows:
            first = await rows.fetchone()
            rest = await rows.fetchall()
        changed = await conn.execute("UPDATE settings SET value = 'x' WHERE key != 'c'")
        return inserted, first["key"], [r[0] for r in rest], changed.rowcount

    inserted, first, rest, changed = await db.write(job)
    assert inserted > 0 and first == "c" and rest == ["d", "e"] and changed == 2


async def test_a_cancelled_caller_does_not_undo_its_write(db):
    async def job(conn):
        await conn.execute("INSERT INTO settings (key, value) VALUES ('kept', '1')")

    task = asyncio.create_task(db.write(job))
    await asyncio.sleep(0)  # queued on the writer
    task.cancel()
    await db.execute("INSERT INTO settings (key, value) VALUES ('later', '1')")
    assert await db.fetchval("SELECT count(*) FROM settings WHERE key = 'kept'") == 1


async def test_constraint_violation_reaches_the_caller(db):
    await db.execute("INSERT INTO settings (key, value) VALUES ('dup', '1')")
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute("INSERT INTO settings (key, value) VALUES ('dup', '2')")
    assert await db.fetchval("SELECT value FROM settings WHERE key='dup'") == "1"


async def test_data_survives_restart_and_writer_is_durable(tmp_path):
    first = Database(tmp_path / "d.db")
    await first.start()
    try:
        await first.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")
        rows = await first.write(lambda conn: conn.execute_fetchall("PRAGMA synchronous"))
        assert rows[0][0] == 2  # FULL
    finally:
        await first.stop()
    second = Database(tmp_path / "d.db")
    await second.start()
    try:
        assert await second.fetchval("SELECT value FROM settings WHERE key='x'") == "y"
        assert await second.fetchval("PRAGMA journal_mode") == "wal"
    finally:
        await second.stop()


async def test_readers_cannot_write(db):
    with pytest.raises(sqlite3.OperationalError):
        await db.fetchall("INSERT INTO settings (key, value) VALUES ('r', 'w')")


async def test_queued_writes_finish_before_stop(tmp_path):
    database = Database(tmp_path / "d.db")
    await database.start()
    pending = [
        asyncio.ensure_future(
            database.execute("INSERT INTO settings (key, value) VALUES (?, 'v')", (f"k{i}",))
        )
        for i in range(50)
    ]
    await asyncio.sleep(0)
    await database.stop()
    await asyncio.gather(*pending)
    again = Database(tmp_path / "d.db")
    await again.start()
    try:
        assert await again.fetchval("SELECT count(*) FROM settings") == 50
    finally:
        await again.stop()
