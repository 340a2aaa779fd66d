"""Stage spans: each time a dossier spent in a state, for the funnel report's median days in a stage.

`stage_spans` holds one row per step out of a state (an entry whose from_state differs from its
to_state): the state left, the day the dossier entered it (the latest earlier entry that changed
state) and the day it left. The database fills it with its own trigger on INSERT into transition_log,
as it fills the log-search tables (0006), so every writer keeps it; existing entries are filled here.
Without it the median over a province's year looked up ~400,000 earlier entries by (dossier_id, seq)
per report (bench_reports.py: ~3.9 s on SQLite); with it the median reads one index range.

A search aid, not evidence: the hash chain covers the entries themselves; no foreign key to the log,
so the attacker tests, which delete entries with the log's triggers disabled, are not stopped by it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTERED = ("(SELECT p.act_date FROM transition_log AS p WHERE p.dossier_id = {e}.dossier_id AND p.seq < {e}.seq "
           "AND p.from_state <> p.to_state ORDER BY p.seq DESC LIMIT 1)")
ROW = ("INSERT INTO stage_spans (log_id, dossier_id, state, entered_on, left_on) "
       "SELECT {e}.id, {e}.dossier_id, {e}.from_state, " + ENTERED + ", {e}.act_date")
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER transition_log_stage_spans AFTER INSERT ON transition_log "
        "WHEN NEW.from_state <> NEW.to_state AND NEW.from_state <> '' BEGIN " + ROW.format(e="NEW") + "; END",
    ],
    "postgresql": [
        "CREATE FUNCTION transition_log_stage_spans() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + ROW.format(e="e") + " FROM inserted AS e WHERE e.from_state <> e.to_state AND e.from_state <> ''; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER transition_log_stage_spans AFTER INSERT ON transition_log REFERENCING NEW TABLE AS inserted "
        "FOR EACH STATEMENT EXECUTE FUNCTION transition_log_stage_spans()",
    ],
}
BACKFILL = ROW.format(e="e") + " FROM transition_log AS e WHERE e.from_state <> e.to_state AND e.from_state <> ''"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in TRIGGERS:
        raise NotImplementedError(f"no stage-span trigger written for {dialect}")
    op.create_table(
        "stage_spans",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("log_id", name=op.f("pk_stage_spans")),
    )
    op.create_index("ix_stage_spans_state_left_on", "stage_spans", ["state", "left_on", "entered_on", "dossier_id"])
    op.execute(BACKFILL)
    for statement in TRIGGERS[dialect]:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP TRIGGER IF EXISTS transition_log_stage_spans" + (" ON transition_log" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS transition_log_stage_spans()")
    op.drop_index("ix_stage_spans_state_left_on", table_name="stage_spans")
    op.drop_table("stage_spans")
