"""The auditor's log search: where rules warned, which steps judge which rule, and newest-first indexes.

Searching a million entries by rule ID cannot open every entry's JSON, and an index of every rule
result by rule (ten rows an entry at a branch vote, each on its own index page) made every recorded
step half as fast on SQLite. So the database keeps two small things instead, filled by its own
trigger on INSERT into transition_log (row-level on SQLite, statement-level with a transition table
on PostgreSQL), so that every writer (the repository, the demo loader, a bulk import) keeps them
without a line of application code:

- `transition_log_flags`: one row per rule result that warned or failed (rare), with the entry's
  recorded time, indexed by (rule_id, at): "where R-DECIDE-2 warned, newest first";
- `transition_log_rule_steps`: which steps (triggers) have ever judged which rule (a few dozen rows,
  written only when a pair is new): "entries that judged R-AGE-1" walks those steps' entries newest
  first through (trigger, at) and reads each one's own rule results.

Both are search aids, not evidence: the hash chain covers the entry's own `rule_results`, and the
search joins back to the entry. `transition_log_flags` has no foreign key to the log, so that the
attacker tests, which delete entries with the log's triggers disabled, are not stopped by it; a row
whose entry is gone matches nothing in the join.

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

FLAGGED = "('warning', 'failed')"

SQLITE_STEPS = (
    "INSERT OR IGNORE INTO transition_log_rule_steps (rule_id, trigger) "
    "SELECT DISTINCT json_extract(r.value, '$.rule_id'), {entry}.trigger FROM {source}json_each({entry}.rule_results) AS r "
    "WHERE json_extract(r.value, '$.status') <> 'not_applicable'"
)
SQLITE_FLAGS = (
    "INSERT INTO transition_log_flags (log_id, ordinal, rule_id, status, at) "
    "SELECT {entry}.id, CAST(r.key AS INTEGER), json_extract(r.value, '$.rule_id'), json_extract(r.value, '$.status'), {entry}.at "
    f"FROM {{source}}json_each({{entry}}.rule_results) AS r WHERE json_extract(r.value, '$.status') IN {FLAGGED}"
)
POSTGRESQL_STEPS = (
    "INSERT INTO transition_log_rule_steps (rule_id, trigger) "
    "SELECT DISTINCT r.item ->> 'rule_id', e.trigger FROM {source} AS e CROSS JOIN LATERAL jsonb_array_elements(e.rule_results) AS r(item) "
    "WHERE r.item ->> 'status' <> 'not_applicable' ON CONFLICT DO NOTHING"
)
POSTGRESQL_FLAGS = (
    "INSERT INTO transition_log_flags (log_id, ordinal, rule_id, status, at) "
    "SELECT e.id, r.ordinal - 1, r.item ->> 'rule_id', r.item ->> 'status', e.at "
    "FROM {source} AS e CROSS JOIN LATERAL jsonb_array_elements(e.rule_results) WITH ORDINALITY AS r(item, ordinal) "
    f"WHERE r.item ->> 'status' IN {FLAGGED}"
)

TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER transition_log_index_rules AFTER INSERT ON transition_log BEGIN "
        f"{SQLITE_STEPS.format(entry='NEW', source='')}; {SQLITE_FLAGS.format(entry='NEW', source='')}; END",
    ],
    "postgresql": [
        "CREATE FUNCTION transition_log_index_rules() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{POSTGRESQL_STEPS.format(source='inserted')}; {POSTGRESQL_FLAGS.format(source='inserted')}; RETURN NULL; END $$",
        "CREATE TRIGGER transition_log_index_rules AFTER INSERT ON transition_log REFERENCING NEW TABLE AS inserted "
        "FOR EACH STATEMENT EXECUTE FUNCTION transition_log_index_rules()",
    ],
}
BACKFILL = {
    "sqlite": [SQLITE_STEPS.format(entry="e", source="transition_log AS e, "), SQLITE_FLAGS.format(entry="e", source="transition_log AS e, ")],
    "postgresql": [POSTGRESQL_STEPS.format(source="transition_log"), POSTGRESQL_FLAGS.format(source="transition_log")],
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in TRIGGERS:
        raise NotImplementedError(f"no rule-index trigger written for {dialect}")
    op.create_table(
        "transition_log_flags",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("log_id", "ordinal", name=op.f("pk_transition_log_flags")),
    )
    op.create_table(
        "transition_log_rule_steps",
        sa.Column("rule_id", sa.String(40), nullable=False),
        sa.Column("trigger", sa.String(60), nullable=False),
        sa.PrimaryKeyConstraint("rule_id", "trigger", name=op.f("pk_transition_log_rule_steps")),
    )
    for statement in BACKFILL[dialect]:
        op.execute(statement)
    op.create_index("ix_transition_log_flags_rule_id_at", "transition_log_flags", ["rule_id", "at"])
    for statement in TRIGGERS[dialect]:
        op.execute(statement)
    op.create_index("ix_transition_log_trigger_at", "transition_log", ["trigger", "at"])
    op.create_index("ix_transition_log_actor_name_at", "transition_log", ["actor_name", "at"])
    op.drop_index("ix_transition_log_trigger", table_name="transition_log")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_index("ix_transition_log_trigger", "transition_log", ["trigger"])
    op.drop_index("ix_transition_log_actor_name_at", table_name="transition_log")
    op.drop_index("ix_transition_log_trigger_at", table_name="transition_log")
    op.execute("DROP TRIGGER transition_log_index_rules" + (" ON transition_log" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION transition_log_index_rules()")
    op.drop_table("transition_log_rule_steps")
    op.drop_table("transition_log_flags")
