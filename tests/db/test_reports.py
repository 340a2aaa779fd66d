"""The board's reports against a real database: figures a wrong query would get wrong.

Small worlds with known data, each a district of its own (db_world.add_orgs), its dossiers driven
through the real engine with chosen act dates (the engine's "today" is FAR, so every act is in its
past); targets and start-of-year membership counts are inserted directly. Each world is built once
per backend (module fixtures) and every test looks only inside its own organisations.

- bounds: one branch, admissions on both sides of every period boundary (month, quarter, half,
  year, term), and a term target of 229 (the "12/229 = 5,24%" figure);
- board: a district with two grassroots committees (A with branches A1, A2; B with B1): the per-child
  roll-up, own targets against the sum of the children's, membership counts, scope, reviews;
- people: candidates of known gender, ethnicity, religion, birth date (youth at 360/361 completed
  months on the decision date), source category and introducing mass organisation;
- funnel: arrivals per stage, medians of 4 and 3 values, a self-loop (a recognition vote without
  two thirds);
- deadlines: dossiers waiting on both sides of the overdue and due-soon edges, under the default
  R-SLA-1 limit and under a grassroots committee's own one.

Periods (reports/periods.py) are unit-tested at the end, without a database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from db_world import ALL_ROLES, CANDIDATE, add_member, add_orgs
from sqlalchemy import Date, func, insert, literal, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ketnap.db import branch_lists
from ketnap.db import reports as figures_db
from ketnap.db.models import Candidate, Dossier, MassOrganisation, Member, MembershipCount, Organisation, Target, User, table_of
from ketnap.db.repository import SqlUnitOfWork
from ketnap.engine.dates import add_months, completed_months
from ketnap.engine.service import Actor, advance, open_dossier
from ketnap.engine.workflow import Workflow
from ketnap.reports.build import Context, build_report
from ketnap.reports.model import Report, Table
from ketnap.reports.periods import current_period, parse_period
from ketnap.reports.targets import category_label
from ketnap.workflows.deadlines import due_date
from ketnap.workflows.journey import happy_path
from ketnap.workflows.schemas import load_candidate

pytestmark = pytest.mark.db

_tg, _mc, _o = table_of(Target), table_of(MembershipCount), table_of(Organisation)
FAR = date(2031, 6, 1)  # the engine's "today" while driving dossiers: every act date below is before it
AS_OF = date(2026, 11, 23)  # a Monday
Steps = list[tuple[str, dict[str, Any]]]


def _facts(steps: Steps, trigger: str) -> dict[str, Any]:
    return next(facts for t, facts in steps if t == trigger)


@dataclass
class Tree:
    """An organisation tree of its own with three official members in each branch (a helper and two
    introducers), a user, and an actor who sees the whole tree."""

    engine: Engine
    wf: Workflow
    orgs: dict[str, int]
    staff: dict[str, tuple[int, int, int]]
    user_id: int
    actor: Actor

    def path(self, branch: str, on: dict[str, date]) -> Steps:
        """The happy path's steps for a dossier of `branch`, placed so that the first trigger of `on`
        falls on its date; every trigger of `on` then gets exactly its date."""
        helper, first, second = self.staff[branch]

        def run(start: date) -> Steps:
            return list(happy_path(start, helper, (first, second), self.orgs["district"], "standing_committee", self.wf.calendar))

        anchor, day = next(iter(on.items()))
        steps = run(day)
        lead = date.fromisoformat(_facts(steps, anchor)[self.wf.transitions[anchor].date_field]) - day
        steps = run(day - lead)
        for trigger, when in on.items():
            _facts(steps, trigger)[self.wf.transitions[trigger].date_field] = when.isoformat()
        return steps

    def step(self, dossier_id: int, trigger: str, facts: dict[str, Any]) -> str:
        result = advance(SqlUnitOfWork(self.engine, self.wf), self.wf, dossier_id, trigger, facts, self.actor, None, today=FAR)
        assert result.applied and result.change is not None, (trigger, [r.rule_id for r in result.failures])
        return result.change.to_state

    def dossier(self, branch: str, until: str, on: dict[str, date], name: str, **subject: Any) -> int:
        """A new dossier of `branch` driven along the happy path (dated by `on`) until it reaches `until`."""
        steps = self.path(branch, on)
        person = load_candidate({**CANDIDATE, "full_name": name, **subject})
        opened = open_dossier(SqlUnitOfWork(self.engine, self.wf), self.wf, person, self.orgs[branch], steps[0][1],
                              self.actor, today=FAR)
        assert opened.change is not None
        dossier_id, state = opened.change.dossier_id, "source"
        for trigger, facts in steps[1:]:
            if state == until:
                break
            state = self.step(dossier_id, trigger, facts)
        assert state == until
        return dossier_id

    def admitted(self, branch: str, on: date, name: str, **subject: Any) -> int:
        """A dossier whose admission decision is dated `on`."""
        return self.dossier(branch, "admission_decided", {"record_admission_decision": on}, name, **subject)

    def report(self, kind: str, org: str, period: str, as_of: date = AS_OF) -> Report:
        with self.engine.connect() as conn:
            return build_report(Context(conn, self.wf.params, self.wf.calendar), kind, self.orgs[org], period, as_of)

    def name(self, org: str) -> str:
        return f"Tổ chức {org}"


def make_tree(engine: Engine, wf: Workflow, *specs: tuple[str, str, str | None]) -> Tree:
    orgs = add_orgs(engine, ("district", "district", None), *specs)
    staff = {key: (add_member(engine, orgs[key], f"Giúp đỡ {key}"), add_member(engine, orgs[key], f"Giới thiệu 1 {key}"),
                   add_member(engine, orgs[key], f"Giới thiệu 2 {key}"))
             for key, level, _parent in specs if level == "branch"}
    with Session(engine) as session:
        user = User(username=f"bantochuc-{uuid.uuid4().hex[:8]}", full_name="Ban Tổ chức", role="superior_board",
                    org_id=orgs["district"])
        session.add(user)
        session.commit()
        user_id = user.id
    return Tree(engine, wf, orgs, staff, user_id, Actor(user_id, "Ban Tổ chức", ALL_ROLES, orgs["district"]))


def set_targets(tree: Tree, period: str, values: dict[tuple[str, str], int]) -> None:
    """Targets inserted directly: (organisation key, category) -> value."""
    with tree.engine.begin() as conn:
        conn.execute(insert(_tg), [{"org_id": tree.orgs[org], "period": period, "category": category, "value": value,
                                    "set_by": tree.user_id, "set_by_name": "Ban Tổ chức", "set_at": datetime.now(UTC),
                                    "note": None} for (org, category), value in values.items()])


def set_membership(tree: Tree, year: int, values: dict[str, int]) -> None:
    with tree.engine.begin() as conn:
        conn.execute(insert(_mc), [{"org_id": tree.orgs[org], "year": year, "members": n, "set_by": tree.user_id,
                                    "set_by_name": "Ban Tổ chức", "set_at": datetime.now(UTC)} for org, n in values.items()])


def figures(report: Report) -> dict[str, str]:
    return {f.label.vi: f.value for f in report.figures}


def table(report: Report, key: str) -> Table:
    return next(t for t in report.tables if t.key == key)


def chart(report: Report, key: str) -> tuple[list[str], list[list[float]]]:
    found = next(c for c in report.charts if c.key == key)
    return found.labels, [s.values for s in found.series]


# -- bounds: admissions on both sides of every period boundary --------------------------------------

BOUNDARY_DAYS = [
    date(2024, 12, 31), date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 1),
    date(2026, 3, 31), date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 1), date(2026, 12, 31), date(2027, 1, 1),
    date(2029, 12, 31), date(2030, 1, 1),
]
# period -> (admitted in it, label of the period, admitted from 1 January, or the term's start, to its end)
BY_PERIOD = {
    "2026-02": (1, "tháng 02/2026", 2),   # 28/2 in; 1/3 out (2026 is not a leap year)
    "2026-03": (2, "tháng 03/2026", 4),   # 1/3 and 31/3 in; 28/2 and 1/4 out
    "2026-Q1": (4, "quý I năm 2026", 4),  # 1/1 .. 31/3
    "2026-Q2": (2, "quý II năm 2026", 6),  # 1/4 and 30/6 in; 31/3 and 1/7 out
    "2026-H1": (6, "6 tháng đầu năm 2026", 6),  # 1/1 .. 30/6; 31/12/2025 and 1/7 out
    "2026-H2": (2, "6 tháng cuối năm 2026", 8),  # 1/7 and 31/12 in; 30/6 and 1/1/2027 out
    "2026": (8, "năm 2026", 8),  # 1/1 .. 31/12; 31/12/2025 and 1/1/2027 out
    "2025": (2, "năm 2025", 2),
    "2025-2030": (12, "nhiệm kỳ 2025–2030", 12),  # 1/1/2025 .. 31/12/2029; 31/12/2024 and 1/1/2030 out
    "2030-2035": (1, "nhiệm kỳ 2030–2035", 1),
    "2020-2025": (1, "nhiệm kỳ 2020–2025", 1),
}


@pytest.fixture(scope="module")
def bounds(engine: Engine, wf: Workflow) -> Tree:
    tree = make_tree(engine, wf, ("grassroots", "grassroots_committee", "district"), ("branch", "branch", "grassroots"))
    for day in BOUNDARY_DAYS:
        tree.admitted("branch", day, f"Người kết nạp {day:%d/%m/%Y}")
    tree.dossier("branch", "committee_approved", {"hold_grassroots_committee_vote": date(2026, 3, 10)}, "Chưa có quyết định")
    set_targets(tree, "2025-2030", {("grassroots", "total"): 229})
    return tree


@pytest.mark.parametrize("code", list(BY_PERIOD))
def test_the_first_and_last_day_of_a_period_count_and_the_days_around_it_do_not(bounds: Tree, code: str) -> None:
    n, _label, _cumulative = BY_PERIOD[code]
    period = parse_period(code)
    with bounds.engine.connect() as conn:
        by_branch = figures_db.admitted_by_branch(conn, [bounds.orgs["branch"]], period.start, period.end)
    assert by_branch == {bounds.orgs["branch"]: n}


@pytest.mark.parametrize("code", list(BY_PERIOD))
def test_the_progress_report_counts_the_period_and_from_the_start_of_its_year_or_term(bounds: Tree, code: str) -> None:
    n, label, cumulative = BY_PERIOD[code]
    report = bounds.report("progress", "grassroots", code)
    assert figures(report)[f"Kết nạp trong {label}"] == str(n)
    [row] = table(report, "by_org").rows
    assert row[:8] == [bounds.name("branch"), None, None, n, cumulative, None, None, f"{1 if cumulative else 0}/1"]


def test_the_term_target_gives_the_vietnamese_ratio(bounds: Tree) -> None:
    report = bounds.report("progress", "grassroots", "2025-2030")
    assert figures(report)["Đã kết nạp / chỉ tiêu 2025-2030"] == "12/229 = 5,24%"
    [row] = table(report, "by_org").rows
    assert row == [bounds.name("branch"), None, None, 12, 12, None, None, "1/1"]  # the branch has no target of its own
    assert table(report, "by_org").total == [None, 229, None, 12, 12, 12 / 229, False, "1/1"]
    assert len(table(report, "by_org").columns) == 8  # no members' columns for a term
    # A year of the term has no target of its own: the figure shows the count without a rate.
    assert figures(bounds.report("progress", "grassroots", "2026"))["Đã kết nạp / chỉ tiêu 2026"] == "8/–"


def test_admissions_per_month_are_keyed_by_year_and_month(bounds: Tree) -> None:
    with bounds.engine.connect() as conn:
        by_month = figures_db.admitted_by_month(conn, [bounds.orgs["branch"]], date(2025, 12, 1), date(2027, 1, 31))
    assert by_month == {202512: 1, 202601: 1, 202602: 1, 202603: 2, 202604: 1, 202606: 1, 202607: 1, 202612: 1, 202701: 1}
    labels, [values] = chart(bounds.report("progress", "grassroots", "2026-Q2"), "by_month")
    assert labels == ["01/2026", "02/2026", "03/2026", "04/2026", "05/2026", "06/2026"]
    assert values == [1.0, 1.0, 2.0, 1.0, 0.0, 1.0]


# -- board: roll-up per child, own targets against the children's, membership, scope, reviews ------


@pytest.fixture(scope="module")
def board(engine: Engine, wf: Workflow) -> Tree:
    tree = make_tree(engine, wf, ("A", "grassroots_committee", "district"), ("A1", "branch", "A"), ("A2", "branch", "A"),
                     ("B", "grassroots_committee", "district"), ("B1", "branch", "B"))
    tree.admitted("A1", date(2026, 2, 10), "A1 tháng hai")
    tree.admitted("A1", date(2026, 3, 16), "A1 tháng ba")
    # Admitted, then on to probation: still counted on the decision date.
    tree.dossier("A1", "probationary", {"record_admission_decision": date(2026, 7, 20)}, "A1 tháng bảy")
    tree.admitted("A2", date(2025, 11, 10), "A2 năm trước")
    tree.dossier("A2", "committee_approved", {"hold_grassroots_committee_vote": date(2026, 5, 4)}, "A2 chờ quyết định")
    tree.dossier("A2", "sympathiser", {"admit_to_sympathiser_list": date(2026, 9, 1)}, "A2 cảm tình")
    tree.admitted("B1", date(2026, 3, 5), "B1 tháng ba")
    tree.admitted("B1", date(2026, 4, 20), "B1 tháng tư")
    with Session(engine) as session:  # on A1's members list: joined before 1/1/2026 counts, on 1/1/2026 does not
        session.add_all([Member(full_name="Vào cuối năm", status="probationary", branch_id=tree.orgs["A1"], joined_on=date(2025, 12, 31)),
                         Member(full_name="Vào đầu năm", status="probationary", branch_id=tree.orgs["A1"], joined_on=date(2026, 1, 1))])
        session.commit()
    set_targets(tree, "2026", {("district", "total"): 10, ("A", "total"): 5, ("A1", "total"): 2, ("A2", "total"): 4,
                               ("B1", "total"): 3})
    set_targets(tree, "2027", {("district", "total"): 99, ("B", "total"): 77})
    set_membership(tree, 2026, {"A": 100, "B1": 50})
    set_membership(tree, 2025, {"district": 999})
    with engine.begin() as conn:
        for branch, month, day in (("A1", "2026-10", date(2026, 10, 28)), ("A1", "2026-11", date(2026, 11, 20)),
                                   ("A2", "2026-10", date(2026, 10, 27)), ("B1", "2026-09", date(2026, 9, 25))):
            assert branch_lists.record_review(conn, tree.orgs[branch], month, day, tree.user_id, None, 0)
    return tree


def test_the_district_rolls_up_its_grassroots_and_keeps_its_own_target(board: Tree) -> None:
    report = board.report("progress", "district", "2026")
    by_org = table(report, "by_org")
    assert [c.key for c in by_org.columns] == ["org", "target", "children_target", "in_period", "cumulative", "percent", "met",
                                              "branches_one", "members", "rate"]
    assert by_org.rows == [
        # A's own 5 wins over its branches' 2 + 4 = 6 (shown beside it); 100 members recorded for A.
        [board.name("A"), 5, 6, 3, 3, 3 / 5, False, "1/2", 100, 3 / 100],
        # B has no target of its own: its branch's 3 (no "different" sum then); its branch's 50 members.
        [board.name("B"), 3, None, 2, 2, 2 / 3, False, "1/1", 50, 2 / 50],
    ]
    # The district's own 10 against its children's 5 + 3; members: A's 100 + B1's 50 (nothing recorded for 2026 itself).
    assert by_org.total == [None, 10, 8, 5, 5, 5 / 10, False, "2/3", 150, 5 / 150]
    assert figures(report) == {
        "Đã kết nạp / chỉ tiêu 2026": "5/10 = 50,00%",
        "Kết nạp trong năm 2026": "5",
        "Chỉ tiêu được giao / tổng chỉ tiêu các tổ chức trực thuộc": "10 / 8",
        "Tỷ lệ kết nạp so với 150 đảng viên đầu năm (mục tiêu 3–4%)": "3,33% — đạt",
    }
    assert not any("danh sách đảng viên" in n.vi for n in report.notes)
    assert chart(report, "by_org") == ([board.name("A"), board.name("B")], [[5.0, 3.0], [3.0, 2.0]])
    # months after the as-of day (23/11/2026) are not drawn: December has not happened yet
    assert chart(report, "by_month")[1] == [[0.0, 1.0, 2.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]]


def test_a_month_counts_its_own_admissions_and_the_year_so_far(board: Tree) -> None:
    report = board.report("progress", "district", "2026-03")
    by_org = table(report, "by_org")
    assert [row[3:5] for row in by_org.rows] == [[1, 2], [1, 1]]  # in March; from 1 January
    assert by_org.total is not None and by_org.total[3:5] == [2, 3]
    assert figures(report)["Kết nạp trong tháng 03/2026"] == "2"
    assert figures(report)["Đã kết nạp / chỉ tiêu 2026"] == "3/10 = 30,00%"
    assert figures(report)["Tỷ lệ kết nạp so với 150 đảng viên đầu năm (mục tiêu 3–4%)"] == "2,00% — chưa đạt"


def test_a_grassroots_report_counts_only_its_own_branches(board: Tree) -> None:
    report = board.report("progress", "A", "2026")
    by_org = table(report, "by_org")
    assert by_org.rows == [
        # A1 has no recorded count: its members list, the one who joined on 1/1/2026 left out.
        [board.name("A1"), 2, None, 3, 3, 3 / 2, True, "1/1", 4, 3 / 4],
        [board.name("A2"), 4, None, 0, 0, 0.0, False, "0/1", 3, 0.0],
    ]
    assert by_org.total == [None, 5, 6, 3, 3, 3 / 5, False, "1/2", 100, 3 / 100]
    assert figures(report) == {
        "Đã kết nạp / chỉ tiêu 2026": "3/5 = 60,00%",
        "Kết nạp trong năm 2026": "3",
        "Chỉ tiêu được giao / tổng chỉ tiêu các tổ chức trực thuộc": "5 / 6",
        "Tỷ lệ kết nạp so với 100 đảng viên đầu năm (mục tiêu 3–4%)": "3,00% — đạt",  # exactly 3 %: met
    }
    assert any("danh sách đảng viên" in n.vi for n in report.notes)

    other = board.report("progress", "B", "2026")
    assert table(other, "by_org").rows == [[board.name("B1"), 3, None, 2, 2, 2 / 3, False, "1/1", 50, 2 / 50]]
    assert table(other, "by_org").total == [None, 3, None, 2, 2, 2 / 3, False, "1/1", 50, 2 / 50]
    assert figures(other) == {
        "Đã kết nạp / chỉ tiêu 2026": "2/3 = 66,67%",
        "Kết nạp trong năm 2026": "2",
        "Tỷ lệ kết nạp so với 50 đảng viên đầu năm (mục tiêu 3–4%)": "4,00% — đạt",
    }


def test_a_branch_report_has_one_row_and_no_total(board: Tree) -> None:
    report = board.report("progress", "A2", "2025")
    assert table(report, "by_org").rows == [[board.name("A2"), None, None, 1, 1, None, None, "1/1", 3, 1 / 3]]
    assert table(report, "by_org").total is None
    assert figures(report)["Đã kết nạp / chỉ tiêu 2025"] == "1/–"


def test_the_reviews_report_marks_the_branches_not_reviewed_this_month(board: Tree) -> None:
    report = board.report("reviews", "district", "2026-Q4")  # as of 23/11: October and November so far
    assert table(report, "reviews").rows == [
        [board.name("A1"), 0, "2/2", True, date(2026, 11, 20)],
        [board.name("A2"), 1, "1/2", False, date(2026, 10, 27)],
        [board.name("B1"), 0, "0/2", False, date(2026, 9, 25)],
    ]
    assert figures(report) == {"Chi bộ chưa rà soát tháng 2026-11": "2/3"}

    october = board.report("reviews", "A", "2026-10")
    assert [row[2:4] for row in table(october, "reviews").rows] == [["1/1", True], ["1/1", True]]
    assert figures(october) == {"Chi bộ chưa rà soát tháng 2026-10": "0/2"}

    ahead = board.report("reviews", "A", "2027")  # nothing of it has begun on 23/11/2026
    assert [row[2:4] for row in table(ahead, "reviews").rows] == [["0/0", None], ["0/0", None]]
    assert figures(ahead) == {"Chi bộ chưa rà soát tháng –": "0/2"}


# -- people: the structure of the new members ------------------------------------------------------


@pytest.fixture(scope="module")
def people(engine: Engine, wf: Workflow) -> Tree:
    tree = make_tree(engine, wf, ("grassroots", "grassroots_committee", "district"), ("branch", "branch", "grassroots"))
    with Session(engine) as session:
        youth = MassOrganisation(org_id=tree.orgs["grassroots"], kind="youth_union", name="Đoàn cơ sở")
        women = MassOrganisation(org_id=tree.orgs["grassroots"], kind="women_union", name="Hội Phụ nữ cơ sở")
        session.add_all([youth, women])
        session.commit()
        youth_id, women_id = youth.id, women.id
    may, april = date(2026, 5, 15), date(2026, 4, 30)
    # 360 completed months on the decision day: youth.
    tree.admitted("branch", may, "Lò Thị Một", gender="female", date_of_birth="1996-05-15", source_category="student",
                  introducing_mass_org_id=youth_id)
    # 361 completed months: not youth; an ethnic minority, a religious follower.
    tree.admitted("branch", may, "Hoàng Văn Hai", gender="male", date_of_birth="1996-04-15", ethnicity="Tày",
                  religion="Phật giáo", source_category="student")
    # 361 months less a day: 360 completed months, youth; "Không" is no religion.
    tree.admitted("branch", may, "Trần Thị Ba", gender="female", date_of_birth="1996-04-16", religion="Không",
                  source_category="farmer", introducing_mass_org_id=women_id)
    # Born on 31 March: on 30 April, the last day of the month, the 361st month is complete (engine.dates).
    tree.admitted("branch", april, "Phạm Văn Bốn", gender="male", date_of_birth="1996-03-31", religion="Công giáo",
                  source_category="farmer", introducing_mass_org_id=youth_id)
    # Decided the year before: in no 2026 figure.
    tree.admitted("branch", date(2025, 12, 31), "H'Hen Niê", gender="female", date_of_birth="1980-01-01", ethnicity="Ê Đê",
                  religion="Tin Lành", source_category="student", introducing_mass_org_id=women_id)
    set_targets(tree, "2026", {("grassroots", "total"): 8, ("grassroots", "women"): 3, ("grassroots", "youth"): 2,
                               ("grassroots", "source:farmer"): 1, ("grassroots", "mass_org:veterans_union"): 1})
    return tree


def test_the_ages_are_the_engines_completed_months() -> None:
    assert completed_months(date(1996, 5, 15), date(2026, 5, 15)) == 360
    assert completed_months(date(1996, 4, 15), date(2026, 5, 15)) == 361
    assert completed_months(date(1996, 4, 16), date(2026, 5, 15)) == 360
    assert completed_months(date(1996, 3, 31), date(2026, 4, 30)) == 361


def test_completed_months_in_sql_are_the_engines(engine: Engine) -> None:
    """Month ends, 29 February, leap and non-leap years (2100 is not one): the SQL agrees with engine.dates."""
    births = [date(2000, 2, 29), date(1996, 3, 31), date(1996, 1, 30), date(1995, 5, 29), date(1996, 4, 15), date(1996, 4, 1)]
    days = [date(y, m, d) for y in (2026, 2028, 2100) for m, d in ((2, 28), (2, 29), (3, 1), (4, 29), (4, 30), (5, 14), (5, 15),
                                                                   (5, 31), (6, 30), (12, 31)) if not (m == 2 and d == 29 and y != 2028)]
    pairs = [(born, on) for born in births for on in days]
    with engine.connect() as conn:
        found = [conn.execute(select(figures_db._completed_months(literal(born, Date()), literal(on, Date())))).scalar_one()
                 for born, on in pairs]
    assert [int(n) for n in found] == [completed_months(born, on) for born, on in pairs]


def test_the_structure_report_counts_each_group_in_the_month_and_the_year_so_far(people: Tree) -> None:
    report = people.report("structure", "grassroots", "2026-05")

    def row(category: str, target: int | None, in_period: int, cumulative: int) -> list[Any]:
        return [category_label(category).vi, target, in_period, cumulative, cumulative / 4,  # 4 admitted by the end of May
                None if target is None else cumulative / target, None if target is None else cumulative >= target]

    assert table(report, "structure").rows == [
        row("total", 8, 3, 4),
        row("women", 3, 2, 2),
        row("ethnic_minority", None, 1, 1),
        row("religious", None, 1, 2),
        row("youth", 2, 2, 2),  # 360 months counts, 361 does not
        row("source:student", None, 2, 2),
        row("source:farmer", 1, 1, 2),
        row("mass_org:youth_union", None, 1, 2),
        row("mass_org:women_union", None, 1, 1),
        row("mass_org:veterans_union", 1, 0, 0),  # a target, nobody yet: shown
    ]
    assert figures(report) == {"Đã kết nạp / chỉ tiêu 2026": "4/8 = 50,00%"}
    missing = next(n.en for n in report.notes if n.en.startswith("Mass organisations"))
    assert missing == ("Mass organisations with no admitted introduction yet: fatherland_front, farmers_union, veterans_union, "
                       "trade_union (each should introduce at least one).")


def test_each_mass_organisation_has_its_introductions_and_admissions(people: Tree) -> None:
    """Seed 004: each mass organisation introduces at least one; counted per organisation, not per kind."""
    report = people.report("structure", "grassroots", "2026-05")
    with people.engine.connect() as conn:
        opened = dict(conn.execute(select(Candidate.introducing_mass_org_id, func.count())
                                   .join(Dossier, Dossier.candidate_id == Candidate.id)
                                   .where(Dossier.opened_on >= date(2026, 1, 1), Dossier.opened_on <= date(2026, 5, 31),
                                          Candidate.introducing_mass_org_id.is_not(None))
                                   .group_by(Candidate.introducing_mass_org_id)).all())
        ids = dict(conn.execute(select(MassOrganisation.name, MassOrganisation.id)).all())
    rows = table(report, "by_mass_org").rows
    assert [r[0] for r in rows] == ["Hội Phụ nữ cơ sở", "Đoàn cơ sở"]  # women_union before youth_union
    assert [(r[3], r[5]) for r in rows] == [(1, True), (2, True)]  # H'Hen Niê was decided in 2025
    assert [r[2] for r in rows] == [opened.get(ids["Hội Phụ nữ cơ sở"], 0), opened.get(ids["Đoàn cơ sở"], 0)]
    assert [r[4] for r in rows] == [r[2] >= 1 for r in rows]


def test_youth_is_counted_on_the_decision_date(people: Tree) -> None:
    with people.engine.connect() as conn:
        rows = figures_db.structure(conn, [people.orgs["branch"]], date(2026, 1, 1), date(2026, 12, 31), 360)
        older = figures_db.structure(conn, [people.orgs["branch"]], date(2026, 1, 1), date(2026, 12, 31), 361)
    assert sum(r.admitted for r in rows) == 4
    assert sum(r.youth for r in rows) == 2
    assert sum(r.youth for r in older) == 4
    assert {(r.source_category, r.mass_org_kind, r.admitted, r.women) for r in rows} == {
        ("student", "youth_union", 1, 1), ("student", None, 1, 0), ("farmer", "women_union", 1, 1), ("farmer", "youth_union", 1, 0)}


# -- funnel: arrivals, medians, a self-loop ---------------------------------------------------------


@dataclass
class Funnel:
    tree: Tree
    ceremony: date
    recognition_vote: date


@pytest.fixture(scope="module")
def funnel(engine: Engine, wf: Workflow) -> Funnel:
    tree = make_tree(engine, wf, ("grassroots", "grassroots_committee", "district"), ("branch", "branch", "grassroots"))
    d = date
    # (registered, on the sympathiser list, nominated for training or None): in 2026-Q1 the source stage is left
    # after 5, 7, 30 and 100 days (median 18.5), the sympathiser stage after 10, 20 and 50 (median 20).
    for i, (registered, listed, nominated) in enumerate([
        (d(2026, 1, 5), d(2026, 1, 10), d(2026, 1, 20)),
        (d(2026, 1, 5), d(2026, 1, 12), d(2026, 2, 1)),
        (d(2026, 1, 5), d(2026, 2, 4), d(2026, 3, 26)),
        (d(2025, 12, 1), d(2026, 3, 11), None),
        (d(2025, 10, 1), d(2025, 11, 1), None),  # left the source stage before the quarter
    ]):
        on = {"register_source": registered, "admit_to_sympathiser_list": listed}
        if nominated:
            on["nominate_for_training"] = nominated
        tree.dossier("branch", "training_nominated" if nominated else "sympathiser", on, f"Quần chúng {i}")
    # Admitted in 2024; in 2025 a recognition vote without two thirds (stays probationary), then one with.
    steps = tree.path("branch", {"record_admission_decision": d(2024, 5, 15)})  # the same steps the dossier below takes
    dossier_id = tree.dossier("branch", "probationary", {"record_admission_decision": d(2024, 5, 15)}, "Dự bị")
    ceremony = date.fromisoformat(_facts(steps, "hold_admission_ceremony")["ceremony_on"])
    end = add_months(ceremony, 12)
    assert tree.step(dossier_id, "record_inconclusive_vote", {"meeting_date": end.isoformat(), "official_total": 16,
                                                              "present": 15, "agreeing": 8, "agreeing_strike_off": 2}) == "probationary"
    vote = _facts(steps, "hold_recognition_vote")
    assert tree.step(dossier_id, "hold_recognition_vote", vote) == "recognition_proposed"
    recognition_vote = date.fromisoformat(vote["meeting_date"])
    assert ceremony.year == 2024 and end.year == recognition_vote.year == 2025 and end < recognition_vote
    return Funnel(tree, ceremony, recognition_vote)


def test_arrivals_and_medians_of_an_even_and_an_odd_count(funnel: Funnel) -> None:
    tree = funnel.tree
    with tree.engine.connect() as conn:
        stages = ["source", "sympathiser", "training_nominated", "trained"]
        arrived = figures_db.arrivals_by_stage(conn, [tree.orgs["branch"]], date(2026, 1, 1), date(2026, 3, 31), stages)
        durations = figures_db.stage_durations(conn, [tree.orgs["branch"]], date(2026, 1, 1), date(2026, 3, 31), stages)
    assert arrived == {"source": 3, "sympathiser": 4, "training_nominated": 3}
    assert durations == {"source": (4, 18.5), "sympathiser": (3, 20.0)}

    report = tree.report("funnel", "grassroots", "2026-Q1")
    rows = {row[0]: row[1:] for row in table(report, "funnel").rows}
    assert rows["Nguồn phát triển đảng"] == [3, 4 / 3, 4, 18.5]
    assert rows["Quần chúng cảm tình Đảng"] == [4, 3 / 4, 3, 20.0]
    assert rows["Cử đi học lớp bồi dưỡng nhận thức về Đảng"] == [3, 0.0, 0, None]
    assert rows["Đảng viên chính thức"] == [0, None, 0, None]
    assert chart(report, "funnel")[1][0][:4] == [3.0, 4.0, 3.0, 0.0]


def test_a_vote_that_stays_in_its_stage_is_no_arrival_and_does_not_restart_the_days(funnel: Funnel) -> None:
    tree = funnel.tree
    with tree.engine.connect() as conn:
        arrived = figures_db.arrivals_by_stage(conn, [tree.orgs["branch"]], date(2025, 1, 1), date(2025, 12, 31),
                                               ["probationary", "recognition_proposed"])
        durations = figures_db.stage_durations(conn, [tree.orgs["branch"]], date(2025, 1, 1), date(2025, 12, 31),
                                               ["probationary"])
    assert arrived == {"recognition_proposed": 1}
    assert durations == {"probationary": (1, float((funnel.recognition_vote - funnel.ceremony).days))}


# -- deadlines: overdue, due soon, not yet due; an organisation's own limit ----------------------------


@dataclass
class Deadlines:
    tree: Tree
    entered: dict[str, date]  # candidate name -> the day their application was submitted


def latest_entry_due_by(tree: Tree, last_due: date, sla_wd: int) -> date:
    """The latest day an application may be submitted for the declaration to be due by `last_due`."""
    params = tree.wf.params.with_overrides({"sla_declaration_wd": sla_wd})
    day = last_due
    while (due := due_date("applied", day, params, tree.wf.calendar)) is not None and due > last_due:
        day -= timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def deadlines(engine: Engine, wf: Workflow) -> Deadlines:
    tree = make_tree(engine, wf, ("G1", "grassroots_committee", "district"), ("L1", "branch", "G1"),
                     ("G2", "grassroots_committee", "district"), ("L2", "branch", "G2"))
    with engine.begin() as conn:  # G2's own limit: the biography within 5 working days of the application
        conn.execute(update(_o).where(_o.c.id == tree.orgs["G2"]).values(settings={"params": {"sla_declaration_wd": 5}}))
    soon_by = wf.calendar.add_working_days(AS_OF, int(wf.params.get("due_soon_wd")))
    late = latest_entry_due_by(tree, AS_OF - timedelta(days=1), 20)
    today = latest_entry_due_by(tree, AS_OF, 20)
    soon = latest_entry_due_by(tree, soon_by, 20)
    entered = {"L1 quá hạn": late, "L1 hạn hôm nay": today, "L1 hạn cuối": soon, "L1 chưa đến hạn": soon + timedelta(days=1),
               "L2 quá hạn": soon, "L2 sắp đến hạn": date(2026, 11, 20)}
    for name, day in entered.items():
        tree.dossier(name[:2], "applied", {"submit_application": day}, name)
    return Deadlines(tree, entered)


def test_the_deadlines_report_splits_overdue_and_due_soon_on_the_exact_days(deadlines: Deadlines) -> None:
    tree, entered = deadlines.tree, deadlines.entered
    default = tree.wf.params
    own = default.with_overrides({"sla_declaration_wd": 5})
    soon_by = tree.wf.calendar.add_working_days(AS_OF, 10)
    due = {name: due_date("applied", day, own if name.startswith("L2") else default, tree.wf.calendar)
           for name, day in entered.items()}
    assert due["L1 quá hạn"] == tree.wf.calendar.add_working_days(AS_OF - timedelta(days=7), 4)  # the Friday before
    assert (due["L1 hạn hôm nay"], due["L1 hạn cuối"]) == (AS_OF, soon_by)
    assert due["L1 chưa đến hạn"] is not None and due["L1 chưa đến hạn"] > soon_by

    report = tree.report("deadlines", "district", "2026-11")
    stage = "Đã có đơn xin vào Đảng"

    def rows(names: list[str]) -> list[list[Any]]:
        return [[name, tree.name(name[:2]), stage, entered[name], due[name]] for name in names]

    # Ordered by the day they entered the stage.
    assert table(report, "overdue").rows == rows(["L1 quá hạn", "L2 quá hạn"])
    assert table(report, "due_soon").rows == rows(["L1 hạn hôm nay", "L1 hạn cuối", "L2 sắp đến hạn"])
    assert entered["L2 quá hạn"] == entered["L1 hạn cuối"]  # the same day: overdue under G2's own 5 days, due soon under 20
    assert figures(report) == {"Hồ sơ quá hạn": "2",
                               f"Hồ sơ đến hạn trong 10 ngày làm việc tới (đến {soon_by:%d/%m/%Y})": "3"}

    only_g1 = tree.report("deadlines", "G1", "2026-11")
    assert [r[0] for r in table(only_g1, "overdue").rows] == ["L1 quá hạn"]
    assert [r[0] for r in table(only_g1, "due_soon").rows] == ["L1 hạn hôm nay", "L1 hạn cuối"]

    a_week_later = tree.report("deadlines", "G1", "2026-11", AS_OF + timedelta(days=7))
    assert [r[0] for r in table(a_week_later, "overdue").rows] == ["L1 quá hạn", "L1 hạn hôm nay"]


# -- build_report's refusals ---------------------------------------------------------------------


def test_a_bad_kind_organisation_or_period_is_named(bounds: Tree) -> None:
    with pytest.raises(ValueError, match="Loại báo cáo 'budget' không có"):
        bounds.report("budget", "grassroots", "2026")
    with pytest.raises(ValueError, match="2026-Q1, 2026-H1"):
        bounds.report("progress", "grassroots", "2026-Q5")
    with bounds.engine.connect() as conn, pytest.raises(ValueError, match="Không có tổ chức"):
        build_report(Context(conn, bounds.wf.params, bounds.wf.calendar), "progress", -1, "2026", AS_OF)


# -- periods (no database) -----------------------------------------------------------------------

ACCEPTED = "dùng 2026, 2026-03, 2026-Q1, 2026-H1 hoặc 2025-2030"


@pytest.mark.parametrize(("code", "kind", "normal", "start", "end", "label"), [
    ("2026-03", "month", "2026-03", date(2026, 3, 1), date(2026, 3, 31), "tháng 03/2026"),
    ("2026-02", "month", "2026-02", date(2026, 2, 1), date(2026, 2, 28), "tháng 02/2026"),
    ("2028-02", "month", "2028-02", date(2028, 2, 1), date(2028, 2, 29), "tháng 02/2028"),
    ("2026-12", "month", "2026-12", date(2026, 12, 1), date(2026, 12, 31), "tháng 12/2026"),
    ("2026-Q1", "quarter", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "quý I năm 2026"),
    ("2026-q4", "quarter", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "quý IV năm 2026"),
    ("2026-H1", "half", "2026-H1", date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
    (" 2026-h2 ", "half", "2026-H2", date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
    ("2026", "year", "2026", date(2026, 1, 1), date(2026, 12, 31), "năm 2026"),
    ("2025-2030", "term", "2025-2030", date(2025, 1, 1), date(2029, 12, 31), "nhiệm kỳ 2025–2030"),
    ("2020-2025", "term", "2020-2025", date(2020, 1, 1), date(2024, 12, 31), "nhiệm kỳ 2020–2025"),
])
def test_a_period_code_reads_as_a_closed_range(code: str, kind: str, normal: str, start: date, end: date, label: str) -> None:
    period = parse_period(code)
    assert (period.kind, period.code, period.start, period.end, period.label.vi) == (kind, normal, start, end, label)
    assert period.contains(start) and period.contains(end)
    assert not period.contains(start - timedelta(days=1)) and not period.contains(end + timedelta(days=1))


def test_the_term_runs_five_whole_years() -> None:
    term = parse_period("2025-2030")
    assert list(term.years) == [2025, 2026, 2027, 2028, 2029]
    assert term.contains(date(2029, 12, 31)) and not term.contains(date(2030, 1, 1)) and not term.contains(date(2024, 12, 31))
    assert parse_period("2030-2035").start == date(2030, 1, 1)


@pytest.mark.parametrize(("code", "message"), [
    ("2026-Q5", ACCEPTED), ("2026-H3", ACCEPTED), ("26", ACCEPTED), ("2026/03", ACCEPTED), ("", ACCEPTED),
    ("2026-3", ACCEPTED), ("Q1-2026", ACCEPTED), ("2026-Q1-2", ACCEPTED), ("năm 2026", ACCEPTED),
    ("2026-13", "Tháng 13 không hợp lệ"), ("2026-00", "Tháng 0 không hợp lệ"),
    ("2030-2025", "Nhiệm kỳ 2030-2025 không hợp lệ"), ("2025-2025", "Nhiệm kỳ 2025-2025 không hợp lệ"),
    ("2025-2036", "Nhiệm kỳ 2025-2036 không hợp lệ"), ("1900", "Năm 1900 ngoài khoảng"),
])
def test_a_bad_period_code_is_refused_with_what_is_accepted(code: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_period(code)
    assert message in str(raised.value)
    if message == ACCEPTED:
        assert f"'{code}'" in str(raised.value) and "(period: use 2026, 2026-03, 2026-Q1, 2026-H1 or 2025-2030)" in str(raised.value)


@pytest.mark.parametrize(("kind", "today", "code"), [
    ("month", date(2026, 3, 31), "2026-03"), ("month", date(2026, 12, 1), "2026-12"),
    ("quarter", date(2026, 3, 31), "2026-Q1"), ("quarter", date(2026, 4, 1), "2026-Q2"), ("quarter", date(2026, 12, 31), "2026-Q4"),
    ("half", date(2026, 6, 30), "2026-H1"), ("half", date(2026, 7, 1), "2026-H2"),
    ("year", date(2026, 1, 1), "2026"),
    ("term", date(2025, 1, 1), "2025-2030"), ("term", date(2026, 11, 23), "2025-2030"), ("term", date(2029, 12, 31), "2025-2030"),
    ("term", date(2030, 1, 1), "2030-2035"),
])
def test_the_current_period_holds_today(kind: str, today: date, code: str) -> None:
    period = current_period(kind, today)
    assert (period.kind, period.code) == (kind, code) and period.contains(today)


def test_an_unknown_period_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown period kind"):
        current_period("week", date(2026, 1, 1))



@pytest.mark.parametrize(("level", "body"), [("branch", "T/M CHI ỦY"), ("grassroots_branch", "T/M CHI ỦY"),
                                             ("grassroots_committee", "T/M ĐẢNG ỦY"), ("commune", "T/M BAN THƯỜNG VỤ"),
                                             ("district", "T/M BAN THƯỜNG VỤ"), ("province", "T/M BAN THƯỜNG VỤ")])
def test_the_signing_body_follows_the_level(level: str, body: str) -> None:
    from ketnap.reports.build import signing_body

    assert signing_body(level).vi == body
