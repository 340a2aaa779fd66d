"""Audit-chain hashing (ketnap.engine.audit): what the hash covers and how it is serialised."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ketnap.engine.audit import GENESIS, HASHED_FIELDS, canonical_json, entry_hash, to_jsonable


def fields() -> dict[str, Any]:
    return {
        "dossier_id": 7,
        "seq": 3,
        "actor_id": 2,
        "actor_name": "Nguyễn Văn Chi",
        "at": "2024-03-05T02:00:00+00:00",
        "act_date": "2024-03-05",
        "from_state": "introduced",
        "to_state": "branch_approved",
        "trigger": "hold_branch_vote",
        "facts": {"meeting_date": "2024-03-05", "official_total": 15, "agreeing": 10, "note": "Chi bộ thôn Ấp Bắc"},
        "rule_results": [{"rule_id": "R-VOTE-BRANCH-1", "status": "passed"}],
    }


def test_genesis_is_64_zeros() -> None:
    assert GENESIS == "0" * 64


def test_hash_is_sha256_of_previous_newline_canonical_json() -> None:
    payload = canonical_json(fields())
    expected = hashlib.sha256(f"{GENESIS}\n{payload}".encode()).hexdigest()
    assert entry_hash(GENESIS, fields()) == expected


@pytest.mark.parametrize("name", HASHED_FIELDS)
def test_hash_changes_when_any_hashed_field_changes(name: str) -> None:
    changed = fields()
    value = changed[name]
    if isinstance(value, int):
        changed[name] = value + 1
    elif isinstance(value, str):
        changed[name] = value + "x"
    elif isinstance(value, dict):
        changed[name] = {**value, "agreeing": 9}
    else:
        changed[name] = [{"rule_id": "R-VOTE-BRANCH-1", "status": "failed"}]
    assert entry_hash(GENESIS, changed) != entry_hash(GENESIS, fields())


def test_hash_changes_with_the_previous_hash() -> None:
    assert entry_hash("a" * 64, fields()) != entry_hash(GENESIS, fields())


def test_fields_outside_the_hashed_set_are_ignored() -> None:
    assert entry_hash(GENESIS, {**fields(), "comment": "not hashed"}) == entry_hash(GENESIS, fields())


def test_a_missing_hashed_field_is_refused() -> None:
    incomplete = fields()
    del incomplete["rule_results"]
    with pytest.raises(ValueError, match="rule_results"):
        entry_hash(GENESIS, incomplete)


def test_canonical_json_is_independent_of_key_order() -> None:
    a = {"b": 1, "a": {"y": 2, "x": [3, {"q": 1, "p": 2}]}}
    b = {"a": {"x": [3, {"p": 2, "q": 1}], "y": 2}, "b": 1}
    assert canonical_json(a) == canonical_json(b) == '{"a":{"x":[3,{"p":2,"q":1}],"y":2},"b":1}'
    reordered = dict(reversed(list(fields().items())))
    assert entry_hash(GENESIS, reordered) == entry_hash(GENESIS, fields())


def test_canonical_json_keeps_vietnamese_text_and_iso_dates() -> None:
    text = canonical_json({"name": "Nguyễn Văn Ấ", "on": date(2024, 2, 9), "at": datetime(2024, 2, 9, 1, 2, tzinfo=UTC)})
    assert text == '{"at":"2024-02-09T01:02:00+00:00","name":"Nguyễn Văn Ấ","on":"2024-02-09"}'
    assert to_jsonable({"on": date(2024, 2, 9), "n": [1, 2]}) == {"on": "2024-02-09", "n": [1, 2]}


def test_unserialisable_values_are_refused() -> None:
    with pytest.raises(TypeError):
        canonical_json({"x": object()})
