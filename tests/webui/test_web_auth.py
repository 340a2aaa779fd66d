"""Signing in and out, cookies, rate limit, password change, roles and the organisation scope."""

from __future__ import annotations

import re

from flask import Flask

from ketnap.demo import DEMO_PASSWORD
from ketnap.webui import create_app

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def test_pages_need_a_signed_in_user(browser) -> None:
    response = browser.get("/dossiers")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_unknown_user_and_wrong_password_get_the_same_answer(browser) -> None:
    unknown = browser.post("/login", {"username": "nobody-here", "password": "whatever-1234"})
    wrong = browser.post("/login", {"username": "chiuy", "password": "not-the-password"})
    assert unknown.status_code == wrong.status_code == 401
    assert WRONG in unknown.get_data(as_text=True)
    assert WRONG in wrong.get_data(as_text=True)
    assert re.sub(r'value="[^"]*"', "", unknown.get_data(as_text=True)).replace("nobody-here", "") == \
        re.sub(r'value="[^"]*"', "", wrong.get_data(as_text=True)).replace("chiuy", "")


def test_session_cookie_is_httponly_and_samesite_lax(browser) -> None:
    response = browser.login("chiuy")
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_post_without_csrf_token_is_refused(browser) -> None:
    response = browser.post("/login", {"username": "chiuy", "password": DEMO_PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_logout_ends_the_session(login) -> None:
    b = login("chiuy")
    assert b.get("/dossiers").status_code == 200
    assert b.post("/logout").status_code == 302
    assert b.get("/dossiers").status_code == 302


def test_logout_by_get_is_not_possible(login) -> None:
    b = login("chiuy")
    assert b.get("/logout").status_code == 405
    assert b.get("/dossiers").status_code == 200


def test_next_parameter_never_leaves_the_site(browser) -> None:
    browser.get("/login")
    response = browser.post("/login?next=https://evil.example/x", {"username": "chiuy", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/"


def test_password_change_checks_and_signs_out_other_sessions(login, browser) -> None:
    first = login("danguy")
    second = login("danguy")
    short = first.post("/account/password", {"current": DEMO_PASSWORD, "new": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "ít nhất" in short.get_data(as_text=True)
    wrong = first.post("/account/password", {"current": "nope", "new": "a-much-longer-secret", "confirm": "a-much-longer-secret"})
    assert wrong.status_code == 422
    new = "mat-khau-moi-2026"
    done = first.post("/account/password", {"current": DEMO_PASSWORD, "new": new, "confirm": new})
    assert done.status_code == 302
    assert first.get("/dossiers").status_code == 200, "the session that changed the password stays signed in"
    assert second.get("/dossiers").status_code == 302, "other sessions are signed out"
    assert browser.login("danguy", DEMO_PASSWORD).status_code == 401
    back = first.post("/account/password", {"current": new, "new": DEMO_PASSWORD, "confirm": DEMO_PASSWORD})
    assert back.status_code == 302


def test_login_is_rate_limited_with_the_same_message_for_everyone(demo_url: str, app: Flask) -> None:
    from web_world import Browser

    from ketnap.webui.extensions import limiter

    limited = create_app({"DATABASE_URL": demo_url, "TESTING": True, "SECRET_KEY": "x", "RATELIMIT_ENABLED": True,
                          "KETNAP_LOGIN_LIMIT": "3 per minute"})
    try:
        b = Browser(limited.test_client())
        statuses = [b.post("/login", {"username": "chiuy", "password": "wrong-password"}).status_code for _ in range(3)]
        assert statuses == [401, 401, 401]
        blocked = b.post("/login", {"username": "chiuy", "password": DEMO_PASSWORD})
        assert blocked.status_code == 429, "even the right password waits once the limit is reached"
        assert "Quá nhiều lần thử" in blocked.get_data(as_text=True)
        assert b.get("/login").status_code == 200, "only POSTs are counted"
    finally:  # the limiter is one object shared by every app of the process: give it back to the test app
        with app.app_context():
            limiter.init_app(app)
            limiter.reset()
