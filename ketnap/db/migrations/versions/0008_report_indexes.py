"""An index of each dossier's steps for the reports' time in a stage (db/reports.py, bench/bench_reports.py).

The funnel report's median days in a stage looks up, for every step out of a state in the period, the
dossier's step into it (the previous entry, or the latest earlier entry that changed state) by
(dossier_id, seq). The unique index on (dossier_id, seq) finds that entry but not its date and states,
so every lookup read the whole log row (its facts and rule results, about 1 KB): with 2,000,000 entries,
a year of the whole province is ~400,000 such reads. This index carries the step's states and date, so
the lookups (and a dossier's steps read in order) are answered from the index alone; on PostgreSQL the
funnel of a year for the province went from ~1.7 s to ~1.2 s (bench_reports.py), the plans no longer
reading the log's heap. An index, not a change of the unique constraint, which stays as it is.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_transition_log_dossier_id_seq_steps"
COLUMNS = ["dossier_id", "seq", "from_state", "to_state", "act_date"]


def upgrade() -> None:
    op.create_index(NAME, "transition_log", COLUMNS)


def downgrade() -> None:
    op.drop_index(NAME, table_name="transition_log")
