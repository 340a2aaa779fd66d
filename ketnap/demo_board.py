"""Demo data for the organisation board's reports: targets, start-of-year membership and monthly reviews.

Written beside the demo district (demo.build_demo) by `ketnap demo`: every organisation below the
top gets a yearly target for this year and last year (about 3.5 % of its members, seed 002; at least
one per branch, seed 004) and a term target, grassroots organisations structure sub-targets, commune
committees one admission introduced by each mass organisation (seed 004); the start-of-year
membership is recorded for the committees; most branches have reviewed their sympathiser list in
recent months, some have missed this month.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.engine import Engine

from .db import queries
from .db.models import Member, MembershipCount, SympathiserReview, Target, User, table_of
from .reports.build import org_nodes
from .reports.periods import current_period
from .workflows.vocab import DOSSIER_LEVELS, MASS_ORG_KINDS

RATE = 0.035


def build_board(engine: Engine, today: date, seed: int = 2023) -> dict[str, int]:
    """Write the board's demo data; returns counts. Organisations that already have targets are left alone."""
    rng = random.Random(seed)
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(table_of(Target))).scalar_one():
            return {}
        tree = queries.org_tree(conn)
        members = _members_per_org(conn)
        board = conn.execute(select(table_of(User).c.id, table_of(User).c.full_name)
                             .where(table_of(User).c.role.in_(["superior_board", "grassroots_staff"]))
                             .order_by(table_of(User).c.id)).first()
        who = {"set_by": board[0] if board else None, "set_by_name": board[1] if board else "Ban Tổ chức",
               "set_at": datetime.now(UTC)}
        targets = _targets(tree, members, today, who)
        counts = [{"org_id": org["id"], "year": today.year, "members": members[org["id"]], **who}
                  for org in tree if org["level_code"] not in DOSSIER_LEVELS and members[org["id"]]]
        reviews = _reviews(conn, rng, tree, today, who)
        conn.execute(insert(table_of(Target)), targets)
        conn.execute(insert(table_of(MembershipCount)), counts)
        if reviews:
            conn.execute(insert(table_of(SympathiserReview)), reviews)
    return {"chỉ tiêu": len(targets), "số đảng viên đầu năm": len(counts), "lần rà soát": len(reviews)}


def _members_per_org(conn: Connection) -> dict[int, int]:
    """Members listed in each organisation's subtree."""
    m = table_of(Member)
    per_branch: dict[int, int] = dict(conn.execute(select(m.c.branch_id, func.count()).group_by(m.c.branch_id)).all())
    return {org: sum(per_branch.get(o, 0) for o in node.subtree) for org, node in org_nodes(conn).items()}


def _targets(tree: list[dict[str, Any]], members: dict[int, int], today: date, who: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    term = current_period("term", today).code
    for org in tree[1:]:
        org_id = org["id"]
        is_branch = org["level_code"] in DOSSIER_LEVELS
        yearly = max(1, round(members[org_id] * RATE)) if not is_branch else 1

        def add(period: str, category: str, value: int, org_id: int = org_id) -> None:
            rows.append({"org_id": org_id, "period": period, "category": category, "value": value, "note": None, **who})

        for year in (today.year - 1, today.year):
            add(str(year), "total", yearly)
        add(term, "total", yearly * 5)
        if org["level_code"] == "grassroots_committee":
            add(str(today.year), "women", math.ceil(yearly * 0.4))
            add(str(today.year), "youth", math.ceil(yearly * 0.5))
        if org["level_code"] in ("commune", "district"):
            add(str(today.year), "women", math.ceil(yearly * 0.4))
            add(str(today.year), "youth", math.ceil(yearly * 0.5))
            add(str(today.year), "ethnic_minority", max(1, yearly // 10))
            add(str(today.year), "religious", max(1, yearly // 20))
            add(str(today.year), "source:private_worker", max(1, yearly // 10))
            for kind in MASS_ORG_KINDS:
                add(str(today.year), f"mass_org:{kind}", 1)
    return rows


def _reviews(conn: Connection, rng: random.Random, tree: list[dict[str, Any]], today: date,
             who: dict[str, Any]) -> list[dict[str, Any]]:
    reviewer = conn.execute(select(table_of(User).c.id).order_by(table_of(User).c.id)).scalar()
    if reviewer is None:
        return []
    rows: list[dict[str, Any]] = []
    for org in tree:
        if org["level_code"] not in DOSSIER_LEVELS:
            continue
        for back in range(3, -1, -1):
            year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
            if rng.random() < (0.55 if back == 0 else 0.85):
                day = date(year, month + 1, min(today.day, 10) if back == 0 else rng.randint(3, 12))
                rows.append({"branch_id": org["id"], "period": f"{year}-{month + 1:02d}", "reviewed_on": day,
                             "reviewed_by": reviewer, "note": None, "sympathiser_count": rng.randint(0, 4),
                             "created_at": who["set_at"]})
    return rows
