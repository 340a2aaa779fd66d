"""The dossier list of the web UI: filters, diacritic-insensitive search, sorting and pagination.

One query for the page of rows and one for the total, whatever the page size (no N+1). The
organisation scope is a recursive CTE over the organisation tree; the name search compares the
folded name (`candidates.search_name`, engine.text.search_key) so "nguyen van a" finds
"Nguyễn Văn A". Overdue is "entered the state before that state's cutoff" (workflows.deadlines).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, false, func, or_, select

from ..engine.text import search_key
from .models import Candidate, Dossier, Organisation, table_of
from .queries import subtree_ids

_d = table_of(Dossier)
_c = table_of(Candidate)
_o = table_of(Organisation)

SORTS: dict[str, tuple[Any, ...]] = {
    "-updated": (_d.c.updated_at.desc(), _d.c.id.desc()),
    "updated": (_d.c.updated_at.asc(), _d.c.id.asc()),
    "name": (_c.c.search_name.asc(), _d.c.id.asc()),
    "-name": (_c.c.search_name.desc(), _d.c.id.desc()),
    "since": (_d.c.state_since.asc(), _d.c.id.asc()),
    "-since": (_d.c.state_since.desc(), _d.c.id.desc()),
    "state": (_d.c.state.asc(), _d.c.id.asc()),
    "-id": (_d.c.id.desc(),),
    "id": (_d.c.id.asc(),),
}
MAX_PER_PAGE = 200


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


def _conditions(f: DossierFilter, cutoffs: Mapping[str, date]) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.org_id is not None:
        where.append(_d.c.branch_id.in_(subtree_ids(f.org_id)))
    if f.branch_id is not None:
        where.append(_d.c.branch_id == f.branch_id)
    if f.states:
        where.append(_d.c.state.in_(f.states))
    if f.source_category:
        where.append(_c.c.source_category == f.source_category)
    key = search_key(f.search or "")
    if key:
        where.append(_c.c.search_name.contains(key, autoescape=True))
    if f.overdue:
        late = [and_(_d.c.state == state, _d.c.state_since < cutoff) for state, cutoff in cutoffs.items()]
        where.append(or_(*late) if late else false())
    return where


def _base(columns: list[Any], where: list[ColumnElement[bool]]) -> Select[Any]:
    return select(*columns).select_from(_d.join(_c, _c.c.id == _d.c.candidate_id)).where(*where)


def find_dossiers(conn: Connection, f: DossierFilter, cutoffs: Mapping[str, date]) -> DossierPage:
    """One page of dossiers matching `f` and how many match in all."""
    per_page = max(1, min(f.per_page, MAX_PER_PAGE))
    page = max(1, f.page)
    where = _conditions(f, cutoffs)
    total = conn.execute(_base([func.count()], where)).scalar_one()
    query = (
        _base([_d.c.id, _d.c.state, _d.c.version, _d.c.state_since, _d.c.opened_on, _d.c.updated_at, _d.c.branch_id,
               _c.c.full_name, _c.c.date_of_birth, _c.c.gender, _c.c.source_category, _o.c.name.label("branch_name")], where)
        .join(_o, _o.c.id == _d.c.branch_id)
        .order_by(*SORTS.get(f.sort, SORTS["-updated"]))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        cutoff = cutoffs.get(row["state"])
        row["overdue"] = cutoff is not None and row["state_since"] < cutoff
    return DossierPage(rows, total, page, per_page)


def count_overdue(conn: Connection, org_id: int | None, cutoffs: Mapping[str, date]) -> int:
    where = _conditions(DossierFilter(org_id=org_id, overdue=True), cutoffs)
    return conn.execute(select(func.count()).select_from(_d).where(*where)).scalar_one()
