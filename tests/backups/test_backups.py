"""Encrypted online backups and restores on real SQLite files."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.backups import crypto, store
from appliance.backups.backup import create_backup, init_key, snapshot
from appliance.backups.errors import BackupError, DatabaseBusy, RestoreRefused
from appliance.backups.probe import check_backups
from appliance.backups.restore import restore_backup
from appliance.cli import main
from appliance.core.config import database_path
from appliance.core.db.migrate import discover, migrate
from appliance.core.restorehooks import AfterRestore
from tests.support.appliance import RunningAppliance, make_config

pytestmark = pytest.mark.fast

PHONE = "393331234567"


def backup_config(tmp_path: Path, **backup):
    config = make_config(
        tmp_path,
        backup={
            "dir": str(tmp_path / "backups"),
            "key_file": str(tmp_path / "etc" / "backup.key"),
            "keep": 3,
            **backup,
        },
    )
    return config


@pytest.fixture
def bconfig(tmp_path):
    config = backup_config(tmp_path)
    init_key(config)
    return config


def make_db(config, rows=("first",)) -> Path:
    path = database_path(config)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    migrate(conn)
    for row in rows:
        conn.execute(
            "INSERT INTO audit_log (actor, action, target) VALUES ('test', 'row', ?)", (row,)
        )
    conn.close()
    return path


def targets(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT target FROM audit_log ORDER BY id")]
    finally:
        conn.close()


def test_backup_restores_after_changes_and_keeps_a_safety_copy(bconfig):
    db = make_db(bconfig, ["before"])
    made = create_backup(bconfig)
    assert made.path.name.endswith(".backup") and made.schema == discover()[-1].number
    make_db_rows(db, ["after"])
    result = restore_backup(bconfig, made.path)
    assert targets(db) == ["before"]
    assert result.safety_backup is not None
    # The safety copy holds the state that the restore replaced, and restores in turn.
    restore_backup(bconfig, result.safety_backup)
    assert targets(db) == ["before", "after"]


def make_db_rows(db: Path, rows: list[str]) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    for row in rows:
        conn.execute("INSERT INTO audit_log (actor, action, target) VALUES ('t', 'row', ?)", (row,))
    conn.close()


def test_backup_file_holds_no_clear_personal_data(tmp_path, bconfig):
    db = make_db(bconfig, [PHONE])
    snapshot(db, tmp_path / "clear.db")
    assert PHONE.encode() in (tmp_path / "clear.db").read_bytes()  # the number is in the data
    made = create_backup(bconfig)
    data = made.path.read_bytes()
    assert PHONE.encode() not in data
    assert b"audit_log" not in data and b"SQLite format 3" not in data
    meta = crypto.read_meta(made.path)
    assert meta["schema"] == made.schema and meta["key_id"] == crypto.key_id(
        crypto.load_key(Path(bconfig.values["backup"]["key_file"]))
    )


def test_key_file_is_private_and_never_overwritten(bconfig):
    key_file = Path(bconfig.values["backup"]["key_file"])
    assert key_file.stat().st_mode & 0o777 == 0o600
    before = key_file.read_text()
    with pytest.raises(BackupError, match="already exists"):
        init_key(bconfig)
    assert key_file.read_text() == before


def test_backup_without_key_explains_the_setup(tmp_path):
    config = backup_config(tmp_path, key_file="")
    make_db(config)
    with pytest.raises(BackupError, match="key_file"):
        create_backup(config)
    assert check_backups(config).status == "warn"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[: len(b) // 2], "truncated"),
        (lambda b: b[:-1], "truncated"),
        (lambda b: b[:-17], "truncated"),
        (lambda b: b[:200] + bytes([b[200] ^ 1]) + b[201:], "damaged"),
        (lambda b: b[:40], "truncated|damaged"),
        (lambda b: b"SQLite format 3\0" + b[16:], "not a Banditore backup"),
    ],
    ids=["half", "last-byte", "last-block-tag", "flipped-bit", "header-only", "foreign-file"],
)
def test_damaged_backups_are_refused_and_live_db_untouched(bconfig, damage, message):
    db = make_db(bconfig, ["live"])
    made = create_backup(bconfig)
    bad = made.path.with_name("bad.bin")
    bad.write_bytes(damage(made.path.read_bytes()))
    make_db_rows(db, ["newer"])
    with pytest.raises(RestoreRefused, match=message):
        restore_backup(bconfig, bad)
    assert targets(db) == ["live", "newer"]


def test_backup_cut_at_a_block_boundary_is_refused(bconfig, monkeypatch):
    monkeypatch.setattr(crypto, "CHUNK_BYTES", 4096)
    db = make_db(bconfig, ["x" * 50_000])
    made = create_backup(bconfig)
    data = made.path.read_bytes()
    meta_len = int.from_bytes(data[len(crypto.MAGIC) + 17 : len(crypto.MAGIC) + 21], "big")
    first_block = len(crypto.MAGIC) + 21 + meta_len
    cut = first_block + 4 + 4096 + crypto.TAG_BYTES  # exactly after the first block
    assert len(data) > cut + 100
    bad = made.path.with_name("cut.bin")
    bad.write_bytes(data[:cut])
    with pytest.raises(RestoreRefused, match="damaged or truncated"):
        restore_backup(bconfig, bad)
    assert targets(db) == ["x" * 50_000]


def test_backup_made_with_another_key_is_refused(tmp_path, bconfig):
    make_db(bconfig)
    made = create_backup(bconfig)
    other = backup_config(tmp_path / "other")
    (tmp_path / "other").mkdir(exist_ok=True)
    init_key(other)
    make_db(other, ["other box"])
    with pytest.raises(RestoreRefused, match="another backup key"):
        restore_backup(other, made.path)
    assert targets(database_path(other)) == ["other box"]


def encrypt_db(config, db: Path, target: Path, schema: int) -> Path:
    key = crypto.load_key(Path(config.values["backup"]["key_file"]))
    with db.open("rb") as src, target.open("wb") as dst:
        crypto.encrypt(src, dst, key, {"schema": schema})
    return target


def test_backup_of_a_newer_schema_is_refused(tmp_path, bconfig):
    live = make_db(bconfig, ["live"])
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer, isolation_level=None)
    migrate(conn)
    latest = discover()[-1].number
    conn.execute(f"PRAGMA user_version = {latest + 1}")
    conn.close()
    with pytest.raises(RestoreRefused, match="newer Banditore"):
        restore_backup(bconfig, encrypt_db(bconfig, newer, tmp_path / "n.backup", latest + 1))
    assert targets(live) == ["live"]


def test_backup_of_a_foreign_database_is_refused(tmp_path, bconfig):
    make_db(bconfig)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(RestoreRefused, match="not hold a Banditore database"):
        restore_backup(bconfig, encrypt_db(bconfig, foreign, tmp_path / "f.backup", 1))


def test_retention_keeps_the_newest_generations(bconfig):
    make_db(bconfig)
    made = [create_backup(bconfig, "nightly").path for _ in range(5)]
    left = store.list_backups(store.backup_dir(bconfig))
    assert [b.path for b in left] == made[:1:-1]
    assert all(b.reason == "nightly" for b in left)


def test_copy_off_device_and_missing_target(tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    config = backup_config(tmp_path, copy_to=str(usb))
    init_key(config)
    make_db(config)
    made = create_backup(config)
    assert (usb / made.path.name).read_bytes() == made.path.read_bytes()
    assert check_backups(config).status == "ok"
    shutil.rmtree(usb)  # the stick is unplugged
    second = create_backup(config)
    assert "is not there" in second.copy_error and not usb.exists()
    check = check_backups(config)
    assert check.status == "warn" and "chiavetta" in check.explanation


def test_probe_reports_age_missing_and_failures(bconfig):
    make_db(bconfig)
    check = check_backups(bconfig)
    assert (check.status, check.value) == ("warn", "nessun backup")
    made = create_backup(bconfig)
    assert check_backups(bconfig).status == "ok"
    later = datetime.now(UTC) + timedelta(hours=40)
    assert check_backups(bconfig, now=later).status == "warn"
    Path(bconfig.values["backup"]["key_file"]).rename(made.path.parent / "moved.key")
    with pytest.raises(BackupError):
        create_backup(bconfig)
    failed = check_backups(bconfig)
    assert failed.status == "error" and "non è riuscito" in failed.explanation


def test_after_restore_hooks_fix_the_copy_before_it_goes_live(bconfig):
    db = make_db(bconfig, [PHONE, "kept"])
    made = create_backup(bconfig)
    hooks = AfterRestore()
    hooks.add(
        "suppression",
        lambda conn: conn.execute(
            "UPDATE audit_log SET target = 'suppressed' WHERE target = ?", (PHONE,)
        ),
    )
    result = restore_backup(bconfig, made.path, hooks)
    assert result.hooks == ["suppression"]
    assert targets(db) == ["suppressed", "kept"]


def test_a_failing_hook_refuses_the_restore(bconfig):
    db = make_db(bconfig, ["live"])
    made = create_backup(bconfig)
    make_db_rows(db, ["newer"])
    hooks = AfterRestore()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE no_such_table SET x = 1")

    hooks.add("broken", broken)
    with pytest.raises(RestoreRefused, match="brought up to date"):
        restore_backup(bconfig, made.path, hooks)
    assert targets(db) == ["live", "newer"]


def test_restore_over_an_unreadable_database_keeps_its_file(bconfig):
    db = make_db(bconfig, ["good"])
    made = create_backup(bconfig)
    db.write_bytes(b"this is not a database" * 100)
    Path(f"{db}-wal").unlink(missing_ok=True)
    Path(f"{db}-shm").unlink(missing_ok=True)
    result = restore_backup(bconfig, made.path)
    assert targets(db) == ["good"]
    assert result.set_aside and result.set_aside.read_bytes().startswith(b"this is not")


def test_restore_onto_a_new_box_creates_the_database(tmp_path, bconfig):
    make_db(bconfig, ["moved"])
    made = create_backup(bconfig)
    fresh = backup_config(tmp_path / "new-box")
    (tmp_path / "new-box").mkdir()
    key_file = Path(fresh.values["backup"]["key_file"])
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(Path(bconfig.values["backup"]["key_file"]).read_bytes())
    result = restore_backup(fresh, made.path)
    assert targets(database_path(fresh)) == ["moved"] and result.safety_backup is None


def write_config_file(tmp_path: Path, config) -> Path:
    path = tmp_path / "banditore.toml"
    lines = [
        "[database]",
        f'path = "{database_path(config)}"',
        "[backup]",
        f'dir = "{config.values["backup"]["dir"]}"',
        f'key_file = "{config.values["backup"]["key_file"]}"',
        f'copy_to = "{config.values["backup"]["copy_to"]}"',
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_backup_list_and_restore(tmp_path, bconfig, capsys, monkeypatch):
    monkeypatch.delenv("APPLIANCE_CONFIG", raising=False)
    db = make_db(bconfig, ["cli"])
    cfg = str(write_config_file(tmp_path, bconfig))
    assert main(["backup", "--config", cfg]) == 0
    made = store.list_backups(store.backup_dir(bconfig))[0].path
    assert str(made) in capsys.readouterr().out
    assert main(["backup", "--list", "--config", cfg]) == 0
    assert made.name in capsys.readouterr().out
    make_db_rows(db, ["later"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["restore", str(made), "--config", cfg]) == 1
    assert "--yes" in capsys.readouterr().out and targets(db) == ["cli", "later"]
    assert main(["restore", str(made), "--yes", "--config", cfg]) == 0
    assert "restored" in capsys.readouterr().out and targets(db) == ["cli"]
    assert main(["restore", str(tmp_path / "nope.backup"), "--yes", "--config", cfg]) == 1
    assert "no file" in capsys.readouterr().out


def test_cli_reports_a_missing_off_device_copy(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("APPLIANCE_CONFIG", raising=False)
    config = backup_config(tmp_path, copy_to=str(tmp_path / "absent"))
    init_key(config)
    make_db(config)
    cfg = str(write_config_file(tmp_path, config))
    assert main(["backup", "--config", cfg]) == 3
    assert "NOT copied off the device" in capsys.readouterr().out


def test_cli_init_key_prints_the_key_once(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("APPLIANCE_CONFIG", raising=False)
    config = backup_config(tmp_path)
    cfg = str(write_config_file(tmp_path, config))
    assert main(["backup", "--init-key", "--config", cfg]) == 0
    key = Path(config.values["backup"]["key_file"]).read_text().strip()
    assert key in capsys.readouterr().out
    assert main(["backup", "--init-key", "--config", cfg]) == 1
    assert key not in capsys.readouterr().out


@pytest.mark.slow
def test_backup_taken_while_the_app_writes_restores_consistently(tmp_path):
    config = backup_config(tmp_path)
    init_key(config)
    running = RunningAppliance(config).start()
    stop = threading.Event()
    db = running.appliance.db

    async def transfer(n: int) -> None:
        async def job(conn):
            # Two rows that only make sense together: a consistent copy has both or neither.
            await conn.execute(
                "INSERT INTO audit_log (actor, action, target) VALUES ('t', 'debit', ?)", (n,)
            )
            await conn.execute(
                "INSERT INTO audit_log (actor, action, target) VALUES ('t', 'credit', ?)", (n,)
            )

        await db.write(job)

    async def writer() -> int:
        n = 0
        while not stop.is_set():
            await asyncio.gather(*(transfer(n + i) for i in range(20)))
            n += 20
        return n

    try:
        future = asyncio.run_coroutine_threadsafe(writer(), running.loop)
        while running.call(db.fetchval("SELECT count(*) FROM audit_log")) < 400:
            pass
        made = create_backup(config)
        with pytest.raises(DatabaseBusy, match="stop Banditore"):
            restore_backup(config, made.path)
        stop.set()
        written = future.result(30)
    finally:
        stop.set()
        running.stop()
    restore_backup(config, made.path)
    conn = sqlite3.connect(database_path(config))
    debits = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'debit'").fetchone()[0]
    credits = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'credit'").fetchone()[0]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert debits == credits
    assert 200 <= debits < written  # taken mid-way, not before or after the writes
