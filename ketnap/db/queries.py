"""Read-only queries for the CLI and the web UI: lists, counts and the history of a dossier.

Every function takes an open Connection and returns plain dicts. "In an organisation" always means
in its subtree (the organisation and everything below it), found with a recursive CTE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, func, literal, select

from .models import Candidate, Dossier, MassOrganisation, Member, Organisation, TransitionLog, User, table_of

_d = table_of(Dossier)
_c = table_of(Candidate)
_o = table_of(Organisation)
_t = table_of(TransitionLog)
_m = table_of(Member)
_u = table_of(User)
_mo = table_of(MassOrganisation)


def subtree_ids(org_id: int) -> Select[Any]:
    """The IDs of `org_id` and every organisation below it."""
    tree = select(_o.c.id, literal(0).label("depth")).where(_o.c.id == org_id).cte("subtree", recursive=True)
    tree = tree.union_all(select(_o.c.id, (tree.c.depth + 1).label("depth")).join(tree, _o.c.parent_id == tree.c.id).where(tree.c.depth < 32))
    return select(tree.c.id)


def history(conn: Connection, dossier_id: int) -> list[dict[str, Any]]:
    """The dossier's transition log, in order; empty when there is no such dossier."""
    query = select(*_t.c).where(_t.c.dossier_id == dossier_id).order_by(_t.c.seq)
    return [dict(row._mapping) for row in conn.execute(query)]


def org_tree(conn: Connection) -> list[dict[str, Any]]:
    """Every organisation, parents before their children (depth-first, by ID), each with its depth."""
    rows = [dict(row._mapping) for row in conn.execute(select(*_o.c).order_by(_o.c.id))]
    children: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    ordered: list[dict[str, Any]] = []
    stack = [(row, 0) for row in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        ordered.append({**row, "depth": depth})
        stack.extend((child, depth + 1) for child in reversed(children.get(row["id"], [])))
    return ordered


def members(conn: Connection, org_id: int | None = None, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Members of the subtree of `org_id` (everyone when None), by name."""
    query = select(*_m.c).order_by(_m.c.full_name, _m.c.id).limit(limit)
    if org_id is not None:
        query = query.where(_m.c.branch_id.in_(subtree_ids(org_id)))
    if status is not None:
        query = query.where(_m.c.status == status)
    return [dict(row._mapping) for row in conn.execute(query)]


def users(conn: Connection) -> list[dict[str, Any]]:
    """Active users, without their password hashes."""
    query = select(_u.c.id, _u.c.username, _u.c.full_name, _u.c.role, _u.c.org_id).where(_u.c.active.is_(True)).order_by(_u.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]


def user_by_name(conn: Connection, username: str) -> dict[str, Any] | None:
    """The active user signing in as `username`, or None."""
    query = select(_u.c.id, _u.c.username, _u.c.full_name, _u.c.role, _u.c.org_id).where(
        _u.c.username == username, _u.c.active.is_(True)
    )
    row = conn.execute(query).first()
    return dict(row._mapping) if row is not None else None


def org_settings(conn: Connection, org_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(_o.c.settings).where(_o.c.id == org_id)).first()
    return None if row is None else dict(row[0] or {})


def set_org_settings(conn: Connection, org_id: int, settings: dict[str, Any]) -> None:
    conn.execute(_o.update().where(_o.c.id == org_id).values(settings=settings))


def _page_of(conn: Connection, query: Select[Any], order: tuple[Any, ...], page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
    total = int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = conn.execute(query.order_by(*order).limit(per_page).offset((page - 1) * per_page))
    return [dict(row._mapping) for row in rows], total


def member_page(conn: Connection, scope: Sequence[int] | None, *, status: str | None = None, citizen_id: str | None = None,
                member_id: int | None = None, page: int = 1, per_page: int = 50) -> tuple[list[dict[str, Any]], int]:
    """Members of the branches in `scope` (every branch when None), by name, one page, and how many in all."""
    query = select(*_m.c)
    if member_id is not None:
        query = query.where(_m.c.id == member_id)
    if scope is not None:
        query = query.where(_m.c.branch_id.in_(scope))
    if status is not None:
        query = query.where(_m.c.status == status)
    if citizen_id is not None:
        query = query.where(_m.c.citizen_id == citizen_id)
    return _page_of(conn, query, (_m.c.full_name, _m.c.id), page, per_page)


def _candidates(scope: Sequence[int] | None, candidate_id: int | None = None) -> Select[Any]:
    query = (select(*(c for c in _c.c if c.key != "search_name"), _d.c.id.label("dossier_id"), _d.c.branch_id)
             .join(_d, _d.c.candidate_id == _c.c.id))
    if candidate_id is not None:
        query = query.where(_c.c.id == candidate_id)
    if scope is not None:
        query = query.where(_d.c.branch_id.in_(scope))
    return query


def candidate_page(conn: Connection, scope: Sequence[int] | None, *, citizen_id: str | None = None, name_key: str | None = None,
                   candidate_id: int | None = None, page: int = 1, per_page: int = 50) -> tuple[list[dict[str, Any]], int]:
    """Candidates whose dossier is kept by a branch in `scope`, each with its dossier's and branch's IDs, one page."""
    query = _candidates(scope, candidate_id)
    if citizen_id is not None:
        query = query.where(_c.c.citizen_id == citizen_id)
    if name_key:
        query = query.where(_c.c.search_name.contains(name_key, autoescape=True))
    return _page_of(conn, query, (_c.c.search_name, _c.c.id), page, per_page)


def candidate_row(conn: Connection, candidate_id: int, scope: Sequence[int] | None = None,
                  dossier_id: int | None = None) -> dict[str, Any] | None:
    """One candidate as candidate_page gives it, with the IDs of its dossier (`dossier_id`, else its first one in
    `scope`) and that dossier's branch; None when not in `scope`. One statement, no count."""
    query = _candidates(scope, candidate_id)
    if dossier_id is not None:
        query = query.where(_d.c.id == dossier_id)
    row = conn.execute(query.order_by(_d.c.id).limit(1)).first()
    return dict(row._mapping) if row is not None else None


def dossier_row(conn: Connection, dossier_id: int) -> dict[str, Any] | None:
    """The dossier's own columns (state, version, dates), or None."""
    row = conn.execute(select(*_d.c).where(_d.c.id == dossier_id)).first()
    return dict(row._mapping) if row is not None else None


def mass_org_ids_for_branch(conn: Connection, branch_id: int) -> set[int]:
    """The mass organisations that may introduce a source to this branch: those of the branch and the levels above it."""
    chain = select(_o.c.id, _o.c.parent_id, literal(0).label("depth")).where(_o.c.id == branch_id).cte("chain", recursive=True)
    chain = chain.union_all(select(_o.c.id, _o.c.parent_id, (chain.c.depth + 1).label("depth"))
                            .join(chain, _o.c.id == chain.c.parent_id).where(chain.c.depth < 32))
    return set(conn.execute(select(_mo.c.id).where(_mo.c.org_id.in_(select(chain.c.id)))).scalars())
