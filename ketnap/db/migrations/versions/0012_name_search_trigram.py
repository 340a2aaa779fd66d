"""PostgreSQL: a trigram index on candidates' folded names, so that a name search ("nguyen van") finds its
candidates through the index instead of walking every dossier in the scope.

bench_scale.py measured the dossier list's name search at 1,000,000 dossiers: 10.2 s p95 for a
province-wide user, the plan walking all dossiers newest first and testing each candidate's name
(bench/explain/scale_1000000_kiemtra_dossiers-q-nguyen-van.txt). With this index the same statement
over 2,537,015 dossiers took 100–180 ms warm (8,083 candidates match). `LIKE '%…%'` is answered by
a GIN index with pg_trgm's operator class; SQLite needs nothing (its GLOB scan is measured fast enough
at 100,000 dossiers by bench_dossier_list.py).

The extension is created in the `public` schema when it is not installed yet (pg_trgm is a trusted
extension: the database owner may create it), so that dropping a schema of ketnap's never drops it
with the indexes of other schemas. Where it cannot be created (no privilege), the index is left out
with a warning and searches still work, only slower: ask the DBA for `CREATE EXTENSION pg_trgm`.
The index is not in the models (SQLAlchemy's metadata cannot say "PostgreSQL only"):
models.DATABASE_ONLY_INDEXES names it for the schema comparison.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_candidates_search_name_trgm"
_FIND = "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql(_FIND).scalar()
    if schema is None:
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
        except sa.exc.DBAPIError as err:
            log.warning("pg_trgm could not be created (%s): name searches will not use an index; "
                        "ask the database administrator for CREATE EXTENSION pg_trgm, then run ketnap init-db again", err.orig)
            return
        schema = bind.exec_driver_sql(_FIND).scalar()
    op.execute(sa.text(f'CREATE INDEX {NAME} ON candidates USING gin (search_name "{schema}".gin_trgm_ops)'))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {NAME}")
