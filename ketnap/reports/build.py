"""Building each report ("báo cáo") of an organisation for a period, from db.reports' SQL aggregates.

Kinds (KINDS): progress (admitted against targets, per child organisation: the appendix of seed
003, and the yearly admission rate of seed 002), structure (women, ethnic minorities, religious
followers, youth, source categories, mass organisations, against sub-targets), funnel (arrivals
per stage, conversion, median days per stage), deadlines (overdue and due soon, as of a day) and
reviews (the monthly review of each branch's sympathiser list, seed 004).

Targets are read for the year of the period (a month, quarter or half-year counts towards its
year's target, from 1 January to the period's end: "luỹ kế từ đầu năm"), or for the term.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from ..db import audit_queries, queries
from ..db import reports as figures_db
from ..db.branch_lists import SYMPATHISER_STATES
from ..engine.calendar import WorkingCalendar
from ..engine.rules import Message
from ..engine.snapshot import Params
from ..workflows.admission import HAPPY_PATH
from ..workflows.deadlines import due_date
from ..workflows.vocab import DOSSIER_LEVELS, MASS_ORG_KINDS
from .format import percent_text, ratio_text
from .model import Chart, Column, Figure, Report, Series, Table
from .periods import Period, parse_period
from .targets import CATEGORIES, STRUCTURE, category_label

KINDS: dict[str, Message] = {
    "progress": Message("Tiến độ kết nạp đảng viên so với chỉ tiêu", "Admissions against targets"),
    "structure": Message("Cơ cấu đảng viên mới kết nạp", "Structure of new members"),
    "funnel": Message("Các bước phát triển đảng viên", "The admission funnel"),
    "deadlines": Message("Hồ sơ quá hạn và sắp đến hạn", "Overdue and due-soon dossiers"),
    "reviews": Message("Rà soát danh sách cảm tình Đảng hằng tháng", "Monthly review of sympathiser lists"),
}
STAGE_LABELS = {name: Message(vi, en) for name, vi, en in HAPPY_PATH}
LIST_LIMIT = 200


@dataclass(frozen=True)
class Context:
    """What every report needs: the connection, the parameters and the working-day calendar."""

    conn: Connection
    params: Params
    calendar: WorkingCalendar
    lang: str = "vi"  # the language of the words written into cells and figures (labels are vi/en pairs anyway)

    def word(self, message: Message) -> str:
        return message.vi if self.lang == "vi" else message.en


@dataclass(frozen=True)
class OrgNode:
    id: int
    name: str
    level_code: str
    children: tuple[int, ...]
    subtree: tuple[int, ...]  # this organisation and all below it
    active: bool = True  # an organisation closed (merged) keeps its dossiers' counts but has no row of its own


def org_nodes(conn: Connection) -> dict[int, OrgNode]:
    tree = queries.org_tree(conn)
    children: dict[int, list[int]] = {}
    for row in tree:
        if row["parent_id"] is not None:
            children.setdefault(row["parent_id"], []).append(row["id"])
    subtree: dict[int, list[int]] = {}
    for row in reversed(tree):  # children before parents
        subtree[row["id"]] = [row["id"], *(o for child in children.get(row["id"], []) for o in subtree[child])]
    return {row["id"]: OrgNode(row["id"], row["name"], row["level_code"], tuple(children.get(row["id"], [])),
                               tuple(subtree[row["id"]]), bool(row.get("active", True))) for row in tree}


def target_period(period: Period) -> tuple[str, date]:
    """The target a period counts towards ('2026' or '2025-2030') and the day counting starts."""
    if period.kind == "term":
        return period.code, period.start
    return str(period.start.year), date(period.start.year, 1, 1)


def _msg(vi: str, en: str) -> Message:
    return Message(vi, en)


def _rate(done: int, target: int | None) -> float | None:
    return done / target if target else None


def _met(done: int, target: int | None) -> bool | None:
    return None if not target else done >= target


class Targets:
    """An organisation's targets, rolled up: its own when set, else the sum of its children's."""

    def __init__(self, nodes: dict[int, OrgNode], own: dict[tuple[int, str], int]):
        self.nodes, self.own = nodes, own

    def effective(self, org: int, category: str = "total") -> int | None:
        if (org, category) in self.own:
            return self.own[(org, category)]
        return self.children_sum(org, category)

    def children_sum(self, org: int, category: str = "total") -> int | None:
        values = [v for child in self.nodes[org].children if (v := self.effective(child, category)) is not None]
        return sum(values) if values else None


def _load_targets(ctx: Context, nodes: dict[int, OrgNode], org: int, code: str) -> Targets:
    return Targets(nodes, figures_db.targets(ctx.conn, nodes[org].subtree, code))


def _branch_ids(node: OrgNode, nodes: dict[int, OrgNode]) -> list[int]:
    """The branches (organisations that hold dossiers) of the organisation's subtree."""
    return [o for o in node.subtree if nodes[o].level_code in DOSSIER_LEVELS]


def _scope(node: OrgNode, nodes: dict[int, OrgNode]) -> list[int] | None:
    """The scope for the SQL figures: its branches, or None when that is every branch (no filter, no join)."""
    own = _branch_ids(node, nodes)
    return None if len(own) == sum(1 for n in nodes.values() if n.level_code in DOSSIER_LEVELS) else own


def _rows_orgs(node: OrgNode, nodes: dict[int, OrgNode]) -> list[int]:
    """The rows of a per-organisation table: the active organisations directly below, or the organisation itself."""
    return [c for c in node.children if nodes[c].active] or [node.id]


def signing_body(level_code: str) -> Message:
    """Who signs for the organisation: the branch committee, the grassroots committee, or the standing committee above."""
    if level_code in DOSSIER_LEVELS:
        return Message("T/M CHI ỦY", "FOR THE BRANCH COMMITTEE")
    if level_code == "grassroots_committee":
        return Message("T/M ĐẢNG ỦY", "FOR THE PARTY COMMITTEE")
    return Message("T/M BAN THƯỜNG VỤ", "FOR THE STANDING COMMITTEE")


def _header(kind: str, node: OrgNode, period: Period, as_of: date) -> Report:
    return Report(kind, KINDS[kind], node.id, node.name, period, as_of, signing_body=signing_body(node.level_code))


# -- progress -------------------------------------------------------------------------------------


def _members_at_start(ctx: Context, nodes: dict[int, OrgNode], orgs: Sequence[int], year: int,
                      branches: Sequence[int] | None) -> tuple[dict[int, int], bool]:
    """Members at the start of the year per organisation: recorded counts rolled up, else the members list.

    Returns the counts and whether any came from the members list rather than a recorded count."""
    recorded = figures_db.membership_counts(ctx.conn, sorted({o for org in orgs for o in nodes[org].subtree}), year)
    listed = figures_db.members_by_branch(ctx.conn, branches, date(year, 1, 1))
    from_list = False

    def count(org: int) -> int:
        nonlocal from_list
        if org in recorded:
            return recorded[org]
        children = nodes[org].children
        if children:
            return sum(count(child) for child in children)
        from_list = from_list or org in listed
        return listed.get(org, 0)

    return {org: count(org) for org in orgs}, from_list


def progress(ctx: Context, nodes: dict[int, OrgNode], org: int, period: Period, as_of: date) -> Report:
    node = nodes[org]
    report = _header("progress", node, period, as_of)
    code, since = target_period(period)
    branches = _scope(node, nodes)
    in_period = figures_db.admitted_by_branch(ctx.conn, branches, period.start, period.end)
    cumulative = figures_db.admitted_by_branch(ctx.conn, branches, since, period.end)
    targets = _load_targets(ctx, nodes, org, code)
    rows_orgs = _rows_orgs(node, nodes)
    year = period.end.year if period.kind != "term" else None
    members, from_list = (_members_at_start(ctx, nodes, [*rows_orgs, org], year, branches) if year else ({}, False))
    rate_min = float(ctx.params.get("admission_rate_min"))

    def total(counts: dict[int, int], o: int) -> int:
        return sum(counts.get(b, 0) for b in nodes[o].subtree)

    def branches_with_one(o: int) -> tuple[int, int]:
        own = [b for b in nodes[o].subtree if nodes[b].level_code in DOSSIER_LEVELS and nodes[b].active]
        return sum(1 for b in own if cumulative.get(b, 0) >= 1), len(own)

    columns = [
        Column("org", _msg("Tổ chức đảng", "Party organisation")),
        Column("target", _msg(f"Chỉ tiêu {code}", f"Target {code}"), "int"),
        Column("children_target", _msg("Tổng chỉ tiêu cấp dưới (khi khác)", "Sum of children's targets (when different)"), "int"),
        Column("in_period", _msg("Kết nạp trong kỳ", "Admitted in the period"), "int"),
        Column("cumulative", _msg("Luỹ kế", "Cumulative"), "int"),
        Column("percent", _msg("Đạt (%)", "Done (%)"), "percent"),
        Column("met", _msg("Hoàn thành chỉ tiêu", "Target met"), "flag"),
        Column("branches_one", _msg("Chi bộ đã kết nạp ≥ 1", "Branches with ≥ 1 admission"), "text"),
    ]
    if year:
        columns += [Column("members", _msg(f"Đảng viên đầu năm {year}", f"Members at 1/1/{year}"), "int"),
                    Column("rate", _msg("Tỷ lệ kết nạp/đảng viên", "Admission rate"), "percent")]
    table = Table("by_org", _msg("Kết quả kết nạp đảng viên của các tổ chức đảng trực thuộc", "Admissions per organisation"),
                  columns)

    def row(o: int, name: str | None) -> list[Any]:
        target = targets.effective(o)
        below = targets.children_sum(o)
        done = total(cumulative, o)
        with_one, all_branches = branches_with_one(o)
        cells: list[Any] = [name, target, below if below is not None and below != target else None, total(in_period, o),
                            done, _rate(done, target), _met(done, target), f"{with_one}/{all_branches}"]
        if year:
            cells += [members.get(o), _rate(done, members.get(o))]
        return cells

    table.rows = [row(o, nodes[o].name) for o in rows_orgs]
    table.total = row(org, None) if node.children else None  # the renderers write "Tổng cộng" / "Total"
    report.tables.append(table)

    target, done = targets.effective(org), total(cumulative, org)
    report.figures += [
        Figure(_msg(f"Đã kết nạp / chỉ tiêu {code}", f"Admitted / target {code}"), ratio_text(done, target, ctx.lang)),
        Figure(_msg(f"Kết nạp trong {period.label.vi}", f"Admitted in {period.label.en}"), str(total(in_period, org))),
    ]
    own, below = targets.own.get((org, "total")), targets.children_sum(org)
    if own is not None and below is not None and own != below:
        report.figures.append(Figure(_msg("Chỉ tiêu được giao / tổng chỉ tiêu các tổ chức trực thuộc",
                                          "Own target / sum of the children's"), f"{own} / {below}"))
    if year and members.get(org):
        rate = done / members[org]
        report.figures.append(Figure(
            _msg(f"Tỷ lệ kết nạp so với {members[org]} đảng viên đầu năm (mục tiêu 3–4%)",
                 f"Admission rate against {members[org]} members at 1/1 (aim 3–4%)"),
            percent_text(rate, ctx.lang) + " — " + ctx.word(_msg("đạt", "met") if rate >= rate_min else _msg("chưa đạt", "not met"))))
    if from_list:
        report.notes.append(_msg("Tổ chức chưa nhập số đảng viên đầu năm được tính theo danh sách đảng viên trong hệ thống.",
                                 "Where no start-of-year count was recorded, the members list in ketnap is counted."))
    report.notes.append(_msg("Kết nạp tính theo ngày quyết định kết nạp; luỹ kế từ đầu năm (hoặc đầu nhiệm kỳ) đến hết kỳ báo cáo.",
                             "Admissions count by decision date; cumulative from 1 January (or the term's start) to the period's end."))
    names = [nodes[o].name for o in rows_orgs]
    report.charts.append(Chart("by_org", _msg("Chỉ tiêu và kết quả theo tổ chức", "Target and admitted per organisation"), "bar",
                               names, [Series(_msg("Chỉ tiêu", "Target"), [float(targets.effective(o) or 0) for o in rows_orgs]),
                                       Series(_msg("Đã kết nạp", "Admitted"), [float(total(cumulative, o)) for o in rows_orgs])]))
    report.charts.append(_by_month(ctx, branches, since, max(since, min(period.end, as_of))))  # no months to come
    return report


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out, (y, m) = [], (start.year, start.month)
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _by_month(ctx: Context, branches: Sequence[int] | None, start: date, end: date) -> Chart:
    counts = figures_db.admitted_by_month(ctx.conn, branches, start, end)
    months = _months(start, end)
    return Chart("by_month", _msg("Kết nạp theo tháng", "Admissions per month"), "line",
                 [f"{m:02d}/{y}" for y, m in months],
                 [Series(_msg("Đã kết nạp", "Admitted"), [float(counts.get(y * 100 + m, 0)) for y, m in months])])


# -- structure ------------------------------------------------------------------------------------


def structure(ctx: Context, nodes: dict[int, OrgNode], org: int, period: Period, as_of: date) -> Report:
    node = nodes[org]
    report = _header("structure", node, period, as_of)
    code, since = target_period(period)
    branches = _scope(node, nodes)
    youth = int(ctx.params.get("youth_age_max_months"))
    cumulative = figures_db.structure(ctx.conn, branches, since, period.end, youth)
    in_period = figures_db.structure(ctx.conn, branches, period.start, period.end, youth)
    targets = _load_targets(ctx, nodes, org, code)

    def counts(rows: list[figures_db.StructureRow]) -> dict[str, int]:
        out = {"total": sum(r.admitted for r in rows)}
        for name in STRUCTURE:
            out[name] = sum(getattr(r, name) for r in rows)
        for r in rows:
            out[f"source:{r.source_category}"] = out.get(f"source:{r.source_category}", 0) + r.admitted
            if r.mass_org_kind:
                out[f"mass_org:{r.mass_org_kind}"] = out.get(f"mass_org:{r.mass_org_kind}", 0) + r.admitted
        return out

    done, now = counts(cumulative), counts(in_period)
    table = Table("structure", _msg("Cơ cấu đảng viên mới kết nạp", "New members by group"), [
        Column("category", _msg("Nhóm", "Group")),
        Column("target", _msg(f"Chỉ tiêu {code}", f"Target {code}"), "int"),
        Column("in_period", _msg("Trong kỳ", "In the period"), "int"),
        Column("cumulative", _msg("Luỹ kế", "Cumulative"), "int"),
        Column("share", _msg("Tỷ lệ trong số kết nạp", "Share of admissions"), "percent"),
        Column("percent", _msg("Đạt chỉ tiêu (%)", "Of target (%)"), "percent"),
        Column("met", _msg("Hoàn thành", "Met"), "flag"),
    ])
    for category in CATEGORIES:
        target = targets.effective(org, category)
        value = done.get(category, 0)
        if category.startswith(("source:", "mass_org:")) and not value and target is None:
            continue
        table.rows.append([ctx.word(category_label(category)), target, now.get(category, 0), value,
                           _rate(value, done["total"]), _rate(value, target), _met(value, target)])
    report.tables.append(table)
    report.figures.append(Figure(_msg(f"Đã kết nạp / chỉ tiêu {code}", f"Admitted / target {code}"),
                                 ratio_text(done["total"], targets.effective(org), ctx.lang)))
    mass = figures_db.by_mass_organisation(ctx.conn, node.subtree, branches, since, period.end)
    if mass:
        by_mass = Table("by_mass_org", _msg("Giới thiệu và kết nạp theo từng đoàn thể", "Introductions and admissions per mass organisation"), [
            Column("mass_org", _msg("Đoàn thể", "Mass organisation")),
            Column("org", _msg("Thuộc", "Of")),
            Column("introduced", _msg("Giới thiệu (nguồn mới, luỹ kế)", "Introduced (new sources, cumulative)"), "int"),
            Column("admitted", _msg("Được kết nạp (luỹ kế)", "Admitted (cumulative)"), "int"),
            Column("introduced_one", _msg("Giới thiệu ≥ 1", "Introduced ≥ 1"), "flag"),
            Column("admitted_one", _msg("Kết nạp ≥ 1", "Admitted ≥ 1"), "flag"),
        ])
        by_mass.rows = [[m["name"], m["org_name"], m["introduced"], m["admitted"], m["introduced"] >= 1, m["admitted"] >= 1]
                        for m in mass]
        report.tables.append(by_mass)
    introduced = [kind for kind in MASS_ORG_KINDS if done.get(f"mass_org:{kind}", 0) == 0]
    if introduced:
        report.notes.append(_msg("Đoàn thể chưa giới thiệu được người nào được kết nạp: "
                                 + ", ".join(MASS_ORG_KINDS[k] for k in introduced) + " (mỗi đoàn thể giới thiệu ít nhất 1 người).",
                                 "Mass organisations with no admitted introduction yet: " + ", ".join(introduced)
                                 + " (each should introduce at least one)."))
    report.notes.append(_msg(f"Thanh niên: không quá {youth} tháng tuổi (đến 30 tuổi, cách tính của R-INTRO-3) tại ngày "
                             "quyết định kết nạp.",
                             f"Youth: at most {youth} completed months old (up to 30, counted as R-INTRO-3 counts) on the "
                             "decision date."))
    shown = list(STRUCTURE)
    report.charts.append(Chart("structure", _msg("Cơ cấu so với chỉ tiêu", "Structure against sub-targets"), "bar",
                               [ctx.word(category_label(c)) for c in shown],
                               [Series(_msg("Chỉ tiêu", "Target"), [float(targets.effective(org, c) or 0) for c in shown]),
                                Series(_msg("Đã kết nạp", "Admitted"), [float(done.get(c, 0)) for c in shown])]))
    return report


# -- funnel ---------------------------------------------------------------------------------------


def funnel(ctx: Context, nodes: dict[int, OrgNode], org: int, period: Period, as_of: date) -> Report:
    node = nodes[org]
    report = _header("funnel", node, period, as_of)
    branches = _scope(node, nodes)
    stages = [name for name, _vi, _en in HAPPY_PATH]
    arrived = figures_db.arrivals_by_stage(ctx.conn, branches, period.start, period.end, stages)
    durations = figures_db.stage_durations(ctx.conn, branches, period.start, period.end, stages)
    table = Table("funnel", _msg("Số hồ sơ đến từng bước trong kỳ", "Dossiers reaching each stage in the period"), [
        Column("stage", _msg("Bước", "Stage")),
        Column("arrived", _msg("Số hồ sơ đến bước", "Reached"), "int"),
        Column("conversion", _msg("Sang bước sau (%)", "On to the next (%)"), "percent"),
        Column("left", _msg("Số hồ sơ rời bước", "Left the stage"), "int"),
        Column("median_days", _msg("Trung vị số ngày ở bước", "Median days in the stage"), "days"),
    ])
    for index, stage in enumerate(stages):
        here = arrived.get(stage, 0)
        following = arrived.get(stages[index + 1], 0) if index + 1 < len(stages) else None
        n, median = durations.get(stage, (0, None))
        table.rows.append([ctx.word(STAGE_LABELS[stage]), here, _rate(following, here) if following is not None else None,
                           n, median])
    report.tables.append(table)
    report.notes.append(_msg("Một hồ sơ đến bước khi bước chuyển vào bước đó ghi ngày trong kỳ; tỷ lệ sang bước sau so sánh hai "
                             "số đến trong cùng kỳ, không theo dõi cùng một nhóm hồ sơ. Số ngày ở bước: từ ngày vào bước đến "
                             "ngày rời bước, với các lần rời bước ghi ngày trong kỳ.",
                             "A dossier reaches a stage when its step into it is dated in the period; conversion compares two "
                             "counts of the same period, not one cohort. Days in a stage: from entering to leaving it, for "
                             "departures dated in the period."))
    report.charts.append(Chart("funnel", _msg("Các bước phát triển đảng viên", "The admission funnel"), "funnel",
                               [ctx.word(STAGE_LABELS[s]) for s in stages],
                               [Series(_msg("Số hồ sơ", "Dossiers"), [float(arrived.get(s, 0)) for s in stages])]))
    return report


# -- deadlines ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueLists:
    """Overdue and due-soon dossiers of some branches as of a day: counts per state and the longest-waiting rows."""

    soon_by: date
    overdue: tuple[dict[str, int], list[dict[str, Any]]]
    due_soon: tuple[dict[str, int], list[dict[str, Any]]]
    params_by_branch: dict[int, Params]

    def due(self, ctx: Context, row: dict[str, Any]) -> date | None:
        return due_date(row["state"], row["state_since"], self.params_by_branch.get(row["branch_id"], ctx.params), ctx.calendar)


def due_lists(ctx: Context, branches: Sequence[int], as_of: date, limit: int = LIST_LIMIT, overdue: bool = True) -> DueLists:
    """Dossiers whose next step is late (unless `overdue` is False: then none are read), and those due within
    `due_soon_wd` working days, each branch under its own settings (an organisation's R-SLA-1 limits): the
    SQL filters agree with is_overdue exactly."""
    wanted = set(branches)
    soon_by = ctx.calendar.add_working_days(as_of, int(ctx.params.get("due_soon_wd")))
    by_branch = {b: p for b, p in audit_queries.branch_params(ctx.conn, ctx.params).items() if b in wanted}
    late_today = audit_queries.branch_cutoffs(ctx.conn, as_of, ctx.params, ctx.calendar, by_branch)
    late_then = audit_queries.branch_cutoffs(ctx.conn, soon_by + timedelta(days=1), ctx.params, ctx.calendar, by_branch)
    return DueLists(soon_by, figures_db.waiting(ctx.conn, {}, late_today, limit) if overdue else ({}, []),
                    figures_db.waiting(ctx.conn, late_today, late_then, limit), by_branch)


def deadlines(ctx: Context, nodes: dict[int, OrgNode], org: int, period: Period, as_of: date) -> Report:
    node = nodes[org]
    report = _header("deadlines", node, period, as_of)
    lists = due_lists(ctx, _branch_ids(node, nodes), as_of)
    soon_by = lists.soon_by
    columns = [
        Column("name", _msg("Họ và tên", "Full name")),
        Column("branch", _msg("Chi bộ", "Branch")),
        Column("stage", _msg("Bước hiện tại", "Current stage")),
        Column("since", _msg("Từ ngày", "Since"), "date"),
        Column("due", _msg("Hạn", "Due"), "date"),
    ]
    for key, title, (counts, rows) in (
        ("overdue", _msg("Hồ sơ quá hạn", "Overdue dossiers"), lists.overdue),
        ("due_soon", _msg(f"Hồ sơ đến hạn trong {ctx.params.get('due_soon_wd')} ngày làm việc tới (đến {soon_by:%d/%m/%Y})",
                          f"Due within {ctx.params.get('due_soon_wd')} working days (by {soon_by:%d/%m/%Y})"), lists.due_soon),
    ):
        table = Table(key, title, columns)
        for r in rows:
            table.rows.append([r["full_name"], r["branch_name"], ctx.word(STAGE_LABELS.get(r["state"], Message(r["state"], r["state"]))),
                               r["state_since"], lists.due(ctx, r)])
        report.tables.append(table)
        report.figures.append(Figure(title, str(sum(counts.values()))))
        if sum(counts.values()) > len(rows):
            report.notes.append(_msg(f"{title.vi}: chỉ liệt kê {len(rows)} hồ sơ chờ lâu nhất.",
                                     f"{title.en}: only the {len(rows)} waiting longest are listed."))
    report.notes.append(_msg("Hạn theo rules.md (ngày làm việc) và giới hạn riêng của tổ chức cho khai lý lịch, thẩm tra (R-SLA-1).",
                             "Deadlines as in rules.md (working days) and the organisation's own limits for declaration and verification (R-SLA-1)."))
    return report


# -- reviews --------------------------------------------------------------------------------------


def reviews(ctx: Context, nodes: dict[int, OrgNode], org: int, period: Period, as_of: date) -> Report:
    node = nodes[org]
    report = _header("reviews", node, period, as_of)
    branches = [b for b in _branch_ids(node, nodes) if nodes[b].active]
    last_day = min(period.end, as_of)
    months = _months(period.start, last_day) if period.start <= last_day else []
    codes = [f"{y}-{m:02d}" for y, m in months]
    done = figures_db.reviews_in(ctx.conn, branches, codes[0], codes[-1]) if codes else {}
    last = figures_db.last_reviews(ctx.conn, branches)
    on_list = figures_db.dossiers_in_states(ctx.conn, branches, SYMPATHISER_STATES)
    current = codes[-1] if codes else None
    table = Table("reviews", _msg("Rà soát danh sách cảm tình Đảng của các chi bộ", "Sympathiser-list reviews per branch"), [
        Column("branch", _msg("Chi bộ", "Branch")),
        Column("sympathisers", _msg("Cảm tình Đảng hiện có", "Sympathisers now"), "int"),
        Column("reviewed", _msg("Số tháng đã rà soát", "Months reviewed"), "text"),
        Column("this_month", _msg(f"Đã rà soát tháng {current or '–'}", f"Reviewed {current or '–'}"), "flag"),
        Column("last", _msg("Lần rà soát gần nhất", "Last review"), "date"),
    ])
    missing = []
    for b in sorted(branches, key=lambda o: nodes[o].name):
        months_done = done.get(b, {})
        reviewed_now = current in months_done if current else None
        if reviewed_now is False:
            missing.append(nodes[b].name)
        table.rows.append([nodes[b].name, on_list.get(b, 0), f"{len(months_done)}/{len(codes)}", reviewed_now, last.get(b)])
    report.tables.append(table)
    report.figures.append(Figure(_msg(f"Chi bộ chưa rà soát tháng {current or '–'}", f"Branches not reviewed in {current or '–'}"),
                                 f"{len(missing)}/{len(branches)}"))
    return report


BUILDERS: dict[str, Callable[[Context, dict[int, OrgNode], int, Period, date], Report]] = {
    "progress": progress, "structure": structure, "funnel": funnel, "deadlines": deadlines, "reviews": reviews,
}


def build_report(ctx: Context, kind: str, org: int, period: Period | str, as_of: date) -> Report:
    """The report `kind` of organisation `org` for `period`, as of `as_of`. ValueError names a bad kind,
    organisation or period."""
    if kind not in BUILDERS:
        raise ValueError(f"Loại báo cáo '{kind}' không có; chọn: {', '.join(BUILDERS)} (report kind)")
    nodes = org_nodes(ctx.conn)
    if org not in nodes:
        raise ValueError(f"Không có tổ chức {org} (no such organisation)")
    chosen = parse_period(period) if isinstance(period, str) else period
    return BUILDERS[kind](ctx, nodes, org, chosen, as_of)
