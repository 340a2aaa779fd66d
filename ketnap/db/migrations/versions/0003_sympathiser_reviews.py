"""The monthly review of each branch's sympathiser list: one row per branch and month.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sympathiser_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(2000), nullable=True),
        sa.Column("sympathiser_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["organisations.id"], name=op.f("fk_sympathiser_reviews_branch_id_organisations")),
        sa.ForeignKeyConstraint(["reviewed_by"], ["users.id"], name=op.f("fk_sympathiser_reviews_reviewed_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sympathiser_reviews")),
        sa.UniqueConstraint("branch_id", "period", name=op.f("uq_sympathiser_reviews_branch_id_period")),
    )


def downgrade() -> None:
    op.drop_table("sympathiser_reviews")
