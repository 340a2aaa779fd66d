"""Branch lists: the sympathiser list with its monthly review, and the training-class nominations.

The sympathiser list ("danh sách quần chúng cảm tình Đảng") of one branch: who is on it, since when,
and the official member assigned to help each ("đảng viên được phân công giúp đỡ"). The branch
reviews it every month ("rà soát danh sách cảm tình Đảng hằng tháng") and records the review here;
a month is recorded once, and recording it again changes nothing and says so (the review is a dated
fact of a meeting, not a draft to amend). The training page lists those nominated for the Party
awareness class and those holding its certificate, with the last day the certificate is valid.
Each page runs a fixed number of queries, however long the lists (ketnap.db.branch_lists).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict
from wtforms import SelectField, StringField, TextAreaField

from ..db import branch_lists
from ..engine.dates import add_months, completed_months
from ..engine.service import local_today
from ..workflows import vocab
from ..workflows.schemas import VNDate, no_control_characters
from . import db, db_session, services
from .auth import DOSSIER_READERS, me, roles_required
from .dossiers import scope_branches, scope_orgs
from .forms import today_text
from .i18n import lang
from .labels import field_label

bp = Blueprint("lists", __name__, url_prefix="/lists")

REVIEWERS = ("branch_committee", "grassroots_staff")
HISTORY = 12  # reviews shown, and months one may record a review for
EXPIRY_WARNING_MONTHS = 3
NOTE_MAX = 2000


# -- months ------------------------------------------------------------------------------------


def period_of(day: date) -> str:
    """The month of `day` as stored: 'YYYY-MM'."""
    return f"{day:%Y-%m}"


def month_start(period: str) -> date:
    return date.fromisoformat(f"{period}-01")


def period_label(period: str) -> str:
    """'2026-11' as people write it: '11/2026'."""
    return f"{period[5:]}/{period[:4]}"


def recent_periods(today: date, count: int = HISTORY) -> list[str]:
    """This month and the `count - 1` before it, newest first."""
    first = month_start(period_of(today))
    return [period_of(add_months(first, -i)) for i in range(count)]


# -- the branch asked for ----------------------------------------------------------------------


def _branch_arg(branches: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The branch of `?branch=ID` (404 when outside the user's scope), or None when not asked for."""
    raw = request.args.get("branch", "").strip()
    if not raw:
        return None
    chosen = next((b for b in branches if str(b["id"]) == raw), None)
    if chosen is None:
        abort(404)
    return chosen


def _scope_branch(branch_id: int) -> Mapping[str, Any]:
    branch = next((b for b in scope_branches(scope_orgs()) if b["id"] == branch_id), None)
    if branch is None:
        abort(404)
    return branch


# -- the sympathiser list and its monthly review -------------------------------------------------


class ReviewForm(FlaskForm):
    """Ghi nhận rà soát tháng: which month, the date of the review, a note. Checked by `_review_values`."""

    period = SelectField(_l("Month reviewed"), choices=[], validate_choice=False, render_kw={"aria-required": "true"})
    reviewed_on = StringField(_l("Date of the review"), render_kw={
        "aria-required": "true", "placeholder": "dd/mm/yyyy", "inputmode": "numeric", "class": "date", "autocomplete": "off"})
    note = TextAreaField("note", render_kw={"rows": 3, "maxlength": str(NOTE_MAX)})


def _review_form(today: date, formdata: MultiDict[str, Any] | None = None) -> ReviewForm:
    if formdata is None:
        form = ReviewForm(formdata=None, data={"period": period_of(today), "reviewed_on": today_text(today)})
    else:
        form = ReviewForm(formdata=formdata)
    form.period.choices = [(p, period_label(p)) for p in recent_periods(today)]
    form.note.label.text = field_label("note", lang())
    form.period.flags.required = form.reviewed_on.flags.required = True
    return form


def _review_date(form: ReviewForm, period: str | None, today: date) -> tuple[date | None, str | None]:
    """The review date typed, or why it is refused (the message names the field)."""
    label = str(form.reviewed_on.label.text)
    raw = (form.reviewed_on.data or "").strip()
    if not raw:
        return None, _("%(field)s is required.", field=label)
    try:
        reviewed_on: date = VNDate().deserialize(raw)
    except ValidationError:
        return None, _("%(field)s: not a valid date; write it as dd/mm/yyyy.", field=label)
    if reviewed_on > today:
        return None, _("%(field)s cannot be after today (%(today)s).", field=label, today=today_text(today))
    if period is not None and reviewed_on < month_start(period):
        return None, _("%(field)s cannot be before the month reviewed (%(month)s).", field=label, month=period_label(period))
    return reviewed_on, None


def _review_values(form: ReviewForm, today: date) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The review as typed, and the errors by field name (nothing is saved when there are any)."""
    errors: dict[str, list[str]] = {}
    period = form.period.data if form.period.data in recent_periods(today) else None
    if period is None:
        errors["period"] = [_("%(field)s: choose one of the months offered.", field=str(form.period.label.text))]
    reviewed_on, problem = _review_date(form, period, today)
    if problem:
        errors["reviewed_on"] = [problem]
    note = (form.note.data or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [_("%(field)s: at most %(n)s characters.", field=str(form.note.label.text), n=NOTE_MAX)]
    try:
        no_control_characters(note)  # as every other text: PostgreSQL would not even store a NUL
    except ValidationError as err:
        errors.setdefault("note", []).extend(err.messages)
    return {"period": period, "reviewed_on": reviewed_on, "note": note or None}, errors


def _sympathiser_rows(branch_id: int, today: date) -> list[dict[str, Any]]:
    rows = branch_lists.sympathisers(db(), branch_id)
    for row in rows:
        row["months"] = completed_months(row["admitted_on"], today) if row["admitted_on"] else None
    return rows


def _render_sympathisers(branches: Sequence[Mapping[str, Any]], branch: Mapping[str, Any] | None, today: date,
                         form: ReviewForm | None = None, errors: Mapping[str, list[str]] | None = None,
                         status: int = 200) -> tuple[str, int]:
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    if branch is not None:
        rows = _sympathiser_rows(branch["id"], today)
        history = branch_lists.reviews(db(), branch["id"], HISTORY)
    for review in history:
        review["month"] = period_label(review["period"])
    by_period = {review["period"]: review for review in history}
    this_month, last_month = recent_periods(today, 2)
    can_review = branch is not None and me().role in REVIEWERS
    return render_template(
        "lists_sympathisers.html", branches=branches, branch=branch, rows=rows, history=history, today=today,
        this_month=period_label(this_month), this_review=by_period.get(this_month),
        last_month=period_label(last_month), last_review=by_period.get(last_month),
        form=(form or _review_form(today)) if can_review else None, errors=errors or {}, categories=vocab.SOURCE_CATEGORIES,
    ), status


@bp.get("/sympathisers")
@roles_required(*DOSSIER_READERS)
def sympathisers() -> tuple[str, int]:
    branches = scope_branches(scope_orgs())
    branch = _branch_arg(branches) or (branches[0] if len(branches) == 1 else None)
    return _render_sympathisers(branches, branch, local_today())


@bp.post("/sympathisers/<int:branch_id>/reviews")
@roles_required(*REVIEWERS)
def record_review(branch_id: int) -> Any:
    branch = _scope_branch(branch_id)
    today = local_today()
    form = _review_form(today, request.form)
    values, errors = _review_values(form, today)
    if errors:
        branches = scope_branches(scope_orgs())
        return _render_sympathisers(branches, branch, today, form, errors, 422)
    count = len(branch_lists.sympathisers(db(), branch_id))
    recorded = branch_lists.record_review(db(), branch_id, values["period"], values["reviewed_on"], me().id, values["note"], count)
    db_session().commit()
    month = period_label(values["period"])
    if recorded:
        flash(_("Recorded the review of the sympathiser list for %(month)s.", month=month), "success")
    else:
        flash(_("The review for %(month)s was already recorded; nothing was changed.", month=month), "warning")
    return redirect(url_for("lists.sympathisers", branch=branch_id))


# -- the training class ------------------------------------------------------------------------


def _certificate_rows(rows: list[dict[str, Any]], valid_months: int, today: date) -> list[dict[str, Any]]:
    """Each certificate's last valid day, flagged expired or expiring within EXPIRY_WARNING_MONTHS."""
    soon = add_months(today, EXPIRY_WARNING_MONTHS)
    for row in rows:
        until = add_months(row["issued_on"], valid_months) if row["issued_on"] else None
        row["valid_until"] = until
        row["expired"] = until is not None and until < today
        row["expiring"] = until is not None and today <= until <= soon
    return rows


@bp.get("/training")
@roles_required(*DOSSIER_READERS)
def training() -> str:
    branches = scope_branches(scope_orgs())
    branch = _branch_arg(branches)
    branch_id = branch["id"] if branch is not None else None
    today = local_today()
    # R-TRAIN-2's number, as the rule itself reads it (workflows.params, with any KETNAP_PARAMS override).
    valid_months = int(services().workflow.params.get("certificate_valid_months"))
    conn = db()
    nominated = branch_lists.training_nominated(conn, me().org_id, branch_id)
    trained = _certificate_rows(branch_lists.trained(conn, me().org_id, branch_id), valid_months, today)
    return render_template(
        "lists_training.html", branches=branches, branch=branch, nominated=nominated, trained=trained, today=today,
        valid_months=valid_months, warning_months=EXPIRY_WARNING_MONTHS,
    )
