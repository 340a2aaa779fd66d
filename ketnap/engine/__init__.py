"""The generic part of ketnap: how any dossier workflow runs.

Knows nothing of the Party, of Flask or of SQL. Workflow definitions on top of `transitions`,
rules (guards) with IDs and citations, "why not" explanations, date arithmetic, the working-day
calendar, audit-chain hashing and the advance() use case written against small Protocols.
"""
