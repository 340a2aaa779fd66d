"""Contract tests of the REST API: tokens, roles and scope, ETag / If-Match, problem details, and each resource."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from api_world import PROBLEM, ApiClient, make_token
from flask import Flask
from sqlalchemy import func, select, update

from ketnap.db.models import AccessLog, ApiToken, TransitionLog, User, table_of
from ketnap.db.tokens import revoke_token
from ketnap.engine.service import local_today
from ketnap.webui import services

pytestmark = pytest.mark.db
Api = Callable[..., ApiClient]


def services_of(app: Flask) -> Any:
    with app.app_context():
        return services()


def _engine(app: Flask) -> Any:
    return services_of(app).engine


def _my_branch(client: ApiClient) -> int:
    orgs = client.get("/api/v1/organisations").get_json()["items"]
    return next(o["id"] for o in orgs if o["level_code"] in ("branch", "grassroots_branch") and o["active"])


def _foreign_branch(app: Flask, mine: ApiClient) -> int:
    """A branch outside `mine`'s scope."""
    everything = ApiClient(app, make_token(_engine(app), "admin")[1])
    assert everything.get("/api/v1/organisations").status_code == 200
    seen = {o["id"] for o in mine.get("/api/v1/organisations").get_json()["items"]}
    all_orgs = everything.get("/api/v1/organisations").get_json()["items"]
    return next(o["id"] for o in all_orgs if o["id"] not in seen and o["level_code"] in ("branch", "grassroots_branch"))


def _log_count(app: Flask, dossier_id: int) -> int:
    t = table_of(TransitionLog)
    with _engine(app).connect() as conn:
        return int(conn.execute(select(func.count()).where(t.c.dossier_id == dossier_id)).scalar_one())


def _official_member(client: ApiClient, branch_id: int) -> int:
    items = client.get(f"/api/v1/members?org_id={branch_id}&status=official&per_page=1").get_json()["items"]
    return int(items[0]["id"])


def assert_problem(response: Any, status: int, kind: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    if kind:
        assert body["type"] == f"/api/v1/docs#problem-{kind}"
    return body


# -- the document and its page ---------------------------------------------------------------------


def test_openapi_document_describes_every_step_with_its_own_facts_schema(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    workflow = services_of(app).workflow
    for trigger in workflow.transitions:
        if trigger == "register_source":
            continue
        op = spec["paths"][f"/api/v1/dossiers/{{dossier_id}}/transitions/{trigger}"]["post"]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.rsplit("/", 1)[-1] in spec["components"]["schemas"]
        assert {p["name"] for p in op["parameters"] if p["in"] == "header"} == {"If-Match"}
        assert {"412", "422", "428"} <= set(op["responses"])
        assert op["responses"]["422"]["content"].keys() == {PROBLEM}
    assert spec["security"] == [{"bearerAuth": []}]


def test_docs_page_needs_no_network_and_lists_every_path(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/api/v1/docs").get_data(as_text=True)
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "<script" not in page
    assert "//cdn" not in page and 'src="http' not in page and "href=\"http" not in page.replace('href="http://localhost', "")
    for path in spec["paths"]:
        assert path in page
    for slug in ("rule-refused", "precondition-failed", "precondition-required", "invalid-input", "not-found"):
        assert f'id="problem-{slug}"' in page


# -- authentication ----------------------------------------------------------------------------------


def test_no_token_answers_401_problem_with_www_authenticate(app: Flask) -> None:
    response = ApiClient(app, None).get("/api/v1/dossiers")
    assert_problem(response, 401, "unauthorised")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_signed_in_browser_session_does_not_open_the_api(app: Flask, login: Callable[..., Any]) -> None:
    browser = login("chiuy")
    assert browser.get("/dossiers").status_code == 200
    assert_problem(browser.client.get("/api/v1/dossiers"), 401, "unauthorised")


def test_unknown_revoked_and_expired_tokens_are_refused(app: Flask) -> None:
    engine = _engine(app)
    token_id, token = make_token(engine, "chiuy")
    assert ApiClient(app, token).get("/api/v1/me").status_code == 200
    assert_problem(ApiClient(app, token[:-1] + ("A" if token[-1] != "A" else "B")).get("/api/v1/me"), 401)
    assert_problem(ApiClient(app, "not-a-ketnap-token").get("/api/v1/me"), 401)
    with engine.begin() as conn:
        assert revoke_token(conn, token_id)
    assert_problem(ApiClient(app, token).get("/api/v1/me"), 401)
    expiring_id, expiring = make_token(engine, "chiuy", local_today() + timedelta(days=1))
    assert ApiClient(app, expiring).get("/api/v1/me").status_code == 200
    with engine.begin() as conn:
        conn.execute(update(table_of(ApiToken)).where(table_of(ApiToken).c.id == expiring_id)
                     .values(expires_on=local_today() - timedelta(days=1)))
    assert_problem(ApiClient(app, expiring).get("/api/v1/me"), 401)


def test_token_stored_only_as_digest_and_stops_with_a_deactivated_user(app: Flask) -> None:
    engine = _engine(app)
    token_id, token = make_token(engine, "bantochuc")
    k, u = table_of(ApiToken), table_of(User)
    with engine.connect() as conn:
        row = conn.execute(select(k).where(k.c.id == token_id)).one()
    assert token not in (row.digest, row.prefix, row.name) and len(row.digest) == 64 and token.startswith(row.prefix)
    client = ApiClient(app, token)
    me = client.get("/api/v1/me").get_json()
    assert me["username"] == "bantochuc" and me["role"] == "superior_board"
    with engine.begin() as conn:
        conn.execute(update(u).where(u.c.id == me["id"]).values(active=False))
    try:
        assert_problem(client.get("/api/v1/me"), 401)
    finally:
        with engine.begin() as conn:
            conn.execute(update(u).where(u.c.id == me["id"]).values(active=True))


# -- roles and scope -------------------------------------------------------------------------------


def test_roles_as_on_the_web(api: Api) -> None:
    assert_problem(api("admin").get("/api/v1/dossiers"), 403, "forbidden")
    assert api("admin").get("/api/v1/members?per_page=1").status_code == 200
    assert_problem(api("chiuy").get("/api/v1/audit/status"), 403, "forbidden")
    assert_problem(api("kiemtra").new_source(1), 403, "forbidden")
    assert_problem(api("chiuy").put("/api/v1/targets/1/2026/total", json={"value": 3}), 403, "forbidden")


def test_another_organisations_objects_answer_404_like_missing_ones(app: Flask, api: Api) -> None:
    chiuy = api("chiuy")
    foreign_branch = _foreign_branch(app, chiuy)
    admin = api("admin")
    assert admin.get(f"/api/v1/organisations/{foreign_branch}").status_code == 200
    grassroots = api("danguy")
    mine = {d["id"] for d in chiuy.get("/api/v1/dossiers?per_page=200").get_json()["items"]}
    outside = next(d["id"] for d in grassroots.get("/api/v1/dossiers?per_page=200").get_json()["items"] if d["id"] not in mine)
    missing = assert_problem(chiuy.get("/api/v1/dossiers/999999"), 404, "not-found")
    hidden = assert_problem(chiuy.get(f"/api/v1/dossiers/{outside}"), 404, "not-found")
    assert missing["detail"].replace("999999", "N") == hidden["detail"].replace(str(outside), "N")
    for path in ("explain", "history", "audit"):
        assert_problem(chiuy.get(f"/api/v1/dossiers/{outside}/{path}"), 404)
    assert_problem(chiuy.step(outside, "withdraw", {"withdrawn_on": local_today().isoformat(), "requested_by": "candidate",
                                                     "reason": "Chuyển công tác"}, etag=f'"{outside}.1"'), 404)
    assert_problem(chiuy.get(f"/api/v1/organisations/{foreign_branch}"), 404)
    assert_problem(chiuy.get(f"/api/v1/members?org_id={foreign_branch}"), 404)
    assert_problem(chiuy.get(f"/api/v1/dossiers?branch_id={foreign_branch}"), 404)
    foreign_member = admin.get(f"/api/v1/members?org_id={foreign_branch}&per_page=1").get_json()["items"][0]
    assert_problem(chiuy.get(f"/api/v1/members/{foreign_member['id']}"), 404)
    foreign_candidate = grassroots.get(f"/api/v1/dossiers/{outside}").get_json()["candidate"]
    assert_problem(chiuy.get(f"/api/v1/candidates/{foreign_candidate['id']}"), 404)
    assert foreign_candidate["id"] not in {c["id"] for c in chiuy.get("/api/v1/candidates?per_page=200").get_json()["items"]}
    assert_problem(chiuy.get(f"/api/v1/reports/progress?org_id={foreign_branch}"), 404)
    assert_problem(chiuy.get(f"/api/v1/targets?org_id={foreign_branch}"), 404)
    assert_problem(api("kiemtra").get("/api/v1/audit/status?org_id=999999"), 404)
    problem = assert_problem(chiuy.new_source(foreign_branch), 422, "invalid-input")
    assert [e["field"] for e in problem["errors"]] == ["branch_id"]


# -- dossiers ----------------------------------------------------------------------------------------


def test_register_a_source_then_read_it_with_its_etag(app: Flask, api: Api) -> None:
    client = api("chiuy")
    branch = _my_branch(client)
    created = client.new_source(branch, name="Lê Thị Hợp Đồng")
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["state"] == "source" and body["version"] == 1 and body["candidate"]["full_name"] == "Lê Thị Hợp Đồng"
    assert created.headers["ETag"] == f'"{body["id"]}.1"'
    assert created.headers["Location"].endswith(f"/api/v1/dossiers/{body['id']}")
    read = client.get(f"/api/v1/dossiers/{body['id']}")
    assert read.status_code == 200 and read.headers["ETag"] == created.headers["ETag"]
    assert read.get_json()["branch"]["id"] == branch
    a = table_of(AccessLog)
    with _engine(app).connect() as conn:
        views = conn.execute(select(a.c.detail).where(a.c.dossier_id == body["id"], a.c.action == "view_dossier")).scalars().all()
    assert any(v.get("via") == "api" for v in views)


def test_bad_input_names_every_field_and_writes_nothing(app: Flask, api: Api) -> None:
    client = api("chiuy")
    branch = _my_branch(client)
    before = client.get("/api/v1/dossiers?per_page=1").get_json()["total"]
    body = {"branch_id": branch, "candidate": {"full_name": "X", "date_of_birth": "31/02/2000", "gender": "other"},
            "facts": {"registered_on": "soon"}, "extra": 1}
    problem = assert_problem(client.post("/api/v1/dossiers", json=body), 422, "invalid-input")
    fields = {e["field"] for e in problem["errors"]}
    assert {"candidate.full_name", "candidate.date_of_birth", "candidate.gender", "candidate.education", "facts.registered_on",
            "extra"} <= fields
    assert next(e for e in problem["errors"] if e["field"] == "candidate.gender")["pointer"] == "#/candidate/gender"
    assert_problem(client.post("/api/v1/dossiers", json=[1, 2]), 422, "invalid-input")
    assert_problem(client.post("/api/v1/dossiers", data="{not json", content_type="application/json"), 422)
    assert client.get("/api/v1/dossiers?per_page=1").get_json()["total"] == before
    problem = assert_problem(client.get("/api/v1/dossiers?per_page=0&sort=sideways&state=nowhere"), 422, "invalid-input")
    assert {e["field"] for e in problem["errors"]} == {"query.per_page", "query.sort", "query.state[0]"}


def test_a_step_needs_if_match_and_a_stale_one_answers_412(app: Flask, api: Api) -> None:
    client = api("chiuy")
    branch = _my_branch(client)
    created = client.new_source(branch, name="Phạm Văn Khóa")
    dossier_id, etag = created.get_json()["id"], created.headers["ETag"]
    facts = {"decided_on": local_today().isoformat(), "helper_member_id": _official_member(client, branch)}
    url = f"/api/v1/dossiers/{dossier_id}/transitions/admit_to_sympathiser_list"
    assert_problem(client.post(url, json=facts), 428, "precondition-required")
    assert_problem(client.post(url, json=facts, headers={"If-Match": "*"}), 428)
    stale = assert_problem(client.post(url, json=facts, headers={"If-Match": f'"{dossier_id}.0"'}), 412, "precondition-failed")
    assert stale["current_version"] == 1
    assert_problem(client.post(url, json=facts, headers={"If-Match": f'W/"{dossier_id}.1"'}), 412)
    assert_problem(client.post(url, json=facts, headers={"If-Match": f'"{dossier_id + 1}.1"'}), 412)
    assert _log_count(app, dossier_id) == 1
    done = client.post(url, json=facts, headers={"If-Match": etag})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["state"] == "sympathiser" and done.headers["ETag"] == f'"{dossier_id}.2"'
    replay = assert_problem(client.post(url, json=facts, headers={"If-Match": etag}), 412)
    assert replay["current_version"] == 2 and _log_count(app, dossier_id) == 2


def _sympathiser(client: ApiClient, name: str) -> tuple[int, str]:
    """A new dossier of the client's branch, on the sympathiser list: its ID and ETag."""
    branch = _my_branch(client)
    dossier_id = client.new_source(branch, name=name).get_json()["id"]
    done = client.step(dossier_id, "admit_to_sympathiser_list",
                       {"decided_on": local_today().isoformat(), "helper_member_id": _official_member(client, branch)})
    assert done.status_code == 200, done.get_data(as_text=True)
    return dossier_id, done.headers["ETag"]


CERTIFICATE = {"certificate_no": "12/CN", "issuer": "Ban Tuyên giáo xã", "issuer_kind": "other"}


def test_a_refused_step_answers_422_with_rule_ids_messages_and_citations(app: Flask, api: Api) -> None:
    client = api("chiuy")
    dossier_id, etag = _sympathiser(client, "Đỗ Thị Từ Chối")
    facts = {"issued_on": local_today().isoformat(), **CERTIFICATE}
    problem = assert_problem(client.step(dossier_id, "record_training_certificate", facts, etag), 422, "rule-refused")
    assert [r["rule_id"] for r in problem["rules"]] == ["R-TRAIN-1"]
    rule = problem["rules"][0]
    assert rule["status"] == "failed" and "trung tâm chính trị" in rule["message"] and "HD 01-HD/TW" in rule["citation"]
    assert "R-TRAIN-1" in problem["detail"]
    assert _log_count(app, dossier_id) == 2
    english = api("chiuy", lang="en")
    problem = assert_problem(english.step(dossier_id, "record_training_certificate", facts), 422)
    assert "political centre" in problem["rules"][0]["message"]
    assert "Accept-Language" in english.get(f"/api/v1/dossiers/{dossier_id}").headers["Vary"]


def test_a_foreign_person_in_the_facts_is_refused_without_naming_them(app: Flask, api: Api) -> None:
    client = api("chiuy")
    created = client.new_source(_my_branch(client), name="Cao Thị Người Lạ")
    dossier_id, etag = created.get_json()["id"], created.headers["ETag"]
    other = _foreign_branch(app, client)
    stranger = api("admin").get(f"/api/v1/members?org_id={other}&status=official&per_page=1").get_json()["items"][0]
    response = client.step(dossier_id, "admit_to_sympathiser_list", {"decided_on": local_today().isoformat(),
                                                                     "helper_member_id": stranger["id"]}, etag)
    problem = assert_problem(response, 422, "invalid-input")
    assert [e["field"] for e in problem["errors"]] == ["helper_member_id"]
    assert stranger["full_name"] not in response.get_data(as_text=True)
    assert _log_count(app, dossier_id) == 1


def test_if_match_may_list_several_tags(api: Api) -> None:
    client = api("chiuy")
    created = client.new_source(_my_branch(client), name="Lý Văn Danh Sách")
    dossier_id = created.get_json()["id"]
    facts = {"withdrawn_on": local_today().isoformat(), "requested_by": "candidate", "reason": "Chuyển công tác"}
    done = client.step(dossier_id, "withdraw", facts, etag=f'"{dossier_id}.0", W/"x", "{dossier_id}.1"')
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["state"] == "withdrawn"


def test_a_step_from_the_wrong_state_answers_409_and_unknown_member_422(api: Api) -> None:
    client = api("chiuy")
    branch = _my_branch(client)
    created = client.new_source(branch, name="Vũ Văn Sai Bước")
    dossier_id, etag = created.get_json()["id"], created.headers["ETag"]
    assert_problem(client.step(dossier_id, "submit_application", {"applied_on": local_today().isoformat(),
                                                                   "handwritten_by_candidate": True,
                                                                   "states_understanding_and_motive": True}, etag), 409, "wrong-state")
    problem = assert_problem(client.step(dossier_id, "admit_to_sympathiser_list",
                                         {"decided_on": local_today().isoformat(), "helper_member_id": 99_999_999}, etag), 422)
    assert [e["field"] for e in problem["errors"]] == ["helper_member_id"] and "not one of the choices" in problem["errors"][0]["detail"]
    future = (local_today() + timedelta(days=3)).isoformat()
    problem = assert_problem(client.step(dossier_id, "withdraw", {"withdrawn_on": future, "requested_by": "candidate",
                                                                  "reason": "Chuyển công tác"}, etag), 422, "invalid-input")
    assert [e["field"] for e in problem["errors"]] == ["withdrawn_on"] and "tương lai" in problem["errors"][0]["detail"]
    assert client.get("/api/v1/bad-path").status_code == 404
    assert_problem(client.post(f"/api/v1/dossiers/{dossier_id}/transitions/fly_to_the_moon", json={}), 404)


def test_list_filters_sorts_and_pages(api: Api) -> None:
    client = api("danguy")
    first = client.get("/api/v1/dossiers?per_page=5&sort=id").get_json()
    second = client.get("/api/v1/dossiers?per_page=5&page=2&sort=id").get_json()
    assert first["total"] == second["total"] > 5 and first["pages"] == -(-first["total"] // 5)
    ids = [d["id"] for d in first["items"] + second["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 10
    states = client.get("/api/v1/dossiers?state=source&state=sympathiser&per_page=200").get_json()["items"]
    assert states and {d["state"] for d in states} <= {"source", "sympathiser"}
    newest = client.get("/api/v1/dossiers?sort=-id&per_page=1").get_json()["items"][0]["id"]
    assert newest == max(d["id"] for d in client.get("/api/v1/dossiers?per_page=200").get_json()["items"])


def test_explain_history_and_chain_check(api: Api) -> None:
    client = api("chiuy")
    branch = _my_branch(client)
    dossier_id = client.new_source(branch, name="Hoàng Thị Giải Thích").get_json()["id"]
    steps = client.get(f"/api/v1/dossiers/{dossier_id}/explain").get_json()["steps"]
    admit = next(s for s in steps if s["trigger"] == "admit_to_sympathiser_list")
    assert admit["role_allowed"] and admit["dest"] == "sympathiser"
    assert [r["rule_id"] for r in admit["results"]] == ["R-HELP-1"]
    history = client.get(f"/api/v1/dossiers/{dossier_id}/history").get_json()["items"]
    assert [h["trigger"] for h in history] == ["register_source"] and len(history[0]["hash"]) == 64
    audit = client.get(f"/api/v1/dossiers/{dossier_id}/audit").get_json()
    assert audit["ok"] and audit["entries"] == 1 and audit["head_hash"] == history[0]["hash"]


def test_audit_status_for_auditors(api: Api) -> None:
    status = api("kiemtra").get("/api/v1/audit/status").get_json()
    assert status["ok"] is True and status["dossiers"] > 0 and status["entries"] >= status["dossiers"]


# -- targets and reports -----------------------------------------------------------------------------


def test_targets_set_read_and_clear_by_the_level_above(app: Flask, api: Api) -> None:
    board = api("danguy")
    me = board.get("/api/v1/me").get_json()
    child = next(o for o in board.get("/api/v1/organisations").get_json()["items"] if o["parent_id"] == me["org_id"])
    url = f"/api/v1/targets/{child['id']}/2031/women"
    put = board.put(url, json={"value": 4})
    assert put.status_code == 200, put.get_data(as_text=True)
    assert put.get_json()["value"] == 4
    listed = board.get(f"/api/v1/targets?org_id={me['org_id']}&period=2031").get_json()["items"]
    assert {"org_id": child["id"], "category": "women", "value": 4} in [{k: i[k] for k in ("org_id", "category", "value")} for i in listed]
    problem = assert_problem(board.put(url, json={"value": -1}), 422)
    assert problem["errors"][0]["field"] == "value"
    assert_problem(board.put(f"/api/v1/targets/{child['id']}/2031/nonsense", json={"value": 1}), 422)
    assert_problem(board.put(f"/api/v1/targets/{child['id']}/2031-03/women", json={"value": 1}), 422)
    assert_problem(board.put(f"/api/v1/targets/{me['org_id']}/2031/women", json={"value": 1}), 403)
    assert board.delete(url).status_code == 204
    assert_problem(board.delete(url), 404)


def test_reports_as_data(api: Api) -> None:
    client = api("danguy")
    for kind in ("progress", "structure", "funnel", "deadlines", "reviews"):
        response = client.get(f"/api/v1/reports/{kind}?period=2026")
        assert response.status_code == 200, (kind, response.get_data(as_text=True)[:500])
        report = response.get_json()
        assert report["kind"] == kind and report["period"] == {"code": "2026", "kind": "year", "start": "2026-01-01", "end": "2026-12-31"}
        for table in report["tables"]:
            assert all(len(row) == len(table["columns"]) for row in table["rows"])
    assert_problem(client.get("/api/v1/reports/progress?period=2026-Q7"), 422)
    assert_problem(client.get("/api/v1/reports/gossip"), 404)


def test_members_private_fields_for_the_administrator_only_and_list_reads_logged(app: Flask, api: Api) -> None:
    officer = api("chiuy")
    rows = officer.get("/api/v1/members?per_page=5").get_json()["items"]
    assert rows and all(r["citizen_id"] is None and r["date_of_birth"] is None for r in rows)
    assert_problem(officer.get("/api/v1/members?citizen_id=001099012345"), 403)
    full = api("admin").get(f"/api/v1/members/{rows[0]['id']}").get_json()
    assert full["full_name"] == rows[0]["full_name"] and full["date_of_birth"] is not None
    candidates = officer.get("/api/v1/candidates?per_page=3").get_json()["items"]
    a = table_of(AccessLog)
    with _engine(app).connect() as conn:
        last = conn.execute(select(a.c.action, a.c.detail).order_by(a.c.id.desc()).limit(1)).one()
    assert last.action == "read_list" and last.detail["ids"] == [c["dossier_id"] for c in candidates]


def test_a_source_takes_its_category_and_mass_organisation_from_the_candidate(api: Api) -> None:
    client = api("chiuy")
    branch = _my_branch(client)
    body = {"branch_id": branch, "candidate": {"full_name": "Mai Thị Nhóm", "date_of_birth": "1999-01-01", "gender": "female",
                                               "education": "upper_secondary", "source_category": "farmer"},
            "facts": {"registered_on": local_today().isoformat(), "source_category": "student"}}
    problem = assert_problem(client.post("/api/v1/dossiers", json=body), 422, "invalid-input")
    assert [e["field"] for e in problem["errors"]] == ["facts.source_category"]
    body["candidate"]["introducing_mass_org_id"] = 999_999
    del body["facts"]["source_category"]
    problem = assert_problem(client.post("/api/v1/dossiers", json=body), 422, "invalid-input")
    assert [e["field"] for e in problem["errors"]] == ["candidate.introducing_mass_org_id"]
    del body["candidate"]["introducing_mass_org_id"]
    created = client.post("/api/v1/dossiers", json=body)
    assert created.status_code == 201
    facts = client.get(f"/api/v1/dossiers/{created.get_json()['id']}").get_json()["facts"]["register_source"]
    assert facts["source_category"] == "farmer"


@pytest.mark.parametrize("query", ["/api/v1/reports/deadlines?as_of=0001-01-01", "/api/v1/reports/deadlines?as_of=9999-12-31",
                                   "/api/v1/candidates?q=a%00b", "/api/v1/dossiers?q=%01"])
def test_extreme_query_values_answer_422(api: Api, query: str) -> None:
    client = api("danguy")
    assert_problem(client.get(query), 422, "invalid-input")


def test_a_body_nested_too_deep_answers_422(api: Api) -> None:
    client = api("chiuy")
    dossier_id = client.new_source(_my_branch(client), name="Tô Văn Lồng").get_json()["id"]
    response = client.post(f"/api/v1/dossiers/{dossier_id}/transitions/withdraw", data="[" * 100_000,
                           content_type="application/json", headers={"If-Match": f'"{dossier_id}.1"'})
    assert_problem(response, 422, "invalid-input")


def _import_csv(rows: list[tuple[str, str, str]], branch_code: str) -> bytes:
    header = "Họ và tên,Ngày sinh,Giới tính,Trình độ học vấn,Số CCCD,Chi bộ,Ngày vào nguồn\n"
    registered = (local_today() - timedelta(days=10)).strftime("%d/%m/%Y")
    lines = [f"{name},{born},{gender},upper_secondary,{cid},{branch_code},{registered}" for name, born, gender, cid in
             [(r[0], r[1], "Nữ", r[2]) for r in rows]]
    return (header + "\n".join(lines) + "\n").encode()


def test_import_dry_run_then_all_or_nothing_then_idempotent(app: Flask, api: Api) -> None:
    from io import BytesIO

    from ketnap.workflows.citizen_id import make_citizen_id

    client = api("chiuy")
    branch = next(o for o in client.get("/api/v1/organisations").get_json()["items"] if o["id"] == _my_branch(client))
    good = [(f"Nguyễn Thị Nhập {i}", f"0{i + 1}/02/2000", make_citizen_id(date(2000, 2, i + 1), "female", 90_000 + i)) for i in range(3)]
    bad = [*good, ("Trần Thị Sai", "31/02/2000", "123")]
    url = "/api/v1/imports/sources"

    def send(data: bytes, dry_run: bool) -> Any:
        return client.post(url + ("?dry_run=true" if dry_run else ""), data={"file": (BytesIO(data), "nguon.csv")},
                           content_type="multipart/form-data")

    before = client.get("/api/v1/dossiers?per_page=1").get_json()["total"]
    checked = send(_import_csv(bad, branch["code"]), dry_run=True)
    assert checked.status_code == 200
    report = checked.get_json()
    assert report["ok"] is False and report["counts"]["new"] == 3 and report["counts"]["error"] == 1
    assert {(e["line"], e["column"]) for e in report["errors"]} == {(5, "Ngày sinh"), (5, "Số CCCD")}
    refused = assert_problem(send(_import_csv(bad, branch["code"]), dry_run=False), 422, "import-refused")
    assert {(e["line"], e["field"]) for e in refused["errors"]} == {(5, "Ngày sinh"), (5, "Số CCCD")}
    assert client.get("/api/v1/dossiers?per_page=1").get_json()["total"] == before
    done = send(_import_csv(good, branch["code"]), dry_run=False)
    assert done.status_code == 201 and done.get_json()["counts"]["created"] == 3
    assert client.get("/api/v1/dossiers?per_page=1").get_json()["total"] == before + 3
    again = send(_import_csv(good, branch["code"]), dry_run=False)
    assert again.status_code == 201 and again.get_json()["counts"] == {**again.get_json()["counts"], "created": 0, "unchanged": 3}
    assert client.get("/api/v1/dossiers?per_page=1").get_json()["total"] == before + 3
    found = client.get(f"/api/v1/candidates?citizen_id={good[0][2]}").get_json()["items"]
    assert [c["full_name"] for c in found] == [good[0][0]]
    assert_problem(client.post(url, json={"rows": []}), 415)
    assert_problem(api("kiemtra").post(url, data={"file": (BytesIO(b"x"), "a.csv")}, content_type="multipart/form-data"), 403)


@pytest.mark.parametrize("field, value", [("full_name", "Nguyễn\u0000Văn"), ("occupation", "a\u0007b"), ("religion", "\u001b[31m")])
def test_control_characters_in_text_are_refused_by_field(api: Api, field: str, value: str) -> None:
    client = api("chiuy")
    before = client.get("/api/v1/dossiers?per_page=1").get_json()["total"]
    problem = assert_problem(client.new_source(_my_branch(client), **{"name": "Bùi Thị Ký Tự"} | ({field: value} if field != "full_name"
                                                                                                 else {"name": value})), 422)
    assert [e["field"] for e in problem["errors"]] == [f"candidate.{field}"]
    assert client.get("/api/v1/dossiers?per_page=1").get_json()["total"] == before


def test_an_id_beyond_the_database_integer_is_refused_by_field(api: Api) -> None:
    client = api("chiuy")
    created = client.new_source(_my_branch(client), name="Đinh Văn Số Lớn")
    for huge in (2**31, 2**63, -1):
        problem = assert_problem(client.step(created.get_json()["id"], "admit_to_sympathiser_list",
                                             {"decided_on": local_today().isoformat(), "helper_member_id": huge}), 422)
        assert [e["field"] for e in problem["errors"]] == ["helper_member_id"]
    problem = assert_problem(client.new_source(_my_branch(client), introducing_mass_org_id=2**63), 422)
    assert [e["field"] for e in problem["errors"]] == ["candidate.introducing_mass_org_id"]
