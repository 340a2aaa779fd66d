"""The API tokens page: a token is shown once and works on the API; revoking it stops it; an admin sees everyone's."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from api_world import ApiClient
from flask import Flask

pytestmark = pytest.mark.db
TOKEN = re.compile(r'<code class="token" id="new-token">(ktn_[A-Za-z0-9_-]+)</code>')


def test_a_token_made_on_the_page_is_shown_once_and_opens_the_api(app: Flask, login: Callable[[str], Any]) -> None:
    browser = login("chiuy")
    page = browser.post("/account/tokens", {"name": "Hệ thống quản lý đảng viên", "expires_on": ""})
    assert page.status_code == 201 and page.headers["Cache-Control"] == "no-store"
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:3000]
    token = found.group(1)
    listing = browser.get("/account/tokens").get_data(as_text=True)
    assert "Hệ thống quản lý đảng viên" in listing and token not in listing and token[:12] in listing
    assert ApiClient(app, token).get("/api/v1/me").get_json()["username"] == "chiuy"
    token_id = re.findall(r'/account/tokens/(\d+)/revoke', listing)[0]
    assert browser.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert ApiClient(app, token).get("/api/v1/me").status_code == 401


def test_bad_input_is_named_and_nothing_is_made(login: Callable[[str], Any]) -> None:
    browser = login("danguy")
    before = browser.get("/account/tokens").get_data(as_text=True).count("/revoke")
    page = browser.post("/account/tokens", {"name": "", "expires_on": "01/01/2001"})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'id="name-error"' in text and 'id="expires_on-error"' in text and not TOKEN.search(text)
    assert browser.get("/account/tokens").get_data(as_text=True).count("/revoke") == before


def test_a_user_cannot_revoke_someone_elses_token_but_an_admin_can(login: Callable[[str], Any]) -> None:
    owner = login("bantochuc")
    made = TOKEN.search(owner.post("/account/tokens", {"name": "báo cáo tỉnh"}).get_data(as_text=True))
    assert made
    token_id = re.findall(r'/account/tokens/(\d+)/revoke', owner.get("/account/tokens").get_data(as_text=True))[0]
    assert login("chiuy").post(f"/account/tokens/{token_id}/revoke").status_code == 404
    admin = login("admin")
    assert "bantochuc" in admin.get("/account/tokens").get_data(as_text=True)
    assert admin.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert "Revoked" in owner.get("/account/tokens").get_data(as_text=True) or "Đã thu hồi" in owner.get("/account/tokens").get_data(as_text=True)


def test_revoking_needs_the_csrf_token(login: Callable[[str], Any]) -> None:
    browser = login("chiuy")
    assert browser.post("/account/tokens/1/revoke", csrf=False).status_code == 400
