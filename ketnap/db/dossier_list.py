"""The dossier list of the web UI: filters, diacritic-insensitive search, sorting and pagination.

The same few statements for a page whatever its size (no N+1): the organisation tree (to turn the
scope into the IDs of its organisations), then the total and the page. Written to stay fast with
100,000 dossiers on SQLite, whose planner has no statistics to go by (bench/bench_dossier_list.py):

- the scope is a plain `branch_id IN (...)` list, left out when it holds every organisation;
- without a candidate filter the total counts dossiers alone, from a covering index (migration 0004);
- a candidate filter (name, source category) is a semi-join, `candidate_id IN (SELECT id FROM
  candidates WHERE ...)`: the small `search_name` index is scanned once, not every dossier's
  candidate fetched; and the page's statement counts the matches too (a window count), so that scan
  happens once per page;
- the page first picks its dossier IDs from an index on the sort's columns and only then joins the
  names and branches of those few;
- sorting by name over a long list walks the `search_name` index in order and stops at the page
  (the scope test written so that no index takes it over); a short list is sorted whole, cheaper.

The name search compares the folded name (`candidates.search_name`, engine.text.search_key) so
"nguyen van a" finds "Nguyễn Văn A". Overdue is "entered the state before that state's cutoff"
(workflows.deadlines.overdue_cutoffs, which agrees with is_overdue day for day).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Date, Select, case, false, func, literal, select

from ..engine.text import search_key
from .models import Candidate, Dossier, Organisation, table_of
from .queries import subtree_ids

_d = table_of(Dossier)
_c = table_of(Candidate)
_o = table_of(Organisation)

SORTS: dict[str, tuple[Any, ...]] = {
    "-updated": (_d.c.updated_at.desc(), _d.c.id.desc()),
    "updated": (_d.c.updated_at.asc(), _d.c.id.asc()),
    "name": (_c.c.search_name.asc(), _c.c.id.asc(), _d.c.id.asc()),
    "-name": (_c.c.search_name.desc(), _c.c.id.desc(), _d.c.id.desc()),
    "since": (_d.c.state_since.asc(), _d.c.id.asc()),
    "-since": (_d.c.state_since.desc(), _d.c.id.desc()),
    "state": (_d.c.state.asc(), _d.c.id.asc()),
    "-id": (_d.c.id.desc(),),
    "id": (_d.c.id.asc(),),
}
BY_NAME = frozenset({"name", "-name"})
MAX_PER_PAGE = 200
_GLOB_SPECIAL = re.compile(r"([*?\[])")
# Above this many dossiers in the list, a page in name order is found by walking the names in order;
# at or below it, by sorting the list's dossiers (each costs a fetch of its candidate).
WALK_NAMES_ABOVE = 3_000


@dataclass(frozen=True)
class DossierFilter:
    """What the list shows. `org_id` is the viewer's scope (None: everything); `branch_id` narrows it."""

    org_id: int | None = None
    branch_id: int | None = None
    states: tuple[str, ...] = ()
    source_category: str | None = None
    overdue: bool = False
    search: str = ""
    sort: str = "-updated"
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class DossierPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def scope_org_ids(conn: Connection, org_id: int | None) -> list[int] | None:
    """The IDs of `org_id` and every organisation below it; None when that is every organisation (or no scope).

    Two indexed statements whatever the size of the tree (a whole province or country in one database):
    the roots (the organisation is everything when it is the only one), else its subtree by parent_id.
    """
    if org_id is None:
        return None
    roots = conn.execute(select(_o.c.id).where(_o.c.parent_id.is_(None)).limit(2)).scalars().all()
    if roots == [org_id]:
        return None
    return sorted(conn.execute(subtree_ids(org_id)).scalars())


def _overdue(cutoffs: Mapping[str, date]) -> ColumnElement[bool]:
    """In a state with a limit, entered before that state's cutoff: one range per state in (state, state_since)."""
    if not cutoffs:
        return false()
    cutoff = case({state: literal(day, Date) for state, day in cutoffs.items()}, value=_d.c.state)
    return _d.c.state.in_(list(cutoffs)) & (_d.c.state_since < cutoff)


def _name_contains(key: str, dialect: str) -> ColumnElement[bool]:
    """`search_name` contains `key`. On SQLite as GLOB: case-sensitive, twice as fast as LIKE over the folded names."""
    if dialect == "sqlite":
        return _c.c.search_name.op("GLOB")("*" + _GLOB_SPECIAL.sub(r"[\1]", key) + "*")
    return _c.c.search_name.contains(key, autoescape=True)


def _about_candidate(f: DossierFilter, dialect: str) -> ColumnElement[bool] | None:
    """The candidate filters as a semi-join (candidates searched once, not fetched per dossier), or None."""
    where: list[ColumnElement[bool]] = []
    if f.source_category:
        where.append(_c.c.source_category == f.source_category)
    key = search_key(f.search or "")
    if key:
        where.append(_name_contains(key, dialect))
    return _d.c.candidate_id.in_(select(_c.c.id).where(*where)) if where else None


def _about_dossier(f: DossierFilter, cutoffs: Mapping[str, date]) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.branch_id is not None:
        where.append(_d.c.branch_id == f.branch_id)
    if f.states:
        where.append(_d.c.state.in_(f.states))
    if f.overdue:
        where.append(_overdue(cutoffs))
    return where


def _in_scope(scope: Sequence[int] | None, indexed: bool = True) -> list[ColumnElement[bool]]:
    """The scope test; `indexed=False` writes it as an expression no index answers, to keep it from driving the query."""
    if scope is None:
        return []
    column = _d.c.branch_id if indexed else _d.c.branch_id + 0
    return [column.in_(scope)]


def _count(conn: Connection, where: list[ColumnElement[bool]]) -> int:
    return int(conn.execute(select(func.count()).select_from(_d).where(*where)).scalar_one())


def _page(conn: Connection, ids: Select[Any], sort: str) -> list[dict[str, Any]]:
    """The page's rows: `ids` (a select of dossier IDs in page order, and maybe the total) joined to what the list shows."""
    page = ids.subquery("page")
    query = (
        select(_d.c.id, _d.c.state, _d.c.version, _d.c.state_since, _d.c.opened_on, _d.c.updated_at, _d.c.branch_id,
               _c.c.full_name, _c.c.date_of_birth, _c.c.gender, _c.c.source_category, _o.c.name.label("branch_name"),
               *(column for column in page.c if column.key != "id"))
        .select_from(page.join(_d, _d.c.id == page.c.id).join(_c, _c.c.id == _d.c.candidate_id).join(_o, _o.c.id == _d.c.branch_id))
        .order_by(*SORTS[sort])
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def _page_ids(where: list[ColumnElement[bool]], sort: str, per_page: int, offset: int) -> Select[Any]:
    query = select(_d.c.id)
    if sort in BY_NAME:
        query = query.select_from(_d.join(_c, _c.c.id == _d.c.candidate_id))
    return query.where(*where).order_by(*SORTS[sort]).limit(per_page).offset(offset)


def _counted_page(conn: Connection, where: list[ColumnElement[bool]], sort: str, per_page: int,
                  offset: int) -> tuple[list[dict[str, Any]], int]:
    """The page and the total in one statement: with a candidate filter every match is found anyway, so count them there."""
    rows = _page(conn, _page_ids(where, sort, per_page, offset).add_columns(func.count().over().label("total")), sort)
    total = rows[0]["total"] if rows else (_count(conn, where) if offset else 0)
    for row in rows:
        del row["total"]
    return rows, total


def find_dossiers(conn: Connection, f: DossierFilter, cutoffs: Mapping[str, date]) -> DossierPage:
    """One page of dossiers matching `f` and how many match in all."""
    per_page = max(1, min(f.per_page, MAX_PER_PAGE))
    page = max(1, f.page)
    offset = (page - 1) * per_page
    sort = f.sort if f.sort in SORTS else "-updated"
    scope = scope_org_ids(conn, f.org_id)
    about_dossier = _about_dossier(f, cutoffs)
    about_candidate = _about_candidate(f, conn.dialect.name)
    if about_candidate is not None:
        rows, total = _counted_page(conn, [*_in_scope(scope), *about_dossier, about_candidate], sort, per_page, offset)
    else:
        total = _count(conn, [*_in_scope(scope), *about_dossier])
        walk = sort in BY_NAME and total > WALK_NAMES_ABOVE
        rows = _page(conn, _page_ids([*_in_scope(scope, indexed=not walk), *about_dossier], sort, per_page, offset), sort)
    for row in rows:
        cutoff = cutoffs.get(row["state"])
        row["overdue"] = cutoff is not None and row["state_since"] < cutoff
    return DossierPage(rows, total, page, per_page)


def count_by_state(conn: Connection, org_id: int | None) -> dict[str, int]:
    """How many dossiers are in each state, in the subtree of `org_id` (everywhere when None)."""
    query = select(_d.c.state, func.count()).where(*_in_scope(scope_org_ids(conn, org_id))).group_by(_d.c.state)
    return {state: count for state, count in conn.execute(query)}
