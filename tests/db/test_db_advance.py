"""engine.service.advance on SqlUnitOfWork: what is written, and that a refusal or an error writes nothing."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from db_world import TODAY, World, counts
from sqlalchemy import select

from ketnap.db.models import Candidate, Dossier, DossierFact, TransitionLog
from ketnap.db.repository import SUBJECT_COLUMNS, SqlUnitOfWork
from ketnap.engine.audit import GENESIS, entry_hash, stored_fields
from ketnap.engine.errors import BadInput, Conflict, NotFound
from ketnap.engine.service import Actor, Change, build_change, prepare
from ketnap.workflows.citizen_id import make_citizen_id
from ketnap.workflows.schemas import CandidateSchema, load_candidate

pytestmark = pytest.mark.db


def log_rows(world: World, dossier_id: int) -> list[Any]:
    with world.engine.connect() as conn:
        return list(conn.execute(select(TransitionLog).where(TransitionLog.dossier_id == dossier_id).order_by(TransitionLog.seq)))


def dossier_row(world: World, dossier_id: int) -> Any:
    with world.engine.connect() as conn:
        return conn.execute(select(Dossier.__table__).where(Dossier.id == dossier_id)).one()


def test_happy_path_reaches_official_with_a_chain_anyone_can_recompute(world: World) -> None:
    dossier_id = world.open()
    for trigger, facts in world.journey():
        result = world.advance(dossier_id, trigger, facts)
        assert result.applied, (trigger, [r.rule_id for r in result.failures])

    dossier = dossier_row(world, dossier_id)
    assert (dossier.state, dossier.version, dossier.log_count) == ("official", 15, 15)
    rows = log_rows(world, dossier_id)
    assert [row.seq for row in rows] == list(range(1, 16))
    previous = GENESIS
    for row in rows:
        fields = {
            "dossier_id": row.dossier_id, "seq": row.seq, "actor_id": row.actor_id, "actor_name": row.actor_name, "at": row.at.isoformat(),
            "act_date": row.act_date.isoformat(), "from_state": row.from_state, "to_state": row.to_state,
            "trigger": row.trigger, "facts": row.facts, "rule_results": row.rule_results,
        }
        assert row.prev_hash == previous
        assert row.hash == entry_hash(previous, fields)
        assert row.at.tzinfo is not None and row.at.utcoffset() == timedelta(0)
        assert row.actor_name == "Trần Thị Bí Thư"
        previous = row.hash
    assert dossier.head_hash == previous
    assert dossier.state_since == rows[-1].act_date
    assert dossier.opened_on == rows[0].act_date == date.fromisoformat(world.steps[0][1]["registered_on"])


def test_snapshot_reads_back_what_was_recorded(world: World) -> None:
    dossier_id = world.dossier_at("sympathiser")
    snap = world.snapshot(dossier_id)
    assert (snap.state, snap.version) == ("sympathiser", 2)
    assert [o.id for o in snap.org_chain] == [world.orgs["branch"], world.orgs["grassroots"], world.orgs["district"]]
    assert [o.level for o in snap.org_chain] == ["branch", "grassroots_committee", "district"]
    assert snap.subject["date_of_birth"] == date(2000, 5, 5)
    assert set(snap.subject) == set(SUBJECT_COLUMNS)
    assert snap.facts["admit_to_sympathiser_list"]["decided_on"] == date.fromisoformat(world.facts("admit_to_sympathiser_list")["decided_on"])
    assert [(h.seq, h.trigger, h.to_state) for h in snap.history] == [(1, "register_source", "source"),
                                                                     (2, "admit_to_sympathiser_list", "sympathiser")]
    assert snap.head_hash == log_rows(world, dossier_id)[-1].hash


def test_branch_vote_refused_below_two_thirds_writes_nothing(world: World) -> None:
    dossier_id = world.dossier_at("introduced")
    before, version = counts(world.engine), dossier_row(world, dossier_id).version
    vote = {**world.facts("hold_branch_vote"), "official_total": 15, "present": 14, "agreeing": 9}
    result = world.advance(dossier_id, "hold_branch_vote", vote)
    assert not result.applied
    assert [r.rule_id for r in result.failures] == ["R-VOTE-BRANCH-1"]
    assert counts(world.engine) == before
    assert dossier_row(world, dossier_id).version == version
    assert world.snapshot(dossier_id).state == "introduced"


def test_stale_expected_version_conflicts_and_writes_nothing(world: World) -> None:
    dossier_id = world.dossier_at("sympathiser")
    before = counts(world.engine)
    with pytest.raises(Conflict) as err:
        world.advance(dossier_id, "nominate_for_training", world.facts("nominate_for_training"), expected_version=1)
    assert err.value.current_version == 2
    assert counts(world.engine) == before
    assert world.advance(dossier_id, "nominate_for_training", world.facts("nominate_for_training"), expected_version=2).applied


def _change(world: World, uow: SqlUnitOfWork, dossier_id: int, trigger: str) -> Change:
    snapshot = uow.dossiers.snapshot(dossier_id)
    spec, facts, evaluation = prepare(world.wf, snapshot, trigger, world.facts(trigger), world.actor, TODAY, None, uow.directory)
    dest = world.wf.fire(snapshot, evaluation)
    assert dest is not None
    return build_change(world.wf, spec, snapshot, dest, facts, evaluation, world.actor, datetime.now(UTC))


def test_second_of_two_units_of_work_reading_the_same_version_conflicts(world: World) -> None:
    dossier_id = world.dossier_at("sympathiser")
    with world.uow() as first, world.uow() as second:
        first_change = _change(world, first, dossier_id, "nominate_for_training")
        second_change = _change(world, second, dossier_id, "nominate_for_training")
        first.dossiers.record(first_change)
        first.commit()
        before = counts(world.engine)
        with pytest.raises(Conflict) as err:
            second.dossiers.record(second_change)
    assert err.value.current_version == 3
    assert counts(world.engine) == before
    assert [row.hash for row in log_rows(world, dossier_id)][-1] == first_change.hash


def test_uncommitted_unit_of_work_leaves_no_trace(world: World) -> None:
    dossier_id = world.dossier_at("sympathiser")
    before = counts(world.engine)
    with world.uow() as uow:
        uow.dossiers.record(_change(world, uow, dossier_id, "nominate_for_training"))
    assert counts(world.engine) == before
    assert world.snapshot(dossier_id).version == 2


def test_actor_of_another_organisation_finds_neither_dossier_nor_branch(world: World) -> None:
    dossier_id = world.dossier_at("sympathiser")
    outsider = Actor(world.user_id, "Người ngoài", world.actor.roles, world.orgs["other_district"])
    before = counts(world.engine)
    with pytest.raises(NotFound):
        world.advance(dossier_id, "nominate_for_training", world.facts("nominate_for_training"), actor=outsider)
    with pytest.raises(NotFound):
        world.open(actor=outsider)
    assert counts(world.engine) == before


def test_bad_fact_names_the_field_and_writes_nothing(world: World) -> None:
    dossier_id = world.dossier_at("introduced")
    before = counts(world.engine)
    with pytest.raises(BadInput) as err:
        world.advance(dossier_id, "hold_branch_vote", {**world.facts("hold_branch_vote"), "agreeing": "nhiều"})
    assert list(err.value.field_errors) == ["agreeing"]
    with pytest.raises(BadInput) as err:
        world.advance(dossier_id, "hold_branch_vote", {**world.facts("hold_branch_vote"), "present": 99})
    assert list(err.value.field_errors) == ["present"]
    assert counts(world.engine) == before


def test_act_dated_after_today_is_bad_input(world: World) -> None:
    dossier_id = world.dossier_at("introduced")
    before = counts(world.engine)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    with pytest.raises(BadInput) as err:
        world.advance(dossier_id, "hold_branch_vote", {**world.facts("hold_branch_vote"), "meeting_date": tomorrow})
    assert list(err.value.field_errors) == ["meeting_date"]
    assert counts(world.engine) == before


def test_return_for_rework_supersedes_the_later_facts_but_keeps_them(world: World) -> None:
    dossier_id = world.dossier_at("introduced")
    returned_on = date.fromisoformat(world.facts("record_introductions")["introduced_on"]) + timedelta(days=3)
    result = world.advance(dossier_id, "return_for_rework", {"returned_on": returned_on.isoformat(), "target_state": "biography_declared",
                                                            "reason": "Thẩm tra chưa đủ nơi cư trú của cha."})
    assert result.applied and result.new_state == "biography_declared"
    later = {"start_verification", "conclude_verification", "record_introductions"}
    with world.engine.connect() as conn:
        rows = conn.execute(select(DossierFact.kind, DossierFact.superseded).where(DossierFact.dossier_id == dossier_id)).all()
    assert {kind for kind, superseded in rows if superseded} == later
    assert len(rows) == 10
    snap = world.snapshot(dossier_id)
    assert later.isdisjoint(snap.facts)
    assert {"declare_biography", "return_for_rework"} <= set(snap.facts)
    assert len(snap.history) == 10 and snap.history[-1].trigger == "return_for_rework"

    again = {**world.facts("start_verification"), "started_on": (returned_on + timedelta(days=2)).isoformat(),
             "sealed_on": (returned_on + timedelta(days=2)).isoformat()}
    assert world.advance(dossier_id, "start_verification", again).applied
    snap = world.snapshot(dossier_id)
    assert snap.facts["start_verification"]["started_on"] == returned_on + timedelta(days=2)
    assert snap.version == 11


def test_create_refuses_an_organisation_that_is_not_a_branch(world: World) -> None:
    before = counts(world.engine)
    for branch_id in (world.orgs["grassroots"], 10**9):
        with pytest.raises(NotFound), world.uow() as uow:
            uow.dossiers.create(load_candidate(CANDIDATE_2), branch_id)
    assert counts(world.engine) == before


CANDIDATE_2 = {"full_name": "Lê Thị Bình", "date_of_birth": "1999-02-03", "gender": "female", "education": "university"}


def test_snapshot_of_a_missing_dossier_is_not_found(world: World) -> None:
    with pytest.raises(NotFound), world.uow() as uow:
        uow.dossiers.snapshot(10**9)


def test_vietnamese_names_are_stored_nfc_and_searchable_without_accents(world: World) -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    subject = {**load_candidate(CANDIDATE_2), "full_name": nfd}
    with world.uow() as uow:
        dossier_id = uow.dossiers.create(subject, world.orgs["branch"])
        snap = uow.dossiers.snapshot(dossier_id)
        uow.commit()
    with world.engine.connect() as conn:
        name, key = conn.execute(
            select(Candidate.full_name, Candidate.search_name).join(Dossier, Dossier.candidate_id == Candidate.id).where(Dossier.id == dossier_id)
        ).one()
    assert name == "Nguyễn Văn Đức" == unicodedata.normalize("NFC", nfd) != nfd
    assert snap.subject["full_name"] == name
    assert key == "nguyen van duc"


def test_candidate_columns_are_the_candidate_schema_fields() -> None:
    assert set(SUBJECT_COLUMNS) == set(CandidateSchema().fields)


def test_former_member_round_trips_with_its_dates(world: World) -> None:
    former = {"left_on": "2019-04-01", "leave_reason": "asked_to_leave", "record_cleared_on": None}
    subject = load_candidate({**CANDIDATE_2, "full_name": "Phạm Văn Cũ", "former_member": former})
    with world.uow() as uow:
        dossier_id = uow.dossiers.create(subject, world.orgs["branch"])
        uow.commit()
    assert world.snapshot(dossier_id).subject["former_member"] == subject["former_member"]
    assert world.snapshot(dossier_id).subject["former_member"]["left_on"] == date(2019, 4, 1)


def test_duplicate_citizen_id_is_bad_input(world: World) -> None:
    citizen_id = make_citizen_id(date(1999, 2, 3), "female", world.user_id)
    subject = load_candidate({**CANDIDATE_2, "citizen_id": citizen_id})
    with world.uow() as uow:
        uow.dossiers.create(subject, world.orgs["branch"])
        uow.commit()
    with pytest.raises(BadInput) as err, world.uow() as uow:
        uow.dossiers.create(subject, world.orgs["branch"])
    assert list(err.value.field_errors) == ["citizen_id"]


def test_log_names_the_actor_as_the_act_gave_it(world: World) -> None:
    dossier_id = world.open()
    on_behalf = Actor(world.user_id, "Bí thư chi bộ (ký thay)", world.actor.roles, None)
    world.advance(dossier_id, "admit_to_sympathiser_list", world.facts("admit_to_sympathiser_list"), actor=on_behalf)
    anonymous = Actor(None, "cli", world.actor.roles, None)
    world.advance(dossier_id, "nominate_for_training", world.facts("nominate_for_training"), actor=anonymous)
    assert [(row.actor_id, row.actor_name) for row in log_rows(world, dossier_id)] == [
        (world.user_id, "Trần Thị Bí Thư"), (world.user_id, "Bí thư chi bộ (ký thay)"), (None, "cli"),
    ]


def test_settings_merge_from_the_root_down_nearest_wins(world: World) -> None:
    from sqlalchemy import update

    from ketnap.db.models import Organisation

    with world.engine.begin() as conn:
        for key, settings in (("district", {"params": {"a": 1, "b": 1}, "blocking_policies": ["x"], "root_only": True}),
                              ("grassroots", {"params": {"b": 2}}),
                              ("branch", {"blocking_policies": []})):
            conn.execute(update(Organisation).where(Organisation.id == world.orgs[key]).values(settings=settings))
    dossier_id = world.open()
    assert world.snapshot(dossier_id).settings == {"params": {"a": 1, "b": 2}, "blocking_policies": [], "root_only": True}


def test_chain_verifies_when_the_clock_gives_local_time(world: World) -> None:
    from ketnap.engine.service import LOCAL_TZ, advance

    dossier_id = world.open()
    advance(world.uow(), world.wf, dossier_id, "admit_to_sympathiser_list", world.facts("admit_to_sympathiser_list"), world.actor,
            None, today=TODAY, now=lambda: datetime.now(LOCAL_TZ))
    row = log_rows(world, dossier_id)[-1]
    assert row.hash == entry_hash(row.prev_hash, stored_fields(row._mapping))


def test_a_vote_without_two_thirds_keeps_the_date_probation_began(world: World) -> None:
    from ketnap.engine.dates import add_months

    dossier_id = world.dossier_at("probationary")
    ceremony = date.fromisoformat(world.facts("hold_admission_ceremony")["ceremony_on"])
    meeting = world.wf.calendar.add_working_days(add_months(ceremony, 12), 5)
    result = world.advance(dossier_id, "record_inconclusive_vote", {
        "meeting_date": meeting.isoformat(), "official_total": 15, "present": 15, "agreeing": 9, "agreeing_strike_off": 4,
    }, today=max(TODAY, meeting))
    assert result.applied, [r.rule_id for r in result.failures]
    with world.engine.connect() as conn:
        state, since = conn.execute(select(Dossier.state, Dossier.state_since).where(Dossier.id == dossier_id)).one()
    assert state == "probationary"
    assert since == ceremony, "the recognition deadline still counts from the ceremony"
