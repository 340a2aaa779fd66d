"""The board's report pages, downloads and printable version, the targets form, and the dashboard's cards.

Targets are set through the form by the demo's superior board (bantochuc), for a year of their own
per test (2031, 2032 …) so the shared demo database keeps the tests independent.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import func, select

from ketnap.db.models import AccessLog, MembershipCount, Organisation, Target, User, table_of
from ketnap.engine.service import local_today
from ketnap.reports.format import date_line
from ketnap.webui import services

Login = Callable[[str], Any]
_o, _u, _t, _m, _a = table_of(Organisation), table_of(User), table_of(Target), table_of(MembershipCount), table_of(AccessLog)
KINDS = ("progress", "structure", "funnel", "deadlines", "reviews")


def text_of(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def org_of(app: Flask, username: str) -> int:
    with services_engine(app).connect() as conn:
        return int(conn.execute(select(_u.c.org_id).where(_u.c.username == username)).scalar_one())


def children_of(app: Flask, org_id: int) -> list[tuple[int, str]]:
    with services_engine(app).connect() as conn:
        return [(r.id, r.name) for r in conn.execute(select(_o.c.id, _o.c.name).where(_o.c.parent_id == org_id).order_by(_o.c.id))]


def services_engine(app: Flask) -> Any:
    with app.app_context():
        return services().engine


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("username", ["bantochuc", "danguy", "chiuy", "kiemtra"])
def test_every_report_renders_for_every_reader(login: Login, kind: str, username: str) -> None:
    response = login(username).get(f"/reports?kind={kind}&period=2026")
    assert response.status_code == 200
    page = text_of(response)
    assert 'class="list report"' in page and "năm 2026" in page
    assert f'href="/reports/{kind}.xlsx?' in page.replace("&amp;", "&")


def test_the_progress_report_lists_the_children_with_a_chart(app: Flask, login: Login) -> None:
    board = org_of(app, "bantochuc")
    page = text_of(login("bantochuc").get(f"/reports?kind=progress&org={board}&period=2026"))
    table = page.split('id="table-by_org"', 1)[1].split("</table>", 1)[0]
    names = [name for _id, name in children_of(app, board)]
    assert names and all(name in table for name in names)
    assert page.count("<svg") >= 2  # per organisation, per month
    assert "Đã kết nạp / chỉ tiêu 2026" in page


def test_an_organisation_outside_the_scope_is_not_found(app: Flask, login: Login) -> None:
    board = org_of(app, "bantochuc")
    with services_engine(app).connect() as conn:
        outside = conn.execute(select(_o.c.id).where(_o.c.parent_id.is_not(None), _o.c.id != board,
                                                     _o.c.level_code == "commune")).scalar()
    assert outside is not None
    assert login("bantochuc").get(f"/reports?kind=progress&org={outside}").status_code == 404
    assert login("bantochuc").get(f"/reports/progress.xlsx?org={outside}").status_code == 404
    assert login("admin").get("/reports").status_code == 403


def test_a_bad_period_is_named_and_the_year_shown(login: Login) -> None:
    page = text_of(login("bantochuc").get("/reports?kind=progress&period=2026-Q5"))
    assert "Kỳ báo cáo '2026-Q5' không hợp lệ" in page


def test_the_excel_download_is_a_workbook_and_is_recorded(app: Flask, login: Login) -> None:
    board = org_of(app, "bantochuc")
    with services_engine(app).connect() as conn:
        before = conn.execute(select(func.count()).select_from(_a).where(_a.c.action == "export_report")).scalar_one()
    response = login("bantochuc").get(f"/reports/progress.xlsx?org={board}&period=2026")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"bao-cao-progress-{board}-2026.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("Tiến độ kết nạp" in c for c in cells)
    assert any(name in cells for _id, name in children_of(app, board))
    assert "T/M BAN THƯỜNG VỤ" in cells and "NGƯỜI LẬP BIỂU" in cells  # a commune committee's standing committee signs
    with services_engine(app).connect() as conn:
        rows = conn.execute(select(_a.c.detail, _a.c.org_id).where(_a.c.action == "export_report").order_by(_a.c.id.desc())).all()
    assert len(rows) == before + 1
    assert rows[0].org_id == board and rows[0].detail["format"] == "xlsx" and rows[0].detail["period"] == "2026"


def test_the_csv_download_opens_in_excel(login: Login) -> None:
    response = login("danguy").get("/reports/funnel.csv?period=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff") and "Nguồn phát triển đảng" in text


def test_the_printable_report_has_the_party_header_and_a_signature(login: Login) -> None:
    page = text_of(login("bantochuc").get("/reports?kind=progress&period=2026&print=1"))
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in page and 'class="signature"' in page and "Lê Văn Tổ" in page
    assert "T/M BAN THƯỜNG VỤ" in page and "(Ký, đóng dấu)" in page
    assert date_line(local_today()) in page  # "ngày 23 tháng 11 năm 2026", as in the Excel file
    assert '<nav aria-label' not in page  # no menu on paper


# -- targets ---------------------------------------------------------------------------------------


def targets_of(app: Flask, period: str) -> dict[tuple[int, str], int]:
    with services_engine(app).connect() as conn:
        return {(r.org_id, r.category): r.value for r in conn.execute(select(_t).where(_t.c.period == period))}


def test_the_board_sets_targets_and_the_progress_report_counts_against_them(app: Flask, login: Login) -> None:
    board = org_of(app, "bantochuc")
    children = children_of(app, board)
    browser = login("bantochuc")
    form = browser.get(f"/targets?org={board}&period=2031")
    assert form.status_code == 200
    data = {"org": str(board), "period": "2031", **{f"t-{child}-total": "7" for child, _name in children},
            f"t-{children[0][0]}-women": "3", f"m-{children[0][0]}": "250"}
    response = browser.post("/targets", data)
    assert response.status_code == 302
    saved = targets_of(app, "2031")
    assert {k: v for k, v in saved.items() if k[1] == "total"} == {(child, "total"): 7 for child, _name in children}
    assert saved[(children[0][0], "women")] == 3
    with services_engine(app).connect() as conn:
        assert conn.execute(select(_m.c.members).where(_m.c.org_id == children[0][0], _m.c.year == 2031)).scalar_one() == 250
    page = text_of(browser.get(f"/reports?kind=progress&org={board}&period=2031"))
    expected = 7 * len(children)
    assert f"0/{expected} = 0,00%" in page


def test_one_bad_cell_saves_nothing_and_is_named(app: Flask, login: Login) -> None:
    board = org_of(app, "bantochuc")
    children = children_of(app, board)
    browser = login("bantochuc")
    browser.get(f"/targets?org={board}&period=2032")
    bad = f"t-{children[1][0]}-youth"
    response = browser.post("/targets", {"org": str(board), "period": "2032", f"t-{children[0][0]}-total": "5", bad: "năm"})
    assert response.status_code == 422
    page = text_of(response)
    assert re.search(rf'class="invalid">\s*<input name="{bad}"', page)
    assert "'năm' phải là số nguyên" in page
    assert 'value="5"' in page  # what was typed is kept
    assert targets_of(app, "2032") == {}


def test_only_the_level_above_sets_targets(app: Flask, login: Login) -> None:
    assert login("chiuy").get("/targets").status_code == 403
    assert login("kiemtra").get("/targets").status_code == 403
    branch = org_of(app, "chiuy")
    assert login("bantochuc").get(f"/targets?org={branch}").status_code == 404  # a branch has nothing below it


def test_a_term_has_no_membership_column(app: Flask, login: Login) -> None:
    board = org_of(app, "bantochuc")
    page = text_of(login("bantochuc").get(f"/targets?org={board}&period=2025-2030"))
    assert 'name="t-' in page and 'name="m-' not in page


def test_the_dashboard_shows_due_soon_and_unreviewed_branches(login: Login) -> None:
    page = text_of(login("danguy").get("/"))
    assert 'id="due-soon"' in page and 'id="unreviewed"' in page


def settings_of(app: Flask, org_id: int) -> dict[str, Any]:
    with services_engine(app).connect() as conn:
        return dict(conn.execute(select(_o.c.settings).where(_o.c.id == org_id)).scalar_one() or {})


def test_the_board_sets_its_own_stage_limits_and_a_bad_one_changes_nothing(app: Flask, login: Login) -> None:
    board = org_of(app, "bantochuc")
    browser = login("bantochuc")
    browser.get(f"/targets?org={board}")
    response = browser.post("/targets/limits", {"org": str(board), "period": "2026", "sla_declaration_wd": "",
                                                "sla_verification_wd": "25"})
    assert response.status_code == 302
    assert settings_of(app, board)["params"] == {"sla_verification_wd": 25}
    page = text_of(browser.get(f"/targets?org={board}"))
    assert 'id="sla_verification_wd" name="sla_verification_wd" inputmode="numeric" size="6" value="25"' in page
    response = browser.post("/targets/limits", {"org": str(board), "sla_declaration_wd": "mười", "sla_verification_wd": "25"})
    assert "'mười' phải là số nguyên dương" in text_of(browser.get(response.headers["Location"]))
    assert settings_of(app, board)["params"] == {"sla_verification_wd": 25}
    browser.post("/targets/limits", {"org": str(board), "sla_declaration_wd": "", "sla_verification_wd": ""})
    assert "params" not in settings_of(app, board)


def test_stage_limits_outside_the_scope_or_by_a_branch_are_refused(app: Flask, login: Login) -> None:
    board = org_of(app, "bantochuc")
    with services_engine(app).connect() as conn:
        top = conn.execute(select(_o.c.id).where(_o.c.parent_id.is_(None))).scalar_one()
    browser = login("bantochuc")
    browser.get("/targets")
    assert browser.post("/targets/limits", {"org": str(top), "sla_verification_wd": "5"}).status_code == 404
    branch = login("chiuy")
    branch.get("/")
    assert branch.post("/targets/limits", {"org": str(board), "sla_verification_wd": "5"}).status_code == 403
    assert "params" not in settings_of(app, top)


def test_only_changed_cells_are_saved_and_recorded_and_an_emptied_cell_clears(app: Flask, login: Login) -> None:
    board = org_of(app, "bantochuc")
    first, second = [child for child, _name in children_of(app, board)][:2]
    browser = login("bantochuc")
    browser.get(f"/targets?org={board}&period=2033")
    assert browser.post("/targets", {"org": str(board), "period": "2033", f"t-{first}-total": "6", f"t-{second}-total": "4"}).status_code == 302
    assert targets_of(app, "2033") == {(first, "total"): 6, (second, "total"): 4}
    response = browser.post("/targets", {"org": str(board), "period": "2033", f"t-{first}-total": "6", f"t-{second}-total": ""})
    assert response.status_code == 302
    assert targets_of(app, "2033") == {(first, "total"): 6}
    with services_engine(app).connect() as conn:
        last = conn.execute(select(_a.c.detail, _a.c.user_name).where(_a.c.action == "set_targets").order_by(_a.c.id.desc())).first()
    assert last is not None and last.detail["cells"] == {f"t-{second}-total": ""} and last.user_name == "Lê Văn Tổ"


def test_a_stage_limit_beyond_a_year_of_working_days_is_refused(app: Flask, login: Login) -> None:
    board = org_of(app, "bantochuc")
    browser = login("bantochuc")
    browser.get(f"/targets?org={board}")
    before = settings_of(app, board)
    response = browser.post("/targets/limits", {"org": str(board), "sla_verification_wd": "3000000"})
    assert "tối đa 250" in text_of(browser.get(response.headers["Location"]))
    assert settings_of(app, board) == before
    assert login("danguy").get("/").status_code == 200
