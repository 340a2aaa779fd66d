"""The figures of the organisation board's reports, as SQL aggregates ("số liệu báo cáo").

Every function counts in the database and returns a few grouped rows (per branch, per month, per
stage, per category), never the dossiers themselves: reports over 100,000 dossiers and 2,000,000 log
entries stay under a second (bench/bench_reports.py). `branches` is the scope: the branch IDs of
an organisation's subtree, or None for every branch.

Readings chosen (also in the reports' notes):
- A candidate counts as admitted ("kết nạp") on the date of the admission decision: the step into
  `admission_decided`, whatever happened after it (a later strike-off does not undo the count).
- A stage is "reached" in a period when the dossier's step into it is dated in the period; a step
  that stays in its state (a recognition vote without two thirds) is not a new arrival.
- Time in a stage is from the step into it (the latest earlier entry that changed state) to the step
  out of it, in calendar days, for the steps out dated in the period (stage_steps, migration 0009).
- Arrivals and time in a stage count by the dossier's branch when the step was recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, and_, case, cast, extract, func, or_, select

from .models import (
    Candidate,
    Dossier,
    MassOrganisation,
    Member,
    MembershipCount,
    Organisation,
    StageStep,
    SympathiserReview,
    Target,
    TransitionLog,
    table_of,
)

_t, _d, _c = table_of(TransitionLog), table_of(Dossier), table_of(Candidate)
_o, _mo, _m = table_of(Organisation), table_of(MassOrganisation), table_of(Member)
_tg, _mc, _r = table_of(Target), table_of(MembershipCount), table_of(SympathiserReview)
_ss = table_of(StageStep)

ADMITTED = "admission_decided"
MAJORITY_ETHNICITY = "Kinh"
# "No religion" as people write it; listed rather than lower(), which SQLite applies to ASCII letters only.
NO_RELIGION = ("", "Không", "không", "KHÔNG", "Không có", "không có", "KHÔNG CÓ", "Không tôn giáo", "không tôn giáo",
               "KHÔNG TÔN GIÁO")
MAJORITY = ("Kinh", "kinh", "KINH")


def _in(column: Any, branches: Sequence[int] | None) -> list[ColumnElement[bool]]:
    return [] if branches is None else [column.in_(list(branches))]


def _arrivals(state: str | Sequence[str], start: date, end: date, branches: Sequence[int] | None) -> list[ColumnElement[bool]]:
    """Steps into `state` (not staying in it) dated start..end, of dossiers in the scope."""
    into = _t.c.to_state == state if isinstance(state, str) else _t.c.to_state.in_(list(state))
    return [into, _t.c.from_state != _t.c.to_state, _t.c.act_date >= start, _t.c.act_date <= end,
            *_in(_d.c.branch_id, branches)]


def admitted_by_branch(conn: Connection, branches: Sequence[int] | None, start: date, end: date) -> dict[int, int]:
    """Admissions (decisions) dated start..end, per branch."""
    query = (select(_d.c.branch_id, func.count(func.distinct(_t.c.dossier_id)))
             .select_from(_t.join(_d, _d.c.id == _t.c.dossier_id))
             .where(*_arrivals(ADMITTED, start, end, branches)).group_by(_d.c.branch_id))
    return {branch: n for branch, n in conn.execute(query)}


def _month_of(column: Any) -> ColumnElement[Any]:
    return extract("year", column) * 100 + extract("month", column)


def admitted_by_month(conn: Connection, branches: Sequence[int] | None, start: date, end: date) -> dict[int, int]:
    """Admissions dated start..end per month, keyed YYYYMM (202603)."""
    month = cast(_month_of(_t.c.act_date), Integer).label("month")
    query = (select(month, func.count(func.distinct(_t.c.dossier_id)))
             .select_from(_t.join(_d, _d.c.id == _t.c.dossier_id))
             .where(*_arrivals(ADMITTED, start, end, branches)).group_by(month))
    return {int(m): n for m, n in conn.execute(query)}


def _days_in_month(day: Any) -> ColumnElement[Any]:
    year, month = extract("year", day), extract("month", day)
    leap = and_(year % 4 == 0, or_(year % 100 != 0, year % 400 == 0))
    return case((month == 2, case((leap, 29), else_=28)), (month.in_([4, 6, 9, 11]), 30), else_=31)


def _completed_months(born: Any, on: Any) -> ColumnElement[Any]:
    """engine.dates.completed_months in SQL: whole months from `born` to `on`. As add_months clamps to the
    month's end, the last month is complete on the last day of a shorter month (31/3 -> 30/4)."""
    months = (extract("year", on) - extract("year", born)) * 12 + extract("month", on) - extract("month", born)
    short = and_(extract("day", on) < extract("day", born), extract("day", on) < _days_in_month(on))
    return months - case((short, 1), else_=0)


@dataclass(frozen=True)
class StructureRow:
    """Admissions of one source category and introducing mass organisation kind, and among them the groups."""

    source_category: str
    mass_org_kind: str | None
    admitted: int
    women: int
    ethnic_minority: int
    religious: int
    youth: int


def structure(conn: Connection, branches: Sequence[int] | None, start: date, end: date, youth_months: int) -> list[StructureRow]:
    """Admissions dated start..end by source category and introducing mass organisation kind, with how many
    were women, of an ethnic minority, religious followers, and youth (at most `youth_months` completed
    months old on the decision date, as R-INTRO-3 counts it)."""
    decided = (select(_t.c.dossier_id, func.min(_t.c.act_date).label("act_date"))
               .select_from(_t.join(_d, _d.c.id == _t.c.dossier_id))
               .where(*_arrivals(ADMITTED, start, end, branches)).group_by(_t.c.dossier_id)).subquery()
    religion = func.coalesce(func.trim(_c.c.religion), "")
    flags = {
        "women": _c.c.gender == "female",
        "ethnic_minority": func.trim(func.coalesce(_c.c.ethnicity, MAJORITY_ETHNICITY)).not_in(MAJORITY),
        "religious": religion.not_in(NO_RELIGION),
        "youth": _completed_months(_c.c.date_of_birth, decided.c.act_date) <= youth_months,
    }
    sums = [func.sum(case((condition, 1), else_=0)).label(name) for name, condition in flags.items()]
    query = (select(_c.c.source_category, _mo.c.kind, func.count().label("admitted"), *sums)
             .select_from(decided.join(_d, _d.c.id == decided.c.dossier_id).join(_c, _c.c.id == _d.c.candidate_id)
                          .outerjoin(_mo, _mo.c.id == _c.c.introducing_mass_org_id))
             .group_by(_c.c.source_category, _mo.c.kind))
    return [StructureRow(row[0], row[1], int(row[2]), *(int(v or 0) for v in row[3:])) for row in conn.execute(query)]


def arrivals_by_stage(conn: Connection, branches: Sequence[int] | None, start: date, end: date,
                      states: Sequence[str]) -> dict[str, int]:
    """Dossiers whose step into each state is dated start..end (stage_steps, migration 0009)."""
    query = (select(_ss.c.to_state, func.count(func.distinct(_ss.c.dossier_id)))
             .where(_ss.c.to_state.in_(list(states)), _ss.c.act_date >= start, _ss.c.act_date <= end,
                    *_in(_ss.c.branch_id, branches))
             .group_by(_ss.c.to_state))
    return {state: n for state, n in conn.execute(query)}


def _days_between(first: Any, then: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return func.julianday(then) - func.julianday(first)
    return cast(then - first, Integer)


def stage_durations(conn: Connection, branches: Sequence[int] | None, start: date, end: date,
                    states: Sequence[str]) -> dict[str, tuple[int, float]]:
    """Per state: how many dossiers left it with a step dated start..end, and the median calendar days
    they had spent in it, from the step into it (the previous step that changed state: a vote that
    stays in the state does not restart the days) to the step out.

    Read from stage_steps (migration 0009). The median is computed in SQL from a histogram: the steps
    grouped by (state, days), a running count over those few rows, and the value at the middle
    position (or the mean of the two middle ones)."""
    days = _days_between(_ss.c.since, _ss.c.act_date, conn.dialect.name)
    histogram = (select(_ss.c.from_state.label("state"), days.label("days"), func.count().label("c"))
                 .where(_ss.c.from_state.in_(list(states)), _ss.c.act_date >= start, _ss.c.act_date <= end,
                        _ss.c.since.is_not(None), *_in(_ss.c.branch_id, branches))
                 .group_by(_ss.c.from_state, days)).subquery()
    upto = func.sum(histogram.c.c).over(partition_by=histogram.c.state, order_by=histogram.c.days)
    count = func.sum(histogram.c.c).over(partition_by=histogram.c.state)  # sums are numeric on PostgreSQL: cast
    running = select(histogram.c.state, histogram.c.days, cast(upto, Integer).label("upto"),
                     cast(count, Integer).label("n")).subquery()
    low = func.min(case((running.c.upto >= (running.c.n + 1) // 2, running.c.days)))  # integer division
    high = func.min(case((running.c.upto >= running.c.n // 2 + 1, running.c.days)))
    query = select(running.c.state, func.max(running.c.n), (low + high) / 2.0).group_by(running.c.state)
    return {state: (int(n), float(median)) for state, n, median in conn.execute(query)}


def targets(conn: Connection, org_ids: Sequence[int], period: str) -> dict[tuple[int, str], int]:
    """The targets set for these organisations and period: (organisation, category) -> value."""
    query = select(_tg.c.org_id, _tg.c.category, _tg.c.value).where(_tg.c.org_id.in_(list(org_ids)), _tg.c.period == period)
    return {(org, category): value for org, category, value in conn.execute(query)}


def target_rows(conn: Connection, org_ids: Sequence[int], period: str) -> list[dict[str, Any]]:
    """The target rows (with who set them and when) of these organisations and period."""
    query = (select(_tg).where(_tg.c.org_id.in_(list(org_ids)), _tg.c.period == period)
             .order_by(_tg.c.org_id, _tg.c.category))
    return [dict(row._mapping) for row in conn.execute(query)]


def membership_counts(conn: Connection, org_ids: Sequence[int], year: int) -> dict[int, int]:
    """The recorded start-of-year membership of these organisations for `year`."""
    query = select(_mc.c.org_id, _mc.c.members).where(_mc.c.org_id.in_(list(org_ids)), _mc.c.year == year)
    return {org: n for org, n in conn.execute(query)}


def members_by_branch(conn: Connection, branches: Sequence[int] | None, on: date) -> dict[int, int]:
    """Party members on the members list who had joined before `on`, per branch (when no count was recorded)."""
    query = (select(_m.c.branch_id, func.count()).where(or_(_m.c.joined_on.is_(None), _m.c.joined_on < on),
                                                          *_in(_m.c.branch_id, branches))
             .group_by(_m.c.branch_id))
    return {branch: n for branch, n in conn.execute(query)}


def reviews_in(conn: Connection, branches: Sequence[int] | None, first_month: str, last_month: str) -> dict[int, dict[str, date]]:
    """The sympathiser-list reviews recorded for months first_month..last_month ('YYYY-MM'), per branch: month -> day."""
    query = (select(_r.c.branch_id, _r.c.period, _r.c.reviewed_on)
             .where(_r.c.period >= first_month, _r.c.period <= last_month, *_in(_r.c.branch_id, branches)))
    out: dict[int, dict[str, date]] = {}
    for branch, month, day in conn.execute(query):
        out.setdefault(branch, {})[month] = day
    return out


def last_reviews(conn: Connection, branches: Sequence[int] | None) -> dict[int, date]:
    query = select(_r.c.branch_id, func.max(_r.c.reviewed_on)).where(*_in(_r.c.branch_id, branches)).group_by(_r.c.branch_id)
    return {branch: day for branch, day in conn.execute(query)}


def dossiers_in_states(conn: Connection, branches: Sequence[int] | None, states: Sequence[str]) -> dict[int, int]:
    """How many dossiers are now in one of `states`, per branch."""
    query = (select(_d.c.branch_id, func.count()).where(_d.c.state.in_(list(states)), *_in(_d.c.branch_id, branches))
             .group_by(_d.c.branch_id))
    return {branch: n for branch, n in conn.execute(query)}



def _entered(state: str, before: date, not_before: date | None) -> ColumnElement[bool]:
    condition = and_(_d.c.state == state, _d.c.state_since < before)
    return condition if not_before is None else and_(condition, _d.c.state_since >= not_before)


def waiting(conn: Connection, not_before: Mapping[int, Mapping[str, date]], before: Mapping[int, Mapping[str, date]],
            limit: int) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Dossiers of the branches of `before` waiting in a state that entered it before that branch's cutoff
    there, and not before its `not_before` cutoff if any: how many per state, and the `limit` waiting
    longest (candidate name, branch name, state, since when, branch ID).

    With `before` = the overdue cutoffs of today (workflows.deadlines) these are the late dossiers;
    with `not_before` = today's and `before` = those of the day after a coming day, those due by then.
    Branches sharing cutoffs are tested together: one term per distinct set, not per branch."""
    groups: dict[tuple[tuple[str, date, date | None], ...], list[int]] = {}
    for branch, cutoffs in before.items():
        lower = not_before.get(branch, {})
        key = tuple(sorted((state, day, lower.get(state)) for state, day in cutoffs.items()))
        if key:
            groups.setdefault(key, []).append(branch)
    if not groups:
        return {}, []
    terms = [and_(_d.c.branch_id.in_(branches), or_(*(_entered(state, day, low) for state, day, low in key)))
             for key, branches in groups.items()]
    selected = or_(*terms)
    counts = {state: n for state, n in conn.execute(select(_d.c.state, func.count()).where(selected).group_by(_d.c.state))}
    query = (select(_d.c.id, _d.c.state, _d.c.state_since, _d.c.branch_id, _c.c.full_name, _o.c.name.label("branch_name"))
             .select_from(_d.join(_c, _c.c.id == _d.c.candidate_id).join(_o, _o.c.id == _d.c.branch_id))
             .where(selected).order_by(_d.c.state_since, _d.c.id).limit(limit))
    return counts, [dict(row._mapping) for row in conn.execute(query)]


def by_mass_organisation(conn: Connection, org_ids: Sequence[int], branches: Sequence[int] | None, start: date,
                         end: date) -> list[dict[str, Any]]:
    """Each mass organisation of these organisations: the candidates it introduced whose dossier was opened
    start..end (sources), and those admitted start..end (seed 004: each introduces at least one)."""
    opened = (select(_c.c.introducing_mass_org_id.label("mo"), func.count().label("n"))
              .select_from(_d.join(_c, _c.c.id == _d.c.candidate_id))
              .where(_d.c.opened_on >= start, _d.c.opened_on <= end, _c.c.introducing_mass_org_id.is_not(None),
                     *_in(_d.c.branch_id, branches))
              .group_by(_c.c.introducing_mass_org_id)).subquery()
    decided = (select(_c.c.introducing_mass_org_id.label("mo"), func.count(func.distinct(_d.c.id)).label("n"))
               .select_from(_t.join(_d, _d.c.id == _t.c.dossier_id).join(_c, _c.c.id == _d.c.candidate_id))
               .where(*_arrivals(ADMITTED, start, end, branches), _c.c.introducing_mass_org_id.is_not(None))
               .group_by(_c.c.introducing_mass_org_id)).subquery()
    query = (select(_mo.c.id, _mo.c.kind, _mo.c.name, _o.c.name.label("org_name"),
                    func.coalesce(opened.c.n, 0).label("introduced"), func.coalesce(decided.c.n, 0).label("admitted"))
             .select_from(_mo.join(_o, _o.c.id == _mo.c.org_id).outerjoin(opened, opened.c.mo == _mo.c.id)
                          .outerjoin(decided, decided.c.mo == _mo.c.id))
             .where(_mo.c.org_id.in_(list(org_ids))).order_by(_o.c.name, _mo.c.kind, _mo.c.id))
    return [dict(row._mapping) for row in conn.execute(query)]
