"""The branch lists: sympathisers with their helpers and monthly reviews, and the training-class lists.

"Danh sách quần chúng cảm tình Đảng" (reviewed every month by the branch, `sympathiser_reviews`),
"danh sách cử đi học lớp bồi dưỡng nhận thức về Đảng" and those holding the class's certificate.
Each list is ONE query whatever its length: the dossier, its candidate, and the live (not
superseded) fact of the step that put it on the list, the helper's name joined from `members`.
A dossier holds at most one live fact of each of these kinds: the step is taken again only after
going back (return_for_rework, reopen), which supersedes the earlier fact.

Every function takes an open Connection and returns plain dicts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Join
from sqlalchemy.sql.selectable import NamedFromClause

from .models import Candidate, Dossier, DossierFact, Member, Organisation, SympathiserReview, User, table_of
from .queries import subtree_ids

_d = table_of(Dossier)
_c = table_of(Candidate)
_f = table_of(DossierFact)
_m = table_of(Member)
_o = table_of(Organisation)
_u = table_of(User)
_r = table_of(SympathiserReview)

# Still sympathisers, not yet applied: on the list, nominated for the class, holding its certificate.
SYMPATHISER_STATES = ("sympathiser", "training_nominated", "trained")


def _with_fact(joined: Join, kind: str) -> tuple[Join, NamedFromClause]:
    """`joined` outer-joined to the dossier's live fact of `kind` (an alias named after the kind)."""
    fact = _f.alias(kind)
    on = and_(fact.c.dossier_id == _d.c.id, fact.c.kind == kind, fact.c.superseded.is_(False))
    return joined.outerjoin(fact, on), fact


def _dossiers() -> Join:
    return _d.join(_c, _c.c.id == _d.c.candidate_id)


def sympathisers(conn: Connection, branch_id: int) -> list[dict[str, Any]]:
    """The branch's sympathiser list, longest on it first: candidate, step, since when, helping member."""
    joined, admit = _with_fact(_dossiers(), "admit_to_sympathiser_list")
    joined = joined.outerjoin(_m, _m.c.id == admit.c.data["helper_member_id"].as_integer())
    query = (
        select(_d.c.id, _d.c.state, _c.c.full_name, _c.c.date_of_birth, _c.c.source_category,
               admit.c.act_date.label("admitted_on"), _m.c.id.label("helper_id"), _m.c.full_name.label("helper_name"))
        .select_from(joined)
        .where(_d.c.branch_id == branch_id, _d.c.state.in_(SYMPATHISER_STATES))
        .order_by(admit.c.act_date, _c.c.search_name, _d.c.id)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def _in_scope(org_id: int | None, branch_id: int | None) -> list[ColumnElement[bool]]:
    """One branch when given, else the subtree of `org_id` (everything when None)."""
    if branch_id is not None:
        return [_d.c.branch_id == branch_id]
    if org_id is not None:
        return [_d.c.branch_id.in_(subtree_ids(org_id))]
    return []


def training_nominated(conn: Connection, org_id: int | None = None, branch_id: int | None = None) -> list[dict[str, Any]]:
    """Dossiers nominated for the Party awareness class, oldest nomination first, with the class named."""
    joined, nominated = _with_fact(_dossiers().join(_o, _o.c.id == _d.c.branch_id), "nominate_for_training")
    query = (
        select(_d.c.id, _d.c.branch_id, _o.c.name.label("branch_name"), _c.c.full_name, _c.c.date_of_birth,
               nominated.c.act_date.label("nominated_on"), nominated.c.data["class_name"].as_string().label("class_name"))
        .select_from(joined)
        .where(_d.c.state == "training_nominated", *_in_scope(org_id, branch_id))
        .order_by(nominated.c.act_date, _c.c.search_name, _d.c.id)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def trained(conn: Connection, org_id: int | None = None, branch_id: int | None = None) -> list[dict[str, Any]]:
    """Dossiers holding the class's certificate and not yet applied, oldest certificate first."""
    joined, cert = _with_fact(_dossiers().join(_o, _o.c.id == _d.c.branch_id), "record_training_certificate")
    query = (
        select(_d.c.id, _d.c.branch_id, _o.c.name.label("branch_name"), _c.c.full_name, _c.c.date_of_birth,
               cert.c.act_date.label("issued_on"), cert.c.data["certificate_no"].as_string().label("certificate_no"),
               cert.c.data["issuer"].as_string().label("issuer"))
        .select_from(joined)
        .where(_d.c.state == "trained", *_in_scope(org_id, branch_id))
        .order_by(cert.c.act_date, _c.c.search_name, _d.c.id)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def reviews(conn: Connection, branch_id: int, limit: int = 12) -> list[dict[str, Any]]:
    """The branch's latest monthly reviews, newest month first, with the reviewer's name."""
    query = (
        select(_r.c.period, _r.c.reviewed_on, _r.c.note, _r.c.sympathiser_count, _r.c.created_at,
               _u.c.full_name.label("reviewer_name"))
        .join(_u, _u.c.id == _r.c.reviewed_by)
        .where(_r.c.branch_id == branch_id)
        .order_by(_r.c.period.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def record_review(conn: Connection, branch_id: int, period: str, reviewed_on: date, reviewed_by: int, note: str | None,
                  sympathiser_count: int) -> bool:
    """Record the month's review; False, changing nothing, when that month was already recorded.

    One INSERT ... ON CONFLICT DO NOTHING on (branch_id, period): two people recording the same month
    at once leave one row, and neither gets an error.
    """
    values = {"branch_id": branch_id, "period": period, "reviewed_on": reviewed_on, "reviewed_by": reviewed_by, "note": note,
              "sympathiser_count": sympathiser_count, "created_at": datetime.now(UTC)}
    unique = [_r.c.branch_id, _r.c.period]
    statement = (
        postgresql.insert(_r).values(values).on_conflict_do_nothing(index_elements=unique) if conn.dialect.name == "postgresql"
        else sqlite.insert(_r).values(values).on_conflict_do_nothing(index_elements=unique)
    ).returning(_r.c.id)
    return conn.execute(statement).first() is not None
