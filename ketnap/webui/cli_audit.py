"""`ketnap audit`: verify the transition log's chains and anchors, take an anchor, export a log.

Exit codes as in cli.py: 0 all verified (or done), 1 something is broken (each broken dossier named,
with the first broken entry), 2 bad input (the option named). Every export is recorded in the
access log before it is written, under the user given with --as (or "cli" and the system account).
The chain, the anchors and the export formats are described in docs/audit-chain.md.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO, Any

import click
from flask.cli import with_appcontext
from sqlalchemy import Connection, select

from ..db.access_log import record_access
from ..db.audit_log import ExportError, VerifyReport, export_entries, verify, verify_file, write_csv, write_jsonl
from ..db.audit_log import anchor as take_anchor
from ..db.dossier_list import scope_org_ids
from ..db.models import Dossier, Organisation, table_of
from ..engine.audit import Anchor
from ..engine.errors import NotFound
from ..engine.service import Actor
from ..reports.format import number_text
from . import services
from .cli import EXIT_REFUSED, current_actor, fail, parse_date

_d, _o = table_of(Dossier), table_of(Organisation)
# cli.py's --as option, spelled again: in the import cycle with cli.py, mypy cannot type its `as_option` here.
as_option = click.option("--as", "username", envvar="KETNAP_USER", default=None, help="Tên đăng nhập của người xuất.")

BAD_INPUT = "Dữ liệu không hợp lệ (bad input):\n  "
FORMATS = ("csv", "jsonl")


def _number(value: float, decimals: int = 0) -> str:
    """A number the Vietnamese way: 1.234.567,8."""
    return number_text(value, "vi", decimals)


def read_anchors(texts: Sequence[str], anchors_file: Path | None) -> list[Anchor]:
    """Anchors from --anchor and from --anchors-file (one a line; blank lines and text after # ignored)."""
    anchors = []
    for text in texts:
        try:
            anchors.append(Anchor.parse(text))
        except ValueError as err:
            fail(f"{BAD_INPUT}--anchor: {err}")
    if anchors_file is not None:
        try:
            lines = anchors_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            fail(f"{BAD_INPUT}--anchors-file: không đọc được tệp {anchors_file} ({err}).")
        for number, line in enumerate(lines, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            try:
                anchors.append(Anchor.parse(text))
            except ValueError as err:
                fail(f"{BAD_INPUT}--anchors-file: dòng {number}: {err}")
    return anchors


def print_report(report: VerifyReport, what: str) -> None:
    for brk in report.breaks:
        click.secho(brk.line(), fg="red")
    for check in report.anchors:
        click.secho(check.message, fg="green" if check.ok else "red")
    rate = report.entries / report.seconds if report.seconds else 0.0
    broken = len(report.breaks)
    failed = sum(not check.ok for check in report.anchors)
    summary = (f"{what}: {_number(report.entries)} mục của {_number(report.dossiers)} hồ sơ trong "
               f"{_number(report.seconds, 2)} giây ({_number(rate)} mục/giây)")
    summary += f"; {_number(broken)} hồ sơ có chỗ hỏng" if broken else "; không hồ sơ nào hỏng"
    if report.anchors:
        summary += f"; mốc: {len(report.anchors) - failed} khớp, {failed} không khớp"
    click.secho(summary + ".", fg="red" if not report.ok else "green")


audit = click.Group("audit", help="Kiểm tra nhật ký (chuỗi mã băm, mốc) và xuất nhật ký (audit the transition log).")


@audit.command("verify")
@click.option("--org", "org_id", type=int, default=None, help="Chỉ hồ sơ của tổ chức này và cấp dưới.")
@click.option("--since", default=None, help="Chỉ hồ sơ có mục ghi từ ngày này (YYYY-MM-DD hoặc dd/mm/yyyy); mỗi hồ sơ kiểm tra cả chuỗi.")
@click.option("--anchor", "anchor_texts", multiple=True, help="Mốc đã lưu trước đây (số_mục:id_cuối:mã_băm), lặp lại được.")
@click.option("--anchors-file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Tệp mốc, mỗi dòng một mốc (# chú thích).")
@click.option("--file", "export_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Kiểm tra một tệp xuất (CSV hoặc JSON Lines) không cần cơ sở dữ liệu.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Số tiến trình (mặc định: số CPU).")
@with_appcontext
def verify_cmd(org_id: int | None, since: str | None, anchor_texts: tuple[str, ...], anchors_file: Path | None,
               export_file: Path | None, workers: int | None) -> None:
    """Kiểm tra mọi chuỗi nhật ký và trạng thái hồ sơ; báo chỗ hỏng đầu tiên của từng hồ sơ."""
    day = parse_date(since, "--since")
    anchors = read_anchors(anchor_texts, anchors_file)
    if export_file is not None:
        for option, given in (("--org", org_id is not None), ("--since", day is not None), ("--anchor", bool(anchors))):
            if given:
                fail(f"{BAD_INPUT}{option}: không dùng cùng --file; tệp xuất được kiểm tra cả tệp, "
                     "mốc chỉ kiểm tra được trên cơ sở dữ liệu (not with --file).")
        try:
            report = verify_file(export_file)
        except (OSError, UnicodeDecodeError, ExportError) as err:
            fail(f"{BAD_INPUT}--file: không đọc được tệp xuất {export_file}: {err}")
        print_report(report, f"Tệp {export_file.name}")
        click.echo("(Ngoại tuyến: không kiểm tra được trạng thái hồ sơ và mốc — offline: chains only.)")
    else:
        try:
            report = verify(services().engine, org_id=org_id, since=day, anchors=anchors, workers=workers)
        except NotFound as err:
            fail(f"{BAD_INPUT}--org: {err}")
        print_report(report, "Đã kiểm tra")
    if not report.ok:
        sys.exit(EXIT_REFUSED)


@audit.command("anchor")
@with_appcontext
def anchor_cmd() -> None:
    """In mốc của toàn bộ nhật ký (lưu bản sao ở nơi khác, kiểm tra lại bằng verify --anchor)."""
    found = take_anchor(services().engine)
    click.echo(str(found))
    click.echo(f"Mốc nhật ký: {_number(found.count)} mục, mục cuối id {found.last_id}. Lưu dòng trên ở nơi khác; "
               f"kiểm tra lại: ketnap audit verify --anchor {found}", err=True)


@audit.command("export")
@click.option("--dossier", "dossier_id", type=int, default=None, help="Nhật ký của một hồ sơ.")
@click.option("--org", "org_id", type=int, default=None, help="Nhật ký các hồ sơ của tổ chức này và cấp dưới.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="csv (UTF-8 có BOM, mở được bằng Excel) hoặc jsonl.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Tệp ghi ra (mặc định: màn hình).")
@as_option
@with_appcontext
def export_cmd(dossier_id: int | None, org_id: int | None, fmt: str, output: Path | None, username: str | None) -> None:
    """Xuất nhật ký của một hồ sơ hoặc một tổ chức, kèm mã băm, để kiểm tra ngoại tuyến (ghi vào nhật ký truy cập)."""
    if (dossier_id is None) == (org_id is None):
        fail(f"{BAD_INPUT}--dossier / --org: cần đúng một trong hai (give exactly one).")
    actor = current_actor(username)
    engine = services().engine
    with engine.connect() as conn:
        check_scope(conn, actor, dossier_id, org_id)
    with _open(output) as fh:
        with engine.begin() as conn:  # recorded and committed before a line is written
            record_access(conn, user_id=actor.id, user_name=actor.name,
                          action="export_dossier_log" if dossier_id is not None else "export_org_log",
                          dossier_id=dossier_id, org_id=org_id,
                          detail={"format": fmt, "output": str(output or "stdout"), "via": "cli", "system_user": _system_user()})
        write: Callable[[Iterable[dict[str, Any]], IO[str]], int] = write_csv if fmt == "csv" else write_jsonl
        with engine.connect() as conn:
            count = write(export_entries(conn, dossier_id=dossier_id, org_id=org_id), fh)
    what = f"hồ sơ {dossier_id}" if dossier_id is not None else f"tổ chức {org_id}"
    click.echo(f"Đã xuất {_number(count)} mục nhật ký của {what} ({fmt}){f' vào {output}' if output else ''}.", err=True)


def _open(output: Path | None) -> AbstractContextManager[IO[str]]:
    if output is None:
        return nullcontext(sys.stdout)
    try:
        return output.open("w", encoding="utf-8", newline="")  # lines end as the writer ends them
    except OSError as err:
        fail(f"{BAD_INPUT}--output: không ghi được {output} ({err.strerror}).")


def _system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password database
        return "?"


def check_scope(conn: Connection, actor: Actor, dossier_id: int | None, org_id: int | None) -> None:
    """The dossier or organisation must exist and, for a user with an organisation, lie in its subtree."""
    if dossier_id is not None:
        org = conn.execute(select(_d.c.branch_id).where(_d.c.id == dossier_id)).scalar()
        option, label = "--dossier", f"không có hồ sơ {dossier_id}"
    else:
        org = conn.execute(select(_o.c.id).where(_o.c.id == org_id)).scalar()
        option, label = "--org", f"không có tổ chức {org_id}"
    scope = scope_org_ids(conn, actor.scope_org_id)
    if org is None or (scope is not None and org not in scope):
        fail(f"{BAD_INPUT}{option}: {label} trong phạm vi của {actor.name} (not found in scope).")
