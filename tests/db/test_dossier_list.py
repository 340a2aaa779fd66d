"""The web UI's dossier list (db.dossier_list): filters, folded-name search, sorting, pages, scope, overdue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from db_world import TODAY, World, add_orgs
from sqlalchemy import update
from sqlalchemy.orm import Session

from ketnap.db import dossier_list
from ketnap.db.dossier_list import DossierFilter, DossierPage, count_by_state, find_dossiers, scope_org_ids
from ketnap.db.migrate import upgrade
from ketnap.db.models import Dossier, Organisation, table_of
from ketnap.db.session import make_engine
from ketnap.engine.service import Actor
from ketnap.workflows.deadlines import DEADLINES, is_overdue, overdue_cutoffs

pytestmark = pytest.mark.db

NAMES = ["Nguyễn Văn A", "Trần Thị Bình", "Đỗ Văn Chiến", "Nguyễn Thị Hoa", "Lê Văn Nguyên"]


def person(name: str, category: str = "union_member") -> dict[str, Any]:
    return {"full_name": name, "date_of_birth": "2000-05-05", "gender": "male", "education": "upper_secondary",
            "source_category": category}


def listed(world: World, **filters: Any) -> DossierPage:
    with world.engine.connect() as conn:
        return find_dossiers(conn, DossierFilter(org_id=world.orgs["district"], **filters), cutoffs(world))


def cutoffs(world: World, today: date = TODAY) -> dict[str, date]:
    return overdue_cutoffs(today, world.wf.params, world.wf.calendar)


def names(page: DossierPage) -> list[str]:
    return [row["full_name"] for row in page.rows]


@pytest.fixture()
def five(world: World) -> dict[str, int]:
    """Five dossiers of the world's branch, opened in the order of NAMES; Đỗ Văn Chiến's is a teacher's."""
    return {name: world.open(person(name, "teacher" if name == "Đỗ Văn Chiến" else "union_member")) for name in NAMES}


def test_search_ignores_diacritics_and_case(world: World, five: dict[str, int]) -> None:
    assert names(listed(world, search="nguyen van a")) == ["Nguyễn Văn A"]
    assert names(listed(world, search="NGUYỄN văn a")) == ["Nguyễn Văn A"]
    assert sorted(names(listed(world, search="nguyen"))) == ["Lê Văn Nguyên", "Nguyễn Thị Hoa", "Nguyễn Văn A"]
    assert listed(world, search="do van chien").total == 1
    assert listed(world, search="  ").total == 5


@pytest.mark.parametrize("wildcard", ["*", "?", "[a]", "%", "_", "/", "\\"])
def test_search_takes_wildcards_literally(world: World, five: dict[str, int], wildcard: str) -> None:
    page = listed(world, search=wildcard)
    assert (page.total, page.rows) == (0, [])


def test_state_branch_and_category_filters(world: World, five: dict[str, int]) -> None:
    with Session(world.engine) as session:
        second = Organisation(code=f"second-{world.orgs['branch']}", name="Chi bộ thứ hai", level_code="branch",
                              parent_id=world.orgs["grassroots"])
        session.add(second)
        session.commit()
        world.orgs["second"] = second.id
    there = world.open(person("Phạm Văn Hai"), branch="second")
    sympathiser = world.dossier_at("sympathiser")
    assert [r["id"] for r in listed(world, states=("sympathiser",)).rows] == [sympathiser]
    assert listed(world, states=("sympathiser", "source")).total == 7
    assert [r["id"] for r in listed(world, branch_id=world.orgs["second"]).rows] == [there]
    assert listed(world, branch_id=world.orgs["branch"]).total == 6
    assert names(listed(world, source_category="teacher")) == ["Đỗ Văn Chiến"]
    assert names(listed(world, source_category="teacher", search="nguyen")) == []
    assert names(listed(world, source_category="union_member", search="nguyen van")) == ["Nguyễn Văn A"]


def test_sorts(world: World, five: dict[str, int]) -> None:
    by_folded_name = ["Đỗ Văn Chiến", "Lê Văn Nguyên", "Nguyễn Thị Hoa", "Nguyễn Văn A", "Trần Thị Bình"]
    assert names(listed(world, sort="name")) == by_folded_name
    assert names(listed(world, sort="-name")) == by_folded_name[::-1]
    assert names(listed(world)) == NAMES[::-1]  # last changed first
    assert names(listed(world, sort="updated")) == NAMES
    assert [r["id"] for r in listed(world, sort="-id").rows] == sorted(five.values(), reverse=True)
    assert names(listed(world, sort="no such sort")) == NAMES[::-1]


def test_a_long_list_in_name_order_walks_the_names_to_the_same_page(world: World, five: dict[str, int],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    sorted_pages = [names(listed(world, sort=sort, page=page, per_page=2)) for sort in ("name", "-name") for page in (1, 2, 3)]
    monkeypatch.setattr(dossier_list, "WALK_NAMES_ABOVE", 0)
    walked_pages = [names(listed(world, sort=sort, page=page, per_page=2)) for sort in ("name", "-name") for page in (1, 2, 3)]
    assert walked_pages == sorted_pages
    assert sorted_pages[0] == ["Đỗ Văn Chiến", "Lê Văn Nguyên"]


@pytest.mark.parametrize("search", ["", "van"])
def test_pages_and_totals(world: World, five: dict[str, int], search: str) -> None:
    expected = 5 if not search else 3
    pages = [listed(world, search=search, per_page=2, page=page) for page in (1, 2, 3, 4)]
    assert [p.total for p in pages] == [expected] * 4
    assert [len(p.rows) for p in pages] == ([2, 2, 1, 0] if not search else [2, 1, 0, 0])
    assert pages[0].pages == (3 if not search else 2)
    seen = [name for p in pages for name in names(p)]
    assert len(seen) == len(set(seen)) == expected
    assert listed(world, per_page=10_000).per_page == dossier_list.MAX_PER_PAGE
    assert listed(world, page=0).page == 1


def test_the_scope_is_the_subtree_and_nothing_else(world: World, five: dict[str, int]) -> None:
    everywhere = Actor(None, "cli", world.actor.roles, None)
    elsewhere = world.open(person("Nguyễn Văn A"), branch="other_branch", actor=everywhere)
    with world.engine.connect() as conn:
        mine = find_dossiers(conn, DossierFilter(org_id=world.orgs["district"], per_page=200), cutoffs(world))
        theirs = find_dossiers(conn, DossierFilter(org_id=world.orgs["other_district"], search="nguyen van a"), cutoffs(world))
        assert scope_org_ids(conn, world.orgs["grassroots"]) == sorted([world.orgs["grassroots"], world.orgs["branch"]])
        assert scope_org_ids(conn, 10**9) == []
        assert scope_org_ids(conn, None) is None
        assert count_by_state(conn, world.orgs["district"]) == {"source": 5}
        assert count_by_state(conn, world.orgs["other_branch"]) == {"source": 1}
        assert find_dossiers(conn, DossierFilter(org_id=10**9), cutoffs(world)).total == 0
    assert elsewhere not in {row["id"] for row in mine.rows} and mine.total == 5
    assert [row["id"] for row in theirs.rows] == [elsewhere]


def test_a_scope_holding_every_organisation_filters_nothing(fresh_database: Callable[[], str]) -> None:
    url = fresh_database()
    upgrade(url)
    engine = make_engine(url)
    try:
        ids = add_orgs(engine, ("top", "province", None), ("below", "commune", "top"))
        with engine.connect() as conn:
            assert scope_org_ids(conn, ids["top"]) is None
            assert scope_org_ids(conn, ids["below"]) == [ids["below"]]
    finally:
        engine.dispose()


def test_every_cutoff_is_the_first_day_not_overdue(world: World) -> None:
    params, calendar = world.wf.params, world.wf.calendar
    for today in (TODAY, date(2026, 2, 16), date(2025, 9, 2)):  # an ordinary day, around Tết, around the national day
        found = cutoffs(world, today)
        assert set(found) == set(DEADLINES)
        for state, cutoff in found.items():
            assert not is_overdue(state, cutoff, today, params, calendar), (state, today)
            assert is_overdue(state, cutoff - timedelta(days=1), today, params, calendar), (state, today)


def test_overdue_starts_the_day_before_the_cutoff(world: World) -> None:
    cut = cutoffs(world)["applied"]
    on_time, late = world.dossier_at("applied"), world.dossier_at("applied")
    world.open()
    dossiers = table_of(Dossier)
    with world.engine.begin() as conn:
        for dossier_id, since in ((on_time, cut), (late, cut - timedelta(days=1))):
            conn.execute(update(dossiers).where(dossiers.c.id == dossier_id).values(state_since=since))
    page = listed(world, overdue=True)
    assert [row["id"] for row in page.rows] == [late]
    flags = {row["id"]: row["overdue"] for row in listed(world).rows}
    assert (flags[on_time], flags[late]) == (False, True)
    params, calendar = world.wf.params, world.wf.calendar
    assert not is_overdue("applied", cut, TODAY, params, calendar)
    assert is_overdue("applied", cut - timedelta(days=1), TODAY, params, calendar)
    with world.engine.connect() as conn:
        assert find_dossiers(conn, DossierFilter(org_id=world.orgs["district"], overdue=True), cutoffs(world)).total == 1
        assert find_dossiers(conn, DossierFilter(org_id=world.orgs["other_district"], overdue=True), cutoffs(world)).total == 0
        assert find_dossiers(conn, DossierFilter(org_id=world.orgs["district"], overdue=True), {}).total == 0
