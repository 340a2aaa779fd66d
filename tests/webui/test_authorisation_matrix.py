"""The authorisation matrix: every endpoint of the app's URL map, every method, tried logged out and by every role,
on an object of the user's own organisation and on one of another organisation.

MATRIX below is the decision, written by hand from workflow.md's roles (who may do what) and the scoping
rule (an object outside the user's organisation answers 404, the same as a missing one, so that its
existence does not leak). An endpoint in the URL map with no decision here fails the test: a new page or
API operation cannot be added without saying who may use it.

Expected answers:
- logged out: a public endpoint answers as usual; a web page redirects to /login; the API answers 401;
- a role the decision does not name: 403;
- a named role, on another organisation's object: 404 (for users whose scope is not everything);
- a named role, on its own: anything but 401, 403, 404 or a 5xx (a form re-rendered with its errors, a redirect, a
  refused step are all fine: the request carries no valid data, only a CSRF token).

The API's steps (POST /api/v1/dossiers/{id}/transitions/{trigger}) are decided by the workflow's own roles for the
step in the dossier's state (`roles_at`): those are the domain's rules, tested by the features.

The same run checks, for every HTML answer, the security headers and that no page carries an inline script or an
inline event handler (the Content-Security-Policy forbids them; a page relying on one would break). CSRF on every
state-changing web request and the session's renewal at sign-in are separate tests below.

Each test builds its own demo district (the state-changing requests here must not disturb other tests' data).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from web_world import Browser
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from ketnap.db.migrate import upgrade
from ketnap.db.models import Candidate, Dossier, Member, Organisation, User, table_of
from ketnap.db.repository import SqlUnitOfWork
from ketnap.db.tokens import create_token
from ketnap.demo import build_demo
from ketnap.engine.service import Actor, local_today, open_dossier
from ketnap.webui import create_app, services
from ketnap.workflows.schemas import load_candidate

OFFICERS = ("branch_committee", "grassroots_staff", "superior_board")
READERS = (*OFFICERS, "auditor")
ROLES = (*READERS, "admin")
USER_OF = {"branch_committee": "chiuy", "grassroots_staff": "danguy", "superior_board": "bantochuc", "auditor": "kiemtra",
           "admin": "admin"}
PUBLIC = ("public",)
SIGNED_IN = ROLES
STEP = ("step",)  # decided by the workflow: the step's roles in the dossier's state
_d, _c, _o, _m, _u = table_of(Dossier), table_of(Candidate), table_of(Organisation), table_of(Member), table_of(User)


@dataclass(frozen=True)
class Decision:
    """Who may use an endpoint with a method: PUBLIC (no sign-in), a tuple of roles, or STEP."""

    roles: tuple[str, ...]
    scoped: bool = False  # names an object of an organisation (its URL's IDs): another organisation's answers 404
    owned: bool = False  # names an object of a user: another user's answers 404, except to an administrator


D = Decision
MATRIX: dict[tuple[str, str], Decision] = {
    # signing in, the language, help, static files, liveness
    ("auth.login", "GET"): D(PUBLIC), ("auth.login", "POST"): D(PUBLIC),
    ("auth.logout", "POST"): D(SIGNED_IN),
    ("auth.change_password", "GET"): D(SIGNED_IN), ("auth.change_password", "POST"): D(SIGNED_IN),
    ("i18n.choose", "GET"): D(PUBLIC),
    ("static", "GET"): D(PUBLIC),
    ("healthz", "GET"): D(PUBLIC),
    ("help.procedure", "GET"): D(SIGNED_IN),
    # API tokens: each user their own (an admin sees and revokes everyone's)
    ("tokens.tokens_page", "GET"): D(SIGNED_IN), ("tokens.create", "POST"): D(SIGNED_IN),
    ("tokens.revoke", "POST"): D(SIGNED_IN, owned=True),
    # dossiers
    ("dossiers.dashboard", "GET"): D(SIGNED_IN),
    ("dossiers.dossier_list", "GET"): D(READERS),
    ("dossiers.dossier", "GET"): D(READERS, scoped=True),
    ("dossiers.print_summary", "GET"): D(READERS, scoped=True),
    ("dossiers.act", "POST"): D(OFFICERS, scoped=True),
    ("dossiers.new_source", "GET"): D(("branch_committee", "grassroots_staff")),
    ("dossiers.new_source", "POST"): D(("branch_committee", "grassroots_staff")),
    ("imports.import_page", "GET"): D(("branch_committee", "grassroots_staff")),
    ("imports.import_post", "POST"): D(("branch_committee", "grassroots_staff")),
    ("imports.template", "GET"): D(("branch_committee", "grassroots_staff")),
    # lists and the monthly review of the sympathiser list
    ("lists.sympathisers", "GET"): D(READERS), ("lists.training", "GET"): D(READERS),
    ("lists.record_review", "POST"): D(("branch_committee", "grassroots_staff"), scoped=True),
    # reports and targets: targets are set by the grassroots staff and the superior board
    ("reports.report_page", "GET"): D(READERS), ("reports.report_download", "GET"): D(READERS),
    ("reports.targets_page", "GET"): D(("grassroots_staff", "superior_board")),
    ("reports.targets_page", "POST"): D(("grassroots_staff", "superior_board")),
    ("reports.limits_post", "POST"): D(("grassroots_staff", "superior_board"), scoped=True),  # the form names the organisation
    # the auditors' pages
    ("audit.index", "GET"): D(("auditor",)), ("audit.access", "GET"): D(("auditor",)),
    ("audit.anomalies", "GET"): D(("auditor",)), ("audit.log_search", "GET"): D(("auditor",)),
    ("audit.timeline", "GET"): D(("auditor",), scoped=True), ("audit.export_dossier", "GET"): D(("auditor",), scoped=True),
    ("audit.export_org", "GET"): D(("auditor",)),
    # the administrator keeps users, organisations and the member register
    **{(f"admin.{name}", method): D(("admin",)) for name in ("index", "members", "orgs", "users") for method in ("GET",)},
    **{(f"admin.{name}", method): D(("admin",)) for name in ("member_edit", "member_new", "org_edit", "org_new", "user_edit",
                                                               "user_password", "user_new") for method in ("GET", "POST")},
    # the API: a bearer token acts as its user
    ("api-docs.openapi_json", "GET"): D(PUBLIC), ("api_docs_page.docs", "GET"): D(PUBLIC),
    ("api_directory.who_am_i", "GET"): D(SIGNED_IN),
    ("api_directory.organisations", "GET"): D(SIGNED_IN), ("api_directory.organisation", "GET"): D(SIGNED_IN, scoped=True),
    ("api_directory.members", "GET"): D(ROLES), ("api_directory.member", "GET"): D(ROLES, scoped=True),
    ("api_directory.candidates", "GET"): D(READERS), ("api_directory.candidate", "GET"): D(READERS, scoped=True),
    ("api_dossiers.dossier_list", "GET"): D(READERS),
    ("api_dossiers.register_source", "POST"): D(("branch_committee", "grassroots_staff")),
    ("api_dossiers.dossier", "GET"): D(READERS, scoped=True),
    ("api_dossiers.dossier_audit", "GET"): D(READERS, scoped=True),
    ("api_dossiers.explain_steps", "GET"): D(READERS, scoped=True),
    ("api_dossiers.history", "GET"): D(READERS, scoped=True),
    ("api_imports.import_file", "POST"): D(("branch_committee", "grassroots_staff")),
    ("api_oversight.audit_status", "GET"): D(("auditor",)),
    ("api_oversight.targets", "GET"): D(READERS),
    ("api_oversight.put_target", "PUT"): D(("grassroots_staff", "superior_board"), scoped=True),
    ("api_oversight.delete_target", "DELETE"): D(("grassroots_staff", "superior_board"), scoped=True),
    ("api_oversight.report", "GET"): D(READERS),
}


# -- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    app: Flask
    engine: Engine
    own: dict[str, Any]  # URL argument -> a value inside every officer's scope (the demo branch committee's branch)
    other: dict[str, Any]  # URL argument -> a value in another commune, outside every officer's scope
    tokens: dict[str, str]  # role -> a bearer token of its demo user
    revocable: dict[str, dict[str, int]]  # "own"/"other" -> role -> a token ID: the role's user's own, and another user's


@pytest.fixture(scope="module")
def world(fresh_database: Callable[[], str]) -> Iterator[World]:
    url = fresh_database()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "matrix-secret", "RATELIMIT_ENABLED": False})
    with app.app_context():
        engine, workflow = services().engine, services().workflow
    build_demo(engine, workflow, size=150, seed=11, progress=lambda _m: None)
    with engine.begin() as conn:
        users = {r.username: r for r in conn.execute(select(_u.c.id, _u.c.username, _u.c.org_id))}
        parents = {r.id: r.parent_id for r in conn.execute(select(_o.c.id, _o.c.parent_id))}

        def chain(org: int | None) -> list[int]:
            out = []
            while org is not None:
                out.append(org)
                org = parents[org]
            return out

        branch = users["chiuy"].org_id
        commune = users["bantochuc"].org_id
        outside = [o for o in parents if commune not in chain(o)]
        other_branch = next(o for o in outside if conn.execute(select(_m.c.id).where(_m.c.branch_id == o)).first() is not None)
    own_dossier, other_dossier = (_source(engine, workflow, b, name) for b, name in ((branch, "Nguyễn Thị Mình"), (other_branch, "Trần Văn Khác")))
    with engine.begin() as conn:
        member = {b: conn.execute(select(_m.c.id).where(_m.c.branch_id == b).order_by(_m.c.id)).scalars().first()
                  for b in (branch, other_branch)}
        tokens = {role: create_token(conn, users[name].id, "matrix", None, local_today()).token for role, name in USER_OF.items()}
        revocable = {"own": {role: create_token(conn, users[name].id, "own", None, local_today()).id for role, name in USER_OF.items()},
                     "other": {role: create_token(conn, users["admin" if role != "admin" else "chiuy"].id, "someone else's", None,
                                                  local_today()).id for role in USER_OF}}
    year = str(local_today().year)
    shared = {"kind": "progress", "code": "en", "filename": "style.css", "period": year, "category": "total",
              "user_id": users["chiuy"].id}
    own = {**shared, "dossier_id": own_dossier.id, "candidate_id": own_dossier.candidate_id, "member_id": member[branch],
           "org_id": branch, "branch_id": branch, "trigger": "withdraw"}
    other = {**shared, "dossier_id": other_dossier.id, "candidate_id": other_dossier.candidate_id, "member_id": member[other_branch],
             "org_id": other_branch, "branch_id": other_branch, "trigger": "withdraw"}
    yield World(app, engine, own, other, tokens, revocable)
    engine.dispose()


def _source(engine: Engine, workflow: Any, branch: int, name: str) -> Any:
    """A new source in the branch, opened through the engine: (id, candidate_id)."""
    subject = load_candidate({"full_name": name, "date_of_birth": "2000-05-05", "gender": "female", "education": "university"})
    actor = Actor(None, "matrix", frozenset({"branch_committee"}), None)
    result = open_dossier(SqlUnitOfWork(engine, workflow), workflow, subject, branch, {"registered_on": local_today().isoformat()}, actor)
    assert result.change is not None
    with engine.connect() as conn:
        return conn.execute(select(_d.c.id, _d.c.candidate_id).where(_d.c.id == result.change.dossier_id)).one()


EXTENSION = {"fmt": {"reports.report_download": "xlsx", "imports.template": "csv"},
             "kind": {"audit.export_dossier": "csv", "audit.export_org": "csv"}}


def url_for_rule(rule: Rule, values: dict[str, Any]) -> str:
    path = rule.rule
    for arg in rule.arguments:
        value = EXTENSION.get(arg, {}).get(rule.endpoint, values.get(arg))
        assert value is not None, f"no value for <{arg}> of {rule.endpoint}"
        path = re.sub(rf"<(?:[^:<>]+(?:\([^)]*\))?:)?{arg}>", str(value), path)
    return path


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")  # a target is set (PUT) before it is removed (DELETE)


def endpoints(app: Flask) -> list[tuple[Rule, str]]:
    return sorted(((rule, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}),
                  key=lambda pair: (pair[0].rule, METHODS.index(pair[1])))


def decision(app: Flask, rule: Rule, method: str) -> Decision | None:
    if rule.endpoint.startswith("api_dossiers.step_"):
        return Decision(STEP, scoped=True)
    return MATRIX.get((rule.endpoint, method))


# -- the requests ------------------------------------------------------------------------------


FORM = {"reports.limits_post": lambda values: {"org": values["org_id"]}}  # forms that name their object in a field
BODY = {"api_oversight.put_target": {"value": 3}}  # a valid body, so that the answer is about who may, not what was sent


def call(world: World, who: str | None, method: str, path: str, endpoint: str = "", values: dict[str, Any] | None = None) -> TestResponse:
    """The request as `who` (a role, or None: logged out) would send it: the API with the role's bearer token, the web UI
    signed in with the password and a valid CSRF token; no data beyond that."""
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {world.tokens[who]}"} if who else {}
        body = {"json": BODY.get(endpoint, {})} if method in ("POST", "PUT") else {}
        return world.app.test_client().open(path, method=method, headers=headers, **body)
    browser = Browser(world.app.test_client())
    if who:
        assert browser.login(USER_OF[who]).status_code == 302
    if method == "GET":
        return browser.get(path)
    browser.get("/account/password" if who else "/login")  # a page with the session's CSRF token
    return browser.post(path, FORM[endpoint](values or {}) if endpoint in FORM else {})


def expected(world: World, d: Decision, who: str | None, path: str, variant: str, trigger: str | None) -> str:
    """What the answer must be: 'public', 'usual', 'login', 401, 403 or 404."""
    if d.roles == PUBLIC:
        return "public"
    if who is None:
        return "401" if path.startswith("/api/") else "login"
    if d.roles == STEP:  # the dossier is looked up in the user's scope first (404), then the step's roles are checked
        if who in ("auditor", "admin"):  # not workflow roles: they take no step anywhere
            return "403"
        if variant == "other":
            return "404"
        with world.engine.connect() as conn:
            state = conn.execute(select(_d.c.state).where(_d.c.id == world.own["dossier_id"])).scalar_one()
        assert trigger is not None
        return "usual" if who in world.app.extensions["ketnap"].workflow.transitions[trigger].roles_at(state) else "403"
    roles = d.roles
    if who not in roles:
        return "403"
    if variant == "other" and d.scoped and who not in ("auditor", "admin"):  # their scope is every organisation
        return "404"
    if variant == "other" and d.owned and who != "admin":
        return "404"
    return "usual"


def judged(response: TestResponse, want: str, endpoint: str) -> bool:
    code = response.status_code
    if endpoint == "auth.logout" and want == "usual":  # signing out leads to the sign-in page
        want = "login"
    if code >= 500:
        return False
    if want == "public":  # signing in with nothing filled in answers 401, as a wrong password does
        return code not in (403, 404)
    if want == "usual":
        return code not in (401, 403, 404) and not (code == 302 and "/login" in response.headers.get("Location", ""))
    if want == "login":
        return code == 302 and "/login" in response.headers.get("Location", "")
    return code == int(want)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.I)


def headers_problems(response: TestResponse) -> list[str]:
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip())
    script = directives.get("script-src", directives.get("default-src", ""))
    if not script or "'unsafe-inline'" in script or "'unsafe-eval'" in script or "*" in script.split():
        problems.append(f"script-src allows inline or any source: {csp!r}")
    if "frame-ancestors 'none'" not in csp or response.headers.get("X-Frame-Options") != "DENY":
        problems.append("framing is not denied")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.mimetype == "text/html" and (found := INLINE_SCRIPT.search(response.get_data(as_text=True))):
        problems.append(f"inline script in the page: {found.group(0)!r}")
    return problems


# -- the tests ---------------------------------------------------------------------------------


def test_every_endpoint_has_a_decision(world: World) -> None:
    missing = [f"{rule.endpoint} {method} {rule.rule}" for rule, method in endpoints(world.app) if decision(world.app, rule, method) is None]
    assert not missing, "endpoints with no decision in the authorisation matrix (add them to MATRIX): " + "; ".join(missing)
    unknown = [key for key in MATRIX if not any((rule.endpoint, method) == key for rule, method in endpoints(world.app))]
    assert not unknown, f"decisions for endpoints that no longer exist: {unknown}"


@pytest.mark.parametrize("who", [None, *ROLES], ids=lambda who: who or "logged-out")
def test_every_endpoint_answers_every_role_as_decided(world: World, who: str | None) -> None:
    tried, wrong, header_problems = 0, [], []
    for rule, method in endpoints(world.app):
        d = decision(world.app, rule, method)
        assert d is not None
        for variant in ("own", "other") if d.scoped else ("own",):
            values = world.own if variant == "own" else world.other
            if who is not None:
                values = {**values, "token_id": world.revocable[variant][who]}
            else:
                values = {**values, "token_id": world.revocable[variant]["branch_committee"]}
            trigger = rule.endpoint.removeprefix("api_dossiers.step_") if d.roles == STEP else None
            path = url_for_rule(rule, values)
            want = expected(world, d, who, path, variant, trigger)
            response = call(world, who, method, path, rule.endpoint, values)
            response.get_data()  # a streamed export runs to its end in its own request context
            response.close()
            tried += 1
            if not judged(response, want, rule.endpoint):
                wrong.append(f"{method} {path} ({rule.endpoint}, {variant}): {response.status_code}, expected {want}")
            header_problems.extend(f"{method} {path}: {p}" for p in headers_problems(response))
    print(f"\nauthorisation matrix, {who or 'logged out'}: {tried} requests")
    assert not wrong, f"{len(wrong)} of {tried} answers differ from the matrix:\n" + "\n".join(wrong)
    assert not header_problems, "\n".join(header_problems)


def test_nothing_changed_by_the_refused_requests(world: World) -> None:
    """Another organisation's objects, after every role's attempts on them: untouched."""
    with world.engine.connect() as conn:
        dossier = conn.execute(select(_d.c.state, _d.c.version).where(_d.c.id == world.other["dossier_id"])).one()
        member = conn.execute(select(_m.c.full_name).where(_m.c.id == world.other["member_id"])).scalar_one()
    for who in ROLES:
        for method, path in (("POST", f"/dossiers/{world.other['dossier_id']}/act/withdraw"),
                             ("POST", f"/api/v1/dossiers/{world.other['dossier_id']}/transitions/withdraw")):
            call(world, who, method, path)
    with world.engine.connect() as conn:
        assert conn.execute(select(_d.c.state, _d.c.version).where(_d.c.id == world.other["dossier_id"])).one() == dossier
        assert conn.execute(select(_m.c.full_name).where(_m.c.id == world.other["member_id"])).scalar_one() == member


def test_every_state_changing_web_request_needs_the_csrf_token(world: World) -> None:
    """Every web POST, by a user allowed to make it, without the form's token: 400, and the data untouched."""
    tried = 0
    for rule, method in endpoints(world.app):
        if method == "GET" or rule.rule.startswith("/api/"):
            continue
        d = decision(world.app, rule, method)
        assert d is not None
        who = next((r for r in ROLES if r in d.roles), "branch_committee")
        browser = Browser(world.app.test_client())
        if d.roles != PUBLIC:
            assert browser.login(USER_OF[who]).status_code == 302
        values = {**world.own, "token_id": world.revocable["own"][who]}
        response = browser.post(url_for_rule(rule, values), {"full_name": "Không có mã"}, csrf=False)
        tried += 1
        assert response.status_code == 400, f"{method} {rule.rule}: {response.status_code} without a CSRF token"
    assert tried >= 15
    with world.engine.connect() as conn:
        assert conn.execute(select(_u.c.full_name).where(_u.c.username == "chiuy")).scalar_one() != "Không có mã"


def test_signing_in_starts_a_new_session(world: World) -> None:
    """Session fixation: what was in the session before signing in is gone after, and the cookie is a new one."""
    client = world.app.test_client()
    browser = Browser(client)
    browser.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        before_token = session.get("csrf_token")
    before = client.get_cookie("session")
    assert before is not None
    assert browser.login("chiuy").status_code == 302
    after = client.get_cookie("session")
    assert after is not None and after.value != before.value
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != before_token


def test_a_signed_out_session_cookie_no_longer_signs_in(world: World) -> None:
    """After signing out, the cookie of the signed-in session, replayed, is a stranger's."""
    client = world.app.test_client()
    browser = Browser(client)
    assert browser.login("chiuy").status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None and browser.get("/dossiers").status_code == 200
    browser.get("/")
    browser.post("/logout", {})
    replay = world.app.test_client()
    replay.set_cookie("session", cookie.value)
    response = replay.get("/dossiers")
    assert response.status_code == 302 and "/login" in response.headers["Location"], (
        "a session cookie from before signing out still works")
