"""`ketnap import`: sources ("nguồn") from a CSV or XLSX file, every row checked, then all or nothing.

  ketnap import nguon.xlsx --dry-run --as chiuy     # check only: every problem, nothing written
  ketnap import nguon.csv --as danguy               # write every new person, or nothing if any row is wrong
  ketnap import --template mau-nguon.xlsx           # the template (.xlsx or .csv): titles and an example row

The columns, the encodings and what each cell accepts: ketnap/source_file.py; the checks and the
writing: ketnap/db/source_import.py. A person whose citizen ID is already registered is matched, not
added again, so importing a file twice adds nothing. Exit codes as in cli.py: 0 done (a dry run: nothing
wrong), 2 bad input (each problem printed as 'dòng 7, cột Số CCCD: …'; nothing written).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..db.source_import import ALREADY_REGISTERED, ImportProblem, ImportReport, branches_for, import_sources
from ..engine.service import local_today
from ..source_file import FORMATS, MAX_BYTES, template_csv, template_xlsx
from . import services
from .cli import EXIT_BAD_INPUT, current_actor, fail
from .cli_audit import BAD_INPUT

# cli.py's --as option, spelled again: in the import cycle with cli.py, mypy cannot type its `as_option` here.
as_option = click.option("--as", "username", envvar="KETNAP_USER", default=None, help="Tên đăng nhập của người nhập.")
WORDS = {
    "vi": {"line": "dòng", "column": "cột", "file": "tệp", "checked": "Đã kiểm tra, không ghi gì", "done": "Đã nhập",
           "refused": "Không ghi gì", "rows": "dòng", "new": "mới (sẽ được thêm)", "created": "đã thêm", "unchanged": "đã có",
           "error": "dòng có lỗi", "problems": "lỗi"},
    "en": {"line": "line", "column": "column", "file": "file", "checked": "Checked, nothing written", "done": "Imported",
           "refused": "Nothing written", "rows": "rows", "new": "new (to be added)", "created": "created", "unchanged": "unchanged",
           "error": "rows with errors", "problems": "problems"},
}


@click.command("import")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra: báo mọi lỗi, không ghi gì.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="csv hoặc xlsx (mặc định: theo nội dung và tên tệp).")
@click.option("--template", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Ghi tệp mẫu (.xlsx hoặc .csv) vào đường dẫn này.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@as_option
@with_appcontext
def import_cmd(file: Path | None, dry_run: bool, fmt: str | None, template: Path | None, lang: str, username: str | None) -> None:
    """Nhập danh sách nguồn từ tệp CSV hoặc XLSX (kiểm tra mọi dòng; có lỗi thì không ghi gì)."""
    if template is not None:
        write_template(template, username)
        if file is None:
            return
    if file is None:
        fail(f"{BAD_INPUT}FILE: cần tệp để nhập, hoặc --template (give a file to import, or --template).")
    try:
        with file.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # one byte more than allowed is enough to be refused
    except OSError as err:
        fail(f"{BAD_INPUT}FILE: không đọc được {file} ({err.strerror}).")
    svc = services()
    report = import_sources(svc.engine, svc.workflow, current_actor(username), data, file.name, dry_run, local_today(), fmt=fmt,
                            via="cli")
    print_report(report, lang)
    if not report.ok:
        sys.exit(EXIT_BAD_INPUT)


def write_template(path: Path, username: str | None) -> None:
    """The template, with the codes and names of the branches the user (everyone's, without --as) imports into."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        fail(f"{BAD_INPUT}--template: tên tệp phải kết thúc bằng .xlsx hoặc .csv (the name must end in .xlsx or .csv).")
    with services().engine.connect() as conn:
        branches = branches_for(conn, current_actor(username))
    data = (template_xlsx if suffix == "xlsx" else template_csv)(local_today(), branches)
    try:
        path.write_bytes(data)
    except OSError as err:
        fail(f"{BAD_INPUT}--template: không ghi được {path} ({err.strerror}).")
    click.echo(f"Đã ghi tệp mẫu {path}.", err=True)


def problem_line(problem: ImportProblem, lang: str) -> str:
    """'dòng 7, cột Số CCCD: …' ('line 7, column Số CCCD: …' in English); the file as a whole: 'tệp: …'."""
    words = WORDS[lang]
    where = [f"{words['line']} {problem.line}"] if problem.line is not None else []
    if problem.column is not None:
        where.append(f"{words['column']} {problem.column}")
    return f"{', '.join(where) or words['file']}: {problem.message}"


def print_report(report: ImportReport, lang: str) -> None:
    words = WORDS[lang]
    counts = report.counts
    shown = ("new", "unchanged", "error") if report.dry_run or not report.ok else ("created", "unchanged")
    parts = ", ".join(f"{counts[status]} {words[status]}" for status in shown if counts[status] or status != "error")
    head = words["refused"] if not report.ok and not report.dry_run else words["checked"] if report.dry_run else words["done"]
    for problem in report.errors:
        click.secho(problem_line(problem, lang), fg="red")
    for row in report.rows:
        if row.note is not None and row.note != ALREADY_REGISTERED:  # registered elsewhere, or under another name
            click.echo(f"{words['line']} {row.line}: {row.note}")
    summary = f"{head}: {report.filename}, {counts['rows']} {words['rows']}: {parts}"
    if report.errors:
        summary += f"; {counts['errors']} {words['problems']}"
    click.secho(summary + ".", fg="red" if not report.ok else "green")
