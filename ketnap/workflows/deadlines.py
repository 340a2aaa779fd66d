"""How long a dossier may wait in a state before the next step is late ("quá hạn"), for reminders.

These are the limits the rules judge (R-SLA-1, R-DECIDE-2, R-CEREMONY-1, R-PROBATION-1,
R-RECOGNISE-1, R-RECOGNISE-3), counted from the day the dossier entered the state, so a dashboard
can list late dossiers without judging every rule of every dossier. The rules themselves stay the
authority when a step is taken. The numbers come from params.PARAMETERS (one place).

Reading chosen: the clock starts on the date of the act that entered the state (`state_since`);
for `committee_approved` that is the committee's meeting, although R-DECIDE-2 counts from the
branch resolution, so the reminder may come a few days late there, never early.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..engine.calendar import WorkingCalendar
from ..engine.dates import add_months
from ..engine.snapshot import Params


@dataclass(frozen=True)
class Deadline:
    """The next step is due `months` months plus `working_days` working days after entering the state."""

    rule_id: str
    working_days_param: str
    months_param: str | None = None


DEADLINES: dict[str, Deadline] = {
    "applied": Deadline("R-SLA-1", "sla_declaration_wd"),
    "under_verification": Deadline("R-SLA-1", "sla_verification_wd"),
    "branch_approved": Deadline("R-DECIDE-2", "decision_wd"),
    "committee_approved": Deadline("R-DECIDE-2", "decision_wd"),
    "admission_decided": Deadline("R-CEREMONY-1", "ceremony_wd"),
    "probationary": Deadline("R-RECOGNISE-1", "recognition_vote_wd", "probation_months"),
    "recognition_proposed": Deadline("R-RECOGNISE-3", "recognition_decision_wd"),
}


def entered_on(steps: Sequence[tuple[str, str, date]]) -> date:
    """When a dossier entered its current state, from its steps (from, to, act date) in order: a step that
    stayed in the state (a recognition vote without two thirds) does not restart the clock."""
    return next((day for source, dest, day in reversed(steps) if source != dest), steps[-1][2])


def due_date(state: str, since: date, params: Params, calendar: WorkingCalendar) -> date | None:
    """The last day the next step is on time, or None when the state has no limit."""
    deadline = DEADLINES.get(state)
    if deadline is None:
        return None
    start = add_months(since, params.get(deadline.months_param)) if deadline.months_param else since
    return calendar.add_working_days(start, params.get(deadline.working_days_param))


def is_overdue(state: str, since: date, today: date, params: Params, calendar: WorkingCalendar) -> bool:
    due = due_date(state, since, params, calendar)
    return due is not None and today > due


def overdue_cutoffs(today: date, params: Params, calendar: WorkingCalendar) -> dict[str, date]:
    """Per state with a limit: a dossier that entered it strictly before the cutoff is overdue today.

    Found by searching back from today for the latest entry date whose due date has passed
    (due_date is monotonic in the entry date), so the SQL filter agrees with is_overdue() exactly.
    """
    cutoffs = {}
    for state in DEADLINES:
        lo, hi = today - timedelta(days=4000), today  # lo: overdue; hi: not overdue (due >= today)
        while hi - lo > timedelta(days=1):
            mid = lo + (hi - lo) // 2
            if is_overdue(state, mid, today, params, calendar):
                lo = mid
            else:
                hi = mid
        cutoffs[state] = hi
    return cutoffs
