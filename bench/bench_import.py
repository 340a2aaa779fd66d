"""Importing 100,000 sources from a CSV file on SQLite: import_sources() against a plain Core bulk insert.

Target: a real run of 100,000 rows in under 30 s. The database is the demo's organisation tree (a
province, 4 commune committees, 20 grassroots organisations, 123 branches, ~4,100 members, the demo
users) and 200 dossiers, written by ketnap.demo.build_demo, built once and cached in bench/out/ (git
ignores it) and copied afresh for each measure. The file: N rows (default 100,000) for the branches of
the demo's grassroots staff `danguy` (8 or 9 branches), as a user would fill the template: Vietnamese
titles, ';' between cells, dates dd/mm/yyyy, names of the choices (education, source category), a mass
organisation named by its kind on every third row, valid distinct citizen IDs (workflows.citizen_id).

In each round (default 3), side by side on fresh copies of the database:
  (b) import_sources(dry_run=False) as `danguy`: reading, checking, building each dossier's first log
      entry (hash) and writing everything in one transaction;
  (c) a plain SQLAlchemy Core bulk insert of the very rows (b) wrote — candidates, dossiers, log entries,
      facts copies, read back from (b)'s database — one executemany per table in one transaction: the
      same rows written with nothing read, checked or built;
and the CPU time the host stole meanwhile (/proc/stat: a shared machine's noise). On the last round also
  (a) import_sources(dry_run=True): reading and checking alone;
the same file imported again (every row matched, nothing written) and `ketnap audit verify` over the
imported database (it must pass). Printed: each round, the medians, the ratio (b)/(c), the machine and
the date, and the verdict on the median of (b).
Run: .venv/bin/python bench/bench_import.py [N [ROUNDS]] [--rebuild]
"""

from __future__ import annotations

import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlite_build import cached_sqlite

from ketnap.db.audit_log import verify
from ketnap.db.dossier_list import scope_org_ids
from ketnap.db.models import Candidate, Dossier, DossierFact, MassOrganisation, Organisation, TransitionLog, User, table_of
from ketnap.db.session import make_engine
from ketnap.db.source_import import import_sources
from ketnap.demo import build_demo
from ketnap.engine.service import Actor
from ketnap.workflows import vocab
from ketnap.workflows.admission import build_workflow
from ketnap.workflows.citizen_id import PROVINCES, make_citizen_id

TARGET_SECONDS = 30.0
ROWS = 100_000
ROUNDS = 3
SEED = 2023
TODAY = date(2026, 11, 23)
OUT = Path(__file__).resolve().parent / "out"
TABLES = [table_of(model) for model in (Candidate, Dossier, TransitionLog, DossierFact)]
_o, _u, _mo = table_of(Organisation), table_of(User), table_of(MassOrganisation)
T = TypeVar("T")

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = {"male": ["Văn", "Hữu", "Đức", "Minh"], "female": ["Thị", "Ngọc", "Thu", "Kim"]}
GIVEN = {"male": ["An", "Bình", "Cường", "Dũng", "Hải", "Long", "Nam", "Sơn"], "female": ["Anh", "Hà", "Hoa", "Lan", "Mai", "Trang"]}
EDUCATION = ["upper_secondary", "upper_secondary", "university", "college", "vocational", "lower_secondary"]
CATEGORIES = ["union_member", "teacher", "pre_military", "student", "private_worker", "farmer", "other"]


def timed(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def base_database(rebuild: bool) -> Path:
    path = OUT / f"import_base_seed{SEED}.sqlite"
    cached_sqlite(path, lambda engine: build_demo(engine, build_workflow(), size=200, seed=SEED, progress=lambda _m: None), rebuild)
    return path


def fresh_copy(base: Path, into: Path) -> Engine:
    shutil.copyfile(base, into)
    return make_engine(f"sqlite:///{into}")


def importer(engine: Engine) -> tuple[Actor, list[str]]:
    """The demo's grassroots staff and the codes of the active branches in their scope."""
    with engine.connect() as conn:
        user = conn.execute(select(_u).where(_u.c.username == "danguy")).one()
        scope = set(scope_org_ids(conn, user.org_id) or [])
        codes = [row.code for row in conn.execute(select(_o.c.id, _o.c.code, _o.c.level_code).order_by(_o.c.id))
                 if row.id in scope and row.level_code in vocab.DOSSIER_LEVELS]
    return Actor(user.id, user.full_name, frozenset({user.role}), user.org_id), codes


def source_csv(rows: int, branch_codes: list[str]) -> bytes:
    rng = random.Random(SEED)
    provinces = sorted(PROVINCES)
    lines = ["Họ và tên;Ngày sinh;Giới tính;Số CCCD;Dân tộc;Trình độ học vấn;Nghề nghiệp;Chi bộ;Ngày vào nguồn;Nhóm nguồn;"
             "Đoàn thể giới thiệu;Đoàn viên;Ghi chú"]
    for i in range(rows):
        gender = rng.choice(["male", "female"])
        born = date(1985, 1, 1) + timedelta(days=rng.randint(0, 22 * 365))
        number = make_citizen_id(born, gender, i % 1_000_000, provinces[i // 1_000_000 % len(provinces)])
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
        registered = TODAY - timedelta(days=rng.randint(0, 700))
        mass_org = vocab.MASS_ORG_KINDS["youth_union"] if i % 3 == 0 else ""
        lines.append(";".join([
            name, f"{born:%d/%m/%Y}", "Nam" if gender == "male" else "Nữ", number, "Kinh",
            vocab.EDUCATION_LEVELS[rng.choice(EDUCATION)][0], "Nông dân", rng.choice(branch_codes), f"{registered:%d/%m/%Y}",
            f'"{vocab.SOURCE_CATEGORIES[rng.choice(CATEGORIES)]}"', mass_org, "x" if born.year >= 1996 else "", "",
        ]))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def imported_rows(engine: Engine, before: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The rows (b) wrote, by table: those with IDs above the base database's highest."""
    with engine.connect() as conn:
        return {t.name: [dict(r._mapping) for r in conn.execute(select(t).where(t.c.id > before[t.name]).order_by(t.c.id))]
                for t in TABLES}


def highest_ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(t.c.id).order_by(t.c.id.desc()).limit(1)).scalar() or 0 for t in TABLES}


def core_insert(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(insert(table), rows[table.name])


def cpu_times() -> tuple[int, int]:
    """(all, stolen) jiffies of the machine's CPUs so far (Linux /proc/stat; zeros elsewhere): the share the
    hypervisor gave to other machines explains a slow round."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return sum(fields), fields[7] if len(fields) > 7 else 0


def one_round(base: Path, tmp: Path, workflow: Any, data: bytes, n: int, last: bool) -> dict[str, float]:
    """(b) then (c) on fresh copies of the base database; on the last round also (a), the same file again, verify."""
    out: dict[str, float] = {}
    engine = fresh_copy(base, tmp / "import.sqlite")
    actor, _codes = importer(engine)
    before = highest_ids(engine)
    if last:
        out["dry"], dry = timed(lambda: import_sources(engine, workflow, actor, data, "nguon.csv", True, TODAY, via="cli"))
        if not dry.ok:
            raise SystemExit(f"the dry run found problems: {[e.message for e in dry.errors[:5]]}")
    out["real"], real = timed(lambda: import_sources(engine, workflow, actor, data, "nguon.csv", False, TODAY, via="cli"))
    if not (real.ok and real.count("created") == n):
        raise SystemExit(f"the import failed: {real.counts} {[e.message for e in real.errors[:5]]}")
    if last:
        out["again"], again = timed(lambda: import_sources(engine, workflow, actor, data, "nguon.csv", False, TODAY, via="cli"))
        assert again.ok and again.count("unchanged") == n, again.counts
        out["verify"], verdict = timed(lambda: verify(engine))
        if not verdict.ok:
            raise SystemExit(f"verify found breaks after the import: {[b.line() for b in verdict.breaks[:5]]}")
        out["entries"], out["dossiers"] = verdict.entries, verdict.dossiers
    rows = imported_rows(engine, before)
    engine.dispose()
    plain = fresh_copy(base, tmp / "core.sqlite")
    out["core"], _ = timed(lambda: core_insert(plain, rows))
    plain.dispose()
    out["rows"] = sum(len(v) for v in rows.values())
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else ROWS
    rounds = int(args[1]) if len(args) > 1 else ROUNDS
    base = base_database("--rebuild" in sys.argv)
    workflow = build_workflow()
    setup = make_engine(f"sqlite:///{base}")
    actor, codes = importer(setup)
    setup.dispose()
    data = source_csv(n, codes)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(rounds):
            started = cpu_times()
            folder = Path(tmp) / f"round{index}"  # nothing of an earlier round (a -wal file) next to this one's copies
            folder.mkdir()
            result = one_round(base, folder, workflow, data, n, last=index == rounds - 1)
            ended = cpu_times()
            result["steal"] = (ended[1] - started[1]) / max(1, ended[0] - started[0])
            results.append(result)
    last = results[-1]
    real = statistics.median(r["real"] for r in results)
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"file: {n:,} rows, {len(data) / 2**20:.1f} MB CSV, {len(codes)} branches of {actor.name}'s scope; {rounds} rounds")
    for index, r in enumerate(results, 1):
        print(f"  round {index}: (b) import_sources real run {r['real']:6.2f} s   (c) plain Core executemany of the same "
              f"{r['rows']:,.0f} rows {r['core']:6.2f} s   (b)/(c) {r['real'] / r['core']:4.1f}x   CPU stolen by the host {r['steal']:4.0%}")
    core = statistics.median(r["core"] for r in results)
    lines = [
        ("(a) import_sources, dry run (read + check)", last["dry"], f"{n / last['dry']:9,.0f} rows/s"),
        ("(b) import_sources, real run, median", real, f"{n / real:9,.0f} rows/s   target < {TARGET_SECONDS:.0f} s: "
                                                        f"{'MET' if real < TARGET_SECONDS else 'MISSED'}"),
        ("(c) plain Core executemany of the same rows, median", core, f"ratio (b)/(c) of the medians: {real / core:4.1f}x"),
        ("the same file again (every row matched, nothing written)", last["again"], ""),
        (f"audit verify after the import ({last['entries']:,.0f} entries, {last['dossiers']:,.0f} dossiers): ok", last["verify"], ""),
    ]
    for label, seconds, rest in lines:
        print(f"{label:<70} {seconds:7.2f} s  {rest}")


if __name__ == "__main__":
    main()
