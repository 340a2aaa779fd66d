"""Demo data: a district-sized Party organisation with dossiers in every state.

`build_demo()` builds the organisation tree (either shape: the seeds' district → grassroots →
branch of 2022–2025, or today's province → commune/ward → grassroots → branch), about 4,000
members, mass organisations, demo users and N dossiers. Every dossier is driven through the real
workflow (engine.service on the in-memory store, so every rule is checked and every log entry is
hashed exactly as in production), then written in bulk with SQLAlchemy Core. Deterministic for a
given seed; `size` scales to 100,000 dossiers for the benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from .engine.audit import to_jsonable
from .engine.errors import KetnapError
from .engine.memory import MemoryStore, MemoryUnitOfWork
from .engine.service import LOCAL_TZ, Actor, Change, advance, local_today, open_dossier
from .engine.snapshot import OrgNode
from .engine.text import search_key
from .engine.workflow import Workflow
from .passwords import hash_password
from .workflows.admission import ORDER, TERMINAL, decoders
from .workflows.deadlines import entered_on
from .workflows.journey import happy_path
from .workflows.rules import competent_body
from .workflows.schemas import load_candidate

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Ngọc", "Xuân"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Phương", "Hồng"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Trung", "Tuấn", "Việt"]
GIVEN_F = ["Anh", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Oanh", "Phương", "Thảo", "Trang", "Yến"]
ETHNIC = [("Hrê", ["Đinh Văn", "Đinh Thị", "Phạm Văn"], ["Ớt", "Mét", "Lành", "Hạt", "Nga"]), ("Cor", ["Hồ Văn", "Hồ Thị"], ["Dương", "Lâm", "Pía"]),
          ("K'Ho", ["K'", "Ka"], ["Linh", "Brêu", "Hiền", "Sim"])]
COMMUNES = ["Bình Sơn", "Bình Châu", "Bình Hải", "Bình Thạnh", "Bình Dương", "Bình Long", "Bình Minh", "Bình Trung", "Bình Nguyên",
            "Bình Hiệp", "Bình Khương", "Bình An", "Bình Chương", "Bình Mỹ", "Vạn Tường", "Châu Ổ", "Phổ Hòa", "Trà Bồng", "Sơn Hà", "Ba Tơ"]
AGENCIES = ["Chi bộ Phòng Giáo dục và Đào tạo", "Chi bộ Trung tâm Y tế", "Chi bộ Công ty Cổ phần Đường Quảng Ngãi", "Chi bộ Ngân hàng Chính sách xã hội",
            "Chi bộ Trường THPT Bình Sơn", "Chi bộ Kho bạc Nhà nước", "Chi bộ Công ty TNHH Hòa Phát Dung Quất", "Chi bộ Chi cục Thuế"]
BRANCH_KINDS = ["Chi bộ thôn", "Chi bộ thôn", "Chi bộ thôn", "Chi bộ Trường Tiểu học", "Chi bộ Trường THCS", "Chi bộ Trạm Y tế", "Chi bộ Quân sự", "Chi bộ Công an"]
HAMLETS = ["An Điềm", "Phước Thiện", "Mỹ Tân", "Thanh Trà", "Đông Yên", "Tây Phước", "Vĩnh Trà", "Sơn Trà", "Châu Me", "Phú Long", "Gia Lăng", "Thuận Phước"]
SOURCE_CATEGORIES = ["union_member", "union_member", "teacher", "pre_military", "demobilised", "militia", "health_staff", "hamlet_head",
                     "commune_official", "private_worker", "private_worker", "farmer", "student", "other"]

# How many of every 100 dossiers end in each state (all states appear at the default size).
STATE_WEIGHTS = {
    "source": 10, "sympathiser": 12, "training_nominated": 6, "trained": 6, "applied": 5, "biography_declared": 5,
    "under_verification": 6, "verified": 4, "introduced": 4, "branch_approved": 3, "committee_approved": 3,
    "admission_decided": 3, "probationary": 10, "recognition_proposed": 2, "official": 13, "withdrawn": 3,
    "rejected": 3, "struck_off": 2,
}


@dataclass
class Tree:
    store: MemoryStore
    orgs: list[dict[str, Any]] = field(default_factory=list)
    branches: list[int] = field(default_factory=list)
    members_by_branch: dict[int, list[int]] = field(default_factory=dict)
    member_rows: list[dict[str, Any]] = field(default_factory=list)
    mass_orgs: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)


def database_is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not conn.execute(text("SELECT count(*) FROM organisations")).scalar()


def _name(rng: random.Random, gender: str) -> tuple[str, str]:
    if rng.random() < 0.12:
        ethnicity, prefixes, given = rng.choice(ETHNIC)
        return f"{rng.choice(prefixes)} {rng.choice(given)}".replace("' ", "'"), ethnicity
    middle, given = (MIDDLE_F, GIVEN_F) if gender == "female" else (MIDDLE_M, GIVEN_M)
    return f"{rng.choice(SURNAMES)} {rng.choice(middle)} {rng.choice(given)}", "Kinh"


def _add_org(tree: Tree, org_id: int, name: str, level: str, parent: int | None, code: str, may_admit: bool = False) -> int:
    tree.orgs.append({"id": org_id, "code": code, "name": name, "level_code": level, "parent_id": parent, "may_admit": may_admit,
                      "has_committee": level not in ("branch", "grassroots_branch"), "settings": {}, "active": True})
    tree.store.orgs[org_id] = (OrgNode(org_id, name, level, may_admit, level not in ("branch", "grassroots_branch")), parent)
    if level in ("branch", "grassroots_branch"):
        tree.branches.append(org_id)
    return org_id


def build_tree(rng: random.Random, shape: str, first_id: int, store: MemoryStore) -> Tree:
    """About 20 grassroots organisations and 120 branches under one superior committee."""
    tree = Tree(store)
    next_id = iter(range(first_id, first_id + 10_000))
    if shape == "district":
        province = _add_org(tree, next(next_id), "Tỉnh ủy Quảng Ngãi", "province", None, "TU")
        top = _add_org(tree, next(next_id), "Huyện ủy Bình Sơn", "district", province, "HU-BS")
        superiors = [top]
    else:
        province = _add_org(tree, next(next_id), "Tỉnh ủy Quảng Ngãi", "province", None, "TU")
        superiors = [_add_org(tree, next(next_id), f"Đảng ủy xã {n}", "commune", province, f"DUX-{i}")
                     for i, n in enumerate(["Bình Sơn", "Bình Châu", "Vạn Tường", "Bình Minh"])]
    grassroots: list[int] = []
    for i, commune in enumerate(COMMUNES[:14]):
        parent = superiors[i % len(superiors)]
        name = f"Đảng bộ xã {commune}" if shape == "district" else f"Đảng bộ thôn {commune}"
        grassroots.append(_add_org(tree, next(next_id), name, "grassroots_committee", parent, f"DB-{i}", may_admit=(i % 7 == 3)))
    for i, agency in enumerate(AGENCIES[:6]):
        _add_org(tree, next(next_id), agency.replace("Chi bộ", "Chi bộ cơ sở"), "grassroots_branch", superiors[i % len(superiors)], f"CBCS-{i}")
    for i, gr in enumerate(grassroots):
        parent = gr
        if i == 5:
            parent = _add_org(tree, next(next_id), "Đảng bộ bộ phận khối trường học", "sub_committee", gr, f"DBBP-{i}")
        for j in range(9 if i % 3 == 0 else 8):
            kind = BRANCH_KINDS[j % len(BRANCH_KINDS)]
            label = f"{kind} {HAMLETS[(i + j) % len(HAMLETS)]}" if kind == "Chi bộ thôn" else f"{kind} {COMMUNES[i]}"
            _add_org(tree, next(next_id), label, "branch", parent, f"CB-{i}-{j}")
    return tree


def build_members(rng: random.Random, tree: Tree, first_id: int, target: int = 4000) -> None:
    member_id = first_id
    per_branch = max(8, target // len(tree.branches))
    for branch in tree.branches:
        node = tree.store.chain(branch)
        grassroots_id = next((n.id for n in node if n.level in ("grassroots_committee", "grassroots_branch")), None)
        tree.members_by_branch[branch] = []
        for k in range(rng.randint(per_branch - 8, per_branch + 10)):
            gender = "female" if rng.random() < 0.4 else "male"
            name, _ = _name(rng, gender)
            probationary = k % 11 == 10
            joined = date(rng.randint(1975, 2022), rng.randint(1, 12), rng.randint(1, 28))
            official_since = None if probationary else joined + timedelta(days=366)
            row = {"id": member_id, "full_name": name, "date_of_birth": joined - timedelta(days=365 * rng.randint(20, 30)), "gender": gender,
                   "status": "probationary" if probationary else "official", "branch_id": branch, "joined_on": joined,
                   "official_since": official_since, "exempt": k % 29 == 28, "is_committee_member": k < 3, "citizen_id": None}
            tree.member_rows.append(row)
            tree.store.members[member_id] = {"id": member_id, "full_name": name, "status": row["status"], "branch_id": branch,
                                             "grassroots_org_id": grassroots_id, "official_since": official_since, "exempt": row["exempt"]}
            if not probationary:
                tree.members_by_branch[branch].append(member_id)
            member_id += 1


def build_mass_orgs(tree: Tree, first_id: int) -> None:
    kinds = [("fatherland_front", "Ban Công tác Mặt trận"), ("youth_union", "Chi đoàn"), ("women_union", "Chi hội Phụ nữ"),
             ("farmers_union", "Chi hội Nông dân"), ("veterans_union", "Chi hội Cựu chiến binh"), ("trade_union", "Công đoàn")]
    next_id = first_id
    for org in tree.orgs:
        if org["level_code"] in ("grassroots_committee", "grassroots_branch"):
            for kind, label in kinds:
                tree.mass_orgs.append({"id": next_id, "org_id": org["id"], "kind": kind, "name": f"{label} {org['name'].split(' ', 2)[-1]}"})
                next_id += 1


# Every demo user signs in with this password (printed by `make run`); never use the demo in production.
DEMO_PASSWORD = "ketnap-demo"
DEMO_USERNAMES = ("chiuy", "danguy", "bantochuc", "kiemtra", "admin")


def build_users(tree: Tree, first_id: int) -> None:
    # A branch under a grassroots committee ("chi bộ trực thuộc đảng bộ cơ sở"), so that the branch
    # member, the grassroots staff and the superior board are three different organisations.
    branch = next((b for b in tree.branches if tree.store.chain(b)[0].level == "branch"), tree.branches[0])
    grassroots = tree.store.chain(branch)[1].id
    superior = next(n.id for n in tree.store.chain(branch) if n.level in ("district", "commune"))
    top = tree.orgs[0]["id"]
    for i, (username, full_name, role, org) in enumerate([
        ("chiuy", "Nguyễn Văn Chi", "branch_committee", branch),
        ("danguy", "Trần Thị Đảng", "grassroots_staff", grassroots),
        ("bantochuc", "Lê Văn Tổ", "superior_board", superior),
        ("kiemtra", "Phạm Thị Kiểm", "auditor", top),
        ("admin", "Quản trị hệ thống", "admin", None),
    ]):
        tree.users.append({"id": first_id + i, "username": username, "full_name": full_name, "role": role, "org_id": org,
                           "password_hash": hash_password(DEMO_PASSWORD), "active": True})


@dataclass
class Plan:
    target: str
    start: date
    gap: int
    rework: bool = False


def demo_cutoff(shape: str, today: date) -> date:
    """The last day acts are dated: the district shape ends when districts did (30/6/2025)."""
    return min(today, date(2025, 6, 30)) if shape == "district" else today


def _plans(rng: random.Random, size: int, shape: str, cutoff: date) -> Iterator[Plan]:
    states = list(STATE_WEIGHTS)
    weights = [STATE_WEIGHTS[s] for s in states]
    first = date(2021, 9, 1) if shape == "district" else date(2022, 1, 1)
    for i in range(size):
        target = states[i] if i < len(states) else rng.choices(states, weights)[0]
        gap = rng.randint(12, 35)
        yield Plan(target, _start_for(rng, target, gap, first, cutoff), gap, rng.random() < 0.06)


def _start_for(rng: random.Random, target: str, gap: int, first: date, cutoff: date) -> date:
    """Open dossiers moved recently; finished ones may be from any year since `first`."""
    depth = ORDER.index(target) if target in ORDER else rng.randint(3, 12)
    span = timedelta(days=int(gap * 1.4) * depth)
    if target in ("probationary", "recognition_proposed"):
        span += timedelta(days=365 if target == "recognition_proposed" else rng.randint(0, 330))
    if target in TERMINAL:
        latest = cutoff - span - timedelta(days=400 if target in ("official", "struck_off") else 40)
        return first + timedelta(days=rng.randint(0, max(0, (latest - first).days)))
    start = cutoff - span - timedelta(days=rng.randint(5, 120))
    return max(start, first)


def _candidate(rng: random.Random, start: date, tree: Tree) -> dict[str, Any]:
    gender = "female" if rng.random() < 0.45 else "male"
    name, ethnicity = _name(rng, gender)
    age_years = rng.choices([18, 19, 22, 25, 28, 32, 38, 45], [4, 6, 10, 12, 10, 8, 5, 3])[0]
    dob = start - timedelta(days=int(365.25 * age_years) + rng.randint(30, 300))
    education = rng.choices(["lower_secondary", "upper_secondary", "vocational", "college", "university"], [10, 35, 15, 10, 30])[0]
    religion = rng.choice(["Công giáo", "Phật giáo", "Cao Đài"]) if rng.random() < 0.08 else None
    return load_candidate({
        "full_name": name, "date_of_birth": dob.isoformat(), "gender": gender, "ethnicity": ethnicity, "religion": religion,
        "education": education, "special_area": ethnicity != "Kinh", "source_category": rng.choice(SOURCE_CATEGORIES),
        "youth_union_member": age_years <= 30, "occupation": None,
    })


def _run_dossier(workflow: Workflow, store: MemoryStore, tree: Tree, rng: random.Random, plan: Plan, actor: Actor, today: date) -> int | None:
    branch = rng.choice(tree.branches)
    officials = tree.members_by_branch[branch]
    if len(officials) < 3:
        return None
    helper, intro1, intro2 = rng.sample(officials, 3)
    chain = store.chain(branch)
    body = competent_body(chain)
    assert body is not None
    subject = _candidate(rng, plan.start, tree)
    uow = MemoryUnitOfWork(store)
    opened = open_dossier(uow, workflow, subject, branch, {"registered_on": plan.start.isoformat(),
                                                          "source_category": subject["source_category"]}, actor, today=today,
                          now=lambda: _timestamp(plan.start, 1))
    assert opened.change is not None
    dossier_id = opened.change.dossier_id
    steps = happy_path(plan.start, helper, (intro1, intro2), body[0].id, body[1], workflow.calendar,
                       grassroots_branch=chain[0].level == "grassroots_branch",
                       sub_committee=any(n.level == "sub_committee" for n in chain), gap_days=plan.gap)
    next(steps)  # register_source was done by open_dossier
    stop_at = {"withdrawn": rng.choice(ORDER[1:10]), "rejected": "introduced", "struck_off": "probationary"}.get(plan.target, plan.target)
    last_date = plan.start
    for trigger, facts in steps:
        state = store.dossiers[dossier_id].state
        if state == stop_at:
            break
        act_date = date.fromisoformat(next(v for k, v in facts.items() if k.endswith(("_on", "_date"))))
        if act_date > today:
            return dossier_id
        if not _apply(workflow, store, dossier_id, trigger, facts, actor, today):
            return dossier_id
        if plan.rework and trigger == "start_verification":
            _rework(workflow, store, dossier_id, act_date, actor, today)
        last_date = act_date
    end_day = last_date + timedelta(days=rng.randint(5, 40))
    if end_day > today:
        return dossier_id
    if plan.target == "withdrawn":
        _apply(workflow, store, dossier_id, "withdraw", {"withdrawn_on": end_day.isoformat(), "requested_by": "candidate",
               "reason": "Quần chúng chuyển công tác sang địa phương khác."}, actor, today)
    elif plan.target == "rejected":
        _apply(workflow, store, dossier_id, "reject", {"rejected_on": end_day.isoformat(), "ground": "failed_branch_vote",
               "minutes_no": f"BB-{dossier_id}", "reason": "Biểu quyết không đủ hai phần ba số đảng viên chính thức."}, actor, today)
    elif plan.target == "struck_off":
        _apply(workflow, store, dossier_id, "strike_off", {"decided_on": end_day.isoformat(), "decision_no": f"{dossier_id}-QĐ/XT",
               "deciding_org_id": body[0].id, "deciding_body": body[1], "branch_proposal_on": last_date.isoformat()}, actor, today)
    return dossier_id


def _rework(workflow: Workflow, store: MemoryStore, dossier_id: int, started: date, actor: Actor, today: date) -> None:
    """The biography comes back incomplete: returned, declared a second time (R-BIO-1 flags it), re-verified."""
    snap = store.dossiers[dossier_id]
    declared, verification = dict(snap.facts["declare_biography"]), snap.facts["start_verification"]
    steps = [
        ("return_for_rework", {"returned_on": started + timedelta(days=2), "target_state": "applied",
                               "reason": "Lý lịch khai thiếu thông tin về quan hệ gia đình, yêu cầu khai lại."}),
        ("declare_biography", {**declared, "declared_on": started + timedelta(days=3)}),
        ("start_verification", {**verification, "started_on": started + timedelta(days=5)}),
    ]
    for trigger, facts in steps:
        if max(started + timedelta(days=5), today) > today:
            return
        _apply(workflow, store, dossier_id, trigger, to_jsonable(facts), actor, today)


def _apply(workflow: Workflow, store: MemoryStore, dossier_id: int, trigger: str, facts: dict[str, Any], actor: Actor, today: date) -> bool:
    seq = len(store.dossiers[dossier_id].history) + 1
    act_date = date.fromisoformat(next(v for k, v in facts.items() if k.endswith(("_on", "_date"))))
    try:
        return advance(MemoryUnitOfWork(store), workflow, dossier_id, trigger, facts, actor, None, today=today,
                       now=lambda: _timestamp(act_date, seq)).applied
    except KetnapError:
        return False


def _timestamp(day: date, seq: int) -> datetime:
    return datetime.combine(day, time(8, 0), LOCAL_TZ).astimezone(UTC) + timedelta(minutes=seq)


def _max_id(conn: Connection, table: str) -> int:
    return int(conn.execute(select(func.coalesce(func.max(text("id")), 0)).select_from(text(table))).scalar() or 0)


def build_demo(engine: Engine, workflow: Workflow, size: int = 600, seed: int = 2023, shape: str = "commune",
               today: date | None = None, progress: Callable[[str], None] = print, batch: int = 2000) -> dict[str, int]:
    """Build and write the demo data; returns counts. The database must be migrated."""
    from .db.models import Base

    tables = Base.metadata.tables
    today = today or local_today()
    rng = random.Random(seed)
    with engine.connect() as conn:
        first = {t: _max_id(conn, t) + 1 for t in ("organisations", "members", "mass_organisations", "users", "candidates", "dossiers", "transition_log", "dossier_facts")}
    store = MemoryStore(decoders=decoders(workflow))
    tree = build_tree(rng, shape, first["organisations"], store)
    build_members(rng, tree, first["members"])
    build_mass_orgs(tree, first["mass_organisations"])
    build_users(tree, first["users"])
    if first["organisations"] > 1:  # a second demo beside existing data: keep codes and log-ins unique
        tag = f"-{first['organisations']}"
        for org in tree.orgs:
            org["code"] += tag
        for user in tree.users:
            user["username"] += tag
    with engine.begin() as conn:
        conn.execute(insert(tables["organisations"]), tree.orgs)
        conn.execute(insert(tables["members"]), tree.member_rows)
        conn.execute(insert(tables["mass_organisations"]), tree.mass_orgs)
        conn.execute(insert(tables["users"]), tree.users)
        _reset_sequences(conn, ("organisations", "members", "mass_organisations", "users"))
    actor = Actor(tree.users[1]["id"], tree.users[1]["full_name"], frozenset({"branch_committee", "grassroots_staff", "superior_board"}))
    counters = {"dossier": first["dossiers"], "candidate": first["candidates"], "log": first["transition_log"], "fact": first["dossier_facts"]}
    written = 0
    today = demo_cutoff(shape, today)
    plans = list(_plans(rng, size, shape, today))
    for offset in range(0, len(plans), batch):
        store.dossiers.clear()
        store.log.clear()
        store.first_dossier_id = counters["dossier"]
        for plan in plans[offset : offset + batch]:
            _run_dossier(workflow, store, tree, rng, plan, actor, today)
        written += _write_batch(engine, tables, store, counters)
        if size > batch:
            progress(f"  {written}/{size} hồ sơ")
    return {"tổ chức": len(tree.orgs), "chi bộ": len(tree.branches), "đảng viên": len(tree.member_rows), "hồ sơ": written,
            "người dùng": len(tree.users)}


def _write_batch(engine: Engine, tables: Any, store: MemoryStore, counters: dict[str, int]) -> int:
    """Write the batch: the memory store handed out the database's next dossier IDs, candidates follow their own counter."""
    candidate_shift = counters["candidate"] - counters["dossier"]
    candidates, dossiers, logs, facts = [], [], [], []
    by_dossier: dict[int, list[Change]] = {}
    for change in store.log:
        by_dossier.setdefault(change.dossier_id, []).append(change)
    for dossier_id, snap in store.dossiers.items():
        changes = by_dossier[dossier_id]
        subject = dict(snap.subject)
        candidates.append({**subject, "id": dossier_id + candidate_shift, "search_name": search_key(subject["full_name"])})
        fact_rows: list[dict[str, Any]] = []
        for change in changes:
            log_id = counters["log"]
            counters["log"] += 1
            for row in fact_rows:
                if row["kind"] in change.supersede:
                    row["superseded"] = True
            logs.append({"id": log_id, "dossier_id": dossier_id, "seq": change.seq, "actor_id": change.actor_id, "actor_name": change.actor_name,
                         "at": change.at, "act_date": change.act_date, "from_state": change.from_state,
                         "to_state": change.to_state, "trigger": change.trigger, "facts": change.facts, "rule_results": change.rule_results,
                         "prev_hash": change.previous_hash, "hash": change.hash})
            fact_rows.append({"id": counters["fact"], "dossier_id": dossier_id, "kind": change.fact_kind, "act_date": change.act_date,
                              "data": change.facts, "log_entry_id": log_id, "superseded": False})
            counters["fact"] += 1
        facts.extend(fact_rows)
        dossiers.append({"id": dossier_id, "candidate_id": dossier_id + candidate_shift, "branch_id": snap.org_chain[0].id, "workflow": "admission",
                         "state": snap.state, "version": snap.version, "opened_on": changes[0].act_date, "state_since": entered_on([(c.from_state, c.to_state, c.act_date) for c in changes]),
                         "updated_at": changes[-1].at, "head_hash": snap.head_hash, "log_count": len(changes)})
    if not dossiers:
        return 0
    with engine.begin() as conn:
        conn.execute(insert(tables["candidates"]), candidates)
        conn.execute(insert(tables["dossiers"]), dossiers)
        conn.execute(insert(tables["transition_log"]), logs)
        conn.execute(insert(tables["dossier_facts"]), facts)
        _reset_sequences(conn, ("candidates", "dossiers", "transition_log", "dossier_facts"))
    added = max(store.dossiers) - counters["dossier"] + 1
    counters["dossier"] += added
    counters["candidate"] += added
    return len(dossiers)


def _reset_sequences(conn: Connection, tables: tuple[str, ...]) -> None:
    """PostgreSQL: move each table's id sequence past the ids this transaction wrote explicitly (SQLite needs nothing).

    In the transaction that writes the rows: a demo killed between a batch and a later reset left the sequences
    behind the rows, and every new organisation, user or dossier then failed on a duplicate key. setval is not
    undone by a rollback: a batch that is not committed leaves a sequence ahead, a harmless gap."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"))
