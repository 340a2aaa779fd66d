"""The database schema: SQLAlchemy 2.0 declarative models of organisations, members, candidates and dossiers.

Table and column names are a contract with the migrations, the demo-data loader and the CLI. Text a
person reads is stored NFC-normalised (`NFCString`); timestamps are UTC-aware (`UTCDateTime`); JSON is
JSONB on PostgreSQL. Constraint names follow `NAMING_CONVENTION` so Alembic's names are stable.

The audit trail is `transition_log`: one row per applied transition, hash-chained (engine.audit) and
append-only (the migrations install triggers refusing UPDATE and DELETE on it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

from ..engine.text import nfc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
# Indexes the migrations make on one database only, which the models cannot declare (migration 0012: a
# PostgreSQL trigram index for name searches); the comparison of the models with a migrated schema skips them.
DATABASE_ONLY_INDEXES = frozenset({"ix_candidates_search_name_trgm"})


class NFCString(TypeDecorator[str]):
    """A string normalised to NFC (and stripped) on the way in, whether written through the ORM or Core."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return nfc(value) if value is not None else None


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC and read back as UTC, on SQLite as on PostgreSQL.

    Naive datetimes are refused: a timestamp without its zone cannot be put back in the audit chain.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive timestamp {value.isoformat()}: store UTC-aware timestamps")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def json_type(none_as_null: bool = False) -> TypeEngine[Any]:
    """JSON, JSONB on PostgreSQL; `none_as_null` stores Python None as SQL NULL (nullable columns)."""
    return JSON(none_as_null=none_as_null).with_variant(JSONB(none_as_null=none_as_null), "postgresql")


class Base(DeclarativeBase):
    metadata = metadata


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (typed as a Table, which `__table__` is not), for Core queries."""
    return metadata.tables[model.__tablename__]


class OrgLevel(Base):
    """A level of Party organisation ("cấp tổ chức đảng"): data, seeded from workflows.vocab.ORG_LEVELS."""

    __tablename__ = "org_levels"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_vi: Mapped[str] = mapped_column(NFCString(200))
    rank: Mapped[int] = mapped_column(Integer)


class Organisation(Base):
    """A Party organisation ("tổ chức đảng"): province committee, grassroots committee, branch ("chi bộ")...

    `settings` holds local overrides (parameters, blocking policies); a dossier sees them merged from
    the root down to its branch, the nearest winning.
    """

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(NFCString(300))
    level_code: Mapped[str] = mapped_column(ForeignKey("org_levels.code"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    may_admit: Mapped[bool] = mapped_column(default=False, server_default=false())
    has_committee: Mapped[bool] = mapped_column(default=True, server_default=true())
    settings: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict, server_default=text("'{}'"))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class Member(Base):
    """A Party member ("đảng viên"), official ("chính thức") or probationary ("dự bị"), of one branch."""

    __tablename__ = "members"
    __table_args__ = (CheckConstraint("status IN ('official', 'probationary')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(NFCString(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    branch_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    joined_on: Mapped[date | None] = mapped_column(Date)
    official_since: Mapped[date | None] = mapped_column(Date)
    exempt: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_committee_member: Mapped[bool] = mapped_column(default=False, server_default=false())
    citizen_id: Mapped[str | None] = mapped_column(String(20))

    branch: Mapped[Organisation] = relationship()


class MassOrganisation(Base):
    """A mass organisation ("đoàn thể"): Youth Union, Trade Union, Women's Union... of an organisation."""

    __tablename__ = "mass_organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(NFCString(300))


class Candidate(Base):
    """The person ("quần chúng", later "người xin vào Đảng"): one column per CandidateSchema field.

    `search_name` is the folded name (engine.text.search_key), computed by the repository.
    """

    __tablename__ = "candidates"
    __table_args__ = (Index("ix_candidates_source_category", "source_category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(NFCString(200))
    date_of_birth: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(10))
    ethnicity: Mapped[str] = mapped_column(NFCString(60), default="Kinh", server_default="Kinh")
    religion: Mapped[str | None] = mapped_column(NFCString(60))
    religious_office: Mapped[bool] = mapped_column(default=False, server_default=false())
    education: Mapped[str] = mapped_column(String(40))
    special_area: Mapped[bool] = mapped_column(default=False, server_default=false())
    sea_fisherman: Mapped[bool] = mapped_column(default=False, server_default=false())
    community_figure: Mapped[bool] = mapped_column(default=False, server_default=false())
    lived_abroad: Mapped[bool] = mapped_column(default=False, server_default=false())
    other_party_history: Mapped[bool] = mapped_column(default=False, server_default=false())
    no_branch_at_workplace: Mapped[bool] = mapped_column(default=False, server_default=false())
    youth_union_member: Mapped[bool] = mapped_column(default=False, server_default=false())
    trade_union_member: Mapped[bool] = mapped_column(default=False, server_default=false())
    occupation: Mapped[str | None] = mapped_column(NFCString(200))
    source_category: Mapped[str] = mapped_column(String(40), default="other", server_default="other")
    citizen_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    introducing_mass_org_id: Mapped[int | None] = mapped_column(ForeignKey("mass_organisations.id"))
    former_member: Mapped[dict[str, Any] | None] = mapped_column(json_type(none_as_null=True))
    search_name: Mapped[str] = mapped_column(String(200), index=True)


class Dossier(Base):
    """An admission dossier ("hồ sơ kết nạp đảng viên") of one candidate, owned by one branch.

    `version` is the optimistic lock (the mapper's version_id_col): every applied transition adds one.
    `head_hash` is the hash of the last log entry, `log_count` the number of entries.
    """

    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_branch_id_updated_at", "branch_id", "updated_at"),
        Index("ix_dossiers_updated_at", "updated_at"),
        Index("ix_dossiers_branch_id_state_since", "branch_id", "state", "state_since", "updated_at"),
        Index("ix_dossiers_state_since", "state", "state_since", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    workflow: Mapped[str] = mapped_column(String(40), default="admission", server_default="admission")
    state: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    opened_on: Mapped[date] = mapped_column(Date)
    state_since: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    head_hash: Mapped[str] = mapped_column(String(64))
    log_count: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}

    candidate: Mapped[Candidate] = relationship()
    branch: Mapped[Organisation] = relationship()


class User(Base):
    """A person who signs in: a branch committee member ("chi ủy viên"), grassroots staff, superior board..."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(NFCString(200))
    role: Mapped[str] = mapped_column(String(40))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())


class ApiToken(Base):
    """A user's API token (the REST API's credential): only its SHA-256 digest is stored, so it is shown
    once, when made. It acts as its user, with the user's role and organisation; revoked, expired or
    belonging to a deactivated user, it no longer signs anything in."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(NFCString(100))
    prefix: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_on: Mapped[date | None] = mapped_column(Date)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in web session: the cookie carries a random session key, the database its SHA-256 digest. Signing
    out ends the record, so the cookie, replayed, signs nothing in any more (a signed cookie alone could not be
    withdrawn before it expires)."""

    __tablename__ = "web_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    remote_addr: Mapped[str | None] = mapped_column(String(64))


class TransitionLog(Base):
    """The audit log ("nhật ký"): one hash-chained entry per applied transition, never updated or deleted."""

    __tablename__ = "transition_log"
    __table_args__ = (UniqueConstraint("dossier_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"))
    seq: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(NFCString(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    act_date: Mapped[date] = mapped_column(Date)
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    trigger: Mapped[str] = mapped_column(String(60))
    facts: Mapped[dict[str, Any]] = mapped_column(json_type())
    rule_results: Mapped[list[dict[str, Any]]] = mapped_column(json_type())
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class DossierFact(Base):
    """The facts one transition recorded ("thông tin, văn bản của bước"); superseded when the dossier goes back."""

    __tablename__ = "dossier_facts"
    __table_args__ = (Index("ix_dossier_facts_dossier_id_superseded", "dossier_id", "superseded"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"))
    kind: Mapped[str] = mapped_column(String(60))
    act_date: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(json_type())
    log_entry_id: Mapped[int] = mapped_column(ForeignKey("transition_log.id"), index=True)
    superseded: Mapped[bool] = mapped_column(default=False, server_default=false())


__all__ = [
    "AccessLog",
    "Base",
    "Candidate",
    "Dossier",
    "DossierFact",
    "MassOrganisation",
    "Member",
    "NFCString",
    "OrgLevel",
    "Organisation",
    "MembershipCount",
    "StageStep",
    "SympathiserReview",
    "Target",
    "TransitionLog",
    "TransitionLogFlag",
    "TransitionLogRuleStep",
    "UTCDateTime",
    "User",
    "WebSession",
    "metadata",
    "table_of",
]


class StageStep(Base):
    """A step from one state to another ("một bước chuyển"), filled by the database's trigger on the log
    (migration 0009): the dossier's branch when it was recorded, both states, the act date, and when the
    state left was entered (`since`, None for the first step). A search aid for the funnel report."""

    __tablename__ = "stage_steps"
    __table_args__ = (
        Index("ix_stage_steps_arrivals", "to_state", "act_date", "branch_id", "dossier_id"),
        Index("ix_stage_steps_departures", "from_state", "act_date", "branch_id", "since"),
    )

    log_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    dossier_id: Mapped[int] = mapped_column(Integer)
    branch_id: Mapped[int | None] = mapped_column(Integer)
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    act_date: Mapped[date] = mapped_column(Date)
    since: Mapped[date | None] = mapped_column(Date)


class SympathiserReview(Base):
    """A branch's monthly review of its sympathiser list ("rà soát danh sách quần chúng cảm tình Đảng hằng tháng").

    One row per branch and month (`period`, 'YYYY-MM'); `sympathiser_count` is how many were on the list
    when the review was recorded.
    """

    __tablename__ = "sympathiser_reviews"
    __table_args__ = (UniqueConstraint("branch_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    period: Mapped[str] = mapped_column(String(7))
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(NFCString(2000))
    sympathiser_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Target(Base):
    """An admission target ("chỉ tiêu kết nạp đảng viên") of an organisation for a year or a term,
    set by the level above: the total, or a structure sub-target (`category`, reports.targets).

    `period` is '2026' (a year) or '2025-2030' (a term, reports.periods).
    """

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("org_id", "period", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    period: Mapped[str] = mapped_column(String(9))
    category: Mapped[str] = mapped_column(String(60))
    value: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_by_name: Mapped[str] = mapped_column(NFCString(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(NFCString(500))


class MembershipCount(Base):
    """How many Party members an organisation had at the start of a year ("tổng số đảng viên đầu năm"),
    as reported to the level above: the base of the yearly admission rate (3–4 %, seed 002)."""

    __tablename__ = "membership_counts"
    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_by_name: Mapped[str] = mapped_column(NFCString(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccessLog(Base):
    """Who read a candidate's personal data or exported a log, and when ("nhật ký truy cập"), for auditors.

    Personal data under Decree 13/2023/NĐ-CP: every view of a dossier's biography details and every
    export is recorded. Append-only (migration 0005 installs the triggers).
    """

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_user_id_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(NFCString(200))
    action: Mapped[str] = mapped_column(String(40))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(json_type())
    remote_addr: Mapped[str | None] = mapped_column(String(64))


Index("ix_transition_log_trigger_at", TransitionLog.trigger, TransitionLog.at)
Index("ix_transition_log_actor_name_at", TransitionLog.actor_name, TransitionLog.at)
Index("ix_transition_log_to_state_act_date", TransitionLog.to_state, TransitionLog.act_date, TransitionLog.dossier_id,
      TransitionLog.from_state)
Index("ix_transition_log_dossier_id_seq_steps", TransitionLog.dossier_id, TransitionLog.seq, TransitionLog.from_state,
      TransitionLog.to_state, TransitionLog.act_date)


class TransitionLogFlag(Base):
    """The log search's index of warnings: one row per rule result of an entry that warned or failed (rare).

    Filled by the database (a trigger on INSERT into transition_log, migration 0006), never by the
    application; `at` is the entry's recorded time, so (rule_id, at) walks a rule's warnings newest
    first. A search aid, not evidence: the hash chain covers the entry's own `rule_results`.
    """

    __tablename__ = "transition_log_flags"
    __table_args__ = (Index("ix_transition_log_flags_rule_id_at", "rule_id", "at"),)

    log_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class TransitionLogRuleStep(Base):
    """Which step (trigger) has judged which rule in the log: the steps a search by rule ID walks.

    Filled by the same trigger as TransitionLogFlag; a few dozen rows, written only when a pair is new.
    """

    __tablename__ = "transition_log_rule_steps"

    rule_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    trigger: Mapped[str] = mapped_column(String(60), primary_key=True)
