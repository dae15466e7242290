"""Migrations: numbered files, transactional, from every earlier version, never backwards."""

import sqlite3

import pytest

from appliance.core.db.migrate import Migration, MigrationError, current_version, discover, migrate

pytestmark = pytest.mark.fast


def test_shipped_migrations_have_no_gaps_or_duplicates():
    steps = discover()
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))


def make_dir(tmp_path, *names):
    for name in names:
        (tmp_path / name).write_text(f"CREATE TABLE t_{name[:4]} (x);", encoding="utf-8")
    return tmp_path


def test_gap_is_refused(tmp_path):
    with pytest.raises(MigrationError, match="without gaps"):
        discover(make_dir(tmp_path, "0001_a.sql", "0003_c.sql"))


def test_duplicate_number_is_refused(tmp_path):
    with pytest.raises(MigrationError, match="share number 0002"):
        discover(make_dir(tmp_path, "0001_a.sql", "0002_b.sql", "0002_other.sql"))


def test_badly_named_file_is_refused(tmp_path):
    with pytest.raises(MigrationError, match="not named"):
        discover(make_dir(tmp_path, "1_a.sql"))


def test_from_empty_to_latest(tmp_path):
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    assert migrate(conn) == discover()[-1].number
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"settings", "users", "audit_log"} <= tables


@pytest.mark.parametrize("start", range(1, len(discover()) + 1))
def test_from_each_earlier_version_keeps_data(tmp_path, start):
    steps = discover()
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    migrate(conn, steps[:start])
    conn.execute("INSERT INTO settings (key, value) VALUES ('kept', 'yes')")
    assert migrate(conn, steps) == steps[-1].number
    assert conn.execute("SELECT value FROM settings WHERE key='kept'").fetchone() == ("yes",)


def test_newer_database_is_refused_with_advice(tmp_path):
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    conn.execute("PRAGMA user_version = 999")
    with pytest.raises(MigrationError, match="newer than this program knows"):
        migrate(conn)


def test_failing_step_rolls_back_whole_step(tmp_path):
    good = tmp_path / "0001_good.sql"
    good.write_text("CREATE TABLE a (x);", encoding="utf-8")
    bad = tmp_path / "0002_bad.sql"
    bad.write_text("CREATE TABLE b (x);\nINSERT INTO missing VALUES (1);", encoding="utf-8")
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    with pytest.raises(MigrationError, match="0002_bad.sql failed"):
        migrate(conn, [Migration(1, good), Migration(2, bad)])
    assert current_version(conn) == 1
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "b" not in names and "a" in names


def test_audit_log_is_append_only(tmp_path):
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    migrate(conn)
    conn.execute("INSERT INTO audit_log (actor, action) VALUES ('mario', 'login')")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit_log SET action = 'nothing'")
    # An erasure may pseudonymise who it was about.
    conn.execute("UPDATE audit_log SET actor = 'anon-1'")
