"""Importing sources ("nhập danh sách nguồn") from a CSV or XLSX file: every row checked, then all or nothing.

`import_sources()` reads the file (ketnap.source_file), then checks every row and reports every problem
with its line and column: the person and the step's facts by the same schemas as the web form and the
command line (CandidateSchema, the register_source step's own parser), then against the database — the
branch by its code, inside the actor's scope (a branch outside it is "no such branch", like a missing
one), a branch-level organisation, active; the introducing mass organisation among those of the branch's
grassroots committee (what the web forms offer); the citizen ID, required here because it is how a
person is recognised: not twice in the file, not a Party member's. A person whose citizen ID is already
registered is matched, not added again ("unchanged"), with the dossier's number when it lies in the
actor's scope and nothing more when it does not.

A dry run stops there and writes nothing. A real run with any problem writes nothing either. Otherwise
every new person is written in one transaction with bulk INSERTs: the very rows open_dossier() writes for
one — the candidate, the dossier as its first change leaves it, the log entry and its facts copy, built by
engine.service.register_source_change (same facts, hash, rule set) and the repository's row functions —
and the import is recorded in the access log. IDs are taken before the INSERTs: from the sequences on
PostgreSQL, after the table's highest on SQLite, whose writer lock the transaction then holds (its first
statement is the access-log INSERT). Another import (or the form) registering one of the same citizen IDs
meanwhile trips the UNIQUE constraint: the transaction is rolled back whole and the report says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from ..engine.errors import BadInput
from ..engine.service import Actor, act_date_of, local_today, register_source_change
from ..engine.snapshot import Snapshot
from ..engine.text import search_key
from ..engine.workflow import Workflow
from ..source_file import BY_KEY, SourceFile, SourceRow, fold, read_source_file
from ..source_file import Problem as FileProblem
from ..workflows import vocab
from ..workflows.schemas import CONTROL, CandidateSchema, codec
from .access_log import record_access
from .dossier_list import scope_org_ids
from .models import Candidate, Dossier, DossierFact, MassOrganisation, Member, Organisation, TransitionLog, table_of
from .prepared import Prepared
from .repository import candidate_values, fact_values, log_values, opened_dossier_values
from .session import SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT

_c, _d, _t, _f = table_of(Candidate), table_of(Dossier), table_of(TransitionLog), table_of(DossierFact)
_o, _m, _mo = table_of(Organisation), table_of(Member), table_of(MassOrganisation)

CANDIDATE_FIELDS = frozenset(CandidateSchema().fields) - {"former_member", "introducing_mass_org_id"}
FIELD_COLUMNS = {"introducing_mass_org_id": "introducing_mass_org"}  # a schema field whose column has another key
LOOKUP_CHUNK = 2_000  # citizen IDs per IN (...) list
WRITE_CHUNK = 5_000  # rows per executemany
IMPORT_LOCK = 0x6B65746E  # PostgreSQL advisory lock key ("ketn") held by the import that is writing
_load_candidate = codec(CandidateSchema)
_INSERT_ALL = {table.name: Prepared(insert(table).values({c.name: bindparam(c.name, type_=c.type) for c in table.columns}))
               for table in (_c, _d, _t, _f)}  # every column given: the rows are whole

ALREADY_REGISTERED = "Đã có hồ sơ (already registered)."
REGISTERED_UNDER_ANOTHER_NAME = ("Đã có hồ sơ của người có số CCCD này nhưng họ tên khác: hãy kiểm tra lại "
                                 "(already registered under another name: check the row).")
REGISTERED_ELSEWHERE = "Đã đăng ký ở tổ chức khác (already registered elsewhere)."
STATUSES = ("new", "created", "unchanged", "error")
"""A row's outcome: new (valid, not registered yet: written by a real run that succeeds), created (written),
unchanged (the citizen ID is already registered), error (see the errors)."""


@dataclass(frozen=True)
class ImportProblem:
    """A problem: the line as the user sees it (header = 1; None: the whole file), the column's title as
    written in the file (None: no one column), the message (Vietnamese, English in brackets), and the field
    the column fills (None when there is none)."""

    line: int | None
    column: str | None
    message: str
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "field": self.field, "message": self.message}


@dataclass
class RowOutcome:
    """What became of one row of the file."""

    line: int
    citizen_id: str | None
    full_name: str | None
    status: str
    dossier_id: int | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "citizen_id": self.citizen_id, "full_name": self.full_name, "status": self.status,
                "dossier_id": self.dossier_id, "note": self.note}


@dataclass
class ImportReport:
    """The outcome of an import: the file as read, each row's outcome, every problem. `ok`: no problem (a real
    run that is ok has written every new row)."""

    filename: str
    format: str
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        """rows read, and how many new / created / unchanged / in error; `errors`: the problems (a row may have several)."""
        return {"rows": len(self.rows), **{status: self.count(status) for status in STATUSES}, "errors": len(self.errors)}

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-serialisable values (the API's answer)."""
        return {
            "ok": self.ok, "dry_run": self.dry_run,
            "file": {"name": self.filename, "format": self.format, "encoding": self.encoding, "delimiter": self.delimiter,
                     "sheet": self.sheet},
            "counts": self.counts,
            "rows": [row.to_dict() for row in self.rows],
            "errors": [error.to_dict() for error in self.errors],
        }


@dataclass
class _Checked:
    """A row checked: its outcome, and for a new person what to write."""

    outcome: RowOutcome
    subject: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    branch_id: int | None = None


def import_sources(engine: Engine, workflow: Workflow, actor: Actor, data: bytes, filename: str, dry_run: bool,
                   today: date | None = None, *, fmt: str | None = None, now: datetime | None = None, via: str = "api",
                   remote_addr: str | None = None) -> ImportReport:
    """Import the sources in `data` (a CSV or XLSX file named `filename`; `fmt` 'csv' or 'xlsx' overrides the
    name), acting as `actor`, judged as of `today` (default: today in Việt Nam).

    A dry run writes nothing. A real run writes every new person in one transaction (log entries stamped
    `now`, default the current time), or nothing at all if any row has a problem; it is recorded in the access
    log with `via` ('api', 'web', 'cli') and `remote_addr`. Never raises for bad input: see the report.
    """
    today = today or local_today()
    filename = CONTROL.sub("", filename)  # reported and recorded in the access log: no NUL (PostgreSQL stores none)
    source = read_source_file(data, filename, fmt)
    report = ImportReport(filename, source.format, dry_run, encoding=source.encoding, delimiter=source.delimiter, sheet=source.sheet)
    report.errors.extend(_problem(p) for p in source.problems)
    if not report.ok:
        return report
    if not workflow.transitions["register_source"].roles & actor.roles:
        report.errors.append(ImportProblem(None, None, f"Vai trò của {actor.name} không được đưa quần chúng vào nguồn "
                                                     "(role not allowed to register sources)."))
        return report
    with engine.connect() as conn:
        checked = _Checker(conn, workflow, actor, source, today, report).check()
    report.rows = [row.outcome for row in checked]
    order = {title: index for index, title in enumerate(source.titles.values())}  # a line's problems left to right
    report.errors.sort(key=lambda e: (e.line or 0, order.get(e.column or "", len(order))))
    if report.ok and not dry_run:
        _write(engine, workflow, actor, checked, report, today, now or datetime.now(UTC), via, remote_addr)
    return report


def _problem(problem: FileProblem) -> ImportProblem:
    return ImportProblem(problem.line, problem.column, problem.message, _field_of(problem.key))


def _field_of(key: str | None) -> str | None:
    """The schema field a column fills (the column keys are the field names, but for the references)."""
    if key == "introducing_mass_org":
        return "introducing_mass_org_id"
    if key == "branch":
        return "branch_code"
    return key


# -- checking --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Org:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    active: bool


class _Checker:
    """Checks every row of one file for one actor, reading what it needs from the database in a few queries."""

    def __init__(self, conn: Connection, workflow: Workflow, actor: Actor, source: SourceFile, today: date, report: ImportReport):
        self.conn, self.source, self.today, self.report = conn, source, today, report
        self.parse_facts = workflow.transitions["register_source"].parse or dict
        self.spec = workflow.transitions["register_source"]
        orgs = [_Org(*row) for row in conn.execute(select(_o.c.id, _o.c.code, _o.c.name, _o.c.level_code, _o.c.parent_id, _o.c.active))]
        self.orgs = {org.id: org for org in orgs}
        scope = scope_org_ids(conn, actor.scope_org_id)
        self.in_scope = [org for org in orgs if scope is None or org.id in scope]
        self.by_code = {org.code: org for org in self.in_scope}
        self.by_folded_code: dict[str, list[_Org]] = defaultdict(list)
        for org in self.in_scope:
            self.by_folded_code[org.code.casefold()].append(org)
        self.scope = None if scope is None else frozenset(scope)
        branches = [org for org in self.in_scope if org.level in vocab.DOSSIER_LEVELS and org.active]
        self.only_branch = branches[0] if len(branches) == 1 else None
        self.mass_orgs: dict[int, list[tuple[int, str, str]]] = {}
        self.named_mass_orgs: dict[tuple[int, str], tuple[int | None, str | None]] = {}

    def error(self, checked: _Checked, key: str, message: str) -> None:
        """A problem of the row's cell in column `key` (a field's name where no column has it)."""
        checked.outcome.status = "error"
        column = self.source.title(key) if key in BY_KEY else key
        self.report.errors.append(ImportProblem(checked.outcome.line, column, message, _field_of(key)))

    def check(self) -> list[_Checked]:
        if "branch" not in self.source.titles and self.only_branch is None:
            self.report.errors.append(ImportProblem(1, self.source.title("branch"), "Thiếu cột «Chi bộ»: bạn phụ trách nhiều chi bộ, "
                                                    "hãy ghi mã chi bộ cho từng người (missing column: the branch's code).", "branch_code"))
            return []
        checked = [self.check_row(row) for row in self.source.rows]
        self.check_citizen_ids(checked)
        return checked

    def check_row(self, row: SourceRow) -> _Checked:
        values = row.values
        checked = _Checked(RowOutcome(row.line, values.get("citizen_id"), values.get("full_name"), "new"))
        for problem in row.problems:
            checked.outcome.status = "error"
            self.report.errors.append(_problem(problem))
        branch = self.branch(checked, values.get("branch"))
        raw = {name: values[name] for name in CANDIDATE_FIELDS if name in values}
        if branch is not None and "introducing_mass_org" in values:
            raw["introducing_mass_org_id"] = self.mass_org(checked, branch, str(values["introducing_mass_org"]))
        reported = {p.key for p in row.problems if p.key}  # a cell already named (its key is its field's name) is not named again
        try:
            checked.subject = _load_candidate(raw)
        except BadInput as err:
            self.field_errors(checked, {k: v for k, v in err.field_errors.items() if k not in reported})
            reported |= set(err.field_errors)
        raw_facts: dict[str, Any] = {name: values[name] for name in ("registered_on", "note") if name in values}
        person = checked.subject or raw  # the step records the person's category and mass organisation, as the form does
        raw_facts.update({name: person.get(name) for name in ("source_category", "introducing_mass_org_id")})
        try:
            checked.facts = self.parse_facts(raw_facts)
            act_date_of(self.spec, checked.facts, self.today)
        except BadInput as err:
            self.field_errors(checked, {k: v for k, v in err.field_errors.items() if k not in reported})
        if "citizen_id" not in values:
            self.error(checked, "citizen_id", "Bắt buộc khi nhập từ tệp: số CCCD cho biết người đã có hay chưa "
                                              "(required in an import: the citizen ID tells who is already registered).")
        checked.branch_id = branch.id if branch is not None else None
        return checked

    def field_errors(self, checked: _Checked, field_errors: Mapping[str, Sequence[str]]) -> None:
        for name, messages in field_errors.items():
            for message in messages:
                self.error(checked, FIELD_COLUMNS.get(name, name), message)

    def branch(self, checked: _Checked, code: Any) -> _Org | None:
        if code is None:
            if self.only_branch is None:
                self.error(checked, "branch", "Bắt buộc: mã chi bộ giữ hồ sơ (required: the code of the branch keeping the dossier).")
            return self.only_branch
        code = str(code).strip()
        org = self.by_code.get(code)
        if org is None and len(self.by_folded_code.get(code.casefold(), ())) == 1:
            org = self.by_folded_code[code.casefold()][0]
        if org is None:
            self.error(checked, "branch", f"Không có chi bộ mã «{code}» trong phạm vi của bạn (no branch with this code in your scope).")
        elif org.level not in vocab.DOSSIER_LEVELS:
            level = vocab.ORG_LEVELS.get(org.level, (org.level, 0))[0]
            self.error(checked, "branch", f"«{code}» là {level.lower()} «{org.name}», không phải chi bộ: hồ sơ do chi bộ giữ "
                                          "(not a branch: a branch keeps the dossier).")
        elif not org.active:
            self.error(checked, "branch", f"Chi bộ «{org.name}» đã ngừng hoạt động (this branch is inactive).")
        else:
            return org
        return None

    def offered_mass_orgs(self, branch: _Org) -> list[tuple[int, str, str]]:
        """The mass organisations a dossier of `branch` may name: those of the grassroots organisations above it."""
        if branch.id not in self.mass_orgs:
            chain: list[_Org] = []
            current = self.orgs.get(branch.id)
            while current is not None and len(chain) < 32:
                chain.append(current)
                current = self.orgs.get(current.parent_id) if current.parent_id is not None else None
            grassroots = [org.id for org in chain if org.level in vocab.GRASSROOTS_LEVELS] or [branch.id]
            rows = self.conn.execute(select(_mo.c.id, _mo.c.name, _mo.c.kind).where(_mo.c.org_id.in_(grassroots)).order_by(_mo.c.id))
            self.mass_orgs[branch.id] = [(row.id, row.name, row.kind) for row in rows]
        return self.mass_orgs[branch.id]

    def mass_org(self, checked: _Checked, branch: _Org, value: str) -> int | None:
        """The mass organisation a cell names, or None and the problem named (each answer kept: values repeat)."""
        key = (branch.id, value)
        if key not in self.named_mass_orgs:
            self.named_mass_orgs[key] = self.find_mass_org(branch, value)
        found, problem = self.named_mass_orgs[key]
        if problem is not None:
            self.error(checked, "introducing_mass_org", problem)
        return found

    def find_mass_org(self, branch: _Org, value: str) -> tuple[int | None, str | None]:
        """By number, name, or kind (code or Vietnamese name) when the branch has one of that kind."""
        offered = self.offered_mass_orgs(branch)
        wanted = fold(value)
        found = [m for m in offered if (value.isdigit() and str(m[0]) == value) or fold(m[1]) == wanted]
        if not found:
            kinds = {fold(code): code for code in vocab.MASS_ORG_KINDS} | {fold(name): code for code, name in vocab.MASS_ORG_KINDS.items()}
            found = [m for m in offered if m[2] == kinds.get(wanted)]
        if len(found) == 1:
            return found[0][0], None
        names = ", ".join(name for _id, name, _kind in offered) or "—"
        if found:
            return None, f"«{value}» ứng với nhiều đoàn thể: hãy ghi tên, một trong: {names} (more than one: write the name)."
        return None, (f"Không có đoàn thể «{value}» ở cấp ủy cơ sở của chi bộ «{branch.name}»; có: {names} "
                      "(no such mass organisation for this branch).")

    def check_citizen_ids(self, checked: list[_Checked]) -> None:
        """Twice in the file, a Party member's, or already registered (matched: unchanged)."""
        lines: dict[str, list[_Checked]] = defaultdict(list)
        for row in checked:
            if row.outcome.citizen_id:
                lines[row.outcome.citizen_id].append(row)
        for citizen_id, rows in lines.items():
            if len(rows) > 1:
                where = ", ".join(str(r.outcome.line) for r in rows)
                for row in rows:
                    self.error(row, "citizen_id", f"Số CCCD {citizen_id} có ở {len(rows)} dòng: {where} "
                                                  f"(the same citizen ID on lines {where}).")
        numbers = list(lines)
        in_scope = [] if self.scope is None else [_m.c.branch_id.in_(self.scope)]  # no word on other organisations' members
        members = {r[0] for chunk in _chunks(numbers, LOOKUP_CHUNK)
                   for r in self.conn.execute(select(_m.c.citizen_id).where(_m.c.citizen_id.in_(chunk), *in_scope))}
        registered = {r.citizen_id: r for chunk in _chunks(numbers, LOOKUP_CHUNK) for r in self.conn.execute(
            select(_c.c.citizen_id, _c.c.search_name, _d.c.id, _d.c.branch_id).outerjoin(_d, _d.c.candidate_id == _c.c.id)
            .where(_c.c.citizen_id.in_(chunk)).order_by(_d.c.id))}
        for citizen_id in members:
            for row in lines[citizen_id]:
                self.error(row, "citizen_id", f"Số CCCD {citizen_id} là của một đảng viên (this citizen ID is a Party member's).")
        for citizen_id, found in registered.items():
            for row in lines[citizen_id]:
                if row.outcome.status == "error":
                    continue
                row.outcome.status = "unchanged"
                if found.branch_id is not None and (self.scope is None or found.branch_id in self.scope):
                    row.outcome.dossier_id = found.id
                    same = search_key(row.subject["full_name"]) == found.search_name
                    row.outcome.note = ALREADY_REGISTERED if same else REGISTERED_UNDER_ANOTHER_NAME
                else:
                    row.outcome.note = REGISTERED_ELSEWHERE


def branches_for(conn: Connection, actor: Actor) -> list[tuple[str, str]]:
    """The active branches an actor may import into, as (code, name): what the column «Chi bộ» takes."""
    scope = scope_org_ids(conn, actor.scope_org_id)
    rows = conn.execute(select(_o.c.id, _o.c.code, _o.c.name)
                        .where(_o.c.level_code.in_(sorted(vocab.DOSSIER_LEVELS)), _o.c.active.is_(True)).order_by(_o.c.id))
    return [(row.code, row.name) for row in rows if scope is None or row.id in scope]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- writing ---------------------------------------------------------------------------------------


def _write(engine: Engine, workflow: Workflow, actor: Actor, checked: Sequence[_Checked], report: ImportReport, today: date,
           at: datetime, via: str, remote_addr: str | None) -> None:
    """Every new row in one transaction, or nothing and the reason in the report."""
    # IDs in the order of the registration dates: the indexes on dates (the log's, the dossiers', stage_steps')
    # then grow at their end, which on SQLite made writing 100,000 rows about 3 s faster (bench/bench_import.py).
    new = sorted((row for row in checked if row.outcome.status == "new"), key=lambda row: (row.facts["registered_on"], row.branch_id))
    detail = {"file": report.filename, "format": report.format, "rows": len(checked), "created": len(new),
              "unchanged": report.count("unchanged"), "via": via}
    ids: dict[str, list[int]] = {}
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # one import writes at a time: two would deadlock on shared people
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})
            record_access(conn, user_id=actor.id, user_name=actor.name, action="import_sources", org_id=actor.scope_org_id,
                          detail=detail, remote_addr=remote_addr, at=at)
            ids.update({table.name: allocate_ids(conn, table, len(new)) for table in (_c, _d, _t, _f)})
            _insert(conn, (_rows(workflow, actor, new, range(start, min(start + WRITE_CHUNK, len(new))), ids, today, at)
                           for start in range(0, len(new), WRITE_CHUNK)))
    except IntegrityError as err:
        if "citizen_id" not in str(err.orig):
            raise
        report.errors.append(ImportProblem(None, None, (
            "Trong lúc nhập, một người có số CCCD trong tệp vừa được đăng ký (một lần nhập khác hoặc biểu mẫu): không có gì được ghi. "
            "Hãy nhập lại tệp; người đã có sẽ được nhận ra (while importing, someone in the file was registered by another user: "
            "nothing was saved; import the file again)."), "citizen_id"))
        return
    except OperationalError as err:
        busy = getattr(err.orig, "sqlite_errorcode", None) in (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT)
        if not busy and getattr(err.orig, "sqlstate", None) not in ("40P01", "40001"):  # deadlock, serialisation failure
            raise
        report.errors.append(ImportProblem(None, None, "Cơ sở dữ liệu đang bận ghi việc khác: không có gì được ghi, hãy thử lại "
                                                     "(the database is busy: nothing was saved, try again)."))
        return
    for row, dossier_id in zip(new, ids[_d.name], strict=True):
        row.outcome.status, row.outcome.dossier_id = "created", dossier_id


def _rows(workflow: Workflow, actor: Actor, rows: Sequence[_Checked], indexes: range, ids: Mapping[str, Sequence[int]], today: date,
          at: datetime) -> dict[str, list[dict[str, Any]]]:
    """The rows of `indexes` as the four tables' rows (by table name), with the IDs at the same indexes of `ids`."""
    out: dict[str, list[dict[str, Any]]] = {_c.name: [], _d.name: [], _t.name: [], _f.name: []}
    for index in indexes:
        row = rows[index]
        assert row.branch_id is not None
        candidate_id, dossier_id, entry_id = ids[_c.name][index], ids[_d.name][index], ids[_t.name][index]
        created = Snapshot(dossier_id, "", 0, row.subject, {})  # as SqlDossiers.create() leaves a new dossier
        _evaluation, change = register_source_change(workflow, created, row.facts, actor, today, at)
        out[_c.name].append({"id": candidate_id, **candidate_values(row.subject)})
        out[_d.name].append(opened_dossier_values(change, candidate_id, row.branch_id, workflow.name))
        out[_t.name].append({"id": entry_id, **log_values(change)})
        out[_f.name].append({"id": ids[_f.name][index], **fact_values(change, entry_id)})
    return out


def _insert(conn: Connection, chunks: Iterable[Mapping[str, Sequence[Mapping[str, Any]]]]) -> None:
    """Each chunk's rows, one executemany per table, in `conn`'s transaction."""
    for chunk in chunks:
        for table in (_c, _d, _t, _f):
            statement = _INSERT_ALL[table.name]
            statement.run_many(conn, statement.parameters_many(conn.dialect, chunk[table.name]))


def allocate_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """`count` new IDs for `table`: from its sequence on PostgreSQL; after its highest ID on SQLite, which is
    right only while this transaction holds SQLite's writer lock (it has written already)."""
    if count == 0:
        return []
    if conn.dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
        return [int(value) for value in conn.execute(query, {"table": table.name, "count": count}).scalars()]
    highest = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
    return list(range(highest + 1, highest + 1 + count))


__all__ = ["ALREADY_REGISTERED", "ImportProblem", "ImportReport", "RowOutcome", "allocate_ids", "branches_for", "import_sources"]
