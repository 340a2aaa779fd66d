"""Administration pages: users, organisations and party members, for the role admin only.

The demo database is shared by every test, so each test makes its own users, organisations and
members with unique names (uuid) and never changes the demo's own records.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ketnap.db.models import Dossier, Member, Organisation, User, table_of
from ketnap.webui import services
from ketnap.workflows.citizen_id import make_citizen_id

_u, _o, _m, _d = table_of(User), table_of(Organisation), table_of(Member), table_of(Dossier)
PASSWORD = "mat-khau-moi-2024"


@pytest.fixture()
def engine(app: Flask) -> Engine:
    with app.app_context():
        return services().engine


def one(engine: Engine, query: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(query).first()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def branches_with_dossiers(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(select(_d.c.branch_id).group_by(_d.c.branch_id).order_by(_d.c.branch_id))]


def last_grassroots(engine: Engine) -> int:
    """The demo's last grassroots committee: far from the demo users' own, whose branches other tests count."""
    return one(engine, select(_o.c.id).where(_o.c.level_code == "grassroots_committee").order_by(_o.c.id.desc())).id


def create_user(admin: Any, org_id: int | None, role: str = "branch_committee", **extra: Any) -> tuple[str, Any]:
    username = unique("u-")
    data = {"username": username, "full_name": "Đỗ Thị Thử", "role": role, "org_id": "" if org_id is None else str(org_id),
            "password": PASSWORD, "password_again": PASSWORD, **extra}
    return username, admin.post("/admin/users/new", data)


def user_id(engine: Engine, username: str) -> int:
    return one(engine, select(_u.c.id).where(_u.c.username == username)).id


def member_links(response: Any) -> int:
    return len(re.findall(r'href="/admin/members/\d+"', response.get_data(as_text=True)))


def errors_of(response: Any) -> set[str]:
    """The fields a page marks as wrong (macros.field_errors gives each message the id '<field>-error')."""
    return set(re.findall(r'class="error" id="([\w-]+)-error"', response.get_data(as_text=True)))


# -- users -------------------------------------------------------------------------------------


def test_created_user_signs_in_and_sees_only_their_branch(login, browser, engine) -> None:
    mine, other = branches_with_dossiers(engine)[1:3]
    username, response = create_user(login("admin"), mine)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    own = one(engine, select(_d.c.id).where(_d.c.branch_id == mine)).id
    foreign = one(engine, select(_d.c.id).where(_d.c.branch_id == other)).id

    assert browser.login(username, PASSWORD).status_code == 302
    assert browser.get(f"/dossiers/{own}").status_code == 200
    assert browser.get(f"/dossiers/{foreign}").status_code == 404
    assert browser.get("/admin/").status_code == 403


def test_user_list_shows_role_label_and_organisation(login, engine) -> None:
    branch = branches_with_dossiers(engine)[0]
    admin = login("admin")
    username, _ = create_user(admin, branch)
    page = admin.get("/admin/users").get_data(as_text=True)
    row = page.split(f">{username}</a>", 1)[1].split("</tr>", 1)[0]
    assert "Chi ủy viên" in row
    assert one(engine, select(_o.c.name).where(_o.c.id == branch)).name in row


def test_duplicate_username_is_refused_naming_the_field_and_nothing_is_saved(login, engine) -> None:
    admin = login("admin")
    name = unique("Trùng Tên ")
    response = admin.post("/admin/users/new", {"username": "chiuy", "full_name": name, "role": "admin", "org_id": "",
                                               "password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 422
    assert errors_of(response) == {"username"}
    assert "đã có người dùng" in response.get_data(as_text=True)
    assert f'value="{name}"' in response.get_data(as_text=True), "the form keeps what was typed"
    assert one(engine, select(func.count()).select_from(_u).where(_u.c.full_name == name))[0] == 0


def test_too_short_password_is_refused(login, engine) -> None:
    username, response = create_user(login("admin"), branches_with_dossiers(engine)[0], password="ngan", password_again="ngan")
    assert response.status_code == 422
    assert errors_of(response) == {"password"}
    assert "ít nhất 10 ký tự" in response.get_data(as_text=True)
    assert one(engine, select(_u.c.id).where(_u.c.username == username)) is None


def test_passwords_typed_differently_are_refused(login, engine) -> None:
    username, response = create_user(login("admin"), branches_with_dossiers(engine)[0], password_again=PASSWORD + "x")
    assert response.status_code == 422
    assert errors_of(response) == {"password_again"}
    assert one(engine, select(_u.c.id).where(_u.c.username == username)) is None


def test_organisation_is_required_except_for_an_administrator(login, engine) -> None:
    admin = login("admin")
    username, refused = create_user(admin, None, role="grassroots_staff")
    assert refused.status_code == 422
    assert errors_of(refused) == {"org_id"}
    assert one(engine, select(_u.c.id).where(_u.c.username == username)) is None
    username, accepted = create_user(admin, None, role="admin")
    assert accepted.status_code == 302
    assert one(engine, select(_u.c.org_id).where(_u.c.username == username)).org_id is None


def admin_urls(app: Flask, engine: Engine) -> list[tuple[str, str]]:
    """Every URL of the admin blueprint with real IDs, and the methods it answers."""
    ids = {"user_id": one(engine, select(_u.c.id).where(_u.c.username == "chiuy")).id,
           "org_id": branches_with_dossiers(engine)[0], "member_id": one(engine, select(_m.c.id).order_by(_m.c.id)).id}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", str(ids[arg]))
            urls.extend((method, path) for method in sorted(rule.methods & {"GET", "POST"}))
    return urls


@pytest.mark.parametrize("username", ["chiuy", "danguy", "bantochuc", "kiemtra"])
def test_other_roles_get_403_on_every_admin_url(app, login, engine, username) -> None:
    b = login(username)
    urls = admin_urls(app, engine)
    assert len(urls) >= 15
    for method, path in urls:
        response = b.get(path) if method == "GET" else b.post(path, {"full_name": "X", "active": "y"})
        assert response.status_code == 403, (method, path)
    assert one(engine, select(_u.c.full_name).where(_u.c.username == "chiuy")).full_name == "Nguyễn Văn Chi"


def test_anonymous_is_sent_to_sign_in(app, browser, engine) -> None:
    for method, path in admin_urls(app, engine):
        if method == "GET":
            response = browser.get(path)
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_deactivated_user_cannot_sign_in_and_their_open_session_ends(login, browser, engine) -> None:
    admin = login("admin")
    branch = branches_with_dossiers(engine)[0]
    username, _ = create_user(admin, branch)
    assert browser.login(username, PASSWORD).status_code == 302
    assert browser.get("/dossiers").status_code == 200

    ident = user_id(engine, username)
    response = admin.post(f"/admin/users/{ident}", {"full_name": "Đỗ Thị Thử", "role": "branch_committee", "org_id": str(branch)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert one(engine, select(_u.c.active).where(_u.c.id == ident)).active is False

    stale = browser.get("/dossiers")
    assert stale.status_code == 302 and stale.headers["Location"].startswith("/login")
    assert browser.login(username, PASSWORD).status_code == 401


def test_password_reset_lets_the_user_sign_in_with_the_new_one_only(login, browser, engine) -> None:
    admin = login("admin")
    username, _ = create_user(admin, branches_with_dossiers(engine)[0])
    ident = user_id(engine, username)
    short = admin.post(f"/admin/users/{ident}/password", {"password": "ngan", "password_again": "ngan"})
    assert short.status_code == 422 and errors_of(short) == {"password"}
    new = "mot-mat-khau-khac-99"
    assert admin.post(f"/admin/users/{ident}/password", {"password": new, "password_again": new}).status_code == 302
    assert browser.login(username, PASSWORD).status_code == 401
    assert browser.login(username, new).status_code == 302
    own = admin.get(f"/admin/users/{user_id(engine, 'admin')}/password")
    assert own.status_code == 302 and own.headers["Location"] == "/account/password", "one's own password is changed knowing the old one"


def test_admin_cannot_deactivate_or_demote_themself(login, engine) -> None:
    admin = login("admin")
    ident = user_id(engine, "admin")
    top = one(engine, select(_o.c.id).where(_o.c.parent_id.is_(None))).id
    response = admin.post(f"/admin/users/{ident}", {"full_name": "Quản trị hệ thống", "role": "auditor", "org_id": str(top)})
    assert response.status_code == 422
    assert errors_of(response) == {"role", "active"}
    row = one(engine, select(_u.c.role, _u.c.active, _u.c.org_id).where(_u.c.id == ident))
    assert (row.role, row.active, row.org_id) == ("admin", True, None)
    assert admin.get("/admin/users").status_code == 200


# -- organisations -----------------------------------------------------------------------------


def org_data(parent: int, level: str, **extra: Any) -> dict[str, Any]:
    return {"parent_id": str(parent), "name": unique("Chi bộ Thử "), "code": unique("T-"), "level_code": level,
            "has_committee": "y", **extra}


def test_org_of_a_higher_level_under_a_branch_is_refused(login, engine) -> None:
    branch = branches_with_dossiers(engine)[0]
    data = org_data(branch, "grassroots_committee")
    response = login("admin").post("/admin/orgs/new", data)
    assert response.status_code == 422
    assert errors_of(response) == {"level_code"}
    assert one(engine, select(_o.c.id).where(_o.c.code == data["code"])) is None


def test_branch_under_a_grassroots_committee_is_created_and_shown_in_the_tree(login, engine) -> None:
    parent = last_grassroots(engine)
    data = org_data(parent, "branch")
    admin = login("admin")
    response = admin.post("/admin/orgs/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    row = one(engine, select(_o).where(_o.c.code == data["code"]))
    assert (row.parent_id, row.level_code, row.name, row.active, row.may_admit) == (parent, "branch", data["name"], True, False)
    assert data["name"] in admin.get("/admin/orgs").get_data(as_text=True)


def test_org_code_must_be_unique(login, engine) -> None:
    parent = last_grassroots(engine)
    data = org_data(parent, "branch", code="cb-0-0")
    response = login("admin").post("/admin/orgs/new", data)
    assert response.status_code == 422
    assert errors_of(response) == {"code"}
    assert one(engine, select(_o.c.id).where(_o.c.name == data["name"])) is None


def test_org_is_deactivated_not_deleted(login, engine) -> None:
    parent = last_grassroots(engine)
    data = org_data(parent, "branch")
    admin = login("admin")
    admin.post("/admin/orgs/new", data)
    org_id = one(engine, select(_o.c.id).where(_o.c.code == data["code"])).id
    response = admin.post(f"/admin/orgs/{org_id}", {"name": data["name"] + " mới", "may_admit": "y"})
    assert response.status_code == 302
    row = one(engine, select(_o).where(_o.c.id == org_id))
    assert (row.name, row.may_admit, row.has_committee, row.active) == (data["name"] + " mới", True, False, False)
    username, refused = create_user(admin, org_id)
    assert refused.status_code == 422 and errors_of(refused) == {"org_id"}


# -- party members -----------------------------------------------------------------------------


def member_data(branch: int, **extra: Any) -> dict[str, Any]:
    return {"full_name": unique("Trần Văn Thử "), "date_of_birth": "02/09/1980", "gender": "male", "status": "official",
            "branch_id": str(branch), "joined_on": "03/02/2010", "official_since": "03/02/2011", **extra}


def test_member_official_before_joining_is_refused_naming_the_field(login, engine) -> None:
    data = member_data(branches_with_dossiers(engine)[-1], official_since="01/01/2009")
    response = login("admin").post("/admin/members/new", data)
    assert response.status_code == 422
    assert errors_of(response) == {"official_since"}
    assert 'value="01/01/2009"' in response.get_data(as_text=True)
    assert one(engine, select(_m.c.id).where(_m.c.full_name == data["full_name"])) is None


def test_member_is_created_and_edited(login, engine) -> None:
    branch = branches_with_dossiers(engine)[-1]
    data = member_data(branch, citizen_id=make_citizen_id(date(1980, 9, 2), "male", uuid.uuid4().int % 10**6), is_committee_member="y")
    admin = login("admin")
    assert admin.post("/admin/members/new", data).status_code == 302
    row = one(engine, select(_m).where(_m.c.full_name == data["full_name"]))
    assert (row.branch_id, row.status, f"{row.official_since:%d/%m/%Y}", row.is_committee_member, row.exempt) == \
        (branch, "official", "03/02/2011", True, False)
    edited = admin.post(f"/admin/members/{row.id}", {**data, "status": "probationary", "official_since": "", "exempt": "y"})
    assert edited.status_code == 302
    row = one(engine, select(_m).where(_m.c.id == row.id))
    assert (row.status, row.official_since, row.exempt) == ("probationary", None, True)


def test_member_needs_a_branch_and_a_valid_citizen_id(login, engine) -> None:
    grassroots = last_grassroots(engine)
    data = member_data(grassroots, citizen_id="12345")
    response = login("admin").post("/admin/members/new", data)
    assert response.status_code == 422
    assert errors_of(response) == {"citizen_id"}
    response = login("admin").post("/admin/members/new", {**data, "citizen_id": ""})
    assert errors_of(response) == {"branch_id"}
    assert one(engine, select(_m.c.id).where(_m.c.full_name == data["full_name"])) is None


def test_member_search_ignores_diacritics(login, engine) -> None:
    tag = uuid.uuid4().hex[:6]
    data = member_data(branches_with_dossiers(engine)[-1], full_name=f"Nguyễn Thị Đức Ánh {tag}")
    admin = login("admin")
    assert admin.post("/admin/members/new", data).status_code == 302
    found = admin.get(f"/admin/members?q=nguyen+thi+duc+anh+{tag}")
    assert f"Nguyễn Thị Đức Ánh {tag}" in found.get_data(as_text=True)
    assert member_links(found) == 1
    missing = admin.get(f"/admin/members?q=tran+{tag}").get_data(as_text=True)
    assert f"Nguyễn Thị Đức Ánh {tag}" not in missing


def test_member_list_pages_filters_by_organisation_and_status(login, engine) -> None:
    admin = login("admin")
    first = admin.get("/admin/members?q=nguyen")
    assert member_links(first) == 50
    assert 'rel="next"' in first.get_data(as_text=True)
    branch = branches_with_dossiers(engine)[0]
    with engine.connect() as conn:
        expected = conn.execute(select(func.count()).select_from(_m).where(_m.c.branch_id == branch, _m.c.status == "probationary")).scalar_one()
    page = admin.get(f"/admin/members?org={branch}&status=probationary")
    assert 0 < member_links(page) == expected
    assert "Đảng viên chính thức</td>" not in page.get_data(as_text=True)


def test_scoped_admin_manages_only_their_subtree(login, browser, engine) -> None:
    admin = login("admin")
    mine = branches_with_dossiers(engine)[0]
    grassroots = one(engine, select(_o.c.parent_id).where(_o.c.id == mine)).parent_id
    other = one(engine, select(_m.c.branch_id).join(_o, _o.c.id == _m.c.branch_id).where(_o.c.parent_id != grassroots)).branch_id
    username, _ = create_user(admin, grassroots, role="admin")
    assert browser.login(username, PASSWORD).status_code == 302
    outside = one(engine, select(_m.c.id).where(_m.c.branch_id == other)).id
    inside = one(engine, select(_m.c.id).where(_m.c.branch_id == mine)).id
    assert browser.get(f"/admin/members/{inside}").status_code == 200
    assert browser.get(f"/admin/members/{outside}").status_code == 404
    assert browser.get(f"/admin/users/{user_id(engine, 'kiemtra')}").status_code == 404
    _name, refused = create_user(browser, None, role="admin")
    assert refused.status_code == 422 and errors_of(refused) == {"org_id"}



def test_every_admin_page_opens_for_the_administrator(app, login, engine) -> None:
    admin = login("admin")
    for method, path in admin_urls(app, engine):
        if method == "GET":
            response = admin.get(path)
            assert response.status_code == 200, path
            assert 'class="subnav"' in response.get_data(as_text=True)


def test_every_refusal_is_in_vietnamese(login) -> None:
    response = login("admin").post("/admin/users/new", {"username": "A b", "full_name": "X", "role": "", "org_id": "",
                                                        "password": "x" * 201, "password_again": ""})
    messages = re.findall(r'<p class="error" id="([\w-]+)-error">([^<]+)</p>', response.get_data(as_text=True))
    assert {field for field, _m in messages} == {"username", "full_name", "role", "password", "password_again"}
    assert all(not text.isascii() for _f, text in messages), f"English-only messages: {messages}"
