"""The auditor's log search: an index of the rules each entry judged, and indexes for newest-first filters.

`transition_log_rules` holds one row per rule an entry judged (every status but "not_applicable"),
with the entry's recorded time, so that "entries where R-DECIDE-2 warned, newest first" walks an
index instead of opening the JSON of a million entries. The database fills it itself: a trigger on
INSERT into transition_log (row-level on SQLite, statement-level with a transition table on
PostgreSQL), so every writer (the repository, the demo loader, a bulk import) keeps it complete
without a line of application code. It is a search index, not evidence: the hash chain covers the
entry's own `rule_results`, and the search joins back to the entry. It has no foreign key to the
log so that the attacker tests, which delete entries with the log's own triggers disabled, are not
stopped by it; a row whose entry is gone matches nothing in the join.

On transition_log: (trigger, at) replaces (trigger) and (actor_name, at) is new, so a search by step
or by actor reads its page, newest first, straight from an index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGGED = "status <> 'passed'"

SQLITE_SELECT = (
    "SELECT {entry}.id, CAST(r.key AS INTEGER), json_extract(r.value, '$.rule_id'), json_extract(r.value, '$.status'), {entry}.at "
    "FROM {source}json_each({entry}.rule_results) AS r WHERE json_extract(r.value, '$.status') <> 'not_applicable'"
)
POSTGRESQL_SELECT = (
    "SELECT {entry}.id, r.ordinal - 1, r.item ->> 'rule_id', r.item ->> 'status', {entry}.at "
    "FROM {source}jsonb_array_elements({entry}.rule_results) WITH ORDINALITY AS r(item, ordinal) "
    "WHERE r.item ->> 'status' <> 'not_applicable'"
)
INSERT = "INSERT INTO transition_log_rules (log_id, ordinal, rule_id, status, at) "

SQLITE = [
    "CREATE TRIGGER transition_log_index_rules AFTER INSERT ON transition_log BEGIN "
    + INSERT + SQLITE_SELECT.format(entry="NEW", source="") + "; END",
]
POSTGRESQL = [
    "CREATE FUNCTION transition_log_index_rules() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + INSERT + POSTGRESQL_SELECT.format(entry="e", source="inserted AS e CROSS JOIN LATERAL ")
    + "; RETURN NULL; END $$",
    "CREATE TRIGGER transition_log_index_rules AFTER INSERT ON transition_log REFERENCING NEW TABLE AS inserted "
    "FOR EACH STATEMENT EXECUTE FUNCTION transition_log_index_rules()",
]
BACKFILL = {
    "sqlite": INSERT + SQLITE_SELECT.format(entry="e", source="transition_log AS e, "),
    "postgresql": INSERT + POSTGRESQL_SELECT.format(entry="e", source="transition_log AS e CROSS JOIN LATERAL "),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect)
    if statements is None:
        raise NotImplementedError(f"no rule-index trigger written for {dialect}")
    op.create_table(
        "transition_log_rules",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("log_id", "ordinal", name=op.f("pk_transition_log_rules")),
    )
    op.execute(BACKFILL[dialect])
    op.create_index("ix_transition_log_rules_rule_id_at", "transition_log_rules", ["rule_id", "at", "status", "log_id"])
    op.create_index("ix_transition_log_rules_flagged", "transition_log_rules", ["rule_id", "at"],
                    sqlite_where=sa.text(FLAGGED), postgresql_where=sa.text(FLAGGED))
    for statement in statements:
        op.execute(statement)
    op.create_index("ix_transition_log_trigger_at", "transition_log", ["trigger", "at"])
    op.create_index("ix_transition_log_actor_name_at", "transition_log", ["actor_name", "at"])
    op.drop_index("ix_transition_log_trigger", table_name="transition_log")


def downgrade() -> None:
    op.create_index("ix_transition_log_trigger", "transition_log", ["trigger"])
    op.drop_index("ix_transition_log_actor_name_at", table_name="transition_log")
    op.drop_index("ix_transition_log_trigger_at", table_name="transition_log")
    op.execute("DROP TRIGGER transition_log_index_rules" + (" ON transition_log" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION transition_log_index_rules()")
    op.drop_table("transition_log_rules")
