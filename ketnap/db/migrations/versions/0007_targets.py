"""Admission targets and start-of-year membership counts for the organisation board's reports, and an
index that finds the steps into a state within a date range (reports count admissions by decision date).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _who_and_when() -> list[sa.Column[object]]:
    return [
        sa.Column("set_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("set_by_name", sa.String(200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("period", sa.String(9), nullable=False),
        sa.Column("category", sa.String(60), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        *_who_and_when(),
        sa.Column("note", sa.String(500), nullable=True),
        sa.UniqueConstraint("org_id", "period", "category", name=op.f("uq_targets_org_id_period_category")),
    )
    op.create_table(
        "membership_counts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        *_who_and_when(),
        sa.UniqueConstraint("org_id", "year", name=op.f("uq_membership_counts_org_id_year")),
    )
    op.create_index("ix_transition_log_to_state_act_date", "transition_log", ["to_state", "act_date", "dossier_id", "from_state"])


def downgrade() -> None:
    op.drop_index("ix_transition_log_to_state_act_date", table_name="transition_log")
    op.drop_table("membership_counts")
    op.drop_table("targets")
