"""`ketnap report` and `ketnap targets` end to end on a migrated demo database (SQLite and PostgreSQL).

Exit codes: 0 done, 2 bad input naming the option, nothing written. The demo writes the board's data
too (targets, start-of-year membership, monthly reviews: ketnap.demo_board).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from db_world import query
from db_world import run_cli as run

from ketnap.engine.service import local_today

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def demo(fresh_database: Callable[[], str]) -> str:
    url = fresh_database()
    for args in (["init-db"], ["demo", "--size", "120", "--seed", "5"]):
        result = run(url, *args)
        assert result.exit_code == 0, result.output
    return url


def top_and_child(url: str) -> tuple[int, int]:
    top = query(url, "SELECT id FROM organisations WHERE parent_id IS NULL")[0][0]
    child = query(url, "SELECT min(id) FROM organisations WHERE parent_id = :p", p=top)[0][0]
    return top, child


def test_the_demo_writes_targets_membership_and_reviews(demo: str) -> None:
    year = str(local_today().year)
    assert query(demo, "SELECT count(*) FROM targets WHERE period = :y AND category = 'total'", y=year)[0][0] > 100
    assert query(demo, "SELECT count(*) FROM membership_counts")[0][0] > 0
    this_month = f"{local_today():%Y-%m}"
    reviewed = query(demo, "SELECT count(*) FROM sympathiser_reviews WHERE period = :m", m=this_month)[0][0]
    branches = query(demo, "SELECT count(*) FROM organisations WHERE level_code IN ('branch', 'grassroots_branch')")[0][0]
    assert 0 < reviewed < branches  # some branches have missed this month


def test_a_text_report_shows_the_ratio_against_the_target(demo: str) -> None:
    top, child = top_and_child(demo)
    year = local_today().year
    assert run(demo, "targets", "set", "--org", str(child), "--period", str(year + 3), "--value", "229").exit_code == 0
    result = run(demo, "report", "progress", "--org", str(top), "--period", str(year + 3))
    assert result.exit_code == 0, result.output
    assert "0/229 = 0,00%" in result.output
    name = query(demo, "SELECT name FROM organisations WHERE id = :i", i=child)[0][0]
    assert name in result.output


def test_csv_and_xlsx_reports_are_written_and_recorded(demo: str, tmp_path: Path) -> None:
    top, _child = top_and_child(demo)
    before = query(demo, "SELECT count(*) FROM access_log WHERE action = 'export_report'")[0][0]
    result = run(demo, "report", "funnel", "--org", str(top), "--period", str(local_today().year), "--format", "csv")
    assert result.exit_code == 0
    lines = list(csv.reader(io.StringIO(result.output)))
    assert any("Nguồn phát triển đảng" in cell for line in lines for cell in line)
    out = tmp_path / "bao-cao.xlsx"
    result = run(demo, "report", "structure", "--org", str(top), "--format", "xlsx", "--output", str(out))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None and any("Cơ cấu" in str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert any(c.value == "T/M BAN THƯỜNG VỤ" for row in sheet.iter_rows() for c in row)  # the province's standing committee
    assert query(demo, "SELECT count(*) FROM access_log WHERE action = 'export_report'")[0][0] == before + 2


@pytest.mark.parametrize(("args", "named"), [
    (["report", "progress", "--org", "1", "--period", "2026-13"], "--period"),
    (["report", "progress", "--org", "999999"], "--org"),
    (["report", "progress", "--org", "1", "--format", "xlsx"], "--output"),
    (["targets", "set", "--org", "1", "--period", "2026-Q1", "--value", "3"], "--period"),
    (["targets", "set", "--org", "1", "--period", "2026", "--value", "-3"], "--value"),
    (["targets", "members", "--org", "1", "--year", "1800", "--count", "30"], "--year"),
])
def test_bad_input_names_the_option_and_writes_nothing(demo: str, args: list[str], named: str) -> None:
    targets = query(demo, "SELECT count(*) FROM targets")[0][0]
    result = run(demo, *args)
    assert result.exit_code == 2
    assert named in result.output
    assert query(demo, "SELECT count(*) FROM targets")[0][0] == targets


def test_a_board_member_sets_targets_below_and_not_for_its_own_organisation(demo: str) -> None:
    board_org = query(demo, "SELECT org_id FROM users WHERE username = 'bantochuc'")[0][0]
    below = query(demo, "SELECT min(id) FROM organisations WHERE parent_id = :p", p=board_org)[0][0]
    ok = run(demo, "targets", "set", "--org", str(below), "--period", "2040", "--category", "women", "--value", "4", "--as", "bantochuc")
    assert ok.exit_code == 0, ok.output
    refused = run(demo, "targets", "set", "--org", str(board_org), "--period", "2040", "--value", "4", "--as", "bantochuc")
    assert refused.exit_code == 2 and "cấp trên giao" in refused.output
    listed = run(demo, "targets", "list", "--org", str(board_org), "--period", "2040")
    assert "women" in listed.output and "Lê Văn Tổ" in listed.output
    assert run(demo, "targets", "clear", "--org", str(below), "--period", "2040", "--category", "women").exit_code == 0
    assert query(demo, "SELECT count(*) FROM targets WHERE period = '2040'")[0][0] == 0
