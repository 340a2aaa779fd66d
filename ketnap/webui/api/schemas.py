"""What the REST API sends back, and the query strings it reads, as marshmallow schemas.

Request bodies are the workflow's own schemas (workflows.schemas: CandidateSchema, RegisterSource,
each step's facts), the ones the web forms and the CLI validate with. The responses below extend
them where they describe the same thing (CandidateOut is CandidateSchema plus its ID).
"""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, validate

from ...db.dossier_list import MAX_PER_PAGE, SORTS
from ...reports.build import KINDS
from ...workflows import vocab
from ...workflows.admission import HAPPY_PATH, OTHER_ENDS
from ...workflows.schemas import CandidateSchema, RegisterSource
from ..args import MAX_ID

STATES = [name for name, _vi, _en in (*HAPPY_PATH, *OTHER_ENDS)]
ID = {"validate": validate.Range(min=1, max=MAX_ID)}
DAYS = validate.Range(min=date(1930, 1, 1), max=date(2199, 12, 31))  # what a calendar and the rule sets can judge
PLAIN = validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="Không được chứa ký tự điều khiển (no control characters).")


def _id(strict: bool = False, **kwargs: object) -> fields.Integer:
    """An ID: from a query string as text, in a JSON body (strict) as a number."""
    return fields.Integer(strict=strict, **ID, **kwargs)  # type: ignore[arg-type]


# -- query strings -----------------------------------------------------------------------------


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class DossierArgs(PageArgs):
    branch_id = _id(metadata={"description": "Only this branch (it must be in your scope)."})
    state = fields.List(fields.String(validate=validate.OneOf(STATES)), metadata={"description": "Any of these states."})
    source_category = fields.String(validate=validate.OneOf(list(vocab.SOURCE_CATEGORIES)))
    overdue = fields.Boolean(metadata={"description": "Only dossiers past the deadline of their stage."})
    q = fields.String(validate=[validate.Length(max=100), PLAIN], metadata={"description": "Name, without diacritics or with."})
    sort = fields.String(load_default="-updated", validate=validate.OneOf(list(SORTS)))


class MemberArgs(PageArgs):
    org_id = _id(metadata={"description": "Members of this organisation's subtree (in your scope)."})
    status = fields.String(validate=validate.OneOf(list(vocab.MEMBER_STATUSES)))
    citizen_id = fields.String(validate=validate.Regexp(r"^[0-9]{12}$"))


class CandidateArgs(PageArgs):
    citizen_id = fields.String(validate=validate.Regexp(r"^[0-9]{12}$"), metadata={"description": "Find a person by citizen ID."})
    q = fields.String(validate=[validate.Length(max=100), PLAIN])


class AsOfArgs(Schema):
    as_of = fields.Date(validate=DAYS, metadata={"description": "Judge as of this day (default: today in Việt Nam)."})


class ReportArgs(Schema):
    org_id = _id(metadata={"description": "The organisation (default: yours)."})
    period = fields.String(validate=[validate.Length(min=4, max=9), PLAIN],
                           metadata={"description": "2026, 2026-03, 2026-Q1, 2026-H1 or a term 2025-2030 (default: this year)."})
    as_of = fields.Date(validate=DAYS, metadata={"description": "Count up to this day (default: today)."})


class TargetArgs(Schema):
    org_id = _id(metadata={"description": "The organisation whose children's targets are listed (default: yours)."})
    period = fields.String(validate=validate.Length(min=4, max=9), metadata={"description": "A year (2026) or a term (2025-2030)."})


class AuditArgs(Schema):
    org_id = _id(metadata={"description": "Verify this organisation's subtree (default: your scope)."})
    since = fields.Date(validate=DAYS, metadata={"description": "Only dossiers with entries since this day."})


class ImportArgs(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "Check every row, write nothing."})


# -- bodies ------------------------------------------------------------------------------------


class NewDossier(Schema):
    """Register a person as a source ("nguồn") of a branch: the first step of a dossier."""

    branch_id = _id(strict=True, required=True)
    candidate = fields.Nested(CandidateSchema, required=True)
    facts = fields.Nested(RegisterSource, required=True)


class TargetValue(Schema):
    value = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


# -- responses ---------------------------------------------------------------------------------


class Pagination(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class MeOut(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    role = fields.String(required=True)
    org_id = fields.Integer(required=True, allow_none=True)


class OrganisationOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    level_code = fields.String(required=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    depth = fields.Integer(required=True, metadata={"description": "Depth in the whole tree (0: the top organisation)."})
    may_admit = fields.Boolean(required=True)
    has_committee = fields.Boolean(required=True)
    active = fields.Boolean(required=True)


class OrganisationList(Schema):
    items = fields.List(fields.Nested(OrganisationOut), required=True)


class MemberOut(Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)
    date_of_birth = fields.Date(required=True, allow_none=True)
    gender = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    branch_id = fields.Integer(required=True)
    joined_on = fields.Date(required=True, allow_none=True)
    official_since = fields.Date(required=True, allow_none=True)
    exempt = fields.Boolean(required=True)
    is_committee_member = fields.Boolean(required=True)
    citizen_id = fields.String(required=True, allow_none=True)


class MemberPage(Pagination):
    items = fields.List(fields.Nested(MemberOut), required=True)


class CandidateOut(CandidateSchema):
    """The person, as CandidateSchema validates it, with their ID and dossier."""

    id = fields.Integer(required=True)
    dossier_id = fields.Integer(required=True, allow_none=True)


class CandidatePage(Pagination):
    items = fields.List(fields.Nested(CandidateOut), required=True)


class BranchRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    level_code = fields.String(required=True)


class DossierRow(Schema):
    id = fields.Integer(required=True)
    state = fields.String(required=True)
    state_label = fields.String(required=True)
    version = fields.Integer(required=True)
    branch_id = fields.Integer(required=True)
    branch_name = fields.String(required=True)
    full_name = fields.String(required=True)
    date_of_birth = fields.Date(required=True)
    gender = fields.String(required=True)
    source_category = fields.String(required=True)
    opened_on = fields.Date(required=True)
    state_since = fields.Date(required=True)
    updated_at = fields.DateTime(required=True)
    overdue = fields.Boolean(required=True)


class DossierPageOut(Pagination):
    items = fields.List(fields.Nested(DossierRow), required=True)


class RuleResultOut(Schema):
    rule_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["passed", "failed", "warning", "pending", "not_applicable"]))
    message = fields.String(required=True)
    citation = fields.String(required=True)


class DossierOut(Schema):
    id = fields.Integer(required=True)
    state = fields.String(required=True)
    state_label = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "The optimistic lock; the ETag carries it."})
    branch = fields.Nested(BranchRef, required=True)
    organisations = fields.List(fields.Nested(BranchRef), required=True, metadata={"description": "The branch, then each level above it."})
    opened_on = fields.Date(required=True)
    state_since = fields.Date(required=True)
    due_on = fields.Date(required=True, allow_none=True, metadata={"description": "The last day the next step is on time."})
    overdue = fields.Boolean(required=True)
    candidate = fields.Nested(CandidateOut, required=True)
    facts = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True,
                        metadata={"description": "The facts of each step still in force, by kind."})
    warnings = fields.List(fields.Nested(RuleResultOut), metadata={"description": "After a step: the rules that passed with a warning."})


class StepOut(Schema):
    trigger = fields.String(required=True)
    label = fields.String(required=True)
    dest = fields.String(required=True, allow_none=True)
    roles = fields.List(fields.String(), required=True)
    role_allowed = fields.Boolean(required=True, metadata={"description": "Your role may take this step."})
    allowed = fields.Boolean(required=True, metadata={"description": "No rule fails as of the day asked."})
    rule_set = fields.String(required=True)
    results = fields.List(fields.Nested(RuleResultOut), required=True)


class ExplainOut(Schema):
    dossier_id = fields.Integer(required=True)
    state = fields.String(required=True)
    as_of = fields.Date(required=True)
    steps = fields.List(fields.Nested(StepOut), required=True)


class HistoryEntry(Schema):
    seq = fields.Integer(required=True)
    trigger = fields.String(required=True)
    from_state = fields.String(required=True)
    to_state = fields.String(required=True)
    act_date = fields.Date(required=True)
    at = fields.DateTime(required=True)
    actor_name = fields.String(required=True)
    facts = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    rule_results = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw()), required=True)
    previous_hash = fields.String(required=True, attribute="prev_hash")
    hash = fields.String(required=True)


class HistoryOut(Schema):
    dossier_id = fields.Integer(required=True)
    items = fields.List(fields.Nested(HistoryEntry), required=True)


class BreakOut(Schema):
    dossier_id = fields.Integer(required=True, allow_none=True)
    seq = fields.Integer(required=True, allow_none=True)
    kind = fields.String(required=True)
    detail = fields.String(required=True)


class DossierAuditOut(Schema):
    dossier_id = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    entries = fields.Integer(required=True)
    head_hash = fields.String(required=True)
    first_break = fields.Nested(BreakOut, required=True, allow_none=True)


class AuditStatusOut(Schema):
    org_id = fields.Integer(required=True, allow_none=True)
    since = fields.Date(required=True, allow_none=True)
    ok = fields.Boolean(required=True)
    dossiers = fields.Integer(required=True)
    entries = fields.Integer(required=True)
    seconds = fields.Float(required=True)
    breaks = fields.List(fields.Nested(BreakOut), required=True)


class TargetOut(Schema):
    org_id = fields.Integer(required=True)
    org_name = fields.String(required=True)
    period = fields.String(required=True)
    category = fields.String(required=True)
    value = fields.Integer(required=True, allow_none=True)


class TargetList(Schema):
    org_id = fields.Integer(required=True)
    period = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)
    items = fields.List(fields.Nested(TargetOut), required=True)


class ColumnOut(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    kind = fields.String(required=True)


class TableOut(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    columns = fields.List(fields.Nested(ColumnOut), required=True)
    rows = fields.List(fields.List(fields.Raw(allow_none=True)), required=True)
    total = fields.List(fields.Raw(allow_none=True), required=True, allow_none=True)


class FigureOut(Schema):
    label = fields.String(required=True)
    value = fields.String(required=True)


class PeriodOut(Schema):
    code = fields.String(required=True)
    kind = fields.String(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class ReportOut(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
    title = fields.String(required=True)
    org_id = fields.Integer(required=True)
    org_name = fields.String(required=True)
    period = fields.Nested(PeriodOut, required=True)
    as_of = fields.Date(required=True)
    figures = fields.List(fields.Nested(FigureOut), required=True)
    tables = fields.List(fields.Nested(TableOut), required=True)
    notes = fields.List(fields.String(), required=True)
