"""Audit-chain hashing: each transition-log entry's hash covers the previous hash and its own fields.

The serialisation is canonical JSON: keys sorted, no insignificant white space, UTF-8 text kept as
is (NFC-normalised before it gets here), dates and timestamps as ISO 8601. The hash is SHA-256 of
`previous_hash + "\\n" + canonical_json(fields)`, hex-encoded; the first entry's previous hash is
GENESIS. Anyone can recompute it from an export with a few lines of their own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

GENESIS = "0" * 64

HASHED_FIELDS = (
    "dossier_id",
    "seq",
    "actor_id",
    "actor_name",
    "at",
    "act_date",
    "from_state",
    "to_state",
    "trigger",
    "facts",
    "rule_results",
)


def _default(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def to_jsonable(value: Any) -> Any:
    """Dates become ISO strings, tuples lists; the rest as JSON would store it."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.loads(canonical_json(value))


def entry_hash(previous_hash: str, fields: Mapping[str, Any]) -> str:
    missing = [name for name in HASHED_FIELDS if name not in fields]
    if missing:
        raise ValueError(f"audit entry lacks {', '.join(missing)}")
    payload = canonical_json({name: fields[name] for name in HASHED_FIELDS})
    return hashlib.sha256(f"{previous_hash}\n{payload}".encode()).hexdigest()


def stored_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed fields of a stored log entry (a row of transition_log, or a line of an export).

    Timestamps are hashed as ISO 8601 in UTC, dates as ISO dates, exactly as build_change wrote them.
    """
    fields = {name: entry[name] for name in HASHED_FIELDS}
    for name in ("at", "act_date"):
        if isinstance(fields[name], (date, datetime)):
            fields[name] = fields[name].isoformat()
    return fields
