"""Importing sources from a file ("nhập danh sách nguồn từ tệp"): the web page, for branch committees and grassroots staff.

/import takes a CSV or XLSX file and either checks it ("Kiểm tra": every problem with its line and column,
nothing written) or imports it (every new person in one transaction, or nothing if any row is wrong), and
shows the report: counts, the problems, each row's outcome with a link to its dossier. The checks, the
writing and the access-log record are ketnap.db.source_import's, as for `ketnap import` and the API; the
templates (.xlsx, .csv) come from ketnap.source_file, with the user's branches (codes and names).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from ..db.source_import import ImportReport, branches_for, import_sources
from ..engine.service import local_today
from ..reports.format import number_text
from ..source_file import BY_KEY, CHOICE_NAMES, COLUMNS, MAX_BYTES, MAX_ROWS, template_csv, template_xlsx
from . import db, services
from .auth import me, roles_required
from .i18n import lang

bp = Blueprint("imports", __name__)

IMPORTERS = ("branch_committee", "grassroots_staff")
SHOWN_ROWS = 500
SHOWN_ERRORS = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_LABELS = {"new": _l("To be added"), "created": _l("Added"), "unchanged": _l("Already registered"), "error": _l("Error")}


class ImportForm(FlaskForm):
    file = FileField(_l("File (CSV or XLSX)"), render_kw={"accept": ".csv,.xlsx,text/csv," + XLSX})


def _branches() -> list[tuple[str, str]]:
    return branches_for(db(), me().actor)


def _page(form: ImportForm, report: ImportReport | None = None, problem: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "import_sources.html", form=form, report=report, problem=problem, columns=COLUMNS,
        choices=[(BY_KEY[key].title, names) for key, names in CHOICE_NAMES.items()], status_labels=STATUS_LABELS,
        shown_rows=SHOWN_ROWS, shown_errors=SHOWN_ERRORS, max_mb=MAX_BYTES // 2**20, max_rows=number_text(MAX_ROWS, lang()),
        help_of=lambda column: column.help.vi if lang() == "vi" else column.help.en, branches=_branches(),
    ), status


@bp.get("/import")
@roles_required(*IMPORTERS)
def import_page() -> tuple[str, int]:
    return _page(ImportForm())


@bp.post("/import")
@roles_required(*IMPORTERS)
def import_post() -> tuple[str, int]:
    form = ImportForm()
    if not form.validate_on_submit():  # only the CSRF token is checked here: an expired form
        return _page(form, problem=_("The form has expired. Choose the file again."), status=400)
    upload = form.file.data
    if upload is None or not upload.filename:
        return _page(form, problem=_("Choose a CSV or XLSX file."), status=422)
    dry_run = request.form.get("action") != "import"
    svc = services()
    data = upload.read(MAX_BYTES + 1)  # a byte more than allowed is enough for the report to refuse the file
    report = import_sources(svc.engine, svc.workflow, me().actor, data, upload.filename, dry_run, local_today(), via="web",
                            remote_addr=request.remote_addr)
    return _page(ImportForm(formdata=None), report, status=200 if report.ok else 422)


@bp.get("/import/template.<fmt>")
@roles_required(*IMPORTERS)
def template(fmt: str) -> Response:
    if fmt == "xlsx":
        data, mimetype = template_xlsx(local_today(), _branches()), XLSX
    elif fmt == "csv":
        data, mimetype = template_csv(local_today(), _branches()), "text/csv; charset=utf-8"
    else:
        abort(404)
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="mau-nhap-nguon.{fmt}"'})
