"""Verifying the audit chain (ketnap.engine.audit): the fast canonical bytes, one dossier's chain, anchors."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketnap.engine.audit import (
    EMPTY_ANCHOR,
    ENTRY_COLUMNS,
    GENESIS,
    HASHED_FIELDS,
    Anchor,
    DossierHead,
    anchor_step,
    canonical_bytes,
    canonical_json,
    check_dossier,
    decode_json,
    entry_hash,
    fold_log,
    has_float,
    iso_date,
    row_payload,
    spliced_hash,
    utc_iso,
    value_payload,
)

# -- orjson writes and reads what json does, where it is used --------------------------------------

INT64 = st.integers(min_value=-(2**63), max_value=2**64 - 1)
TEXT = st.text(st.characters(exclude_categories=("Cs",)))  # any text but lone surrogates, which UTF-8 cannot carry
VIETNAMESE = st.sampled_from(["Nguyễn Văn Ấ", "Đảng ủy xã Bình Châu", "Chi bộ thôn Ấp Bắc", "\u0065\u0301", "ờ\n\t\"\\/"])
PLAIN_SCALARS = st.none() | st.booleans() | INT64 | TEXT | VIETNAMESE


def json_values(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT | VIETNAMESE, inner, max_size=4),
                        max_leaves=20)


@given(json_values(PLAIN_SCALARS))
@settings(max_examples=400)
def test_orjson_writes_plain_values_byte_for_byte_as_canonical_json(value: Any) -> None:
    assert canonical_bytes(value, plain=True) == canonical_json(value).encode()


ANY_SCALARS = PLAIN_SCALARS | st.floats(allow_nan=False) | st.integers(min_value=-(2**80), max_value=2**80)
SERIALISERS: list[Callable[[Any], str | bytes]] = [
    lambda v: json.dumps(v, ensure_ascii=False),  # SQLite's column text
    lambda v: json.dumps(v),  # \\u escapes
    lambda v: json.dumps(v, indent=1, sort_keys=True),
    canonical_json,
    lambda v: canonical_json(v).encode(),  # bytes, as SQLite's CAST(... AS BLOB) gives
]


@given(json_values(ANY_SCALARS), st.sampled_from(SERIALISERS))
@settings(max_examples=400)
def test_stored_text_decodes_and_re_encodes_exactly_as_json_does(value: Any, serialise: Callable[[Any], str | bytes]) -> None:
    """Floats and integers beyond 64 bits included: those take json's path, the rest orjson's, same bytes."""
    text = serialise(value)
    decoded, plain = decode_json(text)
    assert canonical_bytes(decoded, plain) == canonical_json(json.loads(text)).encode()


@pytest.mark.parametrize(("text", "expected"), [
    ("1e-05", "1e-05"),  # orjson would write 0.00001
    ('{"n": 18446744073709551616}', '{"n":18446744073709551616}'),  # orjson would read a float
    ('{"n": -9223372036854775809}', '{"n":-9223372036854775809}'),
    ("[NaN, Infinity]", "[NaN,Infinity]"),  # orjson refuses to read them; json reads and writes them
    ('"\\ud800"', '"\ud800"'),  # a lone surrogate: json reads it (and UTF-8 then cannot carry it: unreadable)
])
def test_what_orjson_reads_or_writes_differently_goes_through_json(text: str, expected: str) -> None:
    decoded, plain = decode_json(text)
    assert not plain
    assert canonical_json(decoded) == expected


@pytest.mark.parametrize(("value", "found"), [
    ({"a": [{"b": {"c": [1, 2.5]}}]}, True), ([[[0.0]]], True), ({"a": {"b": 1.0}}, True), ([{"a": 1}, {"b": [2.0]}], True),
    ({"a": [{"b": {"c": [1, "2.5"]}}]}, False), ([[[0]]], False), ({"a": {"b": True}}, False), ([], False), (0.5, True), ("0.5", False),
])
def test_a_float_is_found_at_any_depth(value: Any, found: bool) -> None:
    assert has_float(value) is found


def test_orjson_really_differs_on_small_floats_which_is_why_they_are_detected() -> None:
    assert orjson.dumps(1e-05) != canonical_json(1e-05).encode()
    assert decode_json('{"x": [1, {"y": 0.5}]}') == ({"x": [1, {"y": 0.5}]}, False)
    assert decode_json('{"x": [1, {"y": "0.5"}]}') == ({"x": [1, {"y": "0.5"}]}, True)
    assert decode_json(None) == (None, True)


# -- times as stored ---------------------------------------------------------------------------------

STAMP = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("stored", [
    "2024-03-05 02:00:00.000000",  # SQLite's text
    datetime(2024, 3, 5, 2, 0),  # naive: read as UTC
    STAMP,
    STAMP.astimezone(timezone(timedelta(hours=7))),  # PostgreSQL in a session time zone other than UTC
    "2024-03-05T09:00:00+07:00",
])
def test_stored_timestamps_become_the_iso_utc_text_the_hash_covers(stored: datetime | str) -> None:
    assert utc_iso(stored) == STAMP.isoformat() == "2024-03-05T02:00:00+00:00"


def test_microseconds_are_kept_as_isoformat_writes_them() -> None:
    assert utc_iso("2024-03-05 02:00:00.000120") == STAMP.replace(microsecond=120).isoformat() == "2024-03-05T02:00:00.000120+00:00"
    assert iso_date("2024-03-05") == iso_date(date(2024, 3, 5)) == "2024-03-05"


# -- one dossier's chain -----------------------------------------------------------------------------


def chain(n: int = 5, dossier_id: int = 7, facts: Any = None, rule_results: Any = None,
          canonical: bool = False) -> list[list[Any]]:
    """`n` entries as database rows (facts and rule results as JSON text), hashed by entry_hash itself.

    The texts are written with spaces (json's default: an older SQLite row, PostgreSQL's jsonb), or
    with `canonical` as SQLite stores them now (db.session) and verification reads them, as bytes.
    """
    store: Callable[[Any], str | bytes] = (lambda v: canonical_json(v).encode()) if canonical else (
        lambda v: json.dumps(v, ensure_ascii=False))
    rows, previous = [], GENESIS
    states = ["", "source", "sympathiser", "training_nominated", "trained", "introduced", "branch_approved", "admitted"]
    for seq in range(1, n + 1):
        fields = {
            "dossier_id": dossier_id, "seq": seq, "actor_id": 2, "actor_name": "Nguyễn Văn Chi",
            "at": (STAMP + timedelta(days=seq)).isoformat(), "act_date": (STAMP + timedelta(days=seq)).date().isoformat(),
            "from_state": states[seq - 1], "to_state": states[seq], "trigger": f"step_{seq}",
            "facts": facts if facts is not None else {"on": f"2024-03-{seq:02d}", "note": "Chi bộ thôn Ấp Bắc", "votes": seq},
            "rule_results": rule_results if rule_results is not None else
            [{"rule_id": "R-AGE-1", "status": "passed", "citation": "Điều lệ Đảng Điều 1 mục 1.1"}],
        }
        digest = entry_hash(previous, fields)
        row = {**fields, "id": 100 + seq, "at": (STAMP + timedelta(days=seq)).strftime("%Y-%m-%d %H:%M:%S.%f"),
               "facts": store(fields["facts"]), "rule_results": store(fields["rule_results"]),
               "prev_hash": previous, "hash": digest}
        rows.append([row[name] for name in ENTRY_COLUMNS])
        previous = digest
    return rows


def head(rows: list[list[Any]], **changes: Any) -> DossierHead:
    found = {"state": rows[-1][8], "version": len(rows), "log_count": len(rows), "head_hash": rows[-1][13], **changes}
    return DossierHead(**found)


COLUMN = {name: index for index, name in enumerate(ENTRY_COLUMNS)}


def test_an_untouched_chain_verifies() -> None:
    rows = chain()
    verdict = check_dossier(7, head(rows), rows)
    assert verdict.ok and verdict.entries == 5


def test_floats_in_the_facts_verify_through_json() -> None:
    rows = chain(facts={"ratio": 1e-05, "big": 2**70, "share": 0.5})
    assert check_dossier(7, head(rows), rows).ok


@pytest.mark.parametrize("spliced", [False, True], ids=["decoded", "spliced"])
@pytest.mark.parametrize(("name", "value"), [
    ("actor_name", "Kẻ Giả Mạo"), ("at", "2024-03-09 02:00:00.000001"), ("act_date", "2024-03-10"), ("to_state", "admitted"),
    ("facts", '{"on": "2024-03-03", "note": "Chi bộ thôn Ấp Bắc", "votes": 30}'), ("rule_results", "[]"), ("trigger", "forged"),
    ("actor_id", 3), ("from_state", "rejected"),
])
def test_a_changed_field_is_named_at_its_entry(name: str, value: Any, spliced: bool) -> None:
    rows = chain(canonical=spliced)
    if spliced and name in ("facts", "rule_results"):
        value = canonical_json(json.loads(value)).encode()
    rows[2][COLUMN[name]] = value
    brk = check_dossier(7, head(rows), rows, spliced=spliced).first_break
    assert brk is not None
    assert (brk.dossier_id, brk.seq, brk.kind, brk.entry_id) == (7, 3, "hash", 103)
    assert "nội dung mục đã bị sửa" in brk.message and brk.line().startswith("Hồ sơ 7, mục 3 (id 103): ")


def test_canonical_texts_are_verified_spliced_in_and_others_decoded() -> None:
    canonical, spaced = chain(canonical=True), chain()
    assert all(spliced_hash(r[COLUMN["prev_hash"]].encode() + b"\n", r) == r[COLUMN["hash"]] for r in canonical)
    assert all(spliced_hash(r[COLUMN["prev_hash"]].encode() + b"\n", r) is None for r in spaced)
    for rows in (canonical, spaced):
        assert check_dossier(7, head(rows), rows, spliced=True).ok and check_dossier(7, head(rows), rows).ok
    floats = chain(facts={"ratio": 1e-05, "big": 2**70}, canonical=True)
    assert check_dossier(7, head(floats), floats, spliced=True).ok


def test_bytes_shifted_between_the_json_texts_to_forge_a_field_are_caught() -> None:
    """The attack spliced_hash guards against. Rule results holding `"from_state"` and `"rule_results"`
    keys let an editor move bytes from them into the facts, so that the texts spliced in give the
    very bytes once hashed while the stored from_state says something else."""
    rows = chain(1, facts={"a": 1}, rule_results=[{"b": 0, "from_state": "s1", "rule_results": []}], canonical=True)
    entry = rows[0]
    assert entry[COLUMN["from_state"]] == ""
    entry[COLUMN["facts"]] = b'{"a":1},"from_state":"","rule_results":[{"b":0'
    entry[COLUMN["from_state"]] = "s1"
    entry[COLUMN["rule_results"]] = b"[]}]"
    fields = dict(zip(ENTRY_COLUMNS, entry, strict=True))
    naive = orjson.dumps({
        **{name: fields[name] for name in HASHED_FIELDS}, "at": utc_iso(fields["at"]),
        "facts": orjson.Fragment(fields["facts"]), "rule_results": orjson.Fragment(fields["rule_results"]),
    }, option=orjson.OPT_SORT_KEYS)
    assert hashlib.sha256(GENESIS.encode() + b"\n" + naive).hexdigest() == entry[COLUMN["hash"]]  # a naive splice is fooled
    assert spliced_hash(GENESIS.encode() + b"\n", entry) is None
    brk = check_dossier(7, head(rows), rows, spliced=True).first_break
    assert brk is not None and (brk.seq, brk.kind) == (1, "unreadable")


def test_a_deleted_entry_is_named_by_its_position() -> None:
    rows = chain()
    del rows[2]
    brk = check_dossier(7, head(rows, log_count=5, version=5), rows).first_break
    assert brk is not None and (brk.seq, brk.kind) == (3, "seq")
    assert "mục 3 bị thiếu" in brk.message


def test_swapped_entries_are_named_at_the_first_of_them() -> None:
    rows = chain()
    rows[1][COLUMN["seq"]], rows[2][COLUMN["seq"]] = 3, 2
    rows[1], rows[2] = rows[2], rows[1]
    brk = check_dossier(7, head(rows), rows).first_break
    assert brk is not None and (brk.seq, brk.kind) == (2, "prev_hash")


def test_an_entry_rehashed_after_an_edit_breaks_the_next_link() -> None:
    rows = chain()
    fields = dict(zip(ENTRY_COLUMNS, rows[1], strict=True))
    fields.update(actor_name="Kẻ Giả Mạo", at=utc_iso(fields["at"]), facts=json.loads(fields["facts"]),
                  rule_results=json.loads(fields["rule_results"]))
    rows[1][COLUMN["actor_name"]] = "Kẻ Giả Mạo"
    rows[1][COLUMN["hash"]] = entry_hash(rows[1][COLUMN["prev_hash"]], fields)
    brk = check_dossier(7, head(rows), rows).first_break
    assert brk is not None and (brk.seq, brk.kind) == (3, "prev_hash")


def test_a_first_entry_not_starting_from_genesis() -> None:
    rows = chain()
    rows[0][COLUMN["prev_hash"]] = "f" * 64
    brk = check_dossier(7, head(rows), rows).first_break
    assert brk is not None and (brk.seq, brk.kind) == (1, "prev_hash") and "GENESIS" in brk.message


def test_an_unreadable_entry_is_a_break_not_a_crash() -> None:
    rows = chain()
    rows[3][COLUMN["facts"]] = b"{not json"
    brk = check_dossier(7, head(rows), rows).first_break
    assert brk is not None and (brk.seq, brk.kind) == (4, "unreadable")


@pytest.mark.parametrize(("changes", "kind", "seq"), [
    ({"state": "admitted"}, "state", None),
    ({"head_hash": "a" * 64}, "head_hash", 5),
    ({"log_count": 6}, "count", 6),
    ({"log_count": 4}, "count", None),
    ({"version": 6}, "version", None),
])
def test_the_dossier_row_is_checked_against_its_last_entry(changes: dict[str, Any], kind: str, seq: int | None) -> None:
    rows = chain()
    brk = check_dossier(7, head(rows, **changes), rows).first_break
    assert brk is not None and (brk.dossier_id, brk.kind, brk.seq) == (7, kind, seq)


def test_a_deleted_last_entry_shows_in_the_count() -> None:
    rows = chain()
    full = head(rows)
    brk = check_dossier(7, full, rows[:-1]).first_break
    assert brk is not None and (brk.kind, brk.seq) == ("count", 5) and "mục 5 trở đi đã bị xóa" in brk.message


def test_a_dossier_without_entries_and_entries_without_a_dossier() -> None:
    rows = chain()
    empty = check_dossier(7, head(rows), []).first_break
    orphan = check_dossier(7, None, rows).first_break
    assert empty is not None and empty.kind == "empty"
    assert orphan is not None and orphan.kind == "orphan"


def test_row_payload_is_the_canonical_json_of_the_hashed_fields() -> None:
    rows = chain(1)
    fields = dict(zip(ENTRY_COLUMNS, rows[0], strict=True))
    fields.update(at=utc_iso(fields["at"]), facts=json.loads(fields["facts"]), rule_results=json.loads(fields["rule_results"]))
    expected = canonical_json({name: fields[name] for name in HASHED_FIELDS}).encode()
    assert row_payload(rows[0]) == expected
    decoded = [fields[name] for name in ENTRY_COLUMNS]
    assert value_payload(decoded) == value_payload(decoded, plain=True) == expected


# -- anchors -----------------------------------------------------------------------------------------


def log(n: int, start: int = 1) -> list[tuple[int, str]]:
    return [(start + i, f"{i:064x}") for i in range(n)]


def test_the_anchor_folds_every_hash_in_id_order() -> None:
    entries = log(3)
    digest = GENESIS
    for _id, entry_hash_ in entries:
        digest = anchor_step(digest, entry_hash_)
    found, checks = fold_log(entries)
    assert found == Anchor(3, 3, digest) and checks == []
    assert fold_log([]) == (EMPTY_ANCHOR, [])
    assert Anchor.parse(f"  {found}\n") == found
    assert str(found) == f"3:3:{digest}"


@pytest.mark.parametrize("text", ["3:3", "a:3:" + "0" * 64, "3:3:" + "0" * 63, "3:3:" + "G" * 64])
def test_a_malformed_anchor_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="không phải mốc"):
        Anchor.parse(text)


def test_an_old_anchor_still_holds_after_entries_are_appended() -> None:
    early, _ = fold_log(log(5))
    later, checks = fold_log(log(9), [early])
    assert [c.ok for c in checks] == [True]
    assert later.count == 9


def test_a_rewritten_entry_fails_the_anchors_after_it_and_names_the_last_one_that_held() -> None:
    entries = log(9)
    first, _ = fold_log(entries[:3])
    second, _ = fold_log(entries[:6])
    entries[4] = (entries[4][0], "f" * 64)
    _now, checks = fold_log(entries, [second, first])
    assert [c.ok for c in checks] == [True, False]
    assert "sau mục id 3" in checks[1].message and "viết lại" in checks[1].message


def test_a_deleted_entry_fails_the_anchor_by_its_count() -> None:
    entries = log(6)
    mark, _ = fold_log(entries)
    del entries[2]
    _now, checks = fold_log(entries, [mark])
    assert not checks[0].ok and checks[0].found.count == 5 and "xóa hoặc chèn" in checks[0].message


def test_an_anchor_beyond_the_end_of_the_log_fails() -> None:
    mark, _ = fold_log(log(6))
    _now, checks = fold_log(log(4), [mark])
    assert not checks[0].ok


def test_has_no_nan_trap() -> None:
    """A NaN read by json is not equal to itself: the chain compares bytes, never values."""
    decoded, plain = decode_json("NaN")
    assert math.isnan(decoded) and not plain
    assert canonical_bytes(decoded, plain) == b"NaN"
