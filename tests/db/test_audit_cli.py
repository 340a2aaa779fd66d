"""`ketnap audit` end to end on a migrated demo database (SQLite and PostgreSQL), and docs/verify_export.py.

Exit codes: 0 verified, 1 something broken (named), 2 bad input (the option named). Exports are
recorded in the access log; an export verifies offline, and a tampered line of it is named.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from db_world import query
from db_world import run_cli as run
from sqlalchemy import text

from ketnap.db import audit_log
from ketnap.db.audit_log import verify
from ketnap.db.session import make_engine

pytestmark = pytest.mark.db
ROOT = Path(__file__).resolve().parents[2]


def demo_database(fresh_database: Callable[[], str], size: int) -> str:
    url = fresh_database()
    for args in (["init-db"], ["demo", "--size", str(size), "--seed", "11"]):
        result = run(url, *args)
        assert result.exit_code == 0, result.output
    return url


@pytest.fixture(scope="module")
def cli_db(fresh_database: Callable[[], str]) -> str:
    return demo_database(fresh_database, 30)


def top_org(url: str) -> int:
    return int(query(url, "SELECT id FROM organisations WHERE parent_id IS NULL ORDER BY id LIMIT 1")[0][0])


def long_dossier(url: str) -> tuple[int, int]:
    """A dossier with several entries, and how many."""
    found = query(url, "SELECT id, log_count FROM dossiers WHERE log_count >= 4 ORDER BY id LIMIT 1")
    return int(found[0][0]), int(found[0][1])


def verify_script(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "docs" / "verify_export.py"), str(path)], capture_output=True,
                          text=True, check=False)


# -- verify and anchor --------------------------------------------------------------------------


def test_a_clean_log_verifies_with_exit_0(cli_db: str) -> None:
    result = run(cli_db, "audit", "verify")
    assert result.exit_code == 0, result.output
    entries = query(cli_db, "SELECT count(*) FROM transition_log")[0][0]
    assert f"Đã kiểm tra: {entries} mục của 30 hồ sơ" in result.output
    assert "không hồ sơ nào hỏng" in result.output


def test_an_anchor_is_printed_and_checked_from_the_command_line_and_a_file(cli_db: str, tmp_path: Path) -> None:
    taken = run(cli_db, "audit", "anchor")
    assert taken.exit_code == 0
    mark = taken.stdout.strip()
    count, last_id, digest = mark.split(":")
    assert int(count) == query(cli_db, "SELECT count(*) FROM transition_log")[0][0] and len(digest) == 64
    anchors = tmp_path / "anchors.txt"
    anchors.write_text(f"# mốc hằng ngày\n\n{mark}  # 23/11/2026\n", encoding="utf-8")
    held = run(cli_db, "audit", "verify", "--anchor", mark, "--anchors-file", str(anchors))
    assert held.exit_code == 0, held.output
    assert "mốc: 1 khớp, 0 không khớp" in held.output
    forged = f"{count}:{last_id}:{'0' * 64}"
    failed = run(cli_db, "audit", "verify", "--anchor", forged)
    assert failed.exit_code == 1
    assert f"mốc {count}:{last_id} KHÔNG khớp" in failed.output


@pytest.mark.parametrize(("args", "option"), [
    (["--since", "2026-02-30"], "--since"),
    (["--org", "999999"], "--org"),
    (["--anchor", "12:12:nothex"], "--anchor"),
    (["--anchors-file", "/nonexistent/anchors.txt"], "--anchors-file"),
    (["--file", "/nonexistent/export.jsonl"], "--file"),
    (["--file", str(ROOT / "docs" / "verify_export.py"), "--since", "2026-01-01"], "--since"),
])
def test_bad_input_exits_2_naming_the_option(cli_db: str, args: list[str], option: str) -> None:
    result = run(cli_db, "audit", "verify", *args)
    assert result.exit_code == 2, result.output
    assert "Dữ liệu không hợp lệ" in result.output and option in result.output


def test_a_file_that_is_not_an_export_exits_2(cli_db: str, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run(cli_db, "audit", "verify", "--file", str(other))
    assert result.exit_code == 2 and "thiếu cột" in result.output


# -- exports ------------------------------------------------------------------------------------


def test_a_dossier_export_is_recorded_and_verifies_offline(cli_db: str, tmp_path: Path) -> None:
    dossier_id, entries = long_dossier(cli_db)
    out = tmp_path / "dossier.jsonl"
    result = run(cli_db, "audit", "export", "--dossier", str(dossier_id), "--format", "jsonl", "--output", str(out), "--as", "kiemtra")
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, entries + 1))
    recorded = query(cli_db, "SELECT user_name, action, dossier_id, detail FROM access_log WHERE dossier_id = :d", d=dossier_id)
    assert [(r[0], r[1], r[2]) for r in recorded] == [("Phạm Thị Kiểm", "export_dossier_log", dossier_id)]
    detail = recorded[0][3] if isinstance(recorded[0][3], dict) else json.loads(recorded[0][3])
    assert detail["format"] == "jsonl" and detail["output"] == str(out)
    checked = run(cli_db, "audit", "verify", "--file", str(out))
    assert checked.exit_code == 0, checked.output
    assert f"{entries} mục của 1 hồ sơ" in checked.output
    outside = verify_script(out)
    assert outside.returncode == 0, outside.stdout
    assert "1 dossiers, 0 broken" in outside.stdout


def test_an_organisation_export_as_csv_has_a_bom_and_verifies(cli_db: str, tmp_path: Path) -> None:
    out = tmp_path / "org.csv"
    result = run(cli_db, "audit", "export", "--org", str(top_org(cli_db)), "--format", "csv", "--output", str(out))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,dossier_id,seq,actor_id,actor_name,at,act_date,")
    entries = query(cli_db, "SELECT count(*) FROM transition_log")[0][0]
    checked = run(cli_db, "audit", "verify", "--file", str(out))
    assert checked.exit_code == 0, checked.output
    assert f"{entries} mục của 30 hồ sơ" in checked.output
    recorded = query(cli_db, "SELECT user_name, action, org_id FROM access_log WHERE action = 'export_org_log'")
    assert ("cli", "export_org_log", top_org(cli_db)) in [tuple(r) for r in recorded]


def test_an_export_to_standard_output(cli_db: str) -> None:
    dossier_id, entries = long_dossier(cli_db)
    result = run(cli_db, "audit", "export", "--dossier", str(dossier_id), "--format", "jsonl")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == entries
    assert f"Đã xuất {entries} mục nhật ký của hồ sơ {dossier_id}" in result.stderr


def tampered_copy(source: Path, target: Path, dossier_id: int, seq: int, change: Callable[[str], str]) -> None:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if f'"dossier_id":{dossier_id},' in line and f'"seq":{seq},' in line]
    assert len(hits) == 1
    lines[hits[0]] = change(lines[hits[0]])
    target.write_text("".join(lines), encoding="utf-8")


def test_a_tampered_export_line_is_named(cli_db: str, tmp_path: Path) -> None:
    dossier_id, _entries = long_dossier(cli_db)
    out = tmp_path / "org.jsonl"
    assert run(cli_db, "audit", "export", "--org", str(top_org(cli_db)), "--format", "jsonl", "--output", str(out)).exit_code == 0
    bad = tmp_path / "tampered.jsonl"
    tampered_copy(out, bad, dossier_id, 2, lambda line: line.replace('"actor_name":"', '"actor_name":"X', 1))
    result = run(cli_db, "audit", "verify", "--file", str(bad))
    assert result.exit_code == 1
    assert f"Hồ sơ {dossier_id}, mục 2 (id " in result.output and "nội dung mục đã bị sửa" in result.output
    assert "1 hồ sơ có chỗ hỏng" in result.output
    outside = verify_script(bad)
    assert outside.returncode == 1
    assert f"dossier {dossier_id}, entry 2 " in outside.stdout and "content does not match" in outside.stdout
    dropped = tmp_path / "dropped.jsonl"
    tampered_copy(out, dropped, dossier_id, 2, lambda _line: "")
    assert f"dossier {dossier_id}, entry 2 " in verify_script(dropped).stdout
    gone = run(cli_db, "audit", "verify", "--file", str(dropped))
    assert gone.exit_code == 1 and f"Hồ sơ {dossier_id}, mục 2 (id " in gone.output and "bị thiếu" in gone.output


def test_unreadable_lines_of_an_export_are_named_by_line(cli_db: str, tmp_path: Path) -> None:
    dossier_id, entries = long_dossier(cli_db)
    out = tmp_path / "dossier.jsonl"
    assert run(cli_db, "audit", "export", "--dossier", str(dossier_id), "--format", "jsonl", "--output", str(out)).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = json.loads(lines[1])
    del broken["hash"]
    lines[1] = json.dumps(broken, ensure_ascii=False) + "\n"
    out.write_text("".join(lines) + "{not json\n", encoding="utf-8")
    result = run(cli_db, "audit", "verify", "--file", str(out))
    assert result.exit_code == 1
    assert f"Hồ sơ {dossier_id}: dòng 2 không đọc được: thiếu hash" in result.output
    assert "Không rõ hồ sơ: dòng " + str(entries + 1) + " không đọc được" in result.output


def test_a_tampered_csv_cell_is_named(cli_db: str, tmp_path: Path) -> None:
    dossier_id, _entries = long_dossier(cli_db)
    out = tmp_path / "dossier.csv"
    assert run(cli_db, "audit", "export", "--dossier", str(dossier_id), "--format", "csv", "--output", str(out)).exit_code == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[2]["at"] = rows[2]["at"].replace(":00+00:00", ":01+00:00")  # the third entry, a second later
    bad = tmp_path / "tampered.csv"
    with bad.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = run(cli_db, "audit", "verify", "--file", str(bad))
    assert result.exit_code == 1
    assert f"Hồ sơ {dossier_id}, mục 3 (id " in result.output


@pytest.mark.parametrize(("args", "option"), [
    (["--format", "csv"], "--dossier / --org"),
    (["--format", "csv", "--dossier", "1", "--org", "1"], "--dossier / --org"),
    (["--format", "csv", "--dossier", "999999"], "--dossier"),
    (["--format", "csv", "--org", "999999"], "--org"),
    (["--format", "csv", "--org", "1", "--as", "nobody"], "--as"),
])
def test_export_bad_input_exits_2_and_records_nothing(cli_db: str, args: list[str], option: str) -> None:
    before = query(cli_db, "SELECT count(*) FROM access_log")[0][0]
    result = run(cli_db, "audit", "export", *args)
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert query(cli_db, "SELECT count(*) FROM access_log")[0][0] == before


def test_export_outside_the_users_scope_is_refused(cli_db: str) -> None:
    before = query(cli_db, "SELECT count(*) FROM access_log")[0][0]
    result = run(cli_db, "audit", "export", "--org", str(top_org(cli_db)), "--format", "jsonl", "--as", "chiuy")
    assert result.exit_code == 2 and "--org" in result.output and "phạm vi" in result.output
    assert query(cli_db, "SELECT count(*) FROM access_log")[0][0] == before


# -- a committed attack, found by the command and by worker processes -------------------------------


@pytest.fixture(scope="module")
def tampered_db(fresh_database: Callable[[], str]) -> tuple[str, int, int]:
    """A demo database in which one entry was changed for good, triggers out of the way: (url, dossier, seq)."""
    url = demo_database(fresh_database, 12)
    dossier_id, _entries = long_dossier(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("DROP TRIGGER transition_log_no_update")
            else:
                conn.exec_driver_sql("ALTER TABLE transition_log DISABLE TRIGGER transition_log_no_change")
            conn.execute(text("UPDATE transition_log SET actor_name = 'Kẻ Giả Mạo' WHERE dossier_id = :d AND seq = 3"), {"d": dossier_id})
    finally:
        engine.dispose()
    return url, dossier_id, 3


def test_the_command_names_a_committed_attack_and_exits_1(tampered_db: tuple[str, int, int]) -> None:
    url, dossier_id, seq = tampered_db
    result = run(url, "audit", "verify")
    assert result.exit_code == 1
    assert f"Hồ sơ {dossier_id}, mục {seq} (id " in result.output
    assert "1 hồ sơ có chỗ hỏng" in result.output
    assert run(url, "audit", "verify", "--org", str(top_org(url))).exit_code == 1


def test_worker_processes_find_what_one_process_finds(tampered_db: tuple[str, int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    url, dossier_id, seq = tampered_db
    engine = make_engine(url)
    try:
        mark = audit_log.anchor(engine)
        alone = verify(engine, workers=1, anchors=[mark])
        monkeypatch.setattr(audit_log, "PARALLEL_ABOVE", 0)
        together = verify(engine, workers=3, anchors=[mark])
    finally:
        engine.dispose()
    assert together.workers == 3 and alone.workers == 1
    assert [(b.dossier_id, b.seq, b.kind) for b in together.breaks] == [(dossier_id, seq, "hash")]
    assert together.breaks == alone.breaks
    assert (together.dossiers, together.entries) == (alone.dossiers, alone.entries) == (12, mark.count)
    assert [c.ok for c in together.anchors] == [c.ok for c in alone.anchors] == [True]


def test_the_script_in_the_documentation_is_the_committed_one() -> None:
    doc = (ROOT / "docs" / "audit-chain.md").read_text(encoding="utf-8")
    block = doc.split("<!-- verify_export.py -->\n```python\n", 1)[1].split("```\n", 1)[0]
    assert block == (ROOT / "docs" / "verify_export.py").read_text(encoding="utf-8")
