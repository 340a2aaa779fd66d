"""A coherent run of facts through the whole procedure, for demo data, tests and benchmarks.

`happy_path(...)` yields (trigger, facts) pairs that satisfy every rule when applied in order, with
dates spaced as a real branch would space them and every deadline respected on the working-day
calendar. Callers vary the returned facts to build refusals.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from ..engine.calendar import WorkingCalendar
from ..engine.dates import add_months

ALL_ASPECTS = ["political_history", "political_stance", "law_observance", "political_quality", "ethics_lifestyle"]
RELATIVE_ASPECTS = ["political_history", "political_stance", "law_observance"]


def _iso(day: date) -> str:
    return day.isoformat()


def happy_path(
    start: date,
    helper_id: int,
    introducer_ids: tuple[int, int],
    deciding_org_id: int,
    deciding_body: str,
    calendar: WorkingCalendar,
    *,
    grassroots_branch: bool = False,
    sub_committee: bool = False,
    gap_days: int = 20,
    relatives: tuple[tuple[str, str], ...] = (("father", "Nguyễn Văn Cha"), ("mother", "Trần Thị Mẹ")),
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The steps from source to official, each `gap_days` or so after the previous one."""
    day = start

    def later(days: int = gap_days) -> date:
        nonlocal day
        day = day + timedelta(days=days)
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    yield "register_source", {"registered_on": _iso(day)}
    together_since = day - timedelta(days=800)
    yield "admit_to_sympathiser_list", {"decided_on": _iso(later()), "helper_member_id": helper_id}
    yield "nominate_for_training", {"nominated_on": _iso(later()), "class_name": "Lớp nhận thức về Đảng"}
    yield "record_training_certificate", {
        "issued_on": _iso(later()), "certificate_no": f"CN-{start:%y%m%d}", "issuer": "Trung tâm Chính trị",
        "issuer_kind": "political_center",
    }
    yield "submit_application", {"applied_on": _iso(later()), "handwritten_by_candidate": True, "states_understanding_and_motive": True}
    yield "declare_biography", {
        "declared_on": _iso(later(10)), "personally_declared": True, "complete": True, "no_erasures": True,
        "relatives": [{"relation": r, "full_name": n} for r, n in relatives],
    }
    started = later(5)
    tasks = [{"subject": "candidate", "requested_on": _iso(started)}] + [
        {"subject": r, "name": n, "requested_on": _iso(started)} for r, n in relatives
    ]
    yield "start_verification", {"started_on": _iso(started), "sealed_on": _iso(started), "tasks": tasks}
    concluded = later(25)
    answers = [{"subject": "candidate", "answered_on": _iso(concluded), "aspects": ALL_ASPECTS}] + [
        {"subject": r, "answered_on": _iso(concluded), "aspects": RELATIVE_ASPECTS} for r, _ in relatives
    ]
    yield "conclude_verification", {
        "concluded_on": _iso(concluded), "conclusion": "no_issue", "certified_on": _iso(concluded), "answers": answers,
    }
    introduced = later(10)
    yield "record_introductions", {
        "introduced_on": _iso(introduced),
        "introducers": [{"member_id": m, "together_since": _iso(together_since)} for m in introducer_ids],
        "residence_comment_on": _iso(introduced), "mass_org_comment_on": _iso(introduced),
        "comments_summary_on": _iso(introduced),
    }
    meeting = later(10)
    yield "hold_branch_vote", {"meeting_date": _iso(meeting), "official_total": 15, "present": 14, "agreeing": 14}
    if not grassroots_branch:
        committee = later(10)
        facts: dict[str, Any] = {"meeting_date": _iso(committee), "committee_total": 9, "present": 9, "agreeing": 8}
        if sub_committee:
            facts["appraisal_on"] = _iso(committee)
        yield "hold_grassroots_committee_vote", facts
    decided = later(15)
    yield "record_admission_decision", {
        "decided_on": _iso(decided), "decision_no": f"{start:%m%d}-QĐ/ĐU", "deciding_org_id": deciding_org_id,
        "deciding_body": deciding_body,
    }
    ceremony = later(10)
    yield "hold_admission_ceremony", {"ceremony_on": _iso(ceremony)}
    end = add_months(ceremony, 12)
    day = end
    vote = later(3)
    yield "hold_recognition_vote", {
        "meeting_date": _iso(vote), "official_total": 16, "present": 15, "agreeing": 15, "probation_helper_id": helper_id,
        "new_member_course_on": _iso(ceremony + timedelta(days=90)), "self_review_on": _iso(vote),
        "helper_review_on": _iso(vote), "comments_on": _iso(vote),
    }
    final: dict[str, Any] = {
        "decided_on": _iso(later(10)), "decision_no": f"{start:%m%d}-QĐ/CN", "deciding_org_id": deciding_org_id,
        "deciding_body": deciding_body,
    }
    if not grassroots_branch:
        final.update(committee_total=9, committee_agreeing=9)
    yield "record_recognition_decision", final
