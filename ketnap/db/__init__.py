"""The SQL side: models, migrations, the unit of work implementing the engine's Protocols, read queries.

`repository.SqlUnitOfWork` is what engine.service.advance() runs on in production (its hot statements
run through `prepared.Prepared`); `migrate.upgrade(url)` creates or updates the schema (Alembic, in
`migrations/`); `models` is the schema; `session` makes engines; `queries` serves the CLI.
"""
