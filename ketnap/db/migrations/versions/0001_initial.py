"""The initial schema: organisations, members, candidates, dossiers, facts, the transition log, users.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def json_type(none_as_null: bool = False) -> sa.types.TypeEngine:
    return sa.JSON(none_as_null=none_as_null).with_variant(postgresql.JSONB(none_as_null=none_as_null), "postgresql")


def upgrade() -> None:
    op.create_table(
        "org_levels",
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name_vi", sa.String(200), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_org_levels")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("level_code", sa.String(40), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("may_admit", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("has_committee", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("settings", json_type(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(["level_code"], ["org_levels.code"], name=op.f("fk_organisations_level_code_org_levels")),
        sa.ForeignKeyConstraint(["parent_id"], ["organisations.id"], name=op.f("fk_organisations_parent_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("code", name=op.f("uq_organisations_code")),
    )
    op.create_index(op.f("ix_organisations_parent_id"), "organisations", ["parent_id"])

    op.create_table(
        "mass_organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name=op.f("fk_mass_organisations_org_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mass_organisations")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(10), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=True),
        sa.Column("official_since", sa.Date(), nullable=True),
        sa.Column("exempt", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("is_committee_member", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("citizen_id", sa.String(20), nullable=True),
        sa.CheckConstraint("status IN ('official', 'probationary')", name=op.f("ck_members_status")),
        sa.ForeignKeyConstraint(["branch_id"], ["organisations.id"], name=op.f("fk_members_branch_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
    )
    op.create_index(op.f("ix_members_branch_id"), "members", ["branch_id"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name=op.f("fk_users_org_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(10), nullable=False),
        sa.Column("ethnicity", sa.String(60), server_default="Kinh", nullable=False),
        sa.Column("religion", sa.String(60), nullable=True),
        sa.Column("religious_office", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("education", sa.String(40), nullable=False),
        sa.Column("special_area", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("sea_fisherman", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("community_figure", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("lived_abroad", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("other_party_history", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("no_branch_at_workplace", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("youth_union_member", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("trade_union_member", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("occupation", sa.String(200), nullable=True),
        sa.Column("source_category", sa.String(40), server_default="other", nullable=False),
        sa.Column("citizen_id", sa.String(20), nullable=True),
        sa.Column("introducing_mass_org_id", sa.Integer(), nullable=True),
        sa.Column("former_member", json_type(none_as_null=True), nullable=True),
        sa.Column("search_name", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["introducing_mass_org_id"], ["mass_organisations.id"],
            name=op.f("fk_candidates_introducing_mass_org_id_mass_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
        sa.UniqueConstraint("citizen_id", name=op.f("uq_candidates_citizen_id")),
    )
    op.create_index(op.f("ix_candidates_search_name"), "candidates", ["search_name"])

    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("workflow", sa.String(40), server_default="admission", nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("state_since", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("log_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["organisations.id"], name=op.f("fk_dossiers_branch_id_organisations")),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], name=op.f("fk_dossiers_candidate_id_candidates")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
    )
    op.create_index("ix_dossiers_branch_id_state", "dossiers", ["branch_id", "state"])
    op.create_index(op.f("ix_dossiers_candidate_id"), "dossiers", ["candidate_id"])
    op.create_index(op.f("ix_dossiers_state"), "dossiers", ["state"])

    op.create_table(
        "transition_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("act_date", sa.Date(), nullable=False),
        sa.Column("from_state", sa.String(40), nullable=False),
        sa.Column("to_state", sa.String(40), nullable=False),
        sa.Column("trigger", sa.String(60), nullable=False),
        sa.Column("facts", json_type(), nullable=False),
        sa.Column("rule_results", json_type(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_transition_log_actor_id_users")),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_transition_log_dossier_id_dossiers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition_log")),
        sa.UniqueConstraint("dossier_id", "seq", name=op.f("uq_transition_log_dossier_id_seq")),
    )
    op.create_index(op.f("ix_transition_log_at"), "transition_log", ["at"])
    op.create_index(op.f("ix_transition_log_trigger"), "transition_log", ["trigger"])

    op.create_table(
        "dossier_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("act_date", sa.Date(), nullable=False),
        sa.Column("data", json_type(), nullable=False),
        sa.Column("log_entry_id", sa.Integer(), nullable=False),
        sa.Column("superseded", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_dossier_facts_dossier_id_dossiers")),
        sa.ForeignKeyConstraint(["log_entry_id"], ["transition_log.id"], name=op.f("fk_dossier_facts_log_entry_id_transition_log")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_facts")),
    )
    op.create_index("ix_dossier_facts_dossier_id_superseded", "dossier_facts", ["dossier_id", "superseded"])
    op.create_index(op.f("ix_dossier_facts_log_entry_id"), "dossier_facts", ["log_entry_id"])


def downgrade() -> None:
    for table in (
        "dossier_facts", "transition_log", "dossiers", "candidates", "users", "members", "mass_organisations",
        "organisations", "org_levels",
    ):
        op.drop_table(table)
