"""Backups and restores of the whole database, checked before they are trusted.

SQLite: SQLite's online backup API copies the live database page by page in one step, under one read
transaction, so the copy is a consistent snapshot even while the server writes (WAL mode: writers do not
wait for it). The copy is written beside the destination and renamed into place only when complete and
when `PRAGMA integrity_check` says ok, then its audit chain is verified. A restore checks the backup the
same way before anything is replaced, keeps the database it replaces under a new name (never deleted),
migrates the restored copy to the newest revision and verifies its chain.

PostgreSQL: the documented path, `pg_dump --format=custom` (one consistent snapshot) and `pg_restore
--clean --if-exists --single-transaction` (all or nothing), run with the URL's connection settings and
the schema of its search path when it names one. The dump is listed back (`pg_restore --list`) before it
is renamed into place; after a restore the database is migrated and its chain verified.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from .audit_log import VerifyReport, verify
from .migrate import upgrade
from .session import make_engine


class BackupError(Exception):
    """A backup or restore that could not be made or would not be safe; nothing was replaced."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    size: int
    seconds: float
    report: VerifyReport | None  # the audit chain of the copy (SQLite) or of the restored database
    kept: Path | None = None  # the database a restore replaced, kept under this name


def backend(url: str) -> str:
    return make_url(url).get_backend_name()


def sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"DATABASE_URL không trỏ tới một tệp SQLite (not a SQLite file): {url}")
    return Path(database)


def _check_sqlite(path: Path) -> None:
    """Integrity and the shape of a ketnap database, or BackupError."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise BackupError(f"{path}: không phải cơ sở dữ liệu SQLite đọc được (not a readable SQLite database): {err}") from err
    if problems != ["ok"]:
        raise BackupError(f"{path}: PRAGMA integrity_check: {'; '.join(problems[:5])}")
    missing = {"alembic_version", "dossiers", "transition_log"} - tables
    if missing:
        raise BackupError(f"{path}: không phải cơ sở dữ liệu ketnap, thiếu bảng (not a ketnap database, missing) {', '.join(sorted(missing))}")


def _copy_sqlite(source: Path, target: Path, journal: str) -> None:
    """SQLite's online backup of `source` into a new file `target`, in one step (one consistent snapshot)."""
    target.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    try:
        src.execute("PRAGMA busy_timeout = 10000")
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # pages=-1: every page in one step, under one read transaction
            dst.execute(f"PRAGMA journal_mode = {journal}")
            dst.commit()
        finally:
            dst.close()
    finally:
        src.close()


def _verify_file(path: Path) -> VerifyReport:
    """The audit chain of a SQLite file, left in the journal mode it had (ketnap's engine switches to WAL)."""
    conn = sqlite3.connect(path)
    try:
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()
    engine = make_engine(f"sqlite:///{path}")
    try:
        return verify(engine)
    finally:
        engine.dispose()
        conn = sqlite3.connect(path)
        try:
            conn.execute(f"PRAGMA journal_mode = {journal}")
        finally:
            conn.close()


def backup(url: str, dest: Path, overwrite: bool = False) -> Outcome:
    """Back up the database of `url` into `dest` (a SQLite file, or a pg_dump custom-format archive)."""
    started = time.perf_counter()
    if dest.exists() and not overwrite:
        raise BackupError(f"{dest}: tệp đã có; chọn tên khác hoặc dùng --force (exists).")
    if dest.is_dir():
        raise BackupError(f"{dest}: là một thư mục (a directory); cho tên tệp.")
    partial = dest.with_name(dest.name + ".partial")
    if backend(url) == "sqlite":
        source = sqlite_file(url)
        if not source.exists():
            raise BackupError(f"{source}: không có cơ sở dữ liệu (no such database).")
        try:
            _copy_sqlite(source, partial, "DELETE")  # a copy is one self-contained file
            _check_sqlite(partial)
        except (sqlite3.Error, BackupError):
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, dest)
        report: VerifyReport | None = _verify_file(dest)
    elif backend(url) == "postgresql":
        args, password = _pg_args(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial), *args], password, partial)
        _run(["pg_restore", "--list", str(partial)], None, partial)
        os.replace(partial, dest)
        report = None
    else:
        raise BackupError(f"không sao lưu được cơ sở dữ liệu {backend(url)} (unsupported database)")
    return Outcome(dest, dest.stat().st_size, time.perf_counter() - started, report)


def restore(url: str, source: Path, replace: bool = False) -> Outcome:
    """Restore `source` (made by backup()) as the database of `url`, then migrate and verify it.

    SQLite: the backup is checked first (integrity, shape, audit chain); an existing database is replaced only
    with `replace`, and kept beside it as `<name>.before-restore-<UTC time>`. Stop the server first.
    """
    started = time.perf_counter()
    if not source.is_file():
        raise BackupError(f"{source}: không có tệp sao lưu (no such backup file).")
    kept = None
    if backend(url) == "sqlite":
        target = sqlite_file(url)
        _check_sqlite(source)
        before = _verify_file(source)
        if not before.ok:
            raise BackupError(f"{source}: chuỗi nhật ký của bản sao lưu không khớp ({len(before.breaks)} hồ sơ hỏng); "
                              "không khôi phục (the backup's audit chain does not verify).")
        if target.exists() and target.stat().st_size > 0:
            if not replace:
                raise BackupError(f"{target}: cơ sở dữ liệu đang có; dừng máy chủ rồi dùng --force để thay (exists).")
        partial = target.with_name(target.name + ".partial")
        try:
            _copy_sqlite(source, partial, "WAL")
            _check_sqlite(partial)
        except (sqlite3.Error, BackupError):
            partial.unlink(missing_ok=True)
            raise
        if target.exists():
            kept = target.with_name(f"{target.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
            _copy_sqlite(target, kept, "DELETE")  # the WAL's committed pages included
        for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(partial, target)
    elif backend(url) == "postgresql":
        args, password = _pg_args(url, schema=False)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", *args, str(source)], password, None)
    else:
        raise BackupError(f"không khôi phục được cơ sở dữ liệu {backend(url)} (unsupported database)")
    upgrade(url)
    engine = make_engine(url)
    try:
        report = verify(engine)
    finally:
        engine.dispose()
    return Outcome(source, source.stat().st_size, time.perf_counter() - started, report, kept)


def _pg_args(url: str, schema: bool = True) -> tuple[list[str], str | None]:
    """pg_dump / pg_restore arguments for the URL (the database as a conninfo URI, and with `schema` the schema
    named by its search path, if any) and its password (passed on as PGPASSWORD, never on the command line).
    A restore names no schema: the dump holds only what was dumped, the schema's own entry included."""
    parsed = make_url(url)
    conninfo = parsed.set(drivername="postgresql", password=None, query={}).render_as_string(hide_password=False)
    args = ["--dbname", conninfo]
    options = parsed.query.get("options", "")
    for option in options.split() if isinstance(options, str) and schema else []:
        if option.startswith("-csearch_path="):
            name = option.split("=", 1)[1].split(",")[0].strip()
            if name:
                args += ["--schema", name]
    return args, parsed.password if isinstance(parsed.password, str) else None


def _run(command: list[str], password: str | None, partial: Path | None) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"không tìm thấy {command[0]}: cài gói postgresql-client cùng phiên bản máy chủ (not found; install "
                          "postgresql-client).")
    env = {**os.environ, "PGPASSWORD": password} if password else dict(os.environ)
    done = subprocess.run([program, *command[1:]], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise BackupError(f"{command[0]} thất bại (failed, exit {done.returncode}): {done.stderr.strip()[:2000]}")
