"""The demo district serves its main pages to a signed-in branch committee member."""

from __future__ import annotations


def test_branch_member_adds_a_source_and_sees_it(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Hoàng Thị Thử Nghiệm")
    page = b.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Hoàng Thị Thử Nghiệm" in page
    assert "Nguồn phát triển đảng" in page


def test_healthz_answers_without_sign_in_cookie_or_sql(app) -> None:
    from sqlalchemy import event

    statements: list[str] = []
    engine = app.extensions["ketnap"].engine

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = app.test_client().get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"
    assert statements == []
