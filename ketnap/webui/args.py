"""Query-string numbers: page numbers and IDs, parsed without ever failing on what a user typed."""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter, Map

from ..workflows.schemas import MAX_ID

__all__ = ["MAX_ID", "BoundedInt", "int_arg"]


def int_arg(name: str, default: int | None = None, maximum: int = MAX_ID) -> int | None:
    """A non-negative whole number from the query string, or `default` (bad, empty or too large)."""
    value = request.args.get(name, "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return default
    number = int(value)
    return number if number <= maximum else default


class BoundedInt(IntegerConverter):
    """`<int:id>` in routes, bounded like the database's IDs: a larger number answers 404, not a 500."""

    def __init__(self, url_map: Map, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)  # type: ignore[arg-type]
