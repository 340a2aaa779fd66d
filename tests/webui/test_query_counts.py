"""No N+1: how many SQL statements a page sends must not grow with the number of rows it shows.

Statements are counted at the driver, below SQLAlchemy: the dossier page reads its snapshot through
db.prepared, which runs statements straight on the DBAPI cursor, past SQLAlchemy's
`before_cursor_execute` event (a listener there would miss them). SQLite reports every statement
to a trace callback; on PostgreSQL every cursor the connection opens counts its `execute` calls.
Transaction control (BEGIN, COMMIT, ROLLBACK) is left out: it is not a query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from web_world import Browser

from ketnap.db.models import TransitionLog, table_of
from ketnap.webui import services

pytestmark = pytest.mark.db

CEILING = 25
CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
ROW_LINK = re.compile(r'<td><a href="/dossiers/\d+">')


def _watch(dbapi_connection: Any, seen: list[str]) -> Callable[[], None]:
    """Start recording the statements `dbapi_connection` runs into `seen`; returns how to stop."""
    if hasattr(dbapi_connection, "set_trace_callback"):  # sqlite3
        dbapi_connection.set_trace_callback(seen.append)
        return lambda: dbapi_connection.set_trace_callback(None)
    plain = dbapi_connection.cursor_factory  # psycopg

    class Recording(plain):  # type: ignore[misc, valid-type]
        def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(str(query))
            return super().execute(query, *args, **kwargs)

        def executemany(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(str(query))
            return super().executemany(query, *args, **kwargs)

    dbapi_connection.cursor_factory = Recording

    def stop() -> None:
        dbapi_connection.cursor_factory = plain

    return stop


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements (transaction control left out) sent on the engine's connections while the block runs."""
    seen: list[str] = []
    stops: dict[int, Callable[[], None]] = {}

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        stops[id(dbapi_connection)] = _watch(dbapi_connection, seen)

    def on_checkin(dbapi_connection: Any, _record: Any) -> None:
        stop = stops.pop(id(dbapi_connection), None)
        if stop is not None:
            stop()

    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "checkin", on_checkin)
    queries: list[str] = []
    try:
        yield queries
    finally:
        event.remove(engine, "checkout", on_checkout)
        event.remove(engine, "checkin", on_checkin)
        for stop in stops.values():
            stop()
        queries.extend(sql for sql in seen if not CONTROL.match(sql))


def engine_of(app: Flask) -> Engine:
    with app.app_context():
        return services().engine


def sent_by(app: Flask, browser: Browser, url: str) -> tuple[list[str], str]:
    """The statements GET `url` sends (asked once before, so caches are warm) and the page's HTML."""
    assert browser.get(url).status_code == 200
    with statements(engine_of(app)) as sent:
        response = browser.get(url)
    assert response.status_code == 200, url
    return sent, response.get_data(as_text=True)


def count(app: Flask, browser: Browser, url: str) -> tuple[int, str]:
    sent, html = sent_by(app, browser, url)
    return len(sent), html


@pytest.mark.parametrize("query", ["", "&q=van", "&sort=name", "&state=official&sort=since", "&overdue=1"])
def test_the_list_sends_as_many_statements_for_100_rows_as_for_5(app: Flask, login: Callable[[str], Browser], query: str) -> None:
    auditor = login("kiemtra")
    few, few_html = count(app, auditor, f"/dossiers?per_page=5{query}")
    many, many_html = count(app, auditor, f"/dossiers?per_page=100{query}")
    shown = (len(ROW_LINK.findall(few_html)), len(ROW_LINK.findall(many_html)))
    print(f"/dossiers?per_page=N{query}: {few} statements for {shown[0]} rows, {many} for {shown[1]} rows")
    assert shown[0] == 5 and shown[1] > 5
    assert 2 <= few == many <= CEILING


def test_the_dashboard_sends_as_many_statements_whoever_looks(app: Flask, login: Callable[[str], Browser]) -> None:
    counts = {}
    for username in ("chiuy", "danguy", "bantochuc"):  # roles that act: the dashboard lists what waits on them
        sent, html = count(app, login(username), "/")
        counts[username] = sent
        print(f"/ as {username}: {sent} statements, {html.count('<li><a href=')} dossiers listed")
    auditor, _html = count(app, login("kiemtra"), "/")
    print(f"/ as kiemtra (reads only, no 'waiting on you'): {auditor} statements")
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= CEILING and auditor <= CEILING


def _history_extremes(app: Flask) -> tuple[tuple[int, int], tuple[int, int]]:
    """(dossier ID, log entries) of a dossier with the shortest history and of one with the longest."""
    log = table_of(TransitionLog)
    entries = func.count().label("entries")
    query = select(log.c.dossier_id, entries).group_by(log.c.dossier_id)
    with engine_of(app).connect() as conn:
        shortest = conn.execute(query.order_by(entries, log.c.dossier_id).limit(1)).one()
        longest = conn.execute(query.order_by(entries.desc(), log.c.dossier_id).limit(1)).one()
    return (shortest[0], shortest[1]), (longest[0], longest[1])


def test_the_dossier_page_does_not_grow_with_its_history(app: Flask, login: Callable[[str], Browser]) -> None:
    (short_id, short_len), (long_id, long_len) = _history_extremes(app)
    assert long_len >= short_len + 5
    auditor = login("kiemtra")
    short_sent, short_html = sent_by(app, auditor, f"/dossiers/{short_id}")
    long_sent, long_html = sent_by(app, auditor, f"/dossiers/{long_id}")
    short, long = len(short_sent), len(long_sent)
    print(f"/dossiers/<id> as kiemtra: {short} statements for {short_len} log entries, {long} for {long_len}")
    assert short_html.count("<li>\n      <div><strong>") < long_html.count("<li>\n      <div><strong>")
    assert any("chain" in sql for sql in long_sent), "the snapshot's statements (db.prepared) were not counted"
    assert short == long <= CEILING


def test_the_dossier_page_sends_as_many_statements_for_three_step_forms_as_for_two(app: Flask, login: Callable[[str], Browser]) -> None:
    secretary = login("chiuy")
    fresh = secretary.add_source("Nguyễn Văn Đếm")  # a source: admit to the list, withdraw
    sent_two, html_two = count(app, secretary, f"/dossiers/{fresh}")
    listed = secretary.add_source("Trần Thị Đếm Tiếp")
    page = secretary.get(f"/dossiers/{listed}").get_data(as_text=True)
    helper = page.split('name="admit_to_sympathiser_list-helper_member_id"', 1)[1].split('<option value="', 2)[2].split('"', 1)[0]
    moved = secretary.post(f"/dossiers/{listed}/act/admit_to_sympathiser_list", {
        "version": "1", "admit_to_sympathiser_list-decided_on": date.today().strftime("%d/%m/%Y"),
        "admit_to_sympathiser_list-helper_member_id": helper})
    assert moved.status_code == 302
    sent_three, html_three = count(app, secretary, f"/dossiers/{listed}")  # nominate, certificate, withdraw
    two, three = html_two.count('<details class="action"'), html_three.count('<details class="action"')
    print(f"/dossiers/<id> as chiuy: {sent_two} statements with {two} step forms, {sent_three} with {three}")
    assert two < three
    assert sent_two == sent_three <= CEILING
