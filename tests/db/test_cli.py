"""The `ketnap` command line end to end on a migrated database with demo data (SQLite and PostgreSQL).

Exit codes: 0 done, 1 refused by a rule, 2 bad input naming the field; nothing written on 1 or 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from ketnap.db.session import make_engine
from ketnap.engine.service import local_today
from ketnap.webui.cli import main
from ketnap.workflows.rules import CATALOGUE

pytestmark = pytest.mark.db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cli_db(fresh_database: Callable[[], str]) -> str:
    url = fresh_database()
    runner = CliRunner()
    for args in (["init-db"], ["demo", "--size", "80", "--seed", "7"]):
        result = runner.invoke(main, args, env={"DATABASE_URL": url}, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": url}, catch_exceptions=False)


def scalar(url: str, sql: str, **params: Any) -> Any:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def rows(url: str, sql: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).all())
    finally:
        engine.dispose()


def counts(url: str) -> tuple[int, int, int]:
    return (scalar(url, "SELECT count(*) FROM dossiers"), scalar(url, "SELECT count(*) FROM transition_log"),
            scalar(url, "SELECT count(*) FROM dossier_facts"))


def introduced_dossier(url: str) -> tuple[int, int]:
    """A dossier waiting for its branch vote whose introductions are recent enough to vote today."""
    found = rows(url, "SELECT id, version FROM dossiers WHERE state = 'introduced' ORDER BY state_since DESC, id LIMIT 1")
    assert found, "the demo has a dossier waiting for the branch vote"
    return int(found[0][0]), int(found[0][1])


def test_demo_fills_every_stage_and_summary_reports_it(cli_db: str) -> None:
    states = {r for (r,) in rows(cli_db, "SELECT DISTINCT state FROM dossiers")}
    assert {"source", "sympathiser", "introduced", "probationary", "official", "rejected", "withdrawn"} <= states
    result = run(cli_db, "summary")
    assert result.exit_code == 0
    assert "hồ sơ: 80" in result.output
    assert "Đảng viên chính thức" in result.output


def test_demo_if_empty_does_not_add_twice(cli_db: str) -> None:
    before = counts(cli_db)
    assert run(cli_db, "demo", "--if-empty").exit_code == 0
    assert counts(cli_db) == before


def test_candidate_added_as_a_source(cli_db: str) -> None:
    branch = scalar(cli_db, "SELECT id FROM organisations WHERE level_code = 'branch' ORDER BY id LIMIT 1")
    result = run(cli_db, "candidates", "add", "--branch", str(branch), "--name", "Nguyễn Thị Hoa", "--dob", "05/05/2001",
                 "--gender", "female", "--education", "university")
    assert result.exit_code == 0, result.output
    dossier_id = int(result.output.split("hồ sơ ")[1].split(":")[0])
    assert scalar(cli_db, "SELECT state FROM dossiers WHERE id = :i", i=dossier_id) == "source"
    assert scalar(cli_db, "SELECT count(*) FROM transition_log WHERE dossier_id = :i", i=dossier_id) == 1


def test_candidates_list_searches_without_diacritics_and_filters_by_state(cli_db: str) -> None:
    branch = scalar(cli_db, "SELECT id FROM organisations WHERE level_code = 'branch' ORDER BY id LIMIT 1")
    added = run(cli_db, "candidates", "add", "--branch", str(branch), "--name", "Đặng Thị Liệt Kê", "--dob", "05/05/2000",
                "--gender", "female", "--education", "university")
    assert added.exit_code == 0, added.output
    found = run(cli_db, "candidates", "list", "--search", "dang thi liet ke")
    assert "Đặng Thị Liệt Kê" in found.output and "1 hồ sơ" in found.output
    assert "Đặng Thị Liệt Kê" not in run(cli_db, "candidates", "list", "--search", "dang thi liet ke", "--state", "official").output
    bad = run(cli_db, "candidates", "list", "--state", "nowhere")
    assert bad.exit_code == 2 and "--state" in bad.output


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--dob", "2001-13-40"], "date_of_birth"),
        (["--dob", "2001-05-05", "--citizen-id", "12345"], "citizen_id"),
        (["--dob", "2001-05-05", "--education", "phd"], "education"),
    ],
)
def test_bad_candidate_is_refused_naming_the_field_and_nothing_is_written(cli_db: str, args: list[str], field: str) -> None:
    branch = scalar(cli_db, "SELECT id FROM organisations WHERE level_code = 'branch' ORDER BY id LIMIT 1")
    before = counts(cli_db)
    base = ["candidates", "add", "--branch", str(branch), "--name", "Lê Văn Bình", "--gender", "male"]
    if "--education" not in args:
        base += ["--education", "upper_secondary"]
    result = run(cli_db, *base, *args)
    assert result.exit_code == 2
    assert field in result.output
    assert counts(cli_db) == before


def test_candidate_outside_the_users_scope_is_not_found(cli_db: str) -> None:
    own = scalar(cli_db, "SELECT org_id FROM users WHERE username = 'chiuy'")
    other = scalar(cli_db, "SELECT id FROM organisations WHERE level_code = 'branch' AND id <> :o ORDER BY id LIMIT 1", o=own)
    before = counts(cli_db)
    result = run(cli_db, "candidates", "add", "--as", "chiuy", "--branch", str(other), "--name", "Lê Văn Bình", "--gender", "male",
                 "--dob", "2000-01-01", "--education", "university")
    assert result.exit_code == 2
    assert "not in your scope" in result.output
    assert counts(cli_db) == before


def vote_args(dossier_id: int, agreeing: int, **extra: Any) -> list[str]:
    facts = {"meeting_date": local_today().isoformat(), "official_total": 15, "present": 13, "agreeing": agreeing, **extra}
    return ["advance", str(dossier_id), "hold_branch_vote", "--facts", json.dumps(facts)]


def test_branch_vote_one_short_of_two_thirds_is_refused_with_its_rule_and_writes_nothing(cli_db: str) -> None:
    dossier_id, version = introduced_dossier(cli_db)
    before = counts(cli_db)
    result = run(cli_db, *vote_args(dossier_id, 9))
    assert result.exit_code == 1
    assert "R-VOTE-BRANCH-1" in result.output
    assert "9/15" in result.output
    assert counts(cli_db) == before
    assert scalar(cli_db, "SELECT version FROM dossiers WHERE id = :i", i=dossier_id) == version


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (lambda d: ["advance", str(d), "hold_branch_vot"], "trigger"),
        (lambda d: vote_args(d, "nine"), "agreeing"),  # type: ignore[arg-type]
        (lambda d: ["advance", str(d), "hold_branch_vote", "--fact", "official_total=15", "--fact", "present=13",
                    "--fact", "agreeing=12", "--fact", f"meeting_date={(local_today() + timedelta(days=3)).isoformat()}"],
         "meeting_date"),
        (lambda d: ["advance", str(d), "hold_branch_vote", "--facts", "{not json"], "--facts"),
        (lambda d: ["advance", str(d), "hold_branch_vote", "--fact", "novalue"], "--fact"),
    ],
)
def test_bad_advance_input_names_the_field_and_writes_nothing(cli_db: str, args: Callable[[int], list[str]], field: str) -> None:
    dossier_id, _ = introduced_dossier(cli_db)
    before = counts(cli_db)
    result = run(cli_db, *args(dossier_id))
    assert result.exit_code == 2, result.output
    assert field in result.output
    assert counts(cli_db) == before


def test_stale_version_is_a_conflict(cli_db: str) -> None:
    dossier_id, version = introduced_dossier(cli_db)
    result = run(cli_db, *vote_args(dossier_id, 12), "--expected-version", str(version - 1))
    assert result.exit_code == 2
    assert "reload" in result.output
    assert scalar(cli_db, "SELECT version FROM dossiers WHERE id = :i", i=dossier_id) == version


def test_explain_then_advance_then_history(cli_db: str) -> None:
    dossier_id, version = introduced_dossier(cli_db)
    explained = run(cli_db, "explain", str(dossier_id))
    assert explained.exit_code == 0
    assert "hold_branch_vote" in explained.output
    result = run(cli_db, *vote_args(dossier_id, 12), "--expected-version", str(version))
    assert result.exit_code == 0, result.output
    assert "branch_approved" in result.output
    assert scalar(cli_db, "SELECT state FROM dossiers WHERE id = :i", i=dossier_id) == "branch_approved"
    history = run(cli_db, "history", str(dossier_id))
    assert history.exit_code == 0
    assert history.output.strip().splitlines()[-1].split()[2] == "hold_branch_vote"
    english = run(cli_db, "explain", str(dossier_id), "--lang", "en")
    assert "possible" in english.output


def test_unknown_dossier_is_not_found(cli_db: str) -> None:
    for args in (["explain", "999999"], ["history", "999999"], ["candidates", "show", "999999"]):
        result = run(cli_db, *args)
        assert result.exit_code == 2
        assert "999999" in result.output


def test_rules_lists_every_rule_with_confidence_and_markdown_matches_docs(cli_db: str) -> None:
    listing = run(cli_db, "rules")
    assert listing.exit_code == 0
    for rule in CATALOGUE:
        assert rule.id in listing.output
    assert "[recalled]" in listing.output
    assert run(cli_db, "rules", "--rule-set", "1999").exit_code == 2
    only_2016 = run(cli_db, "rules", "--rule-set", "2016")
    assert only_2016.exit_code == 0
    markdown = run(cli_db, "rules", "--markdown")
    assert markdown.output == (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def test_orgs_and_members_listings(cli_db: str) -> None:
    orgs = run(cli_db, "orgs")
    assert orgs.exit_code == 0
    assert "Tỉnh ủy Quảng Ngãi" in orgs.output
    members = run(cli_db, "members", "--status", "probationary", "--limit", "5")
    assert members.exit_code == 0
    assert len(members.output.strip().splitlines()) == 5
    assert all("probationary" in line for line in members.output.strip().splitlines())


def test_org_settings_switch_a_policy_to_blocking_and_set_a_limit(cli_db: str) -> None:
    org = scalar(cli_db, "SELECT id FROM organisations WHERE level_code = 'grassroots_committee' ORDER BY id LIMIT 1")
    result = run(cli_db, "org-settings", str(org), "--block", "R-SLA-1", "--param", "sla_verification_wd=30")
    assert result.exit_code == 0, result.output
    stored = json.loads(result.output)
    assert stored == {"blocking_policies": ["R-SLA-1"], "params": {"sla_verification_wd": 30}}
    from ketnap.db.repository import SqlUnitOfWork
    from ketnap.workflows.admission import build_workflow

    branch_dossier = scalar(cli_db, "SELECT d.id FROM dossiers d JOIN organisations o ON o.id = d.branch_id "
                                    "WHERE o.parent_id = :g ORDER BY d.id LIMIT 1", g=org)
    engine = make_engine(cli_db)
    try:
        with SqlUnitOfWork(engine, build_workflow()) as uow:
            settings = uow.dossiers.snapshot(branch_dossier).settings
    finally:
        engine.dispose()
    assert settings["blocking_policies"] == ["R-SLA-1"]
    assert settings["params"]["sla_verification_wd"] == 30
    cleared = run(cli_db, "org-settings", str(org), "--unblock", "R-SLA-1", "--clear-param", "sla_verification_wd")
    assert json.loads(cleared.output) == {}


@pytest.mark.parametrize(("args", "field"), [(["--block", "R-AGE-1"], "--block"), (["--param", "age_min_months=200"], "--param"),
                                             (["--param", "sla_verification_wd=abc"], "sla_verification_wd")])
def test_org_settings_refuse_what_an_organisation_may_not_change(cli_db: str, args: list[str], field: str) -> None:
    org = scalar(cli_db, "SELECT id FROM organisations WHERE level_code = 'grassroots_committee' ORDER BY id DESC LIMIT 1")
    before = scalar(cli_db, "SELECT settings FROM organisations WHERE id = :o", o=org)
    result = run(cli_db, "org-settings", str(org), *args)
    assert result.exit_code == 2
    assert field in result.output
    assert scalar(cli_db, "SELECT settings FROM organisations WHERE id = :o", o=org) == before


def test_users_add_creates_a_user_who_can_sign_in_and_refuses_bad_input(cli_db: str) -> None:
    from ketnap.passwords import verify_password

    org = scalar(cli_db, "SELECT min(id) FROM organisations")
    assert run(cli_db, "users", "add", "cli_user_1", "--name", "Người Dùng Mới", "--role", "auditor", "--org", str(org),
               "--password", "mot-mat-khau-dai").exit_code == 0
    stored = scalar(cli_db, "SELECT password_hash FROM users WHERE username = 'cli_user_1'")
    assert stored.startswith("$argon2") and verify_password(stored, "mot-mat-khau-dai")
    again = run(cli_db, "users", "add", "cli_user_1", "--name", "X", "--role", "auditor", "--org", str(org), "--password", "mot-mat-khau-dai")
    assert again.exit_code == 2 and "username" in again.output
    short = run(cli_db, "users", "add", "cli_user_2", "--name", "X", "--role", "auditor", "--org", str(org), "--password", "ngan")
    assert short.exit_code == 2 and "password" in short.output
    no_org = run(cli_db, "users", "add", "cli_user_3", "--name", "X", "--role", "auditor", "--password", "mot-mat-khau-dai")
    assert no_org.exit_code == 2 and "--org" in no_org.output
    assert scalar(cli_db, "SELECT count(*) FROM users WHERE username IN ('cli_user_2', 'cli_user_3')") == 0
    assert run(cli_db, "users", "password", "cli_user_1", "--password", "mat-khau-thu-hai").exit_code == 0
    assert verify_password(scalar(cli_db, "SELECT password_hash FROM users WHERE username = 'cli_user_1'"), "mat-khau-thu-hai")
    assert run(cli_db, "users", "password", "nobody_like_this", "--password", "mat-khau-thu-hai").exit_code == 2


def test_web_help_prints_the_url_and_the_demo_logins(cli_db: str) -> None:
    result = run(cli_db, "web-help", "--url", "http://127.0.0.1:8123/")
    assert "http://127.0.0.1:8123/" in result.output
    assert "chiuy" in result.output and "ketnap-demo" in result.output
