"""`ketnap report` and `ketnap targets`: the organisation board's reports and the targets behind them.

  ketnap report progress --org 2 --period 2026 --format txt
  ketnap report structure --org 2 --period 2026-Q3 --format xlsx --output bao-cao.xlsx
  ketnap targets set --org 6 --period 2026 --category total --value 12
  ketnap targets members --org 6 --year 2026 --count 307

Exit codes as in cli.py: 0 done, 2 bad input (the option named, nothing written). Every report
written to a file or the screen is recorded in the access log first (the deadlines report names
candidates), under the user given with --as (or "cli").
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import Connection

from ..db.access_log import record_access
from ..db.dossier_list import scope_org_ids
from ..db.reports import target_rows
from ..db.targets import TargetError, clear_target, set_membership, set_target, target_period_code
from ..engine.service import Actor, local_today
from ..reports.build import KINDS, Context, build_report
from ..reports.excel import report_xlsx
from ..reports.periods import parse_period
from ..reports.targets import CATEGORIES
from ..reports.text import report_csv, report_txt
from . import services
from .cli import current_actor, fail, parse_date
from .cli_audit import BAD_INPUT, check_scope

FORMATS = ("txt", "csv", "xlsx")
as_option = click.option("--as", "username", envvar="KETNAP_USER", default=None, help="Tên đăng nhập của người dùng.")
SETTERS = frozenset({"superior_board", "grassroots_staff"})


@click.command("report")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.option("--org", "org_id", type=int, required=True, help="Tổ chức đảng (mã số, xem `ketnap orgs`).")
@click.option("--period", default=None, help="2026, 2026-03, 2026-Q1, 2026-H1 hoặc 2025-2030 (mặc định: năm nay).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="txt", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Tệp ghi ra (bắt buộc với xlsx; mặc định: màn hình).")
@click.option("--as-of", "as_of", default=None, help="Tính đến ngày (dd/mm/yyyy; mặc định hôm nay).")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--width", type=click.IntRange(60, 400), default=160, show_default=True, help="Độ rộng dòng của báo cáo txt.")
@as_option
@with_appcontext
def report(kind: str, org_id: int, period: str | None, fmt: str, output: Path | None, as_of: str | None, lang: str,
           width: int, username: str | None) -> None:
    """Báo cáo công tác kết nạp đảng viên: progress (tiến độ so với chỉ tiêu), structure (cơ cấu), funnel (các bước),
    deadlines (quá hạn, sắp đến hạn), reviews (rà soát danh sách cảm tình Đảng)."""
    today = parse_date(as_of, "--as-of") or local_today()
    try:
        chosen = parse_period(period or str(today.year))
    except ValueError as err:
        fail(f"{BAD_INPUT}--period: {err}")
    if fmt == "xlsx" and output is None:
        fail(f"{BAD_INPUT}--output: cần tên tệp cho định dạng xlsx (an xlsx report needs --output).")
    actor = current_actor(username)
    svc = services()
    with svc.engine.connect() as conn:
        check_scope(conn, actor, None, org_id)
        built = build_report(Context(conn, svc.workflow.params, svc.workflow.calendar, lang), kind, org_id, chosen, today)
    if fmt == "xlsx":
        data: bytes = report_xlsx(built, lang, signer=actor.name if actor.id is not None else None)
    else:
        text = report_txt(built, lang, width) if fmt == "txt" else report_csv(built, lang)
        data = (("\ufeff" if fmt == "csv" and output is not None else "") + text).encode()
    with svc.engine.begin() as conn:
        record_access(conn, user_id=actor.id, user_name=actor.name, action="export_report", org_id=org_id,
                      detail={"kind": kind, "period": chosen.code, "format": fmt, "output": str(output or "stdout"), "via": "cli"})
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as err:
        fail(f"{BAD_INPUT}--output: không ghi được {output} ({err.strerror}).")
    click.echo(f"Đã ghi báo cáo {kind} của tổ chức {org_id}, {chosen.label.vi}, vào {output}.", err=True)


@click.group("targets")
def targets() -> None:
    """Chỉ tiêu kết nạp đảng viên (năm, nhiệm kỳ, cơ cấu) và số đảng viên đầu năm."""


def _setter(conn: Connection, actor: Actor, org_id: int) -> None:
    """Targets are set by the level above: the organisation must lie strictly below the user's own."""
    check_scope(conn, actor, None, org_id)
    if actor.id is not None and (not actor.roles & SETTERS or actor.scope_org_id == org_id):
        fail(f"{BAD_INPUT}--org: {actor.name} không giao chỉ tiêu cho tổ chức {org_id}: cấp trên giao "
             "(targets are set by the level above).")


def _record(conn: Connection, actor: Actor, org_id: int, detail: dict[str, Any]) -> None:
    record_access(conn, user_id=actor.id, user_name=actor.name, action="set_targets", org_id=org_id,
                  detail={**detail, "via": "cli"})


@targets.command("set")
@click.option("--org", "org_id", type=int, required=True)
@click.option("--period", required=True, help="Năm (2026) hoặc nhiệm kỳ (2025-2030).")
@click.option("--category", default="total", show_default=True, type=click.Choice(list(CATEGORIES)))
@click.option("--value", required=True, help="Số người (số nguyên ≥ 0).")
@click.option("--note", default=None)
@as_option
@with_appcontext
def targets_set(org_id: int, period: str, category: str, value: str, note: str | None, username: str | None) -> None:
    """Giao (hoặc sửa) một chỉ tiêu."""
    actor = current_actor(username)
    with services().engine.begin() as conn:
        _setter(conn, actor, org_id)
        try:
            set_target(conn, org_id, period, category, value, actor.id, actor.name, note)
            _record(conn, actor, org_id, {"period": period, "category": category, "value": value})
        except TargetError as err:
            fail(BAD_INPUT + "\n  ".join(f"--{k}: {v}" for k, v in err.field_errors.items()))
    click.secho(f"Đã giao chỉ tiêu {category} {target_period_code(period)} cho tổ chức {org_id}: {value}.", fg="green")


@targets.command("clear")
@click.option("--org", "org_id", type=int, required=True)
@click.option("--period", required=True)
@click.option("--category", default="total", show_default=True, type=click.Choice(list(CATEGORIES)))
@as_option
@with_appcontext
def targets_clear(org_id: int, period: str, category: str, username: str | None) -> None:
    """Bỏ một chỉ tiêu (khi đó tính bằng tổng chỉ tiêu các tổ chức trực thuộc)."""
    actor = current_actor(username)
    with services().engine.begin() as conn:
        _setter(conn, actor, org_id)
        try:
            found = clear_target(conn, org_id, period, category)
            _record(conn, actor, org_id, {"period": period, "category": category, "value": None})
        except ValueError as err:
            fail(f"{BAD_INPUT}--period: {err}")
    click.echo("Đã bỏ chỉ tiêu." if found else "Không có chỉ tiêu này; không thay đổi gì.")


@targets.command("members")
@click.option("--org", "org_id", type=int, required=True)
@click.option("--year", required=True)
@click.option("--count", "members", required=True, help="Tổng số đảng viên đầu năm.")
@as_option
@with_appcontext
def targets_members(org_id: int, year: str, members: str, username: str | None) -> None:
    """Ghi tổng số đảng viên đầu năm của một tổ chức (căn cứ tính tỷ lệ kết nạp 3–4%)."""
    actor = current_actor(username)
    with services().engine.begin() as conn:
        _setter(conn, actor, org_id)
        try:
            set_membership(conn, org_id, year, members, actor.id, actor.name)
            _record(conn, actor, org_id, {"year": year, "members": members})
        except TargetError as err:
            fail(BAD_INPUT + "\n  ".join(f"--{'count' if k == 'members' else k}: {v}" for k, v in err.field_errors.items()))
    click.secho(f"Đã ghi {members} đảng viên đầu năm {year} cho tổ chức {org_id}.", fg="green")


@targets.command("list")
@click.option("--org", "org_id", type=int, required=True)
@click.option("--period", required=True)
@as_option
@with_appcontext
def targets_list(org_id: int, period: str, username: str | None) -> None:
    """Các chỉ tiêu của một tổ chức và các tổ chức cấp dưới trong một năm hoặc nhiệm kỳ."""
    actor = current_actor(username)
    try:
        code = target_period_code(period)
    except ValueError as err:
        fail(f"{BAD_INPUT}--period: {err}")
    with services().engine.connect() as conn:
        check_scope(conn, actor, None, org_id)
        rows = target_rows(conn, scope_org_ids(conn, org_id) or [org_id], code)
    if not rows:
        click.echo(f"Chưa có chỉ tiêu {code} nào.")
    for row in rows:
        click.echo(f"  tổ chức {row['org_id']:5}  {row['category']:28} {row['value']:6}  "
                   f"({row['set_by_name']}, {row['set_at']:%d/%m/%Y})")


