"""Indexes for the dossier list with 100,000 dossiers (db/dossier_list.py, bench/bench_dossier_list.py).

A page of the list picks its dossier IDs from an index before reading anything else: by branch and
last change (the default order), by last change alone (a scope holding every organisation), and by
branch, state and date entered (a step's list, the overdue filter, "longest in step"). The last
replaces (branch_id, state), of which it is an extension.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_dossiers_branch_id_updated_at": ("dossiers", ["branch_id", "updated_at"]),
    "ix_dossiers_updated_at": ("dossiers", ["updated_at"]),
    "ix_dossiers_branch_id_state_since": ("dossiers", ["branch_id", "state", "state_since", "updated_at"]),
    "ix_dossiers_state_since": ("dossiers", ["state", "state_since", "updated_at"]),
    "ix_candidates_source_category": ("candidates", ["source_category"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    op.drop_index("ix_dossiers_branch_id_state", table_name="dossiers")


def downgrade() -> None:
    op.create_index("ix_dossiers_branch_id_state", "dossiers", ["branch_id", "state"])
    for name, (table, _columns) in reversed(INDEXES.items()):
        op.drop_index(name, table_name=table)
