"""The import page: a file checked or imported through the form (CSRF, multipart), the report shown, the templates.

The demo database is shared: each test's people have citizen IDs of their own (a counter, the province
code 096 no other test uses).
"""

from __future__ import annotations

import html
import io
import itertools
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import func, select

from ketnap import source_file
from ketnap.db.models import AccessLog, Candidate, Dossier, Organisation, User, table_of
from ketnap.engine.service import local_today
from ketnap.webui import imports, services
from ketnap.workflows.citizen_id import make_citizen_id

Login = Callable[[str], Any]
_c, _d, _o, _u, _a = table_of(Candidate), table_of(Dossier), table_of(Organisation), table_of(User), table_of(AccessLog)
_serials = itertools.count(1)


def engine_of(app: Flask) -> Any:
    with app.app_context():
        return services().engine


def branch_code(app: Flask, username: str) -> str:
    with engine_of(app).connect() as conn:
        org = conn.execute(select(_u.c.org_id).where(_u.c.username == username)).scalar_one()
        return str(conn.execute(select(_o.c.code).where(_o.c.id == org)).scalar_one())


def a_file(code: str, *bad: dict[str, str]) -> tuple[bytes, list[str]]:
    """Two good rows in `code`'s branch, then the `bad` ones (cells overriding a good row); and the citizen IDs."""
    rows, numbers = [], []
    for override in ({}, {}, *bad):
        number = make_citizen_id(date(2000, 1, 2), "male", next(_serials), "096")
        numbers.append(number)
        cells = {"Họ và tên": f"Lò Văn Nhập {number[-4:]}", "Ngày sinh": "02/01/2000", "Giới tính": "Nam", "Số CCCD": number,
                 "Trình độ học vấn": "Đại học", "Chi bộ": code, "Ngày vào nguồn": f"{local_today():%d/%m/%Y}", **override}
        rows.append(cells)
    titles = list(rows[0])
    text = "\n".join([";".join(titles)] + [";".join(row[t] for t in titles) for row in rows]) + "\n"
    return text.encode(), numbers


def upload(browser: Any, data: bytes, action: str, name: str = "nguon.csv", **extra: Any) -> Any:
    browser.get("/import")
    return browser.post("/import", {"file": (io.BytesIO(data), name), "action": action, **extra}, content_type="multipart/form-data")


def registered(app: Flask, numbers: list[str]) -> int:
    with engine_of(app).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(_c).where(_c.c.citizen_id.in_(numbers))).scalar_one())


def text_of(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("username", ["chiuy", "danguy"])
def test_the_page_offers_the_form_the_templates_and_the_columns(login: Login, username: str) -> None:
    page = text_of(login(username).get("/import"))
    assert 'enctype="multipart/form-data"' in page and 'name="csrf_token"' in page and 'type="file"' in page
    assert 'value="check"' in page and 'value="import"' in page
    assert 'href="/import/template.xlsx"' in page and 'href="/import/template.csv"' in page
    assert "Số CCCD" in page and "citizen_id" in page and "Tốt nghiệp trung học phổ thông" in page
    assert 'href="/import"' in text_of(login(username).get("/dossiers/new"))  # the menu and the new-source page link to it


@pytest.mark.parametrize("username", ["kiemtra", "bantochuc", "admin"])
def test_other_roles_may_not_import(login: Login, username: str) -> None:
    browser = login(username)
    assert browser.get("/import").status_code == 403
    assert browser.get("/import/template.xlsx").status_code == 403
    assert 'href="/import"' not in text_of(browser.get("/procedure"))


def test_a_check_shows_every_problem_with_its_line_and_column_and_saves_nothing(app: Flask, login: Login) -> None:
    data, numbers = a_file(branch_code(app, "chiuy"), {"Giới tính": "?"}, {"Số CCCD": "123", "Ngày sinh": "31/02/2000"})
    for action in ("check", "import"):
        response = upload(login("chiuy"), data, action)
        assert response.status_code == 422
        page = text_of(response)
        cells = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td>', page.split('class="compact import-errors"')[1])
        assert cells == [("4", "Giới tính"), ("5", "Ngày sinh"), ("5", "Số CCCD")]
        assert "Chưa ghi gì: tệp có 3 lỗi. Hãy sửa rồi nhập lại." in page
    assert registered(app, numbers) == 0


def test_a_checked_file_is_then_imported_with_links_to_the_dossiers(app: Flask, login: Login) -> None:
    browser = login("chiuy")
    data, numbers = a_file(branch_code(app, "chiuy"))
    checked = upload(browser, data, "check")
    assert checked.status_code == 200 and registered(app, numbers) == 0
    assert text_of(checked).count("status-new") == 2
    done = upload(browser, data, "import")
    assert done.status_code == 200 and registered(app, numbers) == 2
    links = re.findall(r'href="/dossiers/(\d+)"', text_of(done))
    with engine_of(app).connect() as conn:
        dossiers = {row.id for row in conn.execute(select(_d.c.id).join(_c, _c.c.id == _d.c.candidate_id).where(_c.c.citizen_id.in_(numbers)))}
        recorded = conn.execute(select(_a.c.detail, _a.c.remote_addr).where(_a.c.action == "import_sources").order_by(_a.c.id.desc())).first()
    assert set(map(int, links)) == dossiers and browser.get(f"/dossiers/{min(dossiers)}").status_code == 200
    assert recorded is not None and (recorded.detail["created"], recorded.detail["via"]) == (2, "web")
    again = upload(browser, data, "import")
    assert again.status_code == 200 and text_of(again).count("status-unchanged") == 2 and registered(app, numbers) == 2


def test_without_the_csrf_token_nothing_is_read(app: Flask, login: Login) -> None:
    data, numbers = a_file(branch_code(app, "chiuy"))
    browser = login("chiuy")
    response = browser.post("/import", {"file": (io.BytesIO(data), "nguon.csv"), "action": "import"}, csrf=False,
                            content_type="multipart/form-data")
    assert response.status_code == 400 and registered(app, numbers) == 0


def test_no_file_chosen_is_said(login: Login) -> None:
    response = login("danguy").post("/import", {"action": "check"}, content_type="multipart/form-data")
    assert response.status_code == 422 and 'role="alert"' in text_of(response)


def test_a_file_over_the_limit_is_refused_whole(app: Flask, login: Login, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (imports, source_file):
        monkeypatch.setattr(module, "MAX_BYTES", 1000)
    data, numbers = a_file(branch_code(app, "chiuy"), *({} for _ in range(20)))
    response = upload(login("chiuy"), data, "import")
    assert response.status_code == 422 and registered(app, numbers) == 0
    assert "(the file is larger than 0 MB: split it)" in text_of(response) and 'type="file"' in text_of(response)


def test_the_templates_carry_the_users_branch(app: Flask, login: Login) -> None:
    code = branch_code(app, "chiuy")
    browser = login("chiuy")
    xlsx = browser.get("/import/template.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True).worksheets[0]
    header, example = list(sheet.iter_rows(values_only=True))[:2]
    assert "Số CCCD *" in header and code in example
    csv = browser.get("/import/template.csv")
    assert csv.data.startswith(b"\xef\xbb\xbf") and code in csv.data.decode("utf-8-sig")
    assert browser.get("/import/template.pdf").status_code == 404
