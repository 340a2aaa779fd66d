"""`ketnap tokens`: make, list and revoke API tokens from the command line (the operator's way; users have the web page)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..db import queries
from ..db.access_log import record_access
from ..db.tokens import TokenError, create_token, list_tokens, revoke_token
from ..engine.service import local_today
from . import services
from .cli import fail, parse_date
from .cli_audit import BAD_INPUT


@click.group("tokens")
def tokens() -> None:
    """Mã truy cập API (API tokens)."""


@tokens.command("create")
@click.option("--user", "username", required=True, help="Người dùng mà mã này thay mặt.")
@click.option("--name", required=True, help="Mã dùng cho việc gì (ví dụ: đồng bộ dữ liệu đảng viên).")
@click.option("--expires", default=None, help="Ngày hết hạn (dd/mm/yyyy hoặc YYYY-MM-DD; mặc định: sau một năm; tối đa hai năm).")
@with_appcontext
def tokens_create(username: str, name: str, expires: str | None) -> None:
    """Tạo mã; mã chỉ in ra một lần (shown once)."""
    expires_on = parse_date(expires, "--expires")
    with services().engine.begin() as conn:
        user = queries.user_by_name(conn, username)
        if user is None:
            fail(f"{BAD_INPUT}\n  --user: không có người dùng '{username}' đang hoạt động (no such active user).")
        try:
            made = create_token(conn, user["id"], name, expires_on, local_today())
        except TokenError as err:
            options = {"name": "--name", "expires_on": "--expires", "user": "--user"}
            fail(BAD_INPUT + "".join(f"\n  {options.get(k, k)}: {v}" for k, v in err.field_errors.items()))
        record_access(conn, user_id=None, user_name="CLI", action="create_api_token",
                      detail={"token_id": made.id, "for_user": username, "name": name, "via": "cli"})
    click.echo(made.token)
    click.secho(f"Mã số {made.id} cho {username}: chép ngay, mã chỉ hiện một lần (copy it now: shown once).", fg="green", err=True)


@tokens.command("list")
@click.option("--user", "username", default=None, help="Chỉ mã của người dùng này.")
@with_appcontext
def tokens_list(username: str | None) -> None:
    """Liệt kê mã (không bao giờ in mã đầy đủ)."""
    today = local_today()
    with services().engine.connect() as conn:
        user_id = None
        if username is not None:
            user = queries.user_by_name(conn, username)
            if user is None:
                fail(f"{BAD_INPUT}\n  --user: không có người dùng '{username}' đang hoạt động (no such active user).")
            user_id = user["id"]
        rows = list_tokens(conn, user_id)
    for t in rows:
        state = ("thu hồi (revoked)" if t["revoked_at"] else "hết hạn (expired)" if t["expires_on"] and t["expires_on"] < today
                 else "đang dùng (live)")
        used = f"{t['last_used_at']:%d/%m/%Y %H:%M} UTC" if t["last_used_at"] else "chưa dùng"
        expires = f"{t['expires_on']:%d/%m/%Y}" if t["expires_on"] else "—"
        click.echo(f"{t['id']:>5}  {t['username']:<20} {t['prefix']}…  {t['name']:<30} hết hạn {expires:<10}  {used:<22} {state}")
    if not rows:
        click.echo("Chưa có mã nào (no tokens).")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def tokens_revoke(token_id: int) -> None:
    """Thu hồi mã: từ nay mã không còn dùng được."""
    with services().engine.begin() as conn:
        if not revoke_token(conn, token_id):
            fail(f"{BAD_INPUT}\n  TOKEN_ID: không có mã {token_id} đang dùng (no such live token).")
        record_access(conn, user_id=None, user_name="CLI", action="revoke_api_token", detail={"token_id": token_id, "via": "cli"})
    click.secho(f"Đã thu hồi mã {token_id} (revoked).", fg="green")
