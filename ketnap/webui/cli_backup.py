"""`ketnap backup` and `ketnap restore`: the whole database, checked before it is trusted (db.backup)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db.backup import BackupError, Outcome, backup, restore
from .cli import EXIT_REFUSED, fail
from .cli_audit import print_report


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


def _done(outcome: Outcome, what: str) -> None:
    click.echo(f"{what}: {outcome.path} ({outcome.size / 2**20:,.1f} MB, {outcome.seconds:,.1f} giây).")
    if outcome.kept is not None:
        click.echo(f"Cơ sở dữ liệu cũ được giữ lại (the replaced database is kept): {outcome.kept}")
    if outcome.report is not None:
        print_report(outcome.report, "Chuỗi nhật ký")
        if not outcome.report.ok:
            sys.exit(EXIT_REFUSED)


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có (overwrite).")
@with_appcontext
def backup_cmd(dest: Path, force: bool) -> None:
    """Sao lưu toàn bộ cơ sở dữ liệu vào DEST, khi máy chủ vẫn chạy.

    SQLite: bản sao nhất quán bằng API sao lưu trực tuyến, kiểm tra toàn vẹn và chuỗi nhật ký của bản sao.
    PostgreSQL: pg_dump --format=custom (cần gói postgresql-client).
    """
    try:
        outcome = backup(_url(), dest, overwrite=force)
    except BackupError as err:
        fail(f"Không sao lưu được (backup failed): {err}", EXIT_REFUSED)
    _done(outcome, "Đã sao lưu (backed up)")


@click.command("restore")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Thay cơ sở dữ liệu đang có (dừng máy chủ trước; bản cũ được giữ lại).")
@with_appcontext
def restore_cmd(source: Path, force: bool) -> None:
    """Khôi phục cơ sở dữ liệu từ SOURCE (tệp do `ketnap backup` tạo), rồi nâng cấp và kiểm tra chuỗi nhật ký.

    Dừng máy chủ trước. SQLite: bản sao lưu được kiểm tra trước khi thay; cơ sở dữ liệu cũ được giữ lại bên cạnh.
    PostgreSQL: pg_restore --clean --single-transaction (tất cả hoặc không gì cả).
    """
    try:
        outcome = restore(_url(), source, replace=force)
    except BackupError as err:
        fail(f"Không khôi phục được; không có gì bị thay (restore refused, nothing replaced): {err}", EXIT_REFUSED)
    _done(outcome, "Đã khôi phục (restored)")
