"""Hostile input through every form of the web UI: never a 5xx, and a refusal changes no row of any table.

Every POST endpoint of the web UI (the API has tests/webui/test_api_schemathesis.py) is listed in FORMS
with the user who may use it and the page that holds its form; an endpoint the URL map has and FORMS
has not fails test_every_form_has_a_fuzz_decision, so a new form is not forgotten. For each form,
Hypothesis posts what a browser could: the page is fetched first (its CSRF token, the form's real field
names, its current values and choices, parsed from the HTML), then each field keeps its value, takes one
of its choices, takes hostile text (any Unicode but lone surrogates, NUL and other control characters,
right-to-left and combining marks, very long strings, HTML and script tags, SQL fragments, numbers out
of range, impossible dates) or is left out. Every answer must be below 500; every refusal (4xx) must
leave every table exactly as it was (a digest of all rows of all tables, taken just before the post);
no answer may carry a hostile tag unescaped.

The steps of a dossier (dossiers.act) are fuzzed one trigger at a time, on demo dossiers whose state
offers that trigger, by a grassroots staff user whose scope is the whole province (the one role that
may take every step). KETNAP_FUZZ_EXAMPLES sets the number of examples per form (default 6 here).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from web_world import Browser

from ketnap.db.migrate import upgrade
from ketnap.db.models import Dossier, Member, Organisation, User, metadata, table_of
from ketnap.db.tokens import create_token
from ketnap.demo import DEMO_PASSWORD, build_demo
from ketnap.engine.service import local_today
from ketnap.passwords import hash_password
from ketnap.webui import create_app, services
from ketnap.webui.forms import FormContext, build_form, field_names, schema_of

pytestmark = pytest.mark.db
EXAMPLES = int(os.environ.get("KETNAP_FUZZ_EXAMPLES", "6"))
STAFF = "fuzz_staff"  # grassroots staff over the whole province: may take every step of every dossier
HOSTILE_TAGS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


# -- the forms on a page -------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, hidden, password, checkbox, select, textarea, file, submit
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)


class FormParser(HTMLParser):
    """The forms of a page, with their fields, current values and the choices of their drop-down lists."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_path = urlsplit(page_url).path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(urlsplit(a.get("action") or self.page_path).path, (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form.fields.append(Field(a["name"], kind, "", [a.get("value", "y")]))
            else:
                self._form.fields.append(Field(a["name"], kind, a.get("value", "y" if kind == "checkbox" else ""), [a.get("value", "")]))
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "button" and a.get("value"):
            self._form.fields.append(Field(a["name"], "submit", "", [a["value"]]))
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    return [f for f in parser.forms if f.method == "post"]


def the_form(html: str, page_url: str, action: str) -> Form | None:
    return next((f for f in forms_of(html, page_url) if f.action == urlsplit(action).path), None)


# -- hostile values ----------------------------------------------------------------------------------

HOSTILE = [
    *HOSTILE_TAGS, "\"'><img src=x onerror=alert(1)>", "Robert'); DROP TABLE candidates;--", "' OR '1'='1' --", "1; SELECT pg_sleep(1)",
    "\x00", "Lê\x00Văn", "\x1b[31m", "\u202eالعربية\u202c", "שלום עולם", "Nguye\u0302\u0303n Va\u0306n A", "Z\u0351\u0352\u0353a\u0354lgo",
    "👩‍👩‍👧‍👦🇻🇳", "\ufeff", "\u200b", "x" * 5000, "Ă" * 300, "9" * 40, "-1", "0", "2147483648", "-2147483649", "1e309", "NaN",
    "31/02/2024", "2024-13-45", "00/00/0000", "29/02/2023", "01/01/0001", "9999-12-31", "١٢/٠٣/٢٠٢٤", "05/03/24", " ", "", "%s%n%x",
    "{{ 7*7 }}", "${7*7}", "../../etc/passwd", "null", "[]", "{}", "true", "=HYPERLINK(\"http://x\",\"y\")", "@SUM(1+1)",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.integers(-(2**64), 2**64).map(str),
    st.dates().map(lambda d: f"{d:%d/%m/%Y}"),
)


WAYS = ("keep", "keep", "choose", "hostile", "hostile", "omit")
HIDDEN_WAYS = ("keep",) * 8 + ("hostile", "omit")
EXTRA_NAMES = ("id", "role", "org_id", "state", "version", "x")


@dataclass(frozen=True)
class Fill:
    """How to fill any form, drawn before the form is known: one instruction per field, in order (cycled).

    The draws do not depend on the page, which changes as the posts save things: Hypothesis requires the
    same draws for the same choices."""

    keep_csrf: bool
    instructions: tuple[tuple[int, str, int], ...]  # (way, hostile text, choice)
    upload: tuple[bytes, str]
    extra: tuple[int, str]

    def values(self, form: Form) -> dict[str, Any]:
        data: dict[str, Any] = {}
        fields = [f for f in form.fields if not f.name.endswith("csrf_token")]
        for index, fld in enumerate(fields):
            way, text, choice = self.instructions[index % len(self.instructions)]
            how = (HIDDEN_WAYS if fld.kind == "hidden" else WAYS)[way % (len(HIDDEN_WAYS) if fld.kind == "hidden" else len(WAYS))]
            if fld.kind == "file":
                data[fld.name] = (io.BytesIO(self.upload[0]), self.upload[1])
            elif how == "keep" and fld.kind not in ("checkbox", "radio", "submit"):
                data[fld.name] = fld.value
            elif how in ("keep", "choose") and fld.options:
                data[fld.name] = fld.options[choice % len(fld.options)]
            elif how in ("hostile", "choose"):
                data[fld.name] = text
        token = next((f for f in form.fields if f.name.endswith("csrf_token")), None)
        if token is not None and self.keep_csrf:
            data[token.name] = token.value
        if self.extra[0] < len(EXTRA_NAMES):
            data.setdefault(EXTRA_NAMES[self.extra[0]], self.extra[1])
        return data


def csv_with(cells: list[str]) -> bytes:
    titles = "Họ và tên;Ngày sinh;Giới tính;Số CCCD;Trình độ học vấn;Ngày vào nguồn"
    return (titles + "\r\n" + ";".join(cells) + "\r\n").encode("utf-8", "surrogatepass")


uploads = st.one_of(
    st.binary(max_size=2000),
    st.lists(hostile_text, min_size=1, max_size=6).map(csv_with),
    st.sampled_from([b"", b"PK\x03\x04broken", b"\xd0\xcf\x11\xe0", "Họ và tên\r\nLê\r\n".encode("utf-16-le"), b"\xff\xfe\x00"]),
)
names = st.sampled_from(["nguon.csv", "nguon.xlsx", "nguon.xls", "", "<script>.csv", "a\x00b.csv"])
INSTRUCTIONS = 80
fills = st.builds(
    Fill,
    st.integers(0, 19).map(bool),  # the CSRF token left out now and then
    st.lists(st.tuples(st.integers(0, 99), hostile_text, st.integers(0, 999)), min_size=INSTRUCTIONS, max_size=INSTRUCTIONS).map(tuple),
    st.tuples(uploads, names),
    st.tuples(st.integers(0, 5 * len(EXTRA_NAMES)), hostile_text),
)


# -- the database, whole -----------------------------------------------------------------------------


def digest(engine: Engine) -> dict[str, str]:
    """A digest of every row of every table, by table (read through the driver: a few thousand rows a post)."""
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            order = ", ".join(f'"{c.name}"' for c in (list(table.primary_key.columns) or list(table.columns)))
            rows = conn.exec_driver_sql(f'SELECT * FROM "{table.name}" ORDER BY {order}').fetchall()
            out[table.name] = hashlib.sha256(repr(rows).encode("utf-8", "surrogatepass")).hexdigest()
    return out


# -- the world the forms are fuzzed in ---------------------------------------------------------------


@dataclass
class FuzzWorld:
    app: Flask
    engine: Engine
    user_id: int  # an account the administrator's forms edit (not one the fuzz signs in with)
    org_id: int  # an organisation they edit
    member_id: int  # a member they edit
    token_user: int  # chiuy, whose tokens the revoke form revokes
    token_id: int  # the token it revokes next
    branch_id: int  # chiuy's branch, whose sympathiser list is reviewed
    step_dossiers: dict[str, list[int]]  # by trigger: dossiers whose state offers it


@pytest.fixture(scope="module")
def fuzz_world(fresh_database: Callable[[], str]) -> Iterator[FuzzWorld]:
    url = fresh_database()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "fuzz-forms", "RATELIMIT_ENABLED": False})
    with app.app_context():
        svc = services()
        build_demo(svc.engine, svc.workflow, size=60, seed=5, progress=lambda _m: None)
        users, orgs, members = table_of(User), table_of(Organisation), table_of(Member)
        with svc.engine.begin() as conn:
            province = conn.execute(select(orgs.c.id).where(orgs.c.parent_id.is_(None)).order_by(orgs.c.id)).scalars().first()
            chiuy = conn.execute(select(users.c.id, users.c.org_id).where(users.c.username == "chiuy")).one()
            conn.execute(users.insert().values(username=STAFF, full_name="Cán bộ thử", role="grassroots_staff", org_id=province,
                                               password_hash=hash_password(DEMO_PASSWORD), active=True))
            user_id = conn.execute(users.insert().values(username="fuzz_target", full_name="Người để sửa", role="branch_committee",
                                                         org_id=chiuy.org_id, password_hash=hash_password(DEMO_PASSWORD), active=True)
                                   .returning(users.c.id)).scalar_one()
            org_id = conn.execute(orgs.insert().values(code="FUZZ-1", name="Chi bộ để sửa", level_code="branch",
                                                       parent_id=conn.execute(select(orgs.c.parent_id).where(orgs.c.id == chiuy.org_id))
                                                       .scalar_one(), settings={}, active=True).returning(orgs.c.id)).scalar_one()
            member_id = conn.execute(members.insert().values(full_name="Đảng viên để sửa", status="official", branch_id=org_id)
                                     .returning(members.c.id)).scalar_one()
            token_id = create_token(conn, chiuy.id, "để thu hồi", None, local_today()).id
            dossiers = conn.execute(select(table_of(Dossier).c.id, table_of(Dossier).c.state).order_by(table_of(Dossier).c.id)).all()
        wf = svc.workflow
        steps = {t: [d.id for d in dossiers if d.state in spec.sources][:4] for t, spec in wf.transitions.items()}
    yield FuzzWorld(app, svc.engine, user_id, org_id, member_id, chiuy.id, token_id, chiuy.org_id, steps)
    svc.engine.dispose()


def signed_in(world: FuzzWorld, username: str | None) -> Browser:
    browser = Browser(world.app.test_client())
    if username is not None:
        assert browser.login(username).status_code == 302, username
    return browser


# -- what is fuzzed, and how -------------------------------------------------------------------------

Url = Callable[[FuzzWorld], str]


@dataclass(frozen=True)
class Target:
    """One form: who fills it, the page that holds it, where it posts (default: the page itself)."""

    user: str | None
    page: Url
    action: Url | None = None
    fresh_login: bool = False  # the post ends the session (sign-out): sign in again for every example
    prepare: Callable[[FuzzWorld], None] | None = None  # before every example (a new token for the revoke form)


def new_token(world: FuzzWorld) -> None:
    with world.engine.begin() as conn:
        world.token_id = create_token(conn, world.token_user, "để thu hồi", None, local_today()).id


def at(path: str) -> Url:
    return lambda _w: path


FORMS: dict[str, Target] = {
    "auth.login": Target(None, at("/login")),
    "auth.logout": Target("chiuy", at("/account/tokens"), at("/logout"), fresh_login=True),
    "auth.change_password": Target("kiemtra", at("/account/password")),
    "tokens.create": Target("chiuy", at("/account/tokens"), at("/account/tokens")),
    "tokens.revoke": Target("chiuy", at("/account/tokens"), lambda w: f"/account/tokens/{w.token_id}/revoke", prepare=new_token),
    "admin.user_new": Target("admin", at("/admin/users/new")),
    "admin.user_edit": Target("admin", lambda w: f"/admin/users/{w.user_id}"),
    "admin.user_password": Target("admin", lambda w: f"/admin/users/{w.user_id}/password"),
    "admin.org_new": Target("admin", at("/admin/orgs/new")),
    "admin.org_edit": Target("admin", lambda w: f"/admin/orgs/{w.org_id}"),
    "admin.member_new": Target("admin", at("/admin/members/new")),
    "admin.member_edit": Target("admin", lambda w: f"/admin/members/{w.member_id}"),
    "dossiers.new_source": Target("danguy", at("/dossiers/new")),
    "dossiers.act": Target(STAFF, at("/dossiers/<id>"), at("/dossiers/<id>/act/<trigger>")),  # each trigger on its dossiers, below
    "imports.import_post": Target("danguy", at("/import")),
    "lists.record_review": Target("chiuy", lambda w: f"/lists/sympathisers?branch={w.branch_id}",
                                  lambda w: f"/lists/sympathisers/{w.branch_id}/reviews"),
    "reports.targets_page": Target("danguy", at("/targets")),
    "reports.limits_post": Target("danguy", at("/targets"), at("/targets/limits")),
}


def post_endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")}


def test_every_form_has_a_fuzz_decision(fuzz_world: FuzzWorld) -> None:
    found = post_endpoints(fuzz_world.app)
    assert found - set(FORMS) == set(), f"POST endpoints nobody fuzzes: add them to FORMS: {sorted(found - set(FORMS))}"
    assert set(FORMS) - found == set(), f"FORMS names endpoints the app no longer has: {sorted(set(FORMS) - found)}"


# -- the fuzzing -------------------------------------------------------------------------------------


@dataclass
class Tally:
    by_status: Counter[int] = field(default_factory=Counter)
    fields: int = 0
    from_page: bool = True

    def line(self, name: str) -> str:
        source = "" if self.from_page else " (fields from the schema: no page showed the form)"
        return f"{name}: {sum(self.by_status.values())} posts, {self.fields} fields{source}, by status {dict(sorted(self.by_status.items()))}"


def check_answer(world: FuzzWorld, before: dict[str, str], response: Any, what: str, data: dict[str, Any]) -> None:
    assert response.status_code < 500, (what, response.status_code, {k: v for k, v in data.items() if k != "csrf_token"})
    body = response.get_data(as_text=True)
    for tag in HOSTILE_TAGS:
        assert tag not in body, (what, f"{tag} unescaped in the answer")
    if response.status_code >= 400:
        after = digest(world.engine)
        changed = [name for name in before if before[name] != after[name]]
        assert not changed, (what, response.status_code, f"a refusal changed {changed}", data)


def fuzz_form(world: FuzzWorld, what: str, target: Target, pages: Callable[[], list[tuple[str, str]]], tally: Tally,
              fallback: Form | None = None) -> None:
    """EXAMPLES posts, each from a fresh copy of the form: from the first (page, action) of `pages` that shows it,
    else `fallback` (its fields, the session's CSRF token) posted to the first action."""
    browser = signed_in(world, target.user)

    def current_form() -> tuple[Form, str]:
        candidates = pages()
        for page_url, action_url in candidates:
            found = the_form(browser.get(page_url).get_data(as_text=True), page_url, action_url)
            if found is not None:
                return found, action_url
        assert fallback is not None, f"{what}: no form posting to {candidates[0][1]} on {candidates[0][0]}"
        token = Field("csrf_token", "hidden", browser.token or "")
        return Form(fallback.action, "schema", [*fallback.fields, token]), candidates[0][1]

    if target.prepare is not None:
        target.prepare(world)
    form, _ = current_form()
    tally.fields = len([f for f in form.fields if not f.name.endswith("csrf_token")])
    tally.from_page = form.method != "schema"
    failures: list[str] = []

    # Generation only: the world changes with every post (a saved record, a dossier moved on), so an example
    # replayed or shrunk would not meet the page it was drawn for. The first failure is reported as it was.
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(fills)
    def post(fill: Fill) -> None:
        nonlocal browser
        if target.fresh_login:
            browser = signed_in(world, target.user)
        if target.prepare is not None:
            target.prepare(world)
        form, action_url = current_form()
        values = fill.values(form)
        before = digest(world.engine)
        response = browser.client.post(action_url, data=values, content_type="multipart/form-data" if any(
            isinstance(v, tuple) for v in values.values()) else None)
        tally.by_status[response.status_code] += 1
        if not failures:
            try:
                check_answer(world, before, response, what, values)
            except AssertionError as err:
                failures.append(str(err))

    post()
    assert not failures, failures[0]


@pytest.mark.parametrize("endpoint", sorted(set(FORMS) - {"dossiers.act"}))
def test_a_form_answers_hostile_input_without_error_or_half_saving(fuzz_world: FuzzWorld, endpoint: str) -> None:
    target = FORMS[endpoint]
    tally = Tally()
    fuzz_form(fuzz_world, endpoint, target, lambda: [(target.page(fuzz_world), (target.action or target.page)(fuzz_world))], tally)
    print(tally.line(endpoint))
    assert sum(tally.by_status.values()) >= EXAMPLES


def test_every_step_of_a_dossier_answers_hostile_input(fuzz_world: FuzzWorld) -> None:
    wf = fuzz_world.app.extensions["ketnap"].workflow
    lines = []
    for trigger, spec in wf.transitions.items():
        tally = Tally()
        pages = [(f"/dossiers/{d}", f"/dossiers/{d}/act/{trigger}") for d in fuzz_world.step_dossiers[trigger]]
        if not pages:  # register_source: a dossier has left its start before anyone sees it; any dossier serves
            pages = [(f"/dossiers/{d}", f"/dossiers/{d}/act/{trigger}") for d in fuzz_world.step_dossiers["withdraw"][:1]]
        with fuzz_world.app.test_request_context():
            names = field_names(build_form(schema_of(spec), FormContext(), prefix=trigger))
        fields = [Field(name, "text") for name in sorted(names) if not name.endswith("csrf_token")]
        fallback = Form(pages[0][1], "schema", [*fields, Field("version", "hidden", "1")])
        fuzz_form(fuzz_world, f"dossiers.act/{trigger}", FORMS["dossiers.act"], lambda pages=pages: pages, tally, fallback)
        lines.append(tally.line(trigger))
    print("\n".join(lines))


# -- found by fuzzing ----------------------------------------------------------------------------------


def test_a_nul_typed_anywhere_is_refused_or_ignored_never_a_server_error(fuzz_world: FuzzWorld) -> None:
    """PostgreSQL neither stores nor compares text holding a NUL: each of these answered 500 there (SQLite took
    them). The user name and the search find nothing, the token name and the review note are refused, the
    import's file name loses the NUL."""
    world = fuzz_world
    anonymous = signed_in(world, None)
    anonymous.get("/login")
    chiuy, danguy = signed_in(world, "chiuy"), signed_in(world, "danguy")
    chiuy.get(f"/lists/sympathisers?branch={world.branch_id}")
    today = local_today()
    template = danguy.get("/import/template.csv").data
    attempts: list[tuple[Browser, str, dict[str, Any], int]] = [
        (anonymous, "/login", {"username": "chi\x00uy", "password": DEMO_PASSWORD}, 401),
        (chiuy, "/account/tokens", {"name": "máy\x00chủ"}, 422),
        (chiuy, f"/lists/sympathisers/{world.branch_id}/reviews",
         {"period": f"{today:%Y-%m}", "reviewed_on": f"{today:%d/%m/%Y}", "note": "đã rà\x00soát"}, 422),
    ]
    for browser, url, values, status in attempts:
        before = digest(world.engine)
        response = browser.post(url, values)
        assert response.status_code == status, (url, response.status_code)
        assert digest(world.engine) == before, url
    assert chiuy.get("/dossiers?q=Nguy%00n").status_code == 200
    danguy.get("/import")
    imported = danguy.post("/import", {"file": (io.BytesIO(template), "nguồn\x00.csv"), "action": "import"}, content_type="multipart/form-data")
    assert imported.status_code in (200, 422) and "nguồn.csv" in imported.get_data(as_text=True)
