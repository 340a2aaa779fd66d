"""Verifying the transition log in the database, its anchors, and exports an outsider can check offline.

What is checked (engine.audit): every dossier's chain from GENESIS in sequence order, the first break
per dossier named; then the dossier row against its last entry (count, head hash, state, version).
Anchors ("mốc") fold the whole log in ID order; an earlier one is checked by folding again up to its
last ID. docs/audit-chain.md says all this for a reader outside the project.

Speed (bench/bench_verify.py): rows are read in streaming batches as the driver gives them (no
SQLAlchemy type processing; facts and rule results as JSON text), dossier rows merged in beside
the entries, both ordered by dossier ID, so memory stays flat whatever the log's size. A large log
given as an Engine is split by dossier ID over worker processes, each with its own connection; a
Connection is read in place (it may hold changes not yet committed, as the attack tests' do).

`since` (a date, Asia/Ho_Chi_Minh) narrows verification to the dossiers that have an entry recorded
(`at`) on or after that day; each of those is verified whole, from its first entry. An edit to a
dossier untouched since then is found by a run without `since`, or by an anchor.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement, Connection, Select, Text, cast, func, literal_column, or_, select, type_coerce
from sqlalchemy.engine import Engine
from sqlalchemy.types import NullType

from ..engine.audit import (
    ENTRY_COLUMNS,
    Anchor,
    AnchorCheck,
    Break,
    DossierHead,
    DossierVerdict,
    canonical_json,
    chain_break,
    check_dossier,
    decode_json,
    fold_log,
    iso_date,
    text_payload,
    utc_iso,
    value_payload,
)
from ..engine.errors import NotFound
from ..engine.service import LOCAL_TZ
from .dossier_list import scope_org_ids
from .models import Dossier, DossierFact, Organisation, TransitionLog, table_of
from .session import make_engine

_t = table_of(TransitionLog)
_d = table_of(Dossier)
_o = table_of(Organisation)
_f = table_of(DossierFact)

BATCH = 5_000
PARALLEL_ABOVE = 100_000  # entries: below this, worker processes cost more than they save
MAX_WORKERS = 8


def _entry_columns(dialect: str) -> list[Any]:
    text_type = "BLOB" if dialect == "sqlite" else "TEXT"  # SQLite: bytes, which orjson reads without decoding
    columns: list[Any] = []
    for name in ENTRY_COLUMNS:
        if name in ("facts", "rule_results"):
            columns.append(literal_column(f"CAST(transition_log.{name} AS {text_type})").label(name))
        else:
            columns.append(type_coerce(_t.c[name], NullType()).label(name))
    return columns


# -- what to read ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which dossiers: branches (None: all), entries recorded since (UTC), a dossier ID range, one dossier."""

    branch_ids: tuple[int, ...] | None = None
    since: datetime | None = None
    low: int | None = None
    high: int | None = None
    dossier_id: int | None = None

    def dossier_filter(self, column: Any) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.dossier_id is not None:
            where.append(column == self.dossier_id)
        if self.low is not None:
            where.append(column >= self.low)
        if self.high is not None:
            where.append(column <= self.high)
        if self.branch_ids is not None:
            where.append(column.in_(select(_d.c.id).where(_d.c.branch_id.in_(self.branch_ids))))
        if self.since is not None:
            recent = _t.alias("recent")
            where.append(column.in_(select(recent.c.dossier_id).where(recent.c.at >= self.since)))
        return where


def make_scope(conn: Connection, org_id: int | None = None, since: date | None = None) -> Scope:
    """The scope of an organisation's subtree (NotFound for an unknown one) and a local start date."""
    branch_ids = None
    if org_id is not None:
        if conn.execute(select(_o.c.id).where(_o.c.id == org_id)).first() is None:
            raise NotFound(f"Không có tổ chức {org_id} (no such organisation).")
        found = scope_org_ids(conn, org_id)
        branch_ids = tuple(found) if found is not None else None
    start = datetime.combine(since, clock(0), LOCAL_TZ).astimezone(UTC) if since is not None else None
    return Scope(branch_ids, start)


def _entries_query(dialect: str, scope: Scope) -> Select[Any]:
    return (select(*_entry_columns(dialect)).where(*scope.dossier_filter(_t.c.dossier_id))
            .order_by(_t.c.dossier_id, _t.c.seq))


def _heads_query(scope: Scope) -> Select[Any]:
    return (select(_d.c.id, _d.c.state, _d.c.version, _d.c.log_count, _d.c.head_hash)
            .where(*scope.dossier_filter(_d.c.id)).order_by(_d.c.id))


def _stream(conn: Connection, query: Select[Any]) -> Iterator[Sequence[Any]]:
    """The rows in batches. On PostgreSQL through a server-side cursor; on SQLite, whose driver reads
    lazily anyway, SQLAlchemy executes the query (binding its parameters) and its driver cursor is
    read directly: plain tuples, a sixth of the reading time saved (SQLAlchemy buffers no row there)."""
    if conn.dialect.name != "sqlite":
        for batch in conn.execute(query, execution_options={"yield_per": BATCH}).partitions():
            yield from batch
        return
    result = conn.execute(query)
    try:
        while batch := result.cursor.fetchmany(BATCH):
            yield from batch
    finally:
        result.close()


def read_entries(conn: Connection, scope: Scope) -> Iterator[Any]:
    """The scope's log entries in (dossier_id, seq) order, as tuples in ENTRY_COLUMNS order, streamed."""
    return _stream(conn, _entries_query(conn.dialect.name, scope))


def _dossiers(conn: Connection, scope: Scope) -> Iterator[tuple[int, DossierHead | None, Iterable[Any]]]:
    """Each dossier of the scope with its row and its entries: dossier rows and entries merged by ID."""
    heads = ((row[0], DossierHead(row[1], row[2], row[3], row[4])) for row in _stream(conn, _heads_query(scope)))
    head = next(heads, None)
    for dossier_id, entries in itertools.groupby(read_entries(conn, scope), key=itemgetter(1)):
        while head is not None and head[0] < dossier_id:
            yield head[0], head[1], ()
            head = next(heads, None)
        if head is not None and head[0] == dossier_id:
            yield dossier_id, head[1], entries
            head = next(heads, None)
        else:
            yield dossier_id, None, entries
    while head is not None:
        yield head[0], head[1], ()
        head = next(heads, None)


# -- verification ----------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    """The outcome of a verification: counts, the first break of each broken dossier, the anchors judged."""

    dossiers: int = 0
    entries: int = 0
    breaks: list[Break] = field(default_factory=list)
    anchors: list[AnchorCheck] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1

    @property
    def ok(self) -> bool:
        return not self.breaks and all(check.ok for check in self.anchors)

    def add(self, other: VerifyReport) -> None:
        self.dossiers += other.dossiers
        self.entries += other.entries
        self.breaks.extend(other.breaks)


def verify_scope(conn: Connection, scope: Scope) -> VerifyReport:
    """Every dossier of the scope checked, in this connection (it sees the connection's own changes)."""
    report = VerifyReport()
    spliced = conn.dialect.name == "sqlite"  # JSON stored as canonical text there; jsonb is written with spaces
    for dossier_id, head, entries in _dossiers(conn, scope):
        verdict = check_dossier(dossier_id, head, entries, spliced=spliced)
        report.dossiers += 1
        report.entries += verdict.entries
        if verdict.first_break is not None:
            report.breaks.append(verdict.first_break)
    broken = {b.dossier_id for b in report.breaks}
    report.breaks.extend(b for b in fact_copy_breaks(conn, scope) if b.dossier_id not in broken)
    return report


def fact_copy_breaks(conn: Connection, scope: Scope) -> list[Break]:
    """Each dossier whose copy of a step's facts (dossier_facts, which the application reads) differs from
    the facts of the log entry it copies, or copies no entry of that dossier: the first such copy.

    The copy is not hashed itself: it must hold exactly what its (hashed) entry holds. The database
    picks the candidates (on SQLite the two texts differ, both being written canonical; on PostgreSQL
    the jsonb values differ); a candidate is a break when the decoded values differ too, so a text
    merely written otherwise (an older row, another key order) is not one.
    """
    candidates = (select(_f.c.id, _f.c.dossier_id, cast(_f.c.data, Text), cast(_t.c.facts, Text), _t.c.id, _t.c.seq, _t.c.dossier_id)
                  .select_from(_f.outerjoin(_t, _t.c.id == _f.c.log_entry_id))
                  .where(*scope.dossier_filter(_f.c.dossier_id),
                         or_(_t.c.id.is_(None), _t.c.dossier_id != _f.c.dossier_id,
                             (cast(_f.c.data, Text) != cast(_t.c.facts, Text)) if conn.dialect.name == "sqlite"
                             else _f.c.data != _t.c.facts))
                  .order_by(_f.c.dossier_id, _f.c.id))
    breaks: dict[int, Break] = {}
    for fact_id, dossier_id, copy, original, entry_id, seq, entry_dossier in conn.execute(candidates):
        if dossier_id in breaks:
            continue
        if entry_id is not None and entry_dossier == dossier_id and _same_json(copy, original):
            continue
        mine = entry_id is not None and entry_dossier == dossier_id
        breaks[dossier_id] = Break(
            dossier_id, seq if mine else None, "facts",
            f"bản sao dữ kiện của bước (dossier_facts id {fact_id}) khác mục nhật ký mà nó sao lại: ứng dụng đang đọc "
            "dữ kiện đã bị sửa (a copy of a step's facts differs from its log entry)", entry_id if mine else None)
    return list(breaks.values())


def _same_json(first: str | None, second: str | None) -> bool:
    try:
        return first is not None and second is not None and json.loads(first) == json.loads(second)
    except ValueError:
        return False


def verify(conn_or_engine: Connection | Engine, org_id: int | None = None, since: date | None = None,
           anchors: Sequence[Anchor] = (), workers: int | None = None) -> VerifyReport:
    """Verify every chain of the scope (an organisation's subtree, dossiers with entries since a date)
    and the given anchors (always over the whole log). NotFound for an unknown organisation.

    An Engine with a large log is verified by `workers` processes (default: one per CPU, at most
    MAX_WORKERS); a Connection in place.
    """
    started = time.perf_counter()
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            scope = make_scope(conn, org_id, since)
            ranges = _split(conn, workers)
        if ranges:
            report = _verify_parallel(conn_or_engine, scope, ranges, anchors)
        else:
            with conn_or_engine.connect() as conn:
                report = _verify_in(conn, scope, anchors)
    else:
        report = _verify_in(conn_or_engine, make_scope(conn_or_engine, org_id, since), anchors)
    report.breaks.sort(key=lambda b: (b.dossier_id or 0, b.seq or 0))
    report.seconds = time.perf_counter() - started
    return report


def _verify_in(conn: Connection, scope: Scope, anchors: Sequence[Anchor]) -> VerifyReport:
    report = verify_scope(conn, scope)
    if anchors:
        report.anchors = check_anchors(conn, anchors)
    return report


def _split(conn: Connection, workers: int | None) -> list[tuple[int, int]]:
    """Dossier ID ranges holding about as many entries each, one per worker; none when one process will do."""
    wanted = workers if workers is not None else min(os.cpu_count() or 1, MAX_WORKERS)
    low, high, total = conn.execute(select(func.min(_t.c.dossier_id), func.max(_t.c.dossier_id), func.count())).one()
    if wanted <= 1 or total < PARALLEL_ABOVE or low is None:
        return []
    bounds = [min(low, _min_dossier(conn))]
    by_position = select(_t.c.dossier_id).order_by(_t.c.dossier_id, _t.c.seq).limit(1)
    for part in range(1, wanted):
        cut = conn.execute(by_position.offset(total * part // wanted)).scalar()
        if cut is not None and cut > bounds[-1]:
            bounds.append(cut)
    bounds.append(max(high, _max_dossier(conn)) + 1)
    ranges = [(first, following - 1) for first, following in itertools.pairwise(bounds)]
    return ranges if len(ranges) > 1 else []


def _min_dossier(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.min(_d.c.id), 0))).scalar_one())


def _max_dossier(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(_d.c.id), 0))).scalar_one())


def _worker(url: str, task: tuple[str, Any, Any]) -> VerifyReport:
    """In a worker process: one dossier range verified, or the anchors checked, on a connection of its own."""
    kind, scope, anchors = task
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if kind == "anchors":
                return VerifyReport(anchors=check_anchors(conn, anchors))
            return verify_scope(conn, scope)
    finally:
        engine.dispose()


def _verify_parallel(engine: Engine, scope: Scope, ranges: list[tuple[int, int]], anchors: Sequence[Anchor]) -> VerifyReport:
    url = engine.url.render_as_string(hide_password=False)
    tasks: list[tuple[str, Any, Any]] = [("chains", Scope(scope.branch_ids, scope.since, low, high), None) for low, high in ranges]
    if anchors:  # a process of its own, beside the others: a second pass, over IDs and hashes only
        tasks.insert(0, ("anchors", None, tuple(anchors)))
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    report = VerifyReport(workers=len(ranges))
    with ProcessPoolExecutor(max_workers=len(tasks), mp_context=context) as pool:
        for part in pool.map(_worker, itertools.repeat(url), tasks):
            report.add(part)
            report.anchors.extend(part.anchors)
    return report


def verify_dossier(conn: Connection, dossier_id: int) -> DossierVerdict:
    """One dossier's chain and row checked (two indexed reads); NotFound when there is neither."""
    head_row = conn.execute(_heads_query(Scope(dossier_id=dossier_id))).first()
    entries = conn.execute(_entries_query(conn.dialect.name, Scope(dossier_id=dossier_id))).all()
    if head_row is None and not entries:
        raise NotFound(f"Không tìm thấy hồ sơ {dossier_id} (dossier not found).")
    head = DossierHead(head_row[1], head_row[2], head_row[3], head_row[4]) if head_row is not None else None
    return check_dossier(dossier_id, head, entries, spliced=conn.dialect.name == "sqlite")


# -- anchors ---------------------------------------------------------------------------------------


def _hashes(conn: Connection, up_to: int | None = None) -> Iterator[tuple[int, str]]:
    query = select(_t.c.id, _t.c.hash).order_by(_t.c.id)
    if up_to is not None:
        query = query.where(_t.c.id <= up_to)
    return ((row[0], row[1]) for row in _stream(conn, query))


def check_anchors(conn: Connection, anchors: Sequence[Anchor]) -> list[AnchorCheck]:
    """Each earlier anchor against the log as it is now (one pass over the IDs and hashes up to the last one)."""
    return fold_log(_hashes(conn, max(a.last_id for a in anchors)), anchors)[1] if anchors else []


def anchor(conn_or_engine: Connection | Engine) -> Anchor:
    """The anchor of the whole log now: print it, keep a copy elsewhere, check it later with verify().

    On PostgreSQL the last ID is read under a SHARE lock on the log, which waits for transactions
    writing entries to finish: no entry with a lower ID can be committed after the anchor is taken.
    Given an Engine, that lock is held only while reading the last ID.
    """
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.begin() as conn:
            last = _last_id(conn)
        with conn_or_engine.connect() as conn:
            return fold_log(_hashes(conn, last))[0]
    return fold_log(_hashes(conn_or_engine, _last_id(conn_or_engine)))[0]


def _last_id(conn: Connection) -> int:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE transition_log IN SHARE MODE")
    return int(conn.execute(select(func.coalesce(func.max(_t.c.id), 0))).scalar_one())


# -- exports ---------------------------------------------------------------------------------------


def export_entries(conn: Connection, dossier_id: int | None = None, org_id: int | None = None) -> Iterator[dict[str, Any]]:
    """The log of one dossier, or of an organisation's subtree (neither: the whole log), in (dossier_id,
    seq) order: every column needed to verify it again, values exactly as the hash covers them.

    NotFound for an unknown organisation. Streamed: an export of any size keeps memory flat.
    """
    if dossier_id is not None and org_id is not None:
        raise ValueError("export one dossier or one organisation, not both")
    scope = Scope(dossier_id=dossier_id) if dossier_id is not None else make_scope(conn, org_id)
    for row in read_entries(conn, scope):
        entry = dict(zip(ENTRY_COLUMNS, row, strict=True))
        entry.update(at=utc_iso(row[5]), act_date=iso_date(row[6]), facts=decode_json(row[10])[0],
                     rule_results=decode_json(row[11])[0])
        yield entry


CSV_BOM = "\ufeff"


def write_jsonl(entries: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """JSON Lines: one canonical JSON object per line (keys sorted, no spaces, UTF-8). Returns the count."""
    count = 0
    for entry in entries:
        fh.write(canonical_json(entry))
        fh.write("\n")
        count += 1
    return count


def write_csv(entries: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """CSV with a header, UTF-8 with a byte-order mark (so Excel reads Vietnamese right; open `fh` with
    newline=""). facts and rule_results are canonical JSON text; an empty actor_id is none. Returns the count.

    Every call writes the mark and the header first: the web export, streaming in batches, drops them
    after the first batch."""
    fh.write(CSV_BOM)
    writer = csv.writer(fh)
    writer.writerow(ENTRY_COLUMNS)
    count = 0
    for entry in entries:
        writer.writerow([_csv_cell(name, entry[name]) for name in ENTRY_COLUMNS])
        count += 1
    return count


def _csv_cell(name: str, value: Any) -> str:
    if name in ("facts", "rule_results"):
        return canonical_json(value)
    return "" if value is None else str(value)


# -- verifying an export offline -------------------------------------------------------------------


class ExportError(ValueError):
    """A file that is not a log export (columns missing, neither CSV nor JSON Lines)."""


@dataclass(frozen=True)
class _Unreadable:
    """A line of an export that cannot be read as an entry."""

    line: int
    dossier_id: int | None
    problem: str

    def as_break(self) -> Break:
        return Break(self.dossier_id, None, "unreadable", f"dòng {self.line} không đọc được: {self.problem} (unreadable line)")


def _int(value: Any, name: str) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"{name} không phải số nguyên: {value!r}")


def _jsonl_entries(fh: IO[bytes]) -> Iterator[tuple[Any, ...] | _Unreadable]:
    """Entries of a JSON Lines export: ENTRY_COLUMNS values, then whether orjson may read and write them."""
    for number, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            obj, plain = decode_json(line)
        except ValueError as err:
            yield _Unreadable(number, None, f"không phải JSON ({err})")
            continue
        dossier_id = obj.get("dossier_id") if isinstance(obj, dict) else None
        dossier_id = dossier_id if type(dossier_id) is int else None
        missing = [name for name in ENTRY_COLUMNS if not isinstance(obj, dict) or name not in obj]
        if missing or dossier_id is None or type(obj["seq"]) is not int:
            problem = f"thiếu {', '.join(missing)}" if missing else "dossier_id và seq phải là số nguyên"
            yield _Unreadable(number, dossier_id, problem)
            continue
        yield (*(obj[name] for name in ENTRY_COLUMNS), plain)


def _jsonl_payload(entry: Sequence[Any]) -> bytes:
    return value_payload(entry, plain=entry[len(ENTRY_COLUMNS)])


def _csv_entries(fh: IO[str]) -> Iterator[tuple[Any, ...] | _Unreadable]:
    """Entries of a CSV export: integers parsed, an empty actor_id as none, the rest as text."""
    reader = csv.DictReader(fh)
    missing = [name for name in ENTRY_COLUMNS if name not in (reader.fieldnames or ())]
    if missing:
        raise ExportError(f"thiếu cột {', '.join(missing)} (not a log export: columns missing)")
    for row in reader:
        try:
            dossier_id = _int(row["dossier_id"], "dossier_id")
        except ValueError as err:
            yield _Unreadable(reader.line_num, None, str(err))
            continue
        try:
            numbers = {"id": _int(row["id"], "id"), "dossier_id": dossier_id, "seq": _int(row["seq"], "seq"),
                       "actor_id": _int(row["actor_id"], "actor_id") if row["actor_id"] else None}
        except ValueError as err:
            yield _Unreadable(reader.line_num, dossier_id, str(err))
            continue
        yield tuple(numbers.get(name, row[name]) for name in ENTRY_COLUMNS)


def _dossier_of(item: tuple[Any, ...] | _Unreadable) -> int | None:
    return item.dossier_id if isinstance(item, _Unreadable) else item[1]


def verify_file(path: str | Path) -> VerifyReport:
    """Verify a CSV or JSON Lines export without the database: each dossier's chain from GENESIS.

    Offline there is no dossier row, so the state, head hash, count and version checks cannot be
    made, nor anchors (an export is a part of the log). Entries come in (dossier_id, seq) order, as
    exported. ExportError when the file is not an export at all (OSError when it cannot be opened).
    """
    started = time.perf_counter()
    path = Path(path)
    with path.open("rb") as fh:
        first = fh.read(64).lstrip(CSV_BOM.encode() + b" \t\r\n")
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson") or (path.suffix.lower() != ".csv" and first.startswith(b"{"))
    report = VerifyReport()
    with path.open("rb") as fh:
        items = _jsonl_entries(fh) if jsonl else _csv_entries(io.TextIOWrapper(fh, encoding="utf-8-sig", newline=""))
        payload = _jsonl_payload if jsonl else text_payload
        for dossier_id, group in itertools.groupby(items, key=_dossier_of):
            entries = list(group)
            unreadable = next((item for item in entries if isinstance(item, _Unreadable)), None)
            if unreadable is not None:
                report.breaks.append(unreadable.as_break())
                report.entries += len(entries)
                continue
            assert dossier_id is not None
            count, _last, found = chain_break(dossier_id, entries, payload)  # type: ignore[arg-type]
            report.dossiers += 1
            report.entries += count
            if found is not None:
                report.breaks.append(found)
    report.seconds = time.perf_counter() - started
    return report
