"""Stage steps: each step from one state to another, with the dossier's branch and when the state it left
was entered, for the funnel report (arrivals per stage, median days in a stage).

`stage_steps` holds one row per log entry whose from_state differs from its to_state: the branch of
the dossier when the step was recorded, both states, the act date, and `since`, the act date of the
dossier's previous such step (when the state left was entered; NULL for the first). The database
fills it with its own trigger on INSERT into transition_log, as it fills the log-search tables
(0006), so every writer keeps it; existing entries are filled here. Two covering indexes answer a
funnel from one index range each, for the whole tree or a few branches, without reading the log or
the dossiers (bench_reports.py: the province's funnel over a year went from ~3.9 s to well under 1 s).

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

SINCE = ("(SELECT p.act_date FROM transition_log AS p WHERE p.dossier_id = {e}.dossier_id AND p.seq < {e}.seq "
         "AND p.from_state <> p.to_state ORDER BY p.seq DESC LIMIT 1)")
ROWS = ("INSERT INTO stage_steps (log_id, dossier_id, branch_id, from_state, to_state, act_date, since) "
        "SELECT {e}.id, {e}.dossier_id, (SELECT d.branch_id FROM dossiers AS d WHERE d.id = {e}.dossier_id), "
        "{e}.from_state, {e}.to_state, {e}.act_date, " + SINCE)
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER transition_log_stage_steps AFTER INSERT ON transition_log "
        "WHEN NEW.from_state <> NEW.to_state BEGIN " + ROWS.format(e="NEW") + "; END",
    ],
    "postgresql": [
        "CREATE FUNCTION transition_log_stage_steps() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + ROWS.format(e="e") + " FROM inserted AS e WHERE e.from_state <> e.to_state; RETURN NULL; END $$",
        "CREATE TRIGGER transition_log_stage_steps AFTER INSERT ON transition_log REFERENCING NEW TABLE AS inserted "
        "FOR EACH STATEMENT EXECUTE FUNCTION transition_log_stage_steps()",
    ],
}
BACKFILL = ROWS.format(e="e") + " FROM transition_log AS e WHERE e.from_state <> e.to_state"
INDEXES = {
    "ix_stage_steps_arrivals": ["to_state", "act_date", "branch_id", "dossier_id"],
    "ix_stage_steps_departures": ["from_state", "act_date", "branch_id", "since"],
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in TRIGGERS:
        raise NotImplementedError(f"no stage-step trigger written for {dialect}")
    op.create_table(
        "stage_steps",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("from_state", sa.String(40), nullable=False),
        sa.Column("to_state", sa.String(40), nullable=False),
        sa.Column("act_date", sa.Date(), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("log_id", name=op.f("pk_stage_steps")),
    )
    op.execute(BACKFILL)
    for name, columns in INDEXES.items():
        op.create_index(name, "stage_steps", columns)
    for statement in TRIGGERS[dialect]:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP TRIGGER IF EXISTS transition_log_stage_steps" + (" ON transition_log" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS transition_log_stage_steps()")
    for name in INDEXES:
        op.drop_index(name, table_name="stage_steps")
    op.drop_table("stage_steps")
