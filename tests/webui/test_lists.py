"""The branch lists: the sympathiser list with helpers and its monthly review, and the training-class lists.

Tests that change data add their own candidates; each review test uses a branch or a month of its own,
so the shared demo database leaves them independent of their order.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select

from ketnap.db.models import Organisation, SympathiserReview, table_of
from ketnap.engine.dates import add_months
from ketnap.engine.service import local_today
from ketnap.webui import services
from ketnap.webui.lists import period_of, recent_periods

Login = Callable[[str], Any]
_o = table_of(Organisation)
_r = table_of(SympathiserReview)


def vn(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def text_of(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def row_of(page: str, dossier_id: int) -> str:
    """The table row linking to the dossier."""
    found = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*href="/dossiers/{dossier_id}"(?:(?!</tr>).)*</tr>', page, re.S)
    assert found, f"dossier {dossier_id} not listed"
    return found.group(0)


def listed_ids(page: str) -> list[int]:
    """The dossiers in the sympathiser table, in order."""
    table = page.split('id="sympathisers"', 1)[1].split("</table>", 1)[0]
    return [int(i) for i in re.findall(r'href="/dossiers/(\d+)"', table)]


def admit(b: Any, dossier_id: int, decided_on: date) -> str:
    """Put a new source on the sympathiser list through the dossier page; returns the helper's name."""
    page = b.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    select_html = page.split('name="admit_to_sympathiser_list-helper_member_id"', 1)[1].split("</select>", 1)[0]
    helper_id, label = re.findall(r'<option value="(\d+)">([^<]+)</option>', select_html)[0]
    response = b.post(f"/dossiers/{dossier_id}/act/admit_to_sympathiser_list", {
        "version": "1", "admit_to_sympathiser_list-decided_on": vn(decided_on),
        "admit_to_sympathiser_list-helper_member_id": helper_id,
    })
    assert response.status_code == 302, text_of(response)[:3000]
    return html.unescape(label).rsplit(" (", 1)[0]


def review_count(app: Flask, branch_id: int) -> int:
    with app.app_context(), services().engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(_r).where(_r.c.branch_id == branch_id)).scalar_one()


def other_branch(app: Flask, not_under: int) -> int:
    """A branch outside the subtree of organisation `not_under` (its parent differs)."""
    with app.app_context(), services().engine.connect() as conn:
        parent = conn.execute(select(_o.c.parent_id).where(_o.c.id == not_under)).scalar_one()
        return conn.execute(
            select(_o.c.id).where(_o.c.level_code == "branch", _o.c.parent_id != parent).order_by(_o.c.id).limit(1)
        ).scalar_one()


def this_month_status(page: str) -> str:
    return page.split('id="this-month"', 1)[1].split("</p>", 1)[0]


def chooser_options(page: str) -> list[int]:
    """The branches offered by the page's branch chooser."""
    select_html = page.split('id="branch" name="branch"', 1)[1].split("</select>", 1)[0]
    return [int(i) for i in re.findall(r'<option value="(\d+)"', select_html)]


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = services_engine(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def services_engine(app: Flask) -> Any:
    with app.app_context():
        return services().engine


# -- the sympathiser list ----------------------------------------------------------------------


def test_sympathiser_admitted_through_the_ui_is_listed_with_its_helper(login: Login) -> None:
    b = login("chiuy")
    today = local_today()
    dossier_id = b.add_source("Lê Thị Cảm Tình", **{"r-registered_on": vn(today - timedelta(days=40))})
    helper = admit(b, dossier_id, today - timedelta(days=35))

    response = b.get("/lists/sympathisers")  # chiuy's scope is one branch: shown without choosing
    assert response.status_code == 200
    row = row_of(text_of(response), dossier_id)
    assert "Lê Thị Cảm Tình" in row
    assert helper in row
    assert vn(today - timedelta(days=35)) in row
    assert "Quần chúng cảm tình Đảng" in row
    assert re.search(r'<td class="num">1</td>', row), row  # 35 days: one completed month


def test_monthly_review_is_recorded_once(login: Login, demo_user: Callable[[str], dict[str, Any]], app: Flask) -> None:
    b = login("chiuy")
    branch_id = demo_user("chiuy")["org_id"]
    today = local_today()
    before = review_count(app, branch_id)
    listed = len(listed_ids(text_of(b.get(f"/lists/sympathisers?branch={branch_id}"))))

    first = b.post(f"/lists/sympathisers/{branch_id}/reviews",
                   {"period": period_of(today), "reviewed_on": vn(today), "note": "Rà soát lần một"})
    assert first.status_code == 302
    page = text_of(b.get(f"/lists/sympathisers?branch={branch_id}"))
    assert 'class="flash success" role="status"' in page
    status = this_month_status(page)
    assert f"{today:%m/%Y}" in status and vn(today) in status and "Nguyễn Văn Chi" in status and "badge late" not in status
    assert "Rà soát lần một" in page.split('id="reviews"', 1)[1]
    assert review_count(app, branch_id) == before + 1

    second = b.post(f"/lists/sympathisers/{branch_id}/reviews",
                    {"period": period_of(today), "reviewed_on": vn(today), "note": "Rà soát lần hai"})
    assert second.status_code == 302
    page = text_of(b.get(f"/lists/sympathisers?branch={branch_id}"))
    assert 'class="flash warning" role="status"' in page and 'class="flash success"' not in page
    assert "Rà soát lần hai" not in page
    assert review_count(app, branch_id) == before + 1
    with app.app_context(), services().engine.connect() as conn:
        stored = conn.execute(select(_r).where(_r.c.branch_id == branch_id, _r.c.period == period_of(today))).one()
    assert stored.note == "Rà soát lần một"
    assert stored.reviewed_by == demo_user("chiuy")["id"]
    assert stored.sympathiser_count == listed


def field_error(page: str, name: str) -> tuple[str, str]:
    """The label of the form field `name` and the error shown under it."""
    label = re.search(rf'<label for="{name}">([^<]+)</label>', page)
    error = re.search(rf'<p class="error" id="{name}-error">([^<]+)</p>', page)
    assert label and error, page[:3000]
    return label.group(1), error.group(1)


def test_review_dated_in_the_future_is_refused_naming_the_field(login: Login, demo_user: Callable[[str], dict[str, Any]],
                                                                  app: Flask) -> None:
    b = login("chiuy")
    branch_id = demo_user("chiuy")["org_id"]
    today = local_today()
    before = review_count(app, branch_id)
    response = b.post(f"/lists/sympathisers/{branch_id}/reviews",
                      {"period": period_of(today), "reviewed_on": vn(today + timedelta(days=10))})
    assert response.status_code == 422
    page = text_of(response)
    label, error = field_error(page, "reviewed_on")
    assert label in error and vn(today) in error
    assert 'aria-describedby="reviewed_on-error" aria-invalid="true"' in page
    assert review_count(app, branch_id) == before


def test_review_dated_before_the_month_reviewed_is_refused(login: Login, demo_user: Callable[[str], dict[str, Any]],
                                                           app: Flask) -> None:
    b = login("chiuy")
    branch_id = demo_user("chiuy")["org_id"]
    today = local_today()
    before = review_count(app, branch_id)
    day_before_month = date(today.year, today.month, 1) - timedelta(days=1)
    response = b.post(f"/lists/sympathisers/{branch_id}/reviews", {"period": period_of(today), "reviewed_on": vn(day_before_month)})
    assert response.status_code == 422
    label, error = field_error(text_of(response), "reviewed_on")
    assert label in error and f"{today:%m/%Y}" in error
    assert review_count(app, branch_id) == before


def test_auditor_reads_the_list_but_may_not_record_a_review(login: Login, demo_user: Callable[[str], dict[str, Any]],
                                                            app: Flask) -> None:
    b = login("kiemtra")
    branch_id = demo_user("chiuy")["org_id"]
    before = review_count(app, branch_id)
    page = b.get(f"/lists/sympathisers?branch={branch_id}")
    assert page.status_code == 200
    assert f"/lists/sympathisers/{branch_id}/reviews" not in page.get_data(as_text=True)
    today = local_today()
    response = b.post(f"/lists/sympathisers/{branch_id}/reviews", {"period": period_of(today), "reviewed_on": vn(today)})
    assert response.status_code == 403
    assert review_count(app, branch_id) == before


def test_branch_outside_the_users_scope_is_not_found(login: Login, demo_user: Callable[[str], dict[str, Any]], app: Flask) -> None:
    b = login("chiuy")
    elsewhere = other_branch(app, demo_user("chiuy")["org_id"])
    assert b.get(f"/lists/sympathisers?branch={elsewhere}").status_code == 404
    assert b.get(f"/lists/training?branch={elsewhere}").status_code == 404
    today = local_today()
    response = b.post(f"/lists/sympathisers/{elsewhere}/reviews", {"period": period_of(today), "reviewed_on": vn(today)})
    assert response.status_code == 404
    assert review_count(app, elsewhere) == 0


def test_unreviewed_previous_month_is_flagged_until_recorded(login: Login, demo_user: Callable[[str], dict[str, Any]],
                                                             app: Flask) -> None:
    b = login("danguy")
    chooser = text_of(b.get("/lists/sympathisers"))
    assert 'id="sympathisers"' not in chooser  # several branches in scope: choose one first
    branch_id = [i for i in chooser_options(chooser) if i != demo_user("chiuy")["org_id"]][-1]
    today = local_today()
    this_month, last_month = recent_periods(today, 2)
    page = text_of(b.get(f"/lists/sympathisers?branch={branch_id}"))
    assert 'id="last-month-warning"' in page
    assert f"{last_month[5:]}/{last_month[:4]}" in page.split('id="last-month-warning"', 1)[1].split("</div>", 1)[0]

    response = b.post(f"/lists/sympathisers/{branch_id}/reviews", {"period": last_month, "reviewed_on": vn(date(today.year, today.month, 1))})
    assert response.status_code == 302
    page = text_of(b.get(f"/lists/sympathisers?branch={branch_id}"))
    assert 'id="last-month-warning"' not in page
    assert "badge late" in this_month_status(page)  # this month is still to be reviewed


def test_sympathiser_page_runs_the_same_queries_for_more_rows(login: Login, app: Flask) -> None:
    b = login("chiuy")
    today = local_today()
    b.get("/lists/sympathisers")
    with counting_statements(app) as before:
        first = text_of(b.get("/lists/sympathisers"))
    names = [f"Người Đếm Truy Vấn {i}" for i in range(3)]
    for name in names:
        admit(b, b.add_source(name), today)
    with counting_statements(app) as after:
        second = text_of(b.get("/lists/sympathisers"))
    assert len(listed_ids(second)) == len(listed_ids(first)) + 3
    assert all(name in second for name in names)
    assert len(after) == len(before), (before, after)
    assert len(before) <= 6


# -- the training class ------------------------------------------------------------------------


def test_training_list_shows_certificate_expiry_from_the_parameter(login: Login, app: Flask, monkeypatch: Any) -> None:
    b = login("chiuy")
    today = local_today()
    issued = add_months(today, -58)
    dossier_id = b.add_source("Trần Văn Chứng Nhận", **{"r-registered_on": vn(issued - timedelta(days=90))})
    admit(b, dossier_id, issued - timedelta(days=60))
    response = b.post(f"/dossiers/{dossier_id}/act/record_training_certificate", {
        "version": "2", "record_training_certificate-issued_on": vn(issued),
        "record_training_certificate-certificate_no": "CN-4711", "record_training_certificate-issuer": "Trung tâm chính trị huyện",
        "record_training_certificate-issuer_kind": "political_center",
    })
    assert response.status_code == 302, text_of(response)[:3000]

    workflow = app.extensions["ketnap"].workflow
    months = workflow.params.get("certificate_valid_months")
    row = row_of(text_of(b.get("/lists/training")), dossier_id)
    assert "CN-4711" in row and "Trung tâm chính trị huyện" in row and vn(issued) in row
    assert vn(add_months(issued, months)) in row
    assert "badge expiring" in row and "badge late expired" not in row and 'class="late"' not in row

    monkeypatch.setattr(workflow, "params", workflow.params.with_overrides({"certificate_valid_months": 48}))
    row = row_of(text_of(b.get("/lists/training")), dossier_id)
    assert vn(add_months(issued, 48)) in row
    assert "badge late expired" in row and 'class="late"' in row


def test_training_page_runs_the_same_queries_for_the_whole_district_as_for_one_branch(login: Login, app: Flask,
                                                                                     demo_user: Callable[[str], dict[str, Any]]) -> None:
    b = login("kiemtra")
    branch_id = demo_user("chiuy")["org_id"]
    b.get("/lists/training")
    with counting_statements(app) as one_branch:
        small = text_of(b.get(f"/lists/training?branch={branch_id}"))
    with counting_statements(app) as district:
        large = text_of(b.get("/lists/training"))
    assert large.count('href="/dossiers/') > small.count('href="/dossiers/') + 10
    assert len(district) == len(one_branch) <= 6


def test_training_list_shows_a_nomination_with_its_class(login: Login, demo_user: Callable[[str], dict[str, Any]]) -> None:
    b = login("chiuy")
    today = local_today()
    dossier_id = b.add_source("Phạm Thị Đi Học", **{"r-registered_on": vn(today - timedelta(days=20))})
    admit(b, dossier_id, today - timedelta(days=10))
    response = b.post(f"/dossiers/{dossier_id}/act/nominate_for_training", {
        "version": "2", "nominate_for_training-nominated_on": vn(today - timedelta(days=3)),
        "nominate_for_training-class_name": "Lớp bồi dưỡng khóa 12",
    })
    assert response.status_code == 302, text_of(response)[:3000]
    branch_id = demo_user("chiuy")["org_id"]
    page = text_of(b.get(f"/lists/training?branch={branch_id}"))
    row = row_of(page.split('id="nominated"', 1)[1].split("</table>", 1)[0], dossier_id)
    assert "Lớp bồi dưỡng khóa 12" in row and vn(today - timedelta(days=3)) in row
    sympathisers = row_of(text_of(b.get("/lists/sympathisers")), dossier_id)
    assert "Cử đi học lớp bồi dưỡng nhận thức về Đảng" in sympathisers
