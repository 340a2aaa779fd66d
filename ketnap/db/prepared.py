"""Core statements compiled once per dialect and run straight on the connection's DBAPI cursor.

For the advance path and the bulk INSERTs of an import (`many`). SQLAlchemy still writes the SQL (the statement is an ordinary Core
construct, compiled for the engine's dialect) and still converts every value with the column types'
own bind and result processors; what is skipped is its per-execution machinery (execution context,
result object, events), which for a small statement on SQLite costs several times the query itself.
The cursor belongs to the unit of work's Connection, so the statements run in its transaction, and
driver errors are raised as SQLAlchemy's (IntegrityError, OperationalError...) like Connection.execute's.

Not for statements with expanding IN parameters, nor for INSERT/UPDATE relying on Python-side column
defaults (both refused when the statement is first compiled).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None
_KEPT = frozenset({str, int, bool, date, datetime})  # hashable values whose processed form parameters_many() keeps
_UNSEEN = object()


class _Compiled:
    """The statement's SQL for one dialect, how to build its parameters and how to read its rows."""

    def __init__(self, statement: ClauseElement, dialect: Dialect):
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        prefetch = [*compiled.insert_prefetch, *compiled.update_prefetch]
        if prefetch:
            raise ValueError(f"Python-side column defaults are not applied here; give values for {', '.join(c.key for c in prefetch)}")
        if compiled.escaped_bind_names:
            raise ValueError(f"bind names needing escapes are not supported: {dict(compiled.escaped_bind_names)}")
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        names = compiled.positiontup if self.positional else list(dict.fromkeys(compiled.bind_names.values()))
        self.slots: list[tuple[str, bool, Any, Processor]] = []
        for name in names or ():
            bind = compiled.binds[name]
            if bind.expanding:
                raise ValueError(f"expanding parameter {name}: run this statement through Connection.execute")
            default = None if bind.required else bind.effective_value
            self.slots.append((name, bind.required, default, bind.type.dialect_impl(dialect).bind_processor(dialect)))
        self.processed = [(index, process) for index, (_n, _r, _d, process) in enumerate(self.slots) if process is not None]
        columns = list(getattr(statement, "exported_columns", ()))
        self.keys = [column.key for column in columns]
        self.result_processors: list[Processor] = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]

    def parameters(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The DBAPI parameters; None is passed as SQL NULL without its type's processing."""
        values = [params[name] if required or name in params else default for name, required, default, _process in self.slots]
        for index, process in self.processed:
            value = values[index]
            if value is not None:
                values[index] = process(value)
        if self.positional:
            return values
        return dict(zip((slot[0] for slot in self.slots), values, strict=True))

    def row(self, raw: Sequence[Any]) -> dict[str, Any]:
        return {
            key: process(value) if process is not None and value is not None else value
            for key, process, value in zip(self.keys, self.result_processors, raw, strict=True)
        }


class Prepared:
    """A Core statement ready to run on a DBAPI cursor: `rows()`, `first()`, `scalar()`, `rowcount()`."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._compiled: WeakKeyDictionary[Dialect, _Compiled] = WeakKeyDictionary()

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect)
        if found is None:
            found = self._compiled[dialect] = _Compiled(self.statement, dialect)
        return found

    def _run(self, conn: Connection, params: Mapping[str, Any]) -> tuple[_Compiled, Any]:
        compiled = self._for(conn.dialect)
        if not conn.in_transaction():
            conn.begin()
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        parameters = compiled.parameters(params)
        dbapi_error = conn.dialect.loaded_dbapi.Error
        try:
            cursor.execute(compiled.sql, parameters)
        except dbapi_error as err:
            cursor.close()
            raise DBAPIError.instance(compiled.sql, parameters, err, dbapi_error) from err
        return compiled, cursor

    def parameters_many(self, dialect: Dialect, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """The DBAPI parameters of `rows`, for run_many(): pure Python work, no connection needed.

        Many rows repeat values (a date, a flag, the time of an import): each column's processor runs once
        for each distinct text, date or number (processors are plain conversions), dicts and lists every time.
        """
        compiled = self._for(dialect)
        seen: list[dict[Any, Any]] = [{} for _processed in compiled.processed]
        out = []
        for row in rows:
            values = [row[name] if required or name in row else default for name, required, default, _process in compiled.slots]
            for (index, process), known in zip(compiled.processed, seen, strict=True):
                value = values[index]
                if value is None:
                    continue
                if value.__class__ in _KEPT:
                    key = (value.__class__, value)  # True and 1 are equal keys, but not the same JSON
                    found = known.get(key, _UNSEEN)
                    if found is _UNSEEN:
                        found = known[key] = process(value)
                    values[index] = found
                else:
                    values[index] = process(value)
            out.append(values if compiled.positional else dict(zip((slot[0] for slot in compiled.slots), values, strict=True)))
        return out

    def run_many(self, conn: Connection, parameters: Sequence[Any]) -> None:
        """The statement once for each of `parameters` (from parameters_many) in one executemany, in the
        connection's transaction (for INSERTs without RETURNING)."""
        compiled = self._for(conn.dialect)
        if not conn.in_transaction():
            conn.begin()
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        dbapi_error = conn.dialect.loaded_dbapi.Error
        try:
            cursor.executemany(compiled.sql, parameters)
        except dbapi_error as err:
            raise DBAPIError.instance(compiled.sql, parameters[:1], err, dbapi_error) from err
        finally:
            cursor.close()

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        compiled, cursor = self._run(conn, params)
        try:
            return [compiled.row(raw) for raw in cursor.fetchall()]
        finally:
            cursor.close()

    def first(self, conn: Connection, params: Mapping[str, Any]) -> dict[str, Any] | None:
        compiled, cursor = self._run(conn, params)
        try:
            raw = cursor.fetchone()
            return compiled.row(raw) if raw is not None else None
        finally:
            cursor.close()

    def scalar(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the first row (a SELECT's, or an INSERT's RETURNING), or None."""
        row = self.first(conn, params)
        return next(iter(row.values())) if row else None

    def rowcount(self, conn: Connection, params: Mapping[str, Any]) -> int:
        _, cursor = self._run(conn, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()
