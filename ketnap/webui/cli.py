"""The `ketnap` command line, as Flask commands on the app factory.

Exit codes: 0 done, 1 refused by a rule (the reasons are printed), 2 bad input (the field is named).
Facts are given as `--fact name=value` (value parsed as JSON when it is JSON, e.g. numbers, lists)
or as a JSON object with `--facts-file FILE` / `--facts JSON`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click
from flask.cli import FlaskGroup, with_appcontext

from ..engine.errors import BadInput, Conflict, Forbidden, InvalidTransition, KetnapError, NotFound
from ..engine.rules import Kind, Status
from ..engine.service import Actor, AdvanceResult, advance, explain, local_today, open_dossier
from ..engine.snapshot import Snapshot
from ..engine.workflow import Evaluation
from . import create_app, services

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
ALL_OFFICER_ROLES = frozenset({"branch_committee", "grassroots_staff", "superior_board"})


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    click.secho(message, fg="red", err=True)
    sys.exit(code)


def report_error(err: KetnapError) -> NoReturn:
    if isinstance(err, BadInput):
        lines = [f"  {field}: {' '.join(msgs)}" for field, msgs in err.field_errors.items()]
        fail("Dữ liệu không hợp lệ (bad input):\n" + "\n".join(lines))
    kind = {
        NotFound: "Không tìm thấy (not found)",
        Forbidden: "Không được phép (forbidden)",
        InvalidTransition: "Không thể thực hiện (invalid transition)",
        Conflict: "Xung đột phiên bản (conflict)",
    }.get(type(err), "Lỗi (error)")
    fail(f"{kind}: {err}")


def parse_date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        if "/" in value:
            d, m, y = (int(p) for p in value.split("/"))
            return date(y, m, d)
        return date.fromisoformat(value)
    except ValueError:
        fail(f"Dữ liệu không hợp lệ (bad input):\n  {field}: ngày không hợp lệ '{value}' (use YYYY-MM-DD or dd/mm/yyyy).")


def parse_facts(pairs: Iterable[str], facts_json: str | None, facts_file: Path | None) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for source, text in (("--facts-file", facts_file.read_text(encoding="utf-8") if facts_file else None), ("--facts", facts_json)):
        if text is None:
            continue
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as err:
            fail(f"Dữ liệu không hợp lệ (bad input):\n  {source}: không phải JSON hợp lệ ({err.msg}, line {err.lineno}).")
        if not isinstance(loaded, dict):
            fail(f"Dữ liệu không hợp lệ (bad input):\n  {source}: phải là một đối tượng JSON (must be an object).")
        facts.update(loaded)
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            fail(f"Dữ liệu không hợp lệ (bad input):\n  --fact: '{pair}' phải có dạng tên=giá_trị (name=value).")
        try:
            facts[name] = json.loads(raw)
        except json.JSONDecodeError:
            facts[name] = raw
    return facts


def current_actor(username: str | None) -> Actor:
    """The acting user (--as / KETNAP_USER); without one, the local operator with every officer role."""
    if not username:
        return Actor(None, "cli", ALL_OFFICER_ROLES, None)
    from ..db import queries

    with services().engine.connect() as conn:
        user = queries.user_by_name(conn, username)
    if user is None:
        fail(f"Dữ liệu không hợp lệ (bad input):\n  --as: không có người dùng '{username}' (no such user).")
    return Actor(user["id"], user["full_name"], frozenset({user["role"]}), user["org_id"])


def uow():
    from ..db.repository import SqlUnitOfWork

    svc = services()
    return SqlUnitOfWork(svc.engine, svc.workflow)


def rule_lines(results: Iterable[Any], lang: str) -> list[str]:
    lines = []
    for r in results:
        mark = {Status.FAILED: "✗", Status.WARNING: "!", Status.PENDING: "…", Status.PASSED: "✓"}.get(r.status, "-")
        lines.append(f"  {mark} {r.rule_id}: {r.message(lang)}\n      [{r.rule.citation}]")
    return lines


def print_result(result: AdvanceResult, lang: str) -> None:
    ev = result.evaluation
    if result.applied:
        click.secho(f"Đã thực hiện '{ev.trigger}': {ev.source or '—'} → {result.new_state} (phiên bản {result.new_version}, bộ quy định {ev.rule_set}).", fg="green")
        for line in rule_lines(result.warnings, lang):
            click.secho(line, fg="yellow")
        return
    click.secho(f"Bị từ chối '{ev.trigger}' (refused), bộ quy định {ev.rule_set}:", fg="red")
    for line in rule_lines(ev.failures, lang):
        click.echo(line)


lang_option = click.option("--lang", type=click.Choice(["vi", "en"]), default=None, help="Ngôn ngữ thông báo (vi mặc định).")
as_option = click.option("--as", "username", envvar="KETNAP_USER", default=None, help="Tên đăng nhập của người thực hiện.")


def language(lang: str | None) -> str:
    from flask import current_app

    return lang or current_app.config.get("KETNAP_LANG", "vi")


def read_snapshot(dossier_id: int) -> Snapshot:
    try:
        with uow() as u:
            return u.dossiers.snapshot(dossier_id)
    except KetnapError as err:
        report_error(err)


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """ketnap — quản lý quy trình kết nạp đảng viên (admission of new Party members)."""


@main.command("init-db")
@with_appcontext
def init_db() -> None:
    """Tạo / nâng cấp cơ sở dữ liệu (Alembic migrations)."""
    from ..db.migrate import upgrade

    upgrade(services().engine.url.render_as_string(hide_password=False))
    click.echo(f"Cơ sở dữ liệu sẵn sàng: {services().engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.option("--size", type=click.IntRange(1, 2_000_000), default=600, show_default=True, help="Số hồ sơ.")
@click.option("--seed", type=int, default=2023, show_default=True)
@click.option("--shape", type=click.Choice(["commune", "district"]), default="commune", show_default=True,
              help="commune: tỉnh → xã/phường → cơ sở → chi bộ (từ 7/2025); district: huyện → cơ sở → chi bộ (2022–2025).")
@click.option("--if-empty", is_flag=True, help="Chỉ tạo khi cơ sở dữ liệu chưa có tổ chức nào.")
@with_appcontext
def demo(size: int, seed: int, shape: str, if_empty: bool) -> None:
    """Tạo dữ liệu mẫu: một đảng bộ cỡ huyện với hồ sơ ở mọi trạng thái."""
    from ..demo import build_demo, database_is_empty
    from ..demo_board import build_board

    svc = services()
    if if_empty and not database_is_empty(svc.engine):
        click.echo("Đã có dữ liệu; bỏ qua tạo dữ liệu mẫu (--if-empty).")
        return
    stats = build_demo(svc.engine, svc.workflow, size=size, seed=seed, shape=shape, progress=click.echo)
    stats.update(build_board(svc.engine, local_today(), seed))
    click.echo(", ".join(f"{k}: {v}" for k, v in stats.items()))


@main.command()
@with_appcontext
def summary() -> None:
    """Tóm tắt dữ liệu và các lệnh nên thử."""
    from ..db import queries
    from ..db.dossier_list import count_by_state

    with services().engine.connect() as conn:
        counts = count_by_state(conn, None)
        orgs = queries.org_tree(conn)
        users = queries.users(conn)
    click.echo(f"Tổ chức: {len(orgs)}; hồ sơ: {sum(counts.values())}")
    from ..workflows.admission import state_label

    for state, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {state_label(state):45} {n:6}")
    if users:
        click.echo("Người dùng (dùng với --as): " + ", ".join(f"{u['username']} ({u['role']})" for u in users[:6]))
    click.echo(
        "\nDòng lệnh (try):\n"
        "  .venv/bin/ketnap candidates list --state introduced --limit 5\n"
        "  .venv/bin/ketnap explain <DOSSIER>\n"
        "  .venv/bin/ketnap history <DOSSIER>\n"
        "  .venv/bin/ketnap rules"
    )


@main.command("web-help")
@click.option("--url", default="http://127.0.0.1:8000/", show_default=True)
@with_appcontext
def web_help(url: str) -> None:
    """In địa chỉ giao diện web và tài khoản mẫu."""
    from ..db import queries
    from ..demo import DEMO_PASSWORD, DEMO_USERNAMES

    with services().engine.connect() as conn:
        users = [u for u in queries.users(conn) if u["username"] in DEMO_USERNAMES]
    click.secho(f"\nGiao diện web (web UI): {url}", fg="green", bold=True)
    if users:
        click.echo(f"Tài khoản mẫu, mật khẩu '{DEMO_PASSWORD}' (demo log-ins):")
        for u in users:
            click.echo(f"  {u['username']:10} {u['full_name']:22} {u['role']}")


@main.command()
@with_appcontext
def orgs() -> None:
    """Cây tổ chức đảng."""
    from ..db import queries

    with services().engine.connect() as conn:
        rows = queries.org_tree(conn)
    for row in rows:
        flags = " [được ủy quyền kết nạp]" if row.get("may_admit") else ""
        click.echo(f"{'  ' * row['depth']}{row['id']:>5} {row['name']} ({row['level_code']}){flags}")


@main.command("org-settings")
@click.argument("org_id", type=int)
@click.option("--block", "block", multiple=True, help="Quy định [policy]/cảnh báo chuyển thành chặn (vd. R-SLA-1).")
@click.option("--unblock", "unblock", multiple=True, help="Bỏ chặn, chỉ cảnh báo.")
@click.option("--param", "pairs", multiple=True, help="Tham số riêng của tổ chức: tên=giá_trị (vd. sla_verification_wd=30).")
@click.option("--clear-param", "clear", multiple=True, help="Bỏ tham số riêng, dùng giá trị chung.")
@with_appcontext
def org_settings(org_id: int, block: tuple[str, ...], unblock: tuple[str, ...], pairs: tuple[str, ...], clear: tuple[str, ...]) -> None:
    """Xem / đặt cấu hình của một tổ chức: quy định chặn, giới hạn thời gian (áp dụng cho cấp dưới)."""
    from ..db import queries
    from ..workflows.settings import SettingsError, update_settings

    with services().engine.begin() as conn:
        current = queries.org_settings(conn, org_id)
        if current is None:
            fail(f"Không tìm thấy (not found): tổ chức {org_id}.")
        try:
            updated = update_settings(current, block=block, unblock=unblock, params=dict(p.partition("=")[::2] for p in pairs),
                                      clear=clear)
        except SettingsError as err:
            report_error(BadInput(err.field_errors))
        if updated != current:
            queries.set_org_settings(conn, org_id, updated)
    click.echo(json.dumps(updated, ensure_ascii=False, indent=2, sort_keys=True))


@main.command()
@click.option("--org", "org_id", type=int, default=None, help="Chỉ đảng viên trong tổ chức này (và cấp dưới).")
@click.option("--status", type=click.Choice(["official", "probationary"]), default=None)
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@with_appcontext
def members(org_id: int | None, status: str | None, limit: int) -> None:
    """Danh sách đảng viên."""
    from ..db import queries

    with services().engine.connect() as conn:
        rows = queries.members(conn, org_id, status=status, limit=limit)
    for m in rows:
        click.echo(f"{m['id']:>6} {m['full_name']:30} {m['status']:12} chi bộ {m['branch_id']}")


@main.group()
def candidates() -> None:
    """Quần chúng / hồ sơ kết nạp."""


@candidates.command("add")
@click.option("--branch", "branch_id", type=int, required=True, help="Chi bộ quản lý hồ sơ.")
@click.option("--name", "full_name", required=True)
@click.option("--dob", "date_of_birth", required=True, help="Ngày sinh (YYYY-MM-DD hoặc dd/mm/yyyy).")
@click.option("--gender", type=click.Choice(["male", "female"]), required=True)
@click.option("--education", required=True, help="Trình độ: " + ", ".join(["lower_secondary", "upper_secondary", "university", "…"]))
@click.option("--ethnicity", default="Kinh", show_default=True)
@click.option("--religion", default=None)
@click.option("--source-category", default="other", show_default=True)
@click.option("--citizen-id", default=None, help="Số CCCD (12 chữ số).")
@click.option("--registered-on", default=None, help="Ngày đưa vào nguồn (mặc định hôm nay).")
@click.option("--json", "json_file", type=click.Path(exists=True, path_type=Path), default=None,
              help="Thông tin bổ sung về quần chúng (JSON, các trường của CandidateSchema).")
@as_option
@with_appcontext
def candidates_add(branch_id: int, registered_on: str | None, json_file: Path | None, username: str | None, **fields: Any) -> None:
    """Đưa một quần chúng vào nguồn phát triển đảng của chi bộ."""
    from ..workflows.schemas import load_candidate

    raw: dict[str, Any] = parse_facts((), None, json_file) if json_file else {}
    raw.update({k: v for k, v in fields.items() if v is not None})
    today = local_today()
    try:
        subject = load_candidate(raw)
        result = open_dossier(uow(), services().workflow, subject, branch_id,
                              {"registered_on": registered_on or today.isoformat(), "source_category": raw.get("source_category")},
                              current_actor(username), today=today)
    except KetnapError as err:
        report_error(err)
    assert result.change is not None
    click.secho(f"Đã tạo hồ sơ {result.change.dossier_id}: {subject['full_name']} — nguồn phát triển đảng.", fg="green")


@candidates.command("list")
@click.option("--org", "org_id", type=int, default=None)
@click.option("--state", default=None)
@click.option("--search", "search", default="", help="Tên, không cần dấu (vd. nguyen van a).")
@click.option("--overdue", is_flag=True, help="Chỉ hồ sơ quá hạn bước tiếp theo.")
@click.option("--limit", type=click.IntRange(1, 200), default=50, show_default=True, help="Số hồ sơ mỗi trang.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@with_appcontext
def candidates_list(org_id: int | None, state: str | None, search: str, overdue: bool, limit: int, page: int) -> None:
    """Danh sách hồ sơ (lọc theo tổ chức, trạng thái, tên, quá hạn), mới thay đổi trước — như trang web."""
    from ..db.dossier_list import DossierFilter, find_dossiers
    from ..workflows.deadlines import overdue_cutoffs

    wf = services().workflow
    if state and state not in wf.states:
        fail(f"Dữ liệu không hợp lệ (bad input):\n  --state: không có trạng thái '{state}'; có: {', '.join(wf.states)}.")
    filt = DossierFilter(org_id=org_id, states=(state,) if state else (), search=search, overdue=overdue, per_page=limit, page=page)
    with services().engine.connect() as conn:
        found = find_dossiers(conn, filt, overdue_cutoffs(local_today(), wf.params, wf.calendar))
    for d in found.rows:
        late = "  QUÁ HẠN" if d["overdue"] else ""
        click.echo(f"{d['id']:>7} {d['full_name']:30} {d['state']:22} từ {d['state_since']}  chi bộ {d['branch_name']}{late}")
    click.echo(f"Trang {found.page}/{found.pages}, {found.total} hồ sơ.")


@candidates.command("show")
@click.argument("dossier_id", type=int)
@lang_option
@with_appcontext
def candidates_show(dossier_id: int, lang: str | None) -> None:
    """Thông tin một hồ sơ: quần chúng, trạng thái, dữ kiện đã ghi."""
    from ..workflows.admission import state_label

    snap = read_snapshot(dossier_id)
    lg = language(lang)
    click.echo(f"Hồ sơ {dossier_id} — {snap.subject['full_name']} (sinh {snap.subject['date_of_birth']:%d/%m/%Y})")
    click.echo(f"Trạng thái: {state_label(snap.state, lg)} [{snap.state}], phiên bản {snap.version}")
    click.echo("Tổ chức: " + " ← ".join(o.name for o in snap.org_chain))
    for kind, facts in snap.facts.items():
        click.echo(f"  {kind}: {json.dumps(facts, ensure_ascii=False, default=str)}")


@main.command("advance")
@click.argument("dossier_id", type=int)
@click.argument("trigger")
@click.option("--fact", "pairs", multiple=True, help="Dữ kiện tên=giá_trị (lặp lại được).")
@click.option("--facts", "facts_json", default=None, help="Dữ kiện dạng JSON.")
@click.option("--facts-file", type=click.Path(exists=True, path_type=Path), default=None)
@click.option("--expected-version", type=int, default=None, help="Phiên bản hồ sơ bạn đã xem (khóa lạc quan).")
@as_option
@lang_option
@with_appcontext
def advance_cmd(dossier_id: int, trigger: str, pairs: tuple[str, ...], facts_json: str | None, facts_file: Path | None,
                expected_version: int | None, username: str | None, lang: str | None) -> None:
    """Chuyển hồ sơ sang bước tiếp theo (TRIGGER), kiểm tra mọi quy định."""
    facts = parse_facts(pairs, facts_json, facts_file)
    try:
        result = advance(uow(), services().workflow, dossier_id, trigger, facts, current_actor(username), expected_version)
    except KetnapError as err:
        report_error(err)
    print_result(result, language(lang))
    if not result.applied:
        sys.exit(EXIT_REFUSED)


@main.command("explain")
@click.argument("dossier_id", type=int)
@click.option("--as-of", default=None, help="Xét vào ngày (mặc định hôm nay).")
@lang_option
@with_appcontext
def explain_cmd(dossier_id: int, as_of: str | None, lang: str | None) -> None:
    """Các bước có thể làm bây giờ và lý do các bước chưa thể làm."""
    day = parse_date(as_of, "--as-of") or local_today()
    snap = read_snapshot(dossier_id)
    lg = language(lang)
    click.echo(f"Hồ sơ {dossier_id}, trạng thái {snap.state}, xét ngày {day:%d/%m/%Y}:")
    for ev in explain(services().workflow, snap, day):
        print_evaluation(ev, lg)


def print_evaluation(ev: Evaluation, lang: str) -> None:
    spec = services().workflow.transitions[ev.trigger]
    label = spec.label.vi if lang == "vi" else spec.label.en
    if ev.failures:
        click.secho(f"✗ {ev.trigger} — {label}: chưa thể (not possible now)", fg="red")
        for line in rule_lines(ev.failures, lang):
            click.echo(line)
    else:
        click.secho(f"✓ {ev.trigger} — {label}: có thể (possible)", fg="green")
        needs = sorted({f for r in ev.pending for f in r.outcome.values.get("fields", "").split(", ") if f})
        if needs:
            click.echo("      cần nhập: " + ", ".join(needs))
        for line in rule_lines(ev.warnings, lang):
            click.secho(line, fg="yellow")


@main.command("history")
@click.argument("dossier_id", type=int)
@with_appcontext
def history_cmd(dossier_id: int) -> None:
    """Nhật ký chuyển trạng thái của hồ sơ."""
    from ..db import queries

    with services().engine.connect() as conn:
        rows = queries.history(conn, dossier_id)
    if not rows:
        fail(f"Không tìm thấy (not found): hồ sơ {dossier_id}.")
    for e in rows:
        click.echo(f"{e['seq']:>3} {e['act_date']} {e['trigger']:32} {e['from_state'] or '—':22} → {e['to_state']:22} "
                   f"{e['actor_name'] or '—'}  {e['hash'][:12]}")
        for r in e["rule_results"] or []:
            if r.get("status") in ("failed", "warning"):
                click.echo(f"      ! {r['rule_id']}: {r['message']}")


@main.command("rules")
@click.option("--markdown", is_flag=True, help="In docs/rules.md (sinh từ mã nguồn).")
@click.option("--rule-set", "rule_set", default=None, help="Chỉ các quy định áp dụng trong bộ này (2016, 2021, 2025a, 2025b).")
@lang_option
@with_appcontext
def rules_cmd(markdown: bool, rule_set: str | None, lang: str | None) -> None:
    """Danh mục quy định: mã, trích dẫn, hiệu lực, độ tin cậy."""
    from ..workflows.docs import rules_markdown
    from ..workflows.rules import CATALOGUE
    from ..workflows.rulesets import RULE_SETS

    if markdown:
        click.echo(rules_markdown(), nl=False)
        return
    if rule_set and rule_set not in RULE_SETS.codes:
        fail(f"Dữ liệu không hợp lệ (bad input):\n  --rule-set: '{rule_set}' không có; có: {', '.join(RULE_SETS.codes)}.")
    lg = language(lang)
    for rule in CATALOGUE:
        if rule_set and not rule.applies_in(rule_set):
            continue
        sets = ", ".join(RULE_SETS.codes) if rule.sets is None else ", ".join(sorted(rule.sets))
        title = rule.title.vi if lg == "vi" else rule.title.en
        kind = "" if rule.kind is Kind.GUARD else f" <{rule.kind.value}>"
        click.echo(f"{rule.id:20} [{rule.confidence.value}]{kind} {title}\n{'':20} {rule.citation} — bộ: {sets}")




@main.group()
def users() -> None:
    """Người dùng giao diện web (web users)."""


def _ask_password(username: str, password: str | None) -> str:
    from ..passwords import password_problem

    secret = password or click.prompt("Mật khẩu (password)", hide_input=True, confirmation_prompt=True)
    problem = password_problem(secret, username)
    if problem:
        fail(f"Dữ liệu không hợp lệ (bad input):\n  password: {problem}")
    return secret


@users.command("add")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Họ và tên.")
@click.option("--role", type=click.Choice(["branch_committee", "grassroots_staff", "superior_board", "auditor", "admin"]), required=True)
@click.option("--org", "org_id", type=int, default=None, help="Tổ chức của người dùng (bắt buộc, trừ admin).")
@click.option("--password", default=None, envvar="KETNAP_NEW_PASSWORD", help="Mặc định: hỏi khi chạy (prompted).")
@with_appcontext
def users_add(username: str, full_name: str, role: str, org_id: int | None, password: str | None) -> None:
    """Tạo người dùng (ví dụ tài khoản quản trị đầu tiên)."""
    from sqlalchemy import select

    from ..db.models import Organisation, User, table_of
    from ..engine.text import nfc
    from ..passwords import hash_password

    if role != "admin" and org_id is None:
        fail("Dữ liệu không hợp lệ (bad input):\n  --org: bắt buộc với vai trò này (required for this role).")
    secret = _ask_password(username, password)
    u, o = table_of(User), table_of(Organisation)
    with services().engine.begin() as conn:
        if conn.execute(select(u.c.id).where(u.c.username == username)).first():
            fail(f"Dữ liệu không hợp lệ (bad input):\n  username: '{username}' đã có (already taken).")
        if org_id is not None and not conn.execute(select(o.c.id).where(o.c.id == org_id)).first():
            fail(f"Dữ liệu không hợp lệ (bad input):\n  --org: không có tổ chức {org_id} (no such organisation).")
        conn.execute(u.insert().values(username=username, full_name=nfc(full_name), role=role, org_id=org_id,
                                       password_hash=hash_password(secret), active=True))
    click.secho(f"Đã tạo người dùng {username} ({role}).", fg="green")


@users.command("password")
@click.argument("username")
@click.option("--password", default=None, envvar="KETNAP_NEW_PASSWORD", help="Mặc định: hỏi khi chạy (prompted).")
@with_appcontext
def users_password(username: str, password: str | None) -> None:
    """Đặt lại mật khẩu của một người dùng."""
    from ..db.models import User, table_of
    from ..passwords import hash_password

    secret = _ask_password(username, password)
    u = table_of(User)
    with services().engine.begin() as conn:
        done = conn.execute(u.update().where(u.c.username == username).values(password_hash=hash_password(secret))).rowcount
    if not done:
        fail(f"Không tìm thấy (not found): người dùng '{username}'.")
    click.secho(f"Đã đặt mật khẩu mới cho {username}.", fg="green")


from .cli_audit import audit  # noqa: E402

main.add_command(audit)

def _add_report_commands() -> None:
    from .cli_report import report, targets
    from .cli_tokens import tokens

    main.add_command(report)
    main.add_command(targets)
    main.add_command(tokens)


_add_report_commands()


def _add_import_command() -> None:
    from .cli_backup import backup_cmd, restore_cmd
    from .cli_import import import_cmd

    main.add_command(import_cmd)
    main.add_command(backup_cmd)
    main.add_command(restore_cmd)


_add_import_command()
