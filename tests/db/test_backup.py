"""`ketnap backup` and `ketnap restore` (db.backup) on SQLite and PostgreSQL: a backup taken while dossiers are being
advanced is consistent (its audit chain verifies, every dossier's state is its last entry's), a restore brings the
database back to the backup and verifies it, and a bad backup or a missing --force replaces nothing."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from db_world import query
from db_world import run_cli as run

from ketnap.db.audit_log import verify
from ketnap.db.backup import BackupError, restore
from ketnap.db.repository import SqlUnitOfWork
from ketnap.db.session import make_engine
from ketnap.engine.errors import KetnapError
from ketnap.engine.service import Actor, advance, local_today
from ketnap.workflows.admission import build_workflow

pytestmark = pytest.mark.db
ACTOR = Actor(None, "test", frozenset({"branch_committee", "grassroots_staff", "superior_board"}), None)


@pytest.fixture()
def demo(fresh_database: Callable[[], str]) -> str:
    url = fresh_database()
    for args in (["init-db"], ["demo", "--size", "60", "--seed", "5"]):
        result = run(url, *args)
        assert result.exit_code == 0, result.output
    return url


def states(url: str) -> dict[int, tuple[str, int]]:
    return {r.id: (r.state, r.version) for r in query(url, "SELECT id, state, version FROM dossiers")}


def withdraw_sources(url: str, stop: threading.Event, done: list[int], parity: int) -> None:
    """Withdraw every early-stage dossier whose ID has this parity, one transaction each, until told to stop."""
    workflow = build_workflow()
    engine = make_engine(url)
    try:
        early = query(url, "SELECT id FROM dossiers WHERE state IN ('source', 'sympathiser') ORDER BY id")
        for dossier_id in [r.id for r in early if r.id % 2 == parity]:
            if stop.is_set():
                break
            facts = {"withdrawn_on": local_today().isoformat(), "requested_by": "candidate", "reason": "Chuyển nơi cư trú."}
            try:
                if advance(SqlUnitOfWork(engine, workflow), workflow, dossier_id, "withdraw", facts, ACTOR, None).applied:
                    done.append(dossier_id)
            except KetnapError:
                continue
    finally:
        engine.dispose()


def test_a_backup_under_load_is_consistent_and_a_restore_brings_it_back(demo: str, tmp_path: Path) -> None:
    dest = tmp_path / ("ketnap.sqlite" if demo.startswith("sqlite") else "ketnap.dump")
    stop, done = threading.Event(), []
    writer = threading.Thread(target=withdraw_sources, args=(demo, stop, done, 0))  # writes while the backup runs
    writer.start()
    try:
        result = run(demo, "backup", str(dest))
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert dest.is_file() and not dest.with_name(dest.name + ".partial").exists()
    if demo.startswith("sqlite"):  # the copy is a database of its own: consistent, verified
        assert "không hồ sơ nào hỏng" in result.output
        assert sqlite3.connect(dest).execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        copy = f"sqlite:///{dest}"
        engine = make_engine(copy)
        try:
            assert verify(engine).ok
        finally:
            engine.dispose()
    at_backup = states(f"sqlite:///{dest}") if demo.startswith("sqlite") else None

    # later work, then the restore: the database is the backup's again, and verifies
    stop.clear()
    later: list[int] = []
    withdraw_sources(demo, stop, later, 1)
    assert later, "nothing changed after the backup: the test would prove nothing"
    before_restore = states(demo)
    refused = run(demo, "restore", str(dest))
    if demo.startswith("sqlite"):
        assert refused.exit_code == 1 and "--force" in refused.output
        assert states(demo) == before_restore  # nothing replaced without --force
    restored = run(demo, "restore", "--force", str(dest)) if demo.startswith("sqlite") else refused
    assert restored.exit_code == 0, restored.output
    assert "không hồ sơ nào hỏng" in restored.output
    after = states(demo)
    assert after != before_restore
    if at_backup is not None:
        assert after == at_backup
        kept = list(tmp_path.glob("**/*.before-restore-*")) + list(Path(demo.removeprefix("sqlite:///")).parent.glob("*.before-restore-*"))
        assert kept and states(f"sqlite:///{kept[0]}") == before_restore  # the replaced database is kept, whole


def test_a_broken_or_foreign_file_is_refused_and_nothing_is_replaced(demo: str, tmp_path: Path) -> None:
    before = states(demo)
    junk = tmp_path / "not-a-backup.sqlite"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    result = run(demo, "restore", "--force", str(junk))
    assert result.exit_code == 1 and "nothing replaced" in result.output
    missing = run(demo, "restore", "--force", str(tmp_path / "nowhere.sqlite"))
    assert missing.exit_code == 1 and "no such backup file" in missing.output
    assert states(demo) == before


def test_a_backup_whose_chain_was_tampered_with_is_not_restored(fresh_database: Callable[[], str], tmp_path: Path) -> None:
    url = fresh_database()
    if not url.startswith("sqlite"):
        pytest.skip("the chain of a SQLite backup file is checked before a restore; a pg_dump archive is checked after")
    for args in (["init-db"], ["demo", "--size", "20", "--seed", "5"]):
        assert run(url, *args).exit_code == 0
    dest = tmp_path / "copy.sqlite"
    assert run(url, "backup", str(dest)).exit_code == 0
    conn = sqlite3.connect(dest)
    conn.execute("DROP TRIGGER transition_log_no_update")
    conn.execute("UPDATE transition_log SET actor_name = 'Người khác' WHERE id = (SELECT min(id) FROM transition_log)")
    conn.commit()
    conn.close()
    before = states(url)
    with pytest.raises(BackupError, match="audit chain does not verify"):
        restore(url, dest, replace=True)
    assert states(url) == before


def test_backup_refuses_to_overwrite_without_force(demo: str, tmp_path: Path) -> None:
    dest = tmp_path / "taken.bak"
    dest.write_text("keep me")
    result = run(demo, "backup", str(dest))
    assert result.exit_code == 1 and "--force" in result.output
    assert dest.read_text() == "keep me"
