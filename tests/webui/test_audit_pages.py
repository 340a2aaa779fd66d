"""The auditor's pages: who may open them, the log search and its filters, scope, the audited timeline
(before and after an entry is tampered with), anomalies, the access log, exports, and statement counts.

The demo database is shared by the session: dossiers that are changed here are made here, and the one
entry tampered with is put back before the test ends.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.engine import Engine
from test_query_counts import count
from web_world import Browser

from ketnap.db.audit_log import verify_file
from ketnap.db.models import AccessLog, Dossier, Member, Organisation, TransitionLog, User, table_of
from ketnap.db.repository import SqlUnitOfWork
from ketnap.demo import DEMO_PASSWORD
from ketnap.engine.service import LOCAL_TZ, Actor, advance, local_today, open_dossier
from ketnap.passwords import hash_password
from ketnap.webui import services
from ketnap.workflows.deadlines import is_overdue
from ketnap.workflows.journey import happy_path
from ketnap.workflows.schemas import load_candidate

pytestmark = pytest.mark.db

_t, _d, _o, _u, _m, _a = (table_of(m) for m in (TransitionLog, Dossier, Organisation, User, Member, AccessLog))
ROW = re.compile(r'<td><a href="/audit/dossiers/(\d+)#entry-(\d+)">')
ALL_ROLES = frozenset({"branch_committee", "grassroots_staff", "superior_board"})


def engine_of(app: Flask) -> Engine:
    with app.app_context():
        return services().engine


def rows_of(html: str) -> list[tuple[int, int]]:
    """(dossier, entry number) of each row of the log search's results."""
    return [(int(d), int(s)) for d, s in ROW.findall(html)]


def log_entries(app: Flask) -> list[dict[str, Any]]:
    """Every entry of the log with its dossier's branch, newest first as the search orders them."""
    query = (select(_t.c.id, _t.c.dossier_id, _t.c.seq, _t.c.at, _t.c.actor_name, _t.c.trigger, _t.c.rule_results, _d.c.branch_id)
             .join(_d, _d.c.id == _t.c.dossier_id).order_by(_t.c.at.desc(), _t.c.id.desc()))
    with engine_of(app).connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        if isinstance(row["rule_results"], str):
            row["rule_results"] = json.loads(row["rule_results"])
    return rows


def keys(entries: list[dict[str, Any]]) -> list[tuple[int, int]]:
    return [(e["dossier_id"], e["seq"]) for e in entries]


def local_day(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LOCAL_TZ).astimezone(UTC)


def subtree(app: Flask, org_id: int) -> set[int]:
    with engine_of(app).connect() as conn:
        rows = conn.execute(select(_o.c.id, _o.c.parent_id)).all()
    found, grew = {org_id}, True
    while grew:
        more = {org for org, parent in rows if parent in found} - found
        grew = bool(more)
        found |= more
    return found


def add_auditor(app: Flask, org_id: int) -> str:
    """A new auditor ("ủy ban kiểm tra") of `org_id`; returns the user name."""
    username = f"kiemtra-{uuid.uuid4().hex[:8]}"
    with engine_of(app).begin() as conn:
        conn.execute(insert(_u).values(username=username, full_name="Đỗ Thị Kiểm Tra Cơ Sở", role="auditor", org_id=org_id,
                                       password_hash=hash_password(DEMO_PASSWORD), active=True))
    return username


def admitted(browser: Browser, name: str) -> int:
    """A new dossier of the signed-in branch secretary, admitted to the sympathiser list: two log entries."""
    dossier_id = browser.add_source(name)
    page = browser.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    helper = page.split('name="admit_to_sympathiser_list-helper_member_id"', 1)[1].split('<option value="', 2)[2].split('"', 1)[0]
    moved = browser.post(f"/dossiers/{dossier_id}/act/admit_to_sympathiser_list", {
        "version": "1", "admit_to_sympathiser_list-decided_on": date.today().strftime("%d/%m/%Y"),
        "admit_to_sympathiser_list-helper_member_id": helper})
    assert moved.status_code == 302
    return dossier_id


# -- who may look --------------------------------------------------------------------------------


def test_only_auditors_open_the_audit_pages(app: Flask, login: Callable[[str], Browser], browser: Browser) -> None:
    dossier_id = log_entries(app)[0]["dossier_id"]
    urls = ["/audit/", "/audit/log", "/audit/anomalies", "/audit/access", f"/audit/dossiers/{dossier_id}",
            f"/audit/dossiers/{dossier_id}/export.csv", "/audit/log/export.jsonl"]
    for username in ("chiuy", "danguy", "bantochuc", "admin"):
        user = login(username)
        assert {url: user.get(url, buffered=True).status_code for url in urls} == dict.fromkeys(urls, 403), username
    assert all(browser.get(url, buffered=True).status_code == 302 for url in urls), "signed out: to the sign-in page"
    auditor = login("kiemtra")
    assert [auditor.get(url).status_code for url in urls[1:5]] == [200] * 4


# -- the log search ------------------------------------------------------------------------------


def test_the_log_search_shows_the_newest_entries_matching_each_filter(app: Flask, login: Callable[[str], Browser]) -> None:
    secretary = login("chiuy")
    mine = admitted(secretary, "Vũ Thị Tìm Nhật Ký")
    auditor = login("kiemtra")
    entries = log_entries(app)
    month = entries[len(entries) // 2]["at"].astimezone(LOCAL_TZ).date().replace(day=1)
    month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    judged = lambda rule, statuses: lambda e: any(r["rule_id"] == rule and r["status"] in statuses for r in e["rule_results"])  # noqa: E731
    cases: list[tuple[str, Callable[[dict[str, Any]], bool]]] = [
        ("", lambda e: True),
        ("trigger=admit_to_sympathiser_list", lambda e: e["trigger"] == "admit_to_sympathiser_list"),
        ("rule=R-HELP-1", judged("R-HELP-1", ("passed", "warning", "failed"))),
        ("rule=R-BIO-1&flagged=1", judged("R-BIO-1", ("warning", "failed"))),
        ("actor=nguyen+van+chi", lambda e: e["actor_name"] == "Nguyễn Văn Chi"),
        (f"from={month:%d/%m/%Y}&to={month_end:%d/%m/%Y}",
         lambda e: local_day(month) <= e["at"] < local_day(month_end + timedelta(days=1))),
        (f"trigger=register_source&actor=TRẦN+THỊ+ĐẢNG&from={month:%d/%m/%Y}",
         lambda e: e["trigger"] == "register_source" and e["actor_name"] == "Trần Thị Đảng" and e["at"] >= local_day(month)),
    ]
    for query, keep in cases:
        expected = keys([e for e in entries if keep(e)])
        page = auditor.get(f"/audit/log?{query}")
        assert page.status_code == 200, query
        html = page.get_data(as_text=True)
        assert rows_of(html) == expected[:50], query
        older = re.search(r'<a rel="next" href="([^"]+)"', html)
        assert (older is not None) == (len(expected) > 50), query
        if older:
            assert rows_of(auditor.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)) == expected[50:100], query
    assert keys(entries[:2]) == [(mine, 2), (mine, 1)], "the newest entries are the ones just made"
    assert (mine, 2) in rows_of(auditor.get("/audit/log?actor=nguyen+van+chi").get_data(as_text=True))


def test_the_log_search_names_what_it_cannot_read(app: Flask, login: Callable[[str], Browser]) -> None:
    auditor = login("kiemtra")
    for query, field in [("from=31/02/2024", "from"), ("to=2024-13-01", "to"), ("from=02/03/2024&to=01/03/2024", "to"),
                         ("trigger=fly_away", "trigger"), ("rule=R-NOPE-1", "rule"), ("flagged=1", "rule"), ("org=abc", "org")]:
        page = auditor.get(f"/audit/log?{query}")
        html = page.get_data(as_text=True)
        assert page.status_code == 422, query
        assert f'<p class="error" id="{field}-error">' in html and 'aria-invalid="true"' in html, query
        assert not rows_of(html), "nothing searched"


def test_an_auditor_of_a_grassroots_organisation_sees_only_its_log(app: Flask, login: Callable[[str], Browser],
                                                                    demo_user: Callable[[str], dict[str, Any]]) -> None:
    grassroots = demo_user("danguy")["org_id"]
    inside = subtree(app, grassroots)
    auditor = login(add_auditor(app, grassroots))
    entries = log_entries(app)
    expected = keys([e for e in entries if e["branch_id"] in inside])
    html = auditor.get("/audit/log?per_page=200").get_data(as_text=True)
    assert rows_of(html) == expected[:200] and expected
    outside = next(e for e in entries if e["branch_id"] not in inside)
    assert auditor.get(f"/audit/dossiers/{outside['dossier_id']}").status_code == 404
    assert auditor.get(f"/audit/dossiers/{outside['dossier_id']}/export.csv").status_code == 404
    assert auditor.get(f"/audit/log/export.csv?org={outside['branch_id']}").status_code == 404
    assert auditor.get("/audit/log/export.csv?org=abc").status_code == 404
    assert auditor.get(f"/audit/log?org={outside['branch_id']}").status_code == 422
    branch = demo_user("chiuy")["org_id"]
    in_branch = keys([e for e in entries if e["branch_id"] == branch])
    assert rows_of(auditor.get(f"/audit/log?org={branch}&per_page=200").get_data(as_text=True)) == in_branch[:200]


# -- the audited timeline ------------------------------------------------------------------------


@contextmanager
def log_unlocked(conn: Connection) -> Iterator[None]:
    """The append-only triggers of transition_log out of the way inside this transaction, put back after."""
    if conn.dialect.name == "sqlite":
        create = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'transition_log_no_update'").scalar_one()
        conn.exec_driver_sql("DROP TRIGGER transition_log_no_update")
        yield
        conn.exec_driver_sql(create)
    else:
        conn.exec_driver_sql("ALTER TABLE transition_log DISABLE TRIGGER transition_log_no_change")
        yield
        conn.exec_driver_sql("ALTER TABLE transition_log ENABLE TRIGGER transition_log_no_change")


def set_actor_name(app: Flask, dossier_id: int, seq: int, name: str) -> str:
    """Overwrite an entry's actor name with direct SQL; returns the name it had."""
    where = (_t.c.dossier_id == dossier_id, _t.c.seq == seq)
    with engine_of(app).begin() as conn:
        before = conn.execute(select(_t.c.actor_name).where(*where)).scalar_one()
        with log_unlocked(conn):
            conn.execute(update(_t).where(*where).values(actor_name=name))
    return str(before)


def test_the_timeline_shows_the_chain_intact_then_the_entry_tampered_with(app: Flask, login: Callable[[str], Browser]) -> None:
    dossier_id = admitted(login("chiuy"), "Lê Thị Chuỗi Băm")
    auditor = login("kiemtra")
    intact = auditor.get(f"/audit/dossiers/{dossier_id}").get_data(as_text=True)
    stored = [e for e in log_entries(app) if e["dossier_id"] == dossier_id]
    assert '<div class="flash success" role="status" id="chain-status">' in intact
    assert 'class="late"' not in intact
    with engine_of(app).connect() as conn:
        hashes = conn.execute(select(_t.c.hash).where(_t.c.dossier_id == dossier_id).order_by(_t.c.seq)).scalars().all()
    assert len(stored) == 2 and all(f"<code>{h}</code>" in intact for h in hashes)
    original = set_actor_name(app, dossier_id, 1, "Người Sửa Trộm")
    try:
        broken = auditor.get(f"/audit/dossiers/{dossier_id}").get_data(as_text=True)
    finally:
        set_actor_name(app, dossier_id, 1, original)
    assert '<div class="flash error" role="alert" id="chain-status">' in broken
    assert '<tr id="entry-1" class="late" aria-describedby="chain-status">' in broken
    assert '<tr id="entry-2">' in broken and "Người Sửa Trộm" in broken
    assert '<div class="flash success" role="status" id="chain-status">' in auditor.get(f"/audit/dossiers/{dossier_id}").get_data(as_text=True)


# -- anomalies -----------------------------------------------------------------------------------


def reworked_dossier(app: Flask, demo_user: Callable[[str], dict[str, Any]]) -> int:
    """A dossier of chiuy's branch whose biography was declared, then returned and declared again three times, late."""
    secretary = demo_user("chiuy")
    branch = secretary["org_id"]
    with app.app_context():
        engine, wf = services().engine, services().workflow
    with engine.connect() as conn:
        officials = conn.execute(select(_m.c.id).where(_m.c.branch_id == branch, _m.c.status == "official").order_by(_m.c.id).limit(3)).scalars().all()
        parent = conn.execute(select(_o.c.parent_id).where(_o.c.id == branch)).scalar_one()
    today = local_today()
    steps = dict(happy_path(today - timedelta(days=400), officials[0], (officials[1], officials[2]), parent, "standing_committee", wf.calendar))
    actor = Actor(secretary["id"], secretary["full_name"], ALL_ROLES)
    subject = load_candidate({"full_name": "Hoàng Văn Làm Lại", "date_of_birth": "1999-09-09", "gender": "male",
                              "education": "upper_secondary"})
    opened = open_dossier(SqlUnitOfWork(engine, wf), wf, subject, branch, steps["register_source"], actor, today=today)
    assert opened.change is not None
    dossier_id = opened.change.dossier_id
    for trigger in ("admit_to_sympathiser_list", "nominate_for_training", "record_training_certificate", "submit_application",
                    "declare_biography"):
        assert advance(SqlUnitOfWork(engine, wf), wf, dossier_id, trigger, steps[trigger], actor, None, today=today).applied, trigger
    day = date.fromisoformat(steps["declare_biography"]["declared_on"])
    for _round in range(3):
        day += timedelta(days=3)
        back = {"returned_on": day.isoformat(), "target_state": "applied", "reason": "Khai thiếu quá trình công tác"}
        assert advance(SqlUnitOfWork(engine, wf), wf, dossier_id, "return_for_rework", back, actor, None, today=today).applied
        day += timedelta(days=30)  # well past 20 working days after the application: R-SLA-1 warns
        again = {**steps["declare_biography"], "declared_on": day.isoformat()}
        assert advance(SqlUnitOfWork(engine, wf), wf, dossier_id, "declare_biography", again, actor, None, today=today).applied
    return dossier_id


def section(html: str, heading_id: str) -> str:
    return html.split(f'aria-labelledby="{heading_id}"', 1)[1].split("</section>", 1)[0]


def test_anomalies_list_a_dossier_returned_three_times_and_declared_four_times(
        app: Flask, login: Callable[[str], Browser], demo_user: Callable[[str], dict[str, Any]]) -> None:
    dossier_id = reworked_dossier(app, demo_user)
    html = login("kiemtra").get("/audit/anomalies").get_data(as_text=True)
    link = f'<a href="/audit/dossiers/{dossier_id}">'
    rework, declared, late = section(html, "rework-h"), section(html, "declared-h"), section(html, "late-h")
    assert re.search(rf'{re.escape(link)}[^<]*</a>\s*\(<a[^>]*>[^<]*</a>\)</td><td>[^<]*</td><td>3</td>', rework), rework[:1500]
    assert re.search(rf'{re.escape(link)}[^<]*</a>\s*\(<a[^>]*>[^<]*</a>\)</td><td>[^<]*</td><td>4</td>', declared), declared[:1500]
    assert late.count(f'href="/audit/dossiers/{dossier_id}#entry-') == 3, "three late declarations, newest first"
    assert 'href="/audit/log?rule=R-SLA-1&amp;flagged=1"' in late


def test_anomalies_count_the_dossiers_waiting_past_their_deadline(app: Flask, login: Callable[[str], Browser]) -> None:
    today = local_today()
    with app.app_context():
        wf = services().workflow
    with engine_of(app).connect() as conn:
        waiting = conn.execute(select(_d.c.state, _d.c.state_since).where(_d.c.state.in_(("admission_decided", "probationary")))).all()
    expected = {state: sum(1 for s, since in waiting if s == state and is_overdue(s, since, today, wf.params, wf.calendar))
                for state in ("admission_decided", "probationary")}
    auditor = login("kiemtra")
    auditor.get("/lang/en")
    overdue = section(auditor.get("/audit/anomalies").get_data(as_text=True), "overdue-h")
    shown = {state: int(n) for state, n in re.findall(r"(Admission decided|Probationary member)[^<]*<strong>(\d+)</strong>", overdue)}
    assert shown == {"Admission decided": expected["admission_decided"], "Probationary member": expected["probationary"]}, overdue[:1500]
    assert sum(expected.values()) > 0, "the demo has late dossiers"


# -- the access log and exports ------------------------------------------------------------------


def test_the_access_log_lists_a_view_made_just_before(app: Flask, login: Callable[[str], Browser],
                                                      demo_user: Callable[[str], dict[str, Any]]) -> None:
    secretary = login("chiuy")
    dossier_id = secretary.add_source("Trương Thị Được Xem")
    assert secretary.get(f"/dossiers/{dossier_id}").status_code == 200
    chiuy = demo_user("chiuy")["id"]
    auditor = login("kiemtra")
    today = local_today().strftime("%d/%m/%Y")  # the access log's days are Việt Nam's
    html = auditor.get(f"/audit/access?dossier={dossier_id}&user={chiuy}&action=view_dossier&from={today}&to={today}").get_data(as_text=True)
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == 1, rows
    assert "Nguyễn Văn Chi" in rows and "Xem hồ sơ" in rows and f'href="/audit/dossiers/{dossier_id}"' in rows
    other_action = auditor.get(f"/audit/access?dossier={dossier_id}&action=export_org_log").get_data(as_text=True)
    assert other_action.split("<tbody>", 1)[1].count("<tr>") == 1 and 'colspan="7"' in other_action, "no match: one empty row"
    bad = auditor.get("/audit/access?dossier=abc&user=999999999&from=1/13/2024")
    assert bad.status_code == 422
    assert all(f'id="{name}-error"' in bad.get_data(as_text=True) for name in ("dossier", "user", "from"))


def access_records(app: Flask, user_id: int) -> list[tuple[str, int | None, int | None, dict[str, Any]]]:
    with engine_of(app).connect() as conn:
        rows = conn.execute(select(_a.c.action, _a.c.dossier_id, _a.c.org_id, _a.c.detail).where(_a.c.user_id == user_id)
                            .order_by(_a.c.id)).all()
    return [(a, d, o, json.loads(x) if isinstance(x, str) else x) for a, d, o, x in rows]


def test_exports_download_with_their_type_carry_the_hashes_and_are_recorded(
        app: Flask, login: Callable[[str], Browser], demo_user: Callable[[str], dict[str, Any]], tmp_path: Any) -> None:
    dossier_id = admitted(login("chiuy"), "Phan Văn Xuất Khẩu")
    branch = demo_user("chiuy")["org_id"]
    kiemtra = demo_user("kiemtra")["id"]
    auditor = login("kiemtra")
    before = len(access_records(app, kiemtra))
    # buffered: a streamed body is read before the next request, as a browser would (stream_with_context)
    as_csv = auditor.get(f"/audit/dossiers/{dossier_id}/export.csv", buffered=True)
    as_jsonl = auditor.get(f"/audit/dossiers/{dossier_id}/export.jsonl", buffered=True)
    of_branch = auditor.get(f"/audit/log/export.jsonl?org={branch}", buffered=True)
    of_all = auditor.get("/audit/log/export.csv", buffered=True)
    assert as_csv.mimetype == "text/csv" and as_jsonl.mimetype == "application/jsonl"
    assert as_csv.headers["Content-Disposition"] == f'attachment; filename="nhat-ky-ho-so-{dossier_id}.csv"'
    with engine_of(app).connect() as conn:
        hashes = conn.execute(select(_t.c.hash).where(_t.c.dossier_id == dossier_id).order_by(_t.c.seq)).scalars().all()
        in_branch = conn.execute(select(func.count()).select_from(_t.join(_d, _d.c.id == _t.c.dossier_id))
                                 .where(_d.c.branch_id == branch)).scalar_one()
        everything = conn.execute(select(func.count()).select_from(_t)).scalar_one()
    text = as_csv.get_data(as_text=True)
    assert text.startswith("\ufeff")
    assert [row["hash"] for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))] == hashes
    assert [json.loads(line)["hash"] for line in as_jsonl.get_data(as_text=True).splitlines()] == hashes
    assert len(of_branch.get_data(as_text=True).splitlines()) == in_branch
    whole = of_all.get_data(as_text=True)
    assert whole.count("\ufeff") == 1 and whole.count("prev_hash") == 1, "one opening, however many batches"
    exported = tmp_path / "log.csv"
    exported.write_text(whole.removeprefix("\ufeff"), encoding="utf-8-sig")
    report = verify_file(exported)
    assert report.entries == everything > 500 and report.ok, "more entries than one batch of the stream, all verified"
    assert access_records(app, kiemtra)[before:] == [
        ("export_dossier_log", dossier_id, branch, {"format": "csv"}),
        ("export_dossier_log", dossier_id, branch, {"format": "jsonl"}),
        ("export_org_log", None, branch, {"format": "jsonl"}),
        ("export_org_log", None, demo_user("kiemtra")["org_id"], {"format": "csv"}),
    ]
    assert auditor.get(f"/audit/dossiers/{dossier_id}/export.xml").status_code == 404


# -- statements per page -------------------------------------------------------------------------


def test_the_audit_pages_send_as_many_statements_for_many_rows_as_for_few(app: Flask, login: Callable[[str], Browser],
                                                                         demo_user: Callable[[str], dict[str, Any]]) -> None:
    auditor = login("kiemtra")
    for url in ("/audit/log?per_page={n}", "/audit/log?per_page={n}&rule=R-HELP-1", "/audit/access?per_page={n}",
                f"/audit/log?per_page={{n}}&org={demo_user('danguy')['org_id']}&actor=tran"):
        few, few_html = count(app, auditor, url.format(n=3))
        many, many_html = count(app, auditor, url.format(n=40))
        print(f"{url}: {few} statements for 3 rows, {many} for 40")
        assert few_html.count("<tr") < many_html.count("<tr")
        assert few == many <= 25, url
    entries = log_entries(app)
    lengths: dict[int, int] = {}
    for e in entries:
        lengths[e["dossier_id"]] = lengths.get(e["dossier_id"], 0) + 1
    short = min(lengths, key=lambda d: (lengths[d], d))
    long = max(lengths, key=lambda d: (lengths[d], -d))
    assert lengths[long] >= lengths[short] + 5
    short_n, _short_html = count(app, auditor, f"/audit/dossiers/{short}")
    long_n, _long_html = count(app, auditor, f"/audit/dossiers/{long}")
    assert short_n == long_n <= 25
    whole, _html = count(app, auditor, "/audit/anomalies")
    one_branch, _html = count(app, auditor, f"/audit/anomalies?org={demo_user('chiuy')['org_id']}")
    assert whole == one_branch <= 25
