"""The transition log is append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).

The hash chain lets anyone detect an edited entry; these triggers stop the application, or a hurried
administrator, from making one in the first place.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "transition_log is append-only (nhật ký chỉ được ghi thêm)"

SQLITE = [
    f"CREATE TRIGGER transition_log_no_update BEFORE UPDATE ON transition_log BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER transition_log_no_delete BEFORE DELETE ON transition_log BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
POSTGRESQL = [
    f"CREATE FUNCTION transition_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    "CREATE TRIGGER transition_log_no_change BEFORE UPDATE OR DELETE ON transition_log "
    "FOR EACH ROW EXECUTE FUNCTION transition_log_append_only()",
    "CREATE TRIGGER transition_log_no_truncate BEFORE TRUNCATE ON transition_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION transition_log_append_only()",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect)
    if statements is None:
        raise NotImplementedError(f"no append-only protection written for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER transition_log_no_update")
        op.execute("DROP TRIGGER transition_log_no_delete")
    else:
        op.execute("DROP TRIGGER transition_log_no_truncate ON transition_log")
        op.execute("DROP TRIGGER transition_log_no_change ON transition_log")
        op.execute("DROP FUNCTION transition_log_append_only()")
