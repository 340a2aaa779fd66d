"""The SQL side: models, migrations, the unit of work implementing the engine's Protocols, read queries.

`ketnap.db.repository.SqlUnitOfWork` is what engine.service.advance() runs on in production;
`ketnap.db.migrate.upgrade(url)` creates or updates the schema; `ketnap.db.queries` serves the CLI.
"""
