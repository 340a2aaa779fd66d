"""Audit-chain hashing: each transition-log entry's hash covers the previous hash and its own fields.

The serialisation is canonical JSON: keys sorted, no insignificant white space, UTF-8 text kept as
is (NFC-normalised before it gets here), dates and timestamps as ISO 8601. The hash is SHA-256 of
`previous_hash + "\\n" + canonical_json(fields)`, hex-encoded; the first entry's previous hash is
GENESIS. Anyone can recompute it from an export with a few lines of their own.

Verification (below) walks one dossier's entries in sequence order and reports the first place the
chain does not hold ("chỗ hỏng đầu tiên"), then checks the dossier row against the last entry. The
anchor of the whole log folds every entry's hash in ID order, so a copy kept elsewhere later shows a
wholesale rewrite. docs/audit-chain.md describes both for an outside reader.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson

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


# -- the canonical bytes, fast ---------------------------------------------------------------------
#
# orjson with sorted keys writes exactly what canonical_json writes for strings, integers within 64
# bits, booleans, null, lists and objects, and reads JSON text without floats to exactly what
# json.loads reads (tests/engine/test_audit_verify.py proves both over random values). Floats it
# writes differently (1e-05 as `0.00001`), and integers beyond 64 bits it reads as floats: a value
# holding a float is therefore read and written by json, the definition, and everything else by orjson.

_SQLITE_STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def has_float(value: Any) -> bool:
    """Whether a decoded JSON value holds a float anywhere. The objects in a list or an object are looked
    into by this loop, not by a call each: rule results are a list of objects."""
    kind = type(value)
    if kind is dict:
        items = value.values()
    elif kind is list:
        items = value
    else:
        return kind is float
    for item in items:
        kind = type(item)
        if kind is dict:
            for inner in item.values():
                kind = type(inner)
                if kind is float or ((kind is dict or kind is list) and has_float(inner)):
                    return True
        elif kind is float or (kind is list and has_float(item)):
            return True
    return False


def decode_json(text: str | bytes | None) -> tuple[Any, bool]:
    """Stored JSON text decoded exactly as json.loads does, and whether the value is plain (no float:
    orjson writes it as canonical_json would). SQL NULL is None."""
    if text is None:
        return None, True
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN, Infinity, a lone surrogate: json reads what orjson refuses
        return json.loads(text), False
    if has_float(value):  # floats, or integers beyond 64 bits that orjson reads as floats
        return json.loads(text), False
    return value, True


def canonical_bytes(value: Any, plain: bool = False) -> bytes:
    """canonical_json(value) encoded as UTF-8; by orjson when `value` is plain (no float), byte for byte the same."""
    if plain:
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # an integer beyond 64 bits, a type orjson does not write
            pass
    return canonical_json(value).encode()


def utc_iso(value: datetime | str) -> str:
    """A stored timestamp as the hash covers it: `datetime.isoformat()` in UTC, a naive one read as UTC.

    SQLite hands back SQLAlchemy's text ('2024-03-05 02:00:00.000000'), rewritten without parsing.
    """
    if isinstance(value, str):
        if len(value) == 26 and _SQLITE_STAMP.fullmatch(value):
            fraction = "" if value.endswith(".000000") else value[19:]
            return f"{value[:10]}T{value[11:19]}{fraction}+00:00"
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def iso_date(value: date | str) -> str:
    """A stored date as the hash covers it: YYYY-MM-DD."""
    if isinstance(value, str):
        return value if len(value) == 10 else date.fromisoformat(value).isoformat()
    return value.isoformat()


# -- one dossier's chain ---------------------------------------------------------------------------

ENTRY_COLUMNS = ("id", *HASHED_FIELDS, "prev_hash", "hash")
"""A stored entry as verification reads it: a tuple in this order (a database row, an export line)."""
(_ID, _DOSSIER_ID, _SEQ, _ACTOR_ID, _ACTOR_NAME, _AT, _ACT_DATE, _FROM_STATE, _TO_STATE, _TRIGGER, _FACTS, _RULE_RESULTS,
 _PREV_HASH, _HASH) = range(len(ENTRY_COLUMNS))

Entry = Sequence[Any]
Payload = Callable[[Entry], bytes]


def _payload(entry: Entry, at: Any, act_date: Any, facts: Any, rule_results: Any, plain: bool) -> bytes:
    dossier_id, seq, actor_id = entry[_DOSSIER_ID], entry[_SEQ], entry[_ACTOR_ID]
    fields = {
        "act_date": act_date, "actor_id": actor_id, "actor_name": entry[_ACTOR_NAME], "at": at, "dossier_id": dossier_id,
        "facts": facts, "from_state": entry[_FROM_STATE], "rule_results": rule_results, "seq": seq,
        "to_state": entry[_TO_STATE], "trigger": entry[_TRIGGER],
    }
    plain = plain and type(dossier_id) is int and type(seq) is int and (actor_id is None or type(actor_id) is int)
    return canonical_bytes(fields, plain)


def row_payload(entry: Entry) -> bytes:
    """The hashed bytes of a database row: facts and rule_results as JSON text, times as the driver gives them.

    decode_json written out, for speed: this runs once for every entry verified.
    """
    facts_text, results_text = entry[_FACTS], entry[_RULE_RESULTS]
    try:
        facts, results = orjson.loads(facts_text), orjson.loads(results_text)
        plain = not (has_float(facts) or has_float(results))
    except orjson.JSONDecodeError:
        plain = False
    if not plain:
        facts, results = decode_json(facts_text)[0], decode_json(results_text)[0]
    return _payload(entry, utc_iso(entry[_AT]), iso_date(entry[_ACT_DATE]), facts, results, plain)


_FROM_STATE_KEY = (b',"from_state":', ',"from_state":')  # for a stored text as bytes, as str


def spliced_hash(prefix: bytes, entry: Entry) -> str | None:
    """The entry's hash over its stored facts and rule-results texts spliced in unparsed, when that is
    the stored hash; None otherwise (then row_payload decides, decoding and writing them again).

    SQLite stores those texts in canonical form (db.session writes JSON columns so): for an intact
    entry the spliced bytes are the bytes hashed when it was written, and a match proves they still
    are, provided each text stands where the hashed one stood. It does unless one of them holds
    `,"from_state":` outside a string. Every other field is written here as a JSON value that ends
    itself (strings quoted, numbers followed by a comma), so the bytes before the facts match only
    if those fields do; the facts are followed by `,"from_state":`, so stored facts longer than the
    hashed ones hold it, and shorter ones leave it to be found inside the stored rule results (the
    fields after them have no such key); the rule results are followed by `,"seq":`, which appears
    once in what follows, so once the facts are in place the rule results are too. Inside a JSON
    string a quote is always escaped, so the search below finds that key and nothing else; a text
    holding it is left to row_payload (so is a text written with spaces: an older row). tests/engine/test_audit_verify.py
    plays the bytes-shifting attack this guards against.
    """
    facts, results = entry[_FACTS], entry[_RULE_RESULTS]
    if facts is None or results is None:
        return None
    if _FROM_STATE_KEY[type(facts) is str] in facts or _FROM_STATE_KEY[type(results) is str] in results:
        return None
    try:  # orjson writes the texts in as they are; anything it cannot write (json cannot write a Fragment) is no match
        payload = _payload(entry, utc_iso(entry[_AT]), iso_date(entry[_ACT_DATE]), orjson.Fragment(facts),
                           orjson.Fragment(results), plain=True)
    except (TypeError, ValueError):  # an integer beyond 64 bits, a lone surrogate, another type
        return None
    computed = hashlib.sha256(prefix + payload).hexdigest()
    return computed if computed == entry[_HASH] else None


def text_payload(entry: Entry) -> bytes:
    """The hashed bytes of a CSV line: facts and rule_results as JSON text, times exactly as written."""
    facts, plain_facts = decode_json(entry[_FACTS])
    results, plain_results = decode_json(entry[_RULE_RESULTS])
    return _payload(entry, entry[_AT], entry[_ACT_DATE], facts, results, plain_facts and plain_results)


def value_payload(entry: Entry, plain: bool = False) -> bytes:
    """The hashed bytes of a decoded entry (a JSON Lines export): every value used exactly as given."""
    return _payload(entry, entry[_AT], entry[_ACT_DATE], entry[_FACTS], entry[_RULE_RESULTS], plain)


@dataclass(frozen=True)
class Break:
    """The first place a dossier's log does not hold together ("chỗ hỏng đầu tiên").

    `seq` is the position named (None when the dossier as a whole is wrong); `entry_id` the row's ID
    when there is one. `kind`: hash, prev_hash, seq, unreadable (an entry); count, head_hash, state,
    version, empty, orphan (the dossier row against its entries); facts (a copy in dossier_facts differs from its entry).
    """

    dossier_id: int | None
    seq: int | None
    kind: str
    message: str
    entry_id: int | None = None

    def line(self) -> str:
        """One line for a report: 'Hồ sơ 123, mục 4: …'."""
        where = f"Hồ sơ {self.dossier_id}" if self.dossier_id is not None else "Không rõ hồ sơ"
        if self.seq is not None:
            where += f", mục {self.seq}"
        if self.entry_id is not None:
            where += f" (id {self.entry_id})"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class DossierHead:
    """What a dossier's row says about its log: the state, the version and the count and last hash."""

    state: str
    version: int
    log_count: int
    head_hash: str


@dataclass(frozen=True)
class DossierVerdict:
    """One dossier checked: how many entries it has and the first break, if any."""

    dossier_id: int
    entries: int
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _link_break(dossier_id: int, entry: Entry, expected: int, previous: str) -> Break:
    """The entry is not the one expected next: out of sequence, or its link to the previous one is wrong."""
    seq, entry_id = entry[_SEQ], entry[_ID]
    if seq != expected:
        if isinstance(seq, int) and seq > expected:
            message = (f"mục {expected} bị thiếu, sau mục {expected - 1} là mục {seq}: mục đã bị xóa hoặc đổi thứ tự "
                       f"(entry {expected} missing: deleted or reordered)")
        else:
            message = f"mục {seq} lặp lại hoặc sai thứ tự, đáng lẽ là mục {expected} (duplicate or out of order)"
        return Break(dossier_id, expected, "seq", message, entry_id)
    if expected == 1:
        message = "mục đầu không nối từ GENESIS: prev_hash đã bị sửa (the first entry does not start from GENESIS)"
    else:
        message = (f"liên kết với mục {expected - 1} bị đứt: prev_hash khác mã băm của mục {expected - 1}, một trong hai "
                   f"mục đã bị sửa hoặc bị đổi chỗ (link to the previous entry broken)")
    return Break(dossier_id, seq, "prev_hash", message, entry_id)


def chain_break(dossier_id: int, entries: Iterable[Entry], payload: Payload = row_payload,
                spliced: bool = False) -> tuple[int, Entry | None, Break | None]:
    """Walk one dossier's entries in sequence order: (how many, the last one, the first break or None).

    Every entry is read (and counted) to the end; hashing stops at the first break. With `spliced`
    (SQLite rows, whose JSON texts are stored canonical) each entry is first tried by spliced_hash.
    """
    previous, expected, count = GENESIS, 1, 0
    found: Break | None = None
    last: Entry | None = None
    sha256 = hashlib.sha256
    for entry in entries:
        count += 1
        last = entry
        if found is not None:
            continue
        if entry[_SEQ] != expected or entry[_PREV_HASH] != previous:
            found = _link_break(dossier_id, entry, expected, previous)
            continue
        prefix = previous.encode() + b"\n"
        try:
            computed = (spliced and spliced_hash(prefix, entry)) or sha256(prefix + payload(entry)).hexdigest()
        except (TypeError, ValueError, AttributeError) as err:  # a value of another type where a date or text belongs
            found = Break(dossier_id, expected, "unreadable", f"mục không đọc được: {err} (unreadable entry)", entry[_ID])
            continue
        if computed != entry[_HASH]:
            found = Break(dossier_id, expected, "hash", "nội dung mục đã bị sửa: mã băm lưu không khớp nội dung "
                          "(entry content altered: the stored hash does not match)", entry[_ID])
        previous = entry[_HASH]
        expected += 1
    return count, last, found


def dossier_break(dossier_id: int, head: DossierHead | None, count: int, last: Entry | None) -> Break | None:
    """The dossier row against its (whole, unbroken) chain: count, last hash, state and version."""
    if head is None:
        return Break(dossier_id, None, "orphan", "có mục nhật ký nhưng không có hồ sơ (log entries without a dossier)")
    if last is None:
        return Break(dossier_id, None, "empty", "hồ sơ không có mục nhật ký nào (the dossier has no log entries)")
    if head.log_count != count:
        gone = f": mục {count + 1} trở đi đã bị xóa" if head.log_count > count else ""
        return Break(dossier_id, count + 1 if head.log_count > count else None, "count",
                     f"hồ sơ ghi {head.log_count} mục nhưng nhật ký có {count}{gone} "
                     f"(the dossier records {head.log_count} entries, the log holds {count})")
    last_seq, last_id = last[_SEQ], last[_ID]
    if head.head_hash != last[_HASH]:
        return Break(dossier_id, last_seq, "head_hash", f"mã băm cuối của hồ sơ khác mã băm của mục {last_seq} "
                     "(the dossier's head hash differs from its last entry's)", last_id)
    if head.state != last[_TO_STATE]:
        return Break(dossier_id, None, "state", f"trạng thái hồ sơ '{head.state}' khác trạng thái sau mục cuối {last_seq} "
                     f"'{last[_TO_STATE]}': đổi trạng thái mà không có mục nhật ký "
                     "(the dossier's state differs from its last entry's destination)")
    if head.version != count:
        return Break(dossier_id, None, "version", f"phiên bản hồ sơ {head.version} khác số mục nhật ký {count} "
                     "(the dossier's version differs from its number of entries)")
    return None


def check_dossier(dossier_id: int, head: DossierHead | None, entries: Iterable[Entry], payload: Payload = row_payload,
                  spliced: bool = False) -> DossierVerdict:
    """One dossier: its chain first, then its row against the chain's end (`spliced`: see chain_break)."""
    count, last, found = chain_break(dossier_id, entries, payload, spliced)
    return DossierVerdict(dossier_id, count, found or dossier_break(dossier_id, head, count, last))


# -- the anchor of the whole log -------------------------------------------------------------------

_ANCHOR = re.compile(r"(\d+):(\d+):([0-9a-f]{64})")


@dataclass(frozen=True)
class Anchor:
    """The whole log folded up to an entry ("mốc"): `count` entries with IDs up to `last_id`, and the digest.

    Written `count:last_id:digest`. The digest starts at GENESIS and takes each entry's hash in ID
    order: digest = sha256(digest + "\\n" + hash). Entries are only ever appended with higher IDs,
    so an anchor stays checkable for ever.
    """

    count: int
    last_id: int
    digest: str

    def __str__(self) -> str:
        return f"{self.count}:{self.last_id}:{self.digest}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        found = _ANCHOR.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"'{text.strip()}' không phải mốc: cần dạng số_mục:id_cuối:64 chữ số hex "
                             "(not an anchor: count:last_id:64 hex digits)")
        return cls(int(found[1]), int(found[2]), found[3])


EMPTY_ANCHOR = Anchor(0, 0, GENESIS)


def anchor_step(digest: str, entry_hash: str) -> str:
    return hashlib.sha256(f"{digest}\n{entry_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class AnchorCheck:
    """An earlier anchor against the log as it is now: what the log folds to up to the anchor's last ID."""

    anchor: Anchor
    found: Anchor
    message: str

    @property
    def ok(self) -> bool:
        return self.found == self.anchor


def _judge(anchor: Anchor, found: Anchor, last_good: int | None) -> AnchorCheck:
    if found == anchor:
        return AnchorCheck(anchor, found, f"mốc {anchor.count}:{anchor.last_id} khớp (anchor matches)")
    since = f" sau mục id {last_good}" if last_good is not None else ""
    if found.count != anchor.count:
        what = (f"mốc ghi {anchor.count} mục đến id {anchor.last_id}, nay có {found.count}: có mục đã bị xóa hoặc chèn{since} "
                "(entries deleted or inserted)")
    else:
        what = (f"mã băm khác: nhật ký đến id {anchor.last_id} đã bị viết lại{since} "
                "(the log up to this entry was rewritten)")
    return AnchorCheck(anchor, found, f"mốc {anchor.count}:{anchor.last_id} KHÔNG khớp — {what}")


def fold_log(entries: Iterable[tuple[int, str]], anchors: Iterable[Anchor] = ()) -> tuple[Anchor, list[AnchorCheck]]:
    """One pass over (id, hash) in ID order: the anchor of the whole log, and each earlier anchor judged.

    A failed anchor names the last anchor before it that held, if any: the change lies after it.
    """
    pending = sorted(set(anchors), key=lambda a: (a.last_id, a.count))
    checks: list[AnchorCheck] = []
    digest, count, last_id, last_good = GENESIS, 0, 0, None
    step = anchor_step
    for entry_id, entry_hash in entries:
        while pending and entry_id > pending[0].last_id:
            anchor = pending.pop(0)
            checks.append(_judge(anchor, Anchor(count, anchor.last_id, digest), last_good))
            last_good = anchor.last_id if checks[-1].ok else last_good
        digest, count, last_id = step(digest, entry_hash), count + 1, entry_id
    for anchor in pending:
        checks.append(_judge(anchor, Anchor(count, anchor.last_id, digest), last_good))
        last_good = anchor.last_id if checks[-1].ok else last_good
    return Anchor(count, last_id, digest), checks
