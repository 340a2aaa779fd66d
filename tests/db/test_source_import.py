"""Importing sources from CSV and XLSX files (db.source_import), on SQLite and PostgreSQL.

Every problem is reported with its line and column and nothing is written unless every row is good;
a person already registered (same citizen ID) is matched, not added; what an import writes is what
open_dossier() writes for one person, and the audit chain verifies afterwards.
"""

from __future__ import annotations

import codecs
import io
import itertools
import json
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from db_world import TODAY, World, add_member, counts, run_cli
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ketnap import source_file
from ketnap.db import source_import
from ketnap.db.audit_log import verify
from ketnap.db.models import (
    AccessLog,
    Candidate,
    Dossier,
    DossierFact,
    MassOrganisation,
    Member,
    Organisation,
    StageStep,
    TransitionLog,
    User,
    table_of,
)
from ketnap.db.source_import import ImportReport, import_sources
from ketnap.engine.memory import MemoryStore, MemoryUnitOfWork
from ketnap.engine.service import Actor, open_dossier
from ketnap.workflows.admission import decoders
from ketnap.workflows.citizen_id import make_citizen_id
from ketnap.workflows.schemas import load_candidate

pytestmark = pytest.mark.db
_c, _d, _t, _f = table_of(Candidate), table_of(Dossier), table_of(TransitionLog), table_of(DossierFact)
_o, _a, _s = table_of(Organisation), table_of(AccessLog), table_of(StageStep)
AT = datetime(2026, 11, 23, 3, 15, tzinfo=UTC)
TITLES = ("Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Trình độ học vấn", "Chi bộ", "Ngày vào nguồn")
_serials = itertools.count(1)


def a_person(branch_code: str, born: date = date(2001, 4, 5), gender: str = "female", **cells: Any) -> dict[str, Any]:
    """A row of the template with a citizen ID no other test uses, as the cells of a file (title: value)."""
    row = {"Họ và tên": f"Trần Thị Nguồn {next(_serials)}", "Ngày sinh": f"{born:%d/%m/%Y}", "Giới tính": "Nữ" if gender == "female" else "Nam",
           "Số CCCD": make_citizen_id(born, gender, next(_serials), "051"), "Trình độ học vấn": "Tốt nghiệp trung học phổ thông",
           "Chi bộ": branch_code, "Ngày vào nguồn": "01/03/2026"}
    row.update(cells)
    return row


def csv_bytes(rows: Iterable[Mapping[str, Any]], delimiter: str = ";", bom: bool = False, encoding: str = "utf-8") -> bytes:
    rows = list(rows)
    titles = list(dict.fromkeys(title for row in rows for title in row)) or list(TITLES)
    lines = [delimiter.join(titles)] + [delimiter.join(str(row.get(title, "")) for title in titles) for row in rows]
    return (codecs.BOM_UTF8 if bom else b"") + ("\r\n".join(lines) + "\r\n").encode(encoding)


def code_of(world: World, key: str) -> str:
    with world.engine.connect() as conn:
        return str(conn.execute(select(_o.c.code).where(_o.c.id == world.orgs[key])).scalar_one())


def run_import(world: World, data: bytes, dry_run: bool = False, actor: Actor | None = None, filename: str = "nguon.csv",
               **kwargs: Any) -> ImportReport:
    report = import_sources(world.engine, world.wf, actor or world.actor, data, filename, dry_run, TODAY, now=AT, **kwargs)
    json.dumps(report.to_dict())  # the API's answer must serialise
    return report


def problems(report: ImportReport) -> set[tuple[int | None, str | None]]:
    return {(e.line, e.column) for e in report.errors}


def candidates_with(engine: Engine, numbers: Iterable[str]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(_c).where(_c.c.citizen_id.in_(list(numbers)))).scalar_one())


# -- a good file -----------------------------------------------------------------------------------


def test_a_good_file_registers_every_person_and_the_chain_verifies(world: World) -> None:
    branch = code_of(world, "branch")
    rows = [a_person(branch), a_person(branch, date(1990, 1, 2), "male"), a_person(branch, **{"Ngày vào nguồn": "2026-02-01"})]
    before = counts(world.engine)
    report = run_import(world, csv_bytes(rows))
    assert report.ok, report.errors
    assert report.counts == {"rows": 3, "new": 0, "created": 3, "unchanged": 0, "error": 0, "errors": 0}
    assert [r.line for r in report.rows] == [2, 3, 4] and all(r.dossier_id for r in report.rows)
    assert counts(world.engine) == {name: n + 3 for name, n in before.items()}
    for row in report.rows:
        assert row.dossier_id is not None
        snap = world.snapshot(row.dossier_id)
        assert (snap.state, snap.version, snap.subject["citizen_id"], snap.org_chain[0].id) == \
            ("source", 1, row.citizen_id, world.orgs["branch"])
    assert verify(world.engine, org_id=world.orgs["district"]).ok


def test_an_imported_dossier_is_the_one_open_dossier_makes(world: World) -> None:
    """Same rows, columns and hash as open_dossier() writes for the same person, facts and time."""
    branch = code_of(world, "branch")
    row = a_person(branch, **{"Dân tộc": "Ê Đê", "Nghề nghiệp": "Giáo viên", "Nhóm nguồn": "Giáo viên", "Đoàn viên": "x",
                              "Ghi chú": "Giới thiệu từ chi đoàn"})
    report = run_import(world, csv_bytes([row]))
    assert report.ok, report.errors
    imported = report.rows[0].dossier_id
    assert imported is not None
    subject = load_candidate({"full_name": row["Họ và tên"], "date_of_birth": "2001-04-05", "gender": "female",
                              "citizen_id": make_citizen_id(date(2001, 4, 5), "female", 999_999, "051"), "ethnicity": "Ê Đê",
                              "occupation": "Giáo viên", "source_category": "teacher", "youth_union_member": True,
                              "education": "upper_secondary"})
    facts = {"registered_on": "01/03/2026", "source_category": "teacher", "introducing_mass_org_id": None,
             "note": "Giới thiệu từ chi đoàn"}
    opened = open_dossier(world.uow(), world.wf, subject, world.orgs["branch"], facts, world.actor, today=TODAY, now=lambda: AT)
    assert opened.change is not None
    by_form = opened.change.dossier_id

    def shape(dossier_id: int) -> dict[str, Any]:
        with world.engine.connect() as conn:
            dossier = dict(conn.execute(select(_d).where(_d.c.id == dossier_id)).one()._mapping)
            candidate = dict(conn.execute(select(_c).where(_c.c.id == dossier["candidate_id"])).one()._mapping)
            entry = dict(conn.execute(select(_t).where(_t.c.dossier_id == dossier_id)).one()._mapping)
            fact = dict(conn.execute(select(_f).where(_f.c.dossier_id == dossier_id)).one()._mapping)
            step = dict(conn.execute(select(_s).where(_s.c.dossier_id == dossier_id)).one()._mapping)
        assert (fact["log_entry_id"], step["log_id"], entry["hash"]) == (entry["id"], entry["id"], dossier["head_hash"])
        for row, keys in ((dossier, ("id", "candidate_id", "head_hash")), (candidate, ("id", "citizen_id")),
                          (entry, ("id", "dossier_id", "hash")), (fact, ("id", "dossier_id", "log_entry_id")),
                          (step, ("log_id", "dossier_id"))):
            for key in keys:
                row.pop(key)
        return {"dossier": dossier, "candidate": candidate, "entry": entry, "fact": fact, "step": step}

    assert shape(imported) == shape(by_form)
    # and the very hash open_dossier() computes for a dossier of the imported one's ID
    store = MemoryStore(decoders=decoders(world.wf), first_dossier_id=imported)
    with world.engine.connect() as conn:
        for org in conn.execute(select(_o.c.id, _o.c.name, _o.c.level_code, _o.c.parent_id).where(_o.c.id.in_(world.orgs.values()))):
            from ketnap.engine.snapshot import OrgNode

            store.orgs[org.id] = (OrgNode(org.id, org.name, org.level_code), org.parent_id)
        head = conn.execute(select(_d.c.head_hash).where(_d.c.id == imported)).scalar_one()
    again = open_dossier(MemoryUnitOfWork(store), world.wf, {**subject, "citizen_id": report.rows[0].citizen_id}, world.orgs["branch"],
                         facts, world.actor, today=TODAY, now=lambda: AT)
    assert again.change is not None and (again.change.dossier_id, again.change.hash) == (imported, head)


def test_importing_the_same_file_again_creates_nothing_and_names_the_dossiers(world: World) -> None:
    branch = code_of(world, "branch")
    data = csv_bytes([a_person(branch), a_person(branch)])
    first = run_import(world, data)
    before = counts(world.engine)
    second = run_import(world, data)
    assert second.ok and second.counts["unchanged"] == 2 and second.counts["created"] == 0
    assert [r.dossier_id for r in second.rows] == [r.dossier_id for r in first.rows]
    assert all(r.note == "Đã có hồ sơ (already registered)." for r in second.rows)
    assert counts(world.engine) == before


def test_a_matched_person_with_another_name_is_pointed_out(world: World) -> None:
    branch = code_of(world, "branch")
    row = a_person(branch)
    run_import(world, csv_bytes([row]))
    report = run_import(world, csv_bytes([{**row, "Họ và tên": "Phạm Văn Khác"}]))
    assert report.ok and report.rows[0].status == "unchanged" and "họ tên khác" in (report.rows[0].note or "")


def test_a_person_registered_in_another_organisation_is_matched_without_saying_where(world: World) -> None:
    other = run_import(world, csv_bytes([a_person(code_of(world, "other_branch"))]), actor=Actor(None, "cli", world.actor.roles))
    assert other.ok
    branch_actor = Actor(world.user_id, "Chi ủy viên", frozenset({"branch_committee"}), world.orgs["branch"])
    row = {**a_person(code_of(world, "branch")), "Số CCCD": other.rows[0].citizen_id, "Ngày sinh": "05/04/2001"}
    report = run_import(world, csv_bytes([row]), actor=branch_actor)
    assert report.ok and report.rows[0].status == "unchanged"
    assert (report.rows[0].dossier_id, report.rows[0].note) == (None, "Đã đăng ký ở tổ chức khác (already registered elsewhere).")


def test_dry_run_reports_what_would_be_created_and_writes_nothing(world: World) -> None:
    branch = code_of(world, "branch")
    rows = [a_person(branch), a_person(branch)]
    before = counts(world.engine)
    report = run_import(world, csv_bytes(rows), dry_run=True)
    assert report.ok and report.counts["new"] == 2 and report.counts["created"] == 0
    assert all(r.dossier_id is None for r in report.rows)
    assert counts(world.engine) == before and candidates_with(world.engine, [r["Số CCCD"] for r in rows]) == 0


def test_a_real_import_is_recorded_in_the_access_log_with_its_counts(world: World) -> None:
    run_import(world, csv_bytes([a_person(code_of(world, "branch"))]), via="web", remote_addr="10.0.0.7")
    with world.engine.connect() as conn:
        row = conn.execute(select(_a).where(_a.c.action == "import_sources", _a.c.user_id == world.user_id)
                           .order_by(_a.c.id.desc()).limit(1)).one()
    assert (row.org_id, row.remote_addr, row.detail["created"], row.detail["rows"], row.detail["via"]) == \
        (world.orgs["district"], "10.0.0.7", 1, 1, "web")


# -- bad rows: every one named, nothing written ----------------------------------------------------


def test_every_bad_row_is_reported_with_its_line_and_column_and_nothing_is_written(world: World) -> None:
    branch = code_of(world, "branch")
    with Session(world.engine) as session:
        session.add(MassOrganisation(org_id=world.orgs["grassroots"], kind="youth_union", name="Đoàn xã Thử"))
        member_number = make_citizen_id(date(1980, 1, 1), "male", next(_serials), "051")
        session.add(Member(full_name="Đảng viên Có Số", status="official", branch_id=world.orgs["branch"], citizen_id=member_number))
        session.commit()
    twice = a_person(branch)
    rows = [
        a_person(branch),  # line 2: good
        a_person(branch, **{"Giới tính": "Nư x"}),  # 3: not a gender
        a_person(branch, **{"Ngày sinh": "31/02/2001"}),  # 4: no such date
        a_person(branch, **{"Số CCCD": "51200100001"}),  # 5: 11 digits
        a_person(branch, **{"Số CCCD": "999201000001"}),  # 6: no such province
        a_person(branch, **{"Số CCCD": make_citizen_id(date(1999, 4, 5), "male", 1, "051")}),  # 7: another year and gender
        a_person(branch, **{"Số CCCD": ""}),  # 8: missing
        a_person(branch, **{"Ngày vào nguồn": "01/01/2027"}),  # 9: after today
        a_person(branch, **{"Chi bộ": "KHONG-CO"}),  # 10: no such branch
        a_person(branch, **{"Chi bộ": code_of(world, "grassroots")}),  # 11: not a branch
        a_person(branch, **{"Đoàn thể giới thiệu": "Hội Nông dân"}),  # 12: no such mass organisation here
        twice,  # 13 and 14: the same citizen ID twice
        {**a_person(branch), "Số CCCD": twice["Số CCCD"]},
        a_person(branch, date(1980, 1, 1), "male", **{"Số CCCD": member_number}),  # 15: a Party member's
        a_person(branch, **{"Trình độ học vấn": "Tiến sĩ", "Đoàn viên": "có lẽ"}),  # 16: two cells
        a_person(branch, **{"Đoàn thể giới thiệu": "youth_union"}),  # 17: good (the grassroots' Youth Union by kind)
    ]
    data = csv_bytes(rows)
    before = counts(world.engine)
    for dry_run in (True, False):
        report = run_import(world, data, dry_run=dry_run)
        assert not report.ok and counts(world.engine) == before
        assert problems(report) == {
            (3, "Giới tính"), (4, "Ngày sinh"), (5, "Số CCCD"), (6, "Số CCCD"), (7, "Số CCCD"), (8, "Số CCCD"), (9, "Ngày vào nguồn"),
            (10, "Chi bộ"), (11, "Chi bộ"), (12, "Đoàn thể giới thiệu"), (13, "Số CCCD"), (14, "Số CCCD"), (15, "Số CCCD"),
            (16, "Trình độ học vấn"), (16, "Đoàn viên"),
        }
        assert [r.status for r in report.rows] == ["new"] + ["error"] * 14 + ["new"]
    by_line = {(e.line, e.column): e for e in report.errors}
    assert len([e for e in report.errors if e.line == 7]) == 3  # century, year, gender
    assert by_line[(5, "Số CCCD")].message.startswith("Số CCCD gồm 12 chữ số, số này có 11")
    assert by_line[(13, "Số CCCD")].message.endswith("(the same citizen ID on lines 13, 14).")
    assert "đảng viên" in by_line[(15, "Số CCCD")].message
    assert by_line[(11, "Chi bộ")].message.startswith(f"«{code_of(world, 'grassroots')}» là đảng bộ cơ sở")
    assert by_line[(9, "Ngày vào nguồn")].message.startswith("Ngày 01/01/2027 ở tương lai")
    assert (by_line[(16, "Đoàn viên")].field, by_line[(10, "Chi bộ")].field) == ("youth_union_member", "branch_code")
    assert [e.line for e in report.errors] == sorted(e.line or 0 for e in report.errors)


def test_a_branch_outside_the_scope_is_as_unknown_as_a_missing_one(world: World) -> None:
    scoped = Actor(world.user_id, "Cán bộ", frozenset({"grassroots_staff"}), world.orgs["district"])
    report = run_import(world, csv_bytes([a_person(code_of(world, "other_branch")), a_person("KHONG-CO")]), actor=scoped)
    foreign, missing = (e.message for e in report.errors)
    assert foreign.replace(code_of(world, "other_branch"), "X") == missing.replace("KHONG-CO", "X")


def test_a_role_that_may_not_register_sources_is_refused(world: World) -> None:
    auditor = Actor(world.user_id, "Kiểm tra", frozenset({"auditor"}), world.orgs["district"])
    before = counts(world.engine)
    report = run_import(world, csv_bytes([a_person(code_of(world, "branch"))]), actor=auditor)
    assert [(e.line, e.column) for e in report.errors] == [(None, None)] and "không được" in report.errors[0].message
    assert report.rows == [] and counts(world.engine) == before


def test_one_branch_users_may_leave_the_branch_out_and_others_are_told_to_add_it(world: World) -> None:
    row = a_person("")
    row.pop("Chi bộ")
    branch_actor = Actor(world.user_id, "Chi ủy viên", frozenset({"branch_committee"}), world.orgs["branch"])
    assert run_import(world, csv_bytes([row]), actor=branch_actor).counts["created"] == 1
    everywhere = Actor(None, "cli", world.actor.roles)
    report = run_import(world, csv_bytes([a_person("", **{"Chi bộ": ""})]), actor=everywhere)
    assert problems(report) == {(2, "Chi bộ")}
    row = a_person("")
    row.pop("Chi bộ")
    report = run_import(world, csv_bytes([row]), actor=everywhere)
    assert problems(report) == {(1, "Chi bộ")} and report.rows == []


def test_a_mass_organisation_is_named_by_its_name_kind_or_number(world: World) -> None:
    with Session(world.engine) as session:
        union = MassOrganisation(org_id=world.orgs["grassroots"], kind="trade_union", name="Công đoàn cơ sở Thử")
        session.add(union)
        session.commit()
        union_id = union.id
    branch = code_of(world, "branch")
    rows = [a_person(branch, **{"Đoàn thể giới thiệu": value}) for value in ("cong doan co so thu", "Công đoàn", str(union_id))]
    report = run_import(world, csv_bytes(rows))
    assert report.ok, report.errors
    for row in report.rows:
        assert row.dossier_id is not None
        snap = world.snapshot(row.dossier_id)
        assert snap.subject["introducing_mass_org_id"] == union_id == snap.facts["register_source"]["introducing_mass_org_id"]


def test_a_kind_of_mass_organisation_the_committee_has_twice_must_be_named(world: World) -> None:
    with Session(world.engine) as session:
        session.add_all([MassOrganisation(org_id=world.orgs["grassroots"], kind="women_union", name=f"Chi hội Phụ nữ {n}") for n in (1, 2)])
        session.commit()
    report = run_import(world, csv_bytes([a_person(code_of(world, "branch"), **{"Đoàn thể giới thiệu": "Hội Liên hiệp Phụ nữ"})]))
    assert problems(report) == {(2, "Đoàn thể giới thiệu")} and "Chi hội Phụ nữ 1, Chi hội Phụ nữ 2" in report.errors[0].message


# -- the file --------------------------------------------------------------------------------------


def test_csv_with_a_bom_commas_and_english_names(world: World) -> None:
    branch = code_of(world, "branch")
    number = make_citizen_id(date(1995, 12, 31), "male", next(_serials), "051")
    rows = [{"full_name": "Lê Văn Anh", "date_of_birth": "1995-12-31", "gender": "Male", "citizen_id": number,
             "education": "University", "branch": branch, "registered_on": "2026-03-01", "source_category": "Private-sector worker",
             "Youth_Union_Member": "yes"}]
    report = run_import(world, csv_bytes(rows, delimiter=",", bom=True))
    assert report.ok, report.errors
    assert (report.encoding, report.delimiter) == ("utf-8-sig", ",")
    assert report.rows[0].dossier_id is not None
    subject = world.snapshot(report.rows[0].dossier_id).subject
    assert (subject["education"], subject["source_category"], subject["youth_union_member"]) == ("university", "private_worker", True)


def test_blank_lines_before_the_header_and_between_rows_are_skipped(world: World) -> None:
    data = b"\r\n\r\n" + csv_bytes([a_person(code_of(world, "branch")), a_person(code_of(world, "branch"))]).replace(b"\r\n", b"\r\n;;;;\r\n", 2)
    report = run_import(world, data, dry_run=True)
    assert report.ok and [r.line for r in report.rows] == [5, 7] and report.delimiter == ";"


def test_utf16_with_its_bom_is_read(world: World) -> None:
    report = run_import(world, codecs.BOM_UTF16_LE + csv_bytes([a_person(code_of(world, "branch"))], encoding="utf-16-le"))
    assert report.ok and report.encoding == "utf-16" and report.counts["created"] == 1


def test_a_file_in_a_windows_code_page_is_refused_naming_the_line(world: World) -> None:
    data = "full_name;date_of_birth;gender;citizen_id;education;registered_on\r\nLê Văn Hà;01/01/2000;Nam;;;\r\n".encode("cp1258")
    report = run_import(world, data)
    assert [(e.line, e.column) for e in report.errors] == [(2, None)] and "UTF-8" in report.errors[0].message


def test_xlsx_with_a_citizen_id_typed_as_a_number_and_excel_dates(world: World) -> None:
    number = make_citizen_id(date(2003, 7, 8), "male", next(_serials), "001")  # Hà Nội: 0012...
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    nguon = book.create_sheet("Nguồn")
    nguon.append(["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD *", "Trình độ học vấn", "Chi bộ", "Ngày vào nguồn", "Đoàn viên"])
    nguon.append(["Vũ Văn Số", datetime(2003, 7, 8), "Nam", int(number), "Đại học", code_of(world, "branch"), date(2026, 2, 3), True])
    out = io.BytesIO()
    book.save(out)
    report = run_import(world, out.getvalue(), filename="nguon.xlsx")
    assert report.ok, report.errors
    assert (report.format, report.sheet, report.rows[0].citizen_id) == ("xlsx", "Nguồn", number)
    assert report.rows[0].dossier_id is not None
    snap = world.snapshot(report.rows[0].dossier_id)
    assert (snap.subject["date_of_birth"], snap.facts["register_source"]["registered_on"]) == (date(2003, 7, 8), date(2026, 2, 3))


def test_the_templates_read_back_as_their_example(world: World) -> None:
    branches = [("CB-9", "Chi bộ thôn Chín"), ("CB-10", "Chi bộ thôn Mười")]
    for data, name in ((source_file.template_csv(TODAY, branches), "mau.csv"), (source_file.template_xlsx(TODAY, branches), "mau.xlsx")):
        read = source_file.read_source_file(data, name)
        assert not read.problems and len(read.rows) == 1 and read.rows[0].values["branch"] == "CB-9"
        assert read.rows[0].values["registered_on"] == f"{TODAY:%d/%m/%Y}" and not read.rows[0].problems
    codes = openpyxl.load_workbook(io.BytesIO(source_file.template_xlsx(TODAY, branches)), read_only=True)["Chi bộ"]
    assert list(codes.iter_rows(values_only=True))[1:] == branches


@pytest.mark.parametrize(("header", "column", "words"), [
    ("Họ và tên;Ngày sinh;Giới tính;Số CCCD;Trình độ học vấn;Ngày vào nguồn;Quê quán", "Quê quán", "không có trong mẫu"),
    ("Họ và tên;Ngày sinh;Giới tính;Trình độ học vấn;Ngày vào nguồn", "Số CCCD", "Thiếu cột"),
    ("Họ và tên;Ngày sinh;Giới tính;Số CCCD;CCCD;Trình độ học vấn;Ngày vào nguồn", "CCCD", "hai lần"),
])
def test_a_bad_header_is_named_and_nothing_is_read(world: World, header: str, column: str, words: str) -> None:
    report = run_import(world, f"{header}\r\nA;B;C\r\n".encode())
    assert [(e.line, e.column) for e in report.errors] == [(1, column)] and words in report.errors[0].message
    assert report.rows == []


@pytest.mark.parametrize(("data", "name", "words"), [
    (b"", "nguon.csv", "trống"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "nguon.xls", ".xls"),
    (b"not a zip", "nguon.xlsx", "không phải Excel"),
    (b"PK\x03\x04broken", "nguon.xlsx", "Không đọc được tệp Excel"),
])
def test_a_file_that_cannot_be_read_says_why(world: World, data: bytes, name: str, words: str) -> None:
    report = run_import(world, data, filename=name)
    assert len(report.errors) == 1 and words in report.errors[0].message and report.errors[0].line is None


def test_too_many_rows_are_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_file, "MAX_ROWS", 2)
    branch = code_of(world, "branch")
    report = run_import(world, csv_bytes([a_person(branch) for _ in range(3)]))
    assert [(e.line, e.column) for e in report.errors] == [(4, None)] and "hơn 2 dòng" in report.errors[0].message


# -- at the same time ------------------------------------------------------------------------------


def test_another_import_of_the_same_people_meanwhile_leaves_nothing_half_saved(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other import commits between this one's check and its write: the UNIQUE citizen ID stops this
    one, whole, and says so; the people only this file has are not written either."""
    branch = code_of(world, "branch")
    shared, own = a_person(branch), a_person(branch)
    check = source_import._Checker.check

    def check_then_let_the_other_import_in(self: Any) -> Any:
        checked = check(self)
        monkeypatch.setattr(source_import._Checker, "check", check)
        assert run_import(world, csv_bytes([shared])).counts["created"] == 1
        return checked

    monkeypatch.setattr(source_import._Checker, "check", check_then_let_the_other_import_in)
    before = counts(world.engine)
    report = run_import(world, csv_bytes([shared, own]))
    assert not report.ok and [(e.line, e.field) for e in report.errors] == [(None, "citizen_id")]
    assert "không có gì được ghi" in report.errors[0].message
    assert [(r.status, r.dossier_id) for r in report.rows] == [("new", None), ("new", None)]
    assert counts(world.engine) == {name: n + 1 for name, n in before.items()}
    assert candidates_with(world.engine, [own["Số CCCD"]]) == 0


def test_two_imports_of_overlapping_files_at_once_never_register_anyone_twice(world: World) -> None:
    branch = code_of(world, "branch")
    shared = [a_person(branch) for _ in range(20)]
    files = [csv_bytes(shared + [a_person(branch) for _ in range(20)]) for _ in range(2)]
    reports: list[ImportReport] = []
    start = threading.Barrier(2)

    def one(data: bytes) -> None:
        start.wait()
        reports.append(run_import(world, data))

    threads = [threading.Thread(target=one, args=(data,)) for data in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert candidates_with(world.engine, [row["Số CCCD"] for row in shared]) == len(shared)
    for report in reports:  # each wrote all its new people, or none and said why
        own = [row.citizen_id for row in report.rows[len(shared):]]
        assert candidates_with(world.engine, [n for n in own if n]) == (len(own) if report.ok else 0)
        assert report.ok or [e.field for e in report.errors] == ["citizen_id"]
    assert verify(world.engine, org_id=world.orgs["district"]).ok


# -- the command line ------------------------------------------------------------------------------


def test_the_command_line_checks_imports_and_reports_every_problem(world: World, db_url: str, tmp_path: Path) -> None:
    with world.engine.connect() as conn:
        username = conn.execute(select(table_of(User).c.username).where(table_of(User).c.id == world.user_id)).scalar_one()
    add_member(world.engine, world.orgs["branch"])
    branch = code_of(world, "branch")
    good, bad = tmp_path / "nguon.csv", tmp_path / "sai.csv"
    good.write_bytes(csv_bytes([a_person(branch), a_person(branch)]))
    bad.write_bytes(csv_bytes([a_person(branch), a_person(branch, **{"Giới tính": "?", "Ngày sinh": "x"})]))
    before = counts(world.engine)
    checked = run_cli(db_url, "import", str(good), "--dry-run", "--as", username)
    assert checked.exit_code == 0 and counts(world.engine) == before and "2 dòng" in checked.output
    refused = run_cli(db_url, "import", str(bad), "--as", username)
    assert refused.exit_code == 2 and counts(world.engine) == before
    assert "dòng 3, cột Giới tính:" in refused.output and "dòng 3, cột Ngày sinh:" in refused.output
    done = run_cli(db_url, "import", str(good), "--as", username)
    assert done.exit_code == 0 and counts(world.engine) == {name: n + 2 for name, n in before.items()}
    again = run_cli(db_url, "import", str(good), "--as", username, "--lang", "en")
    assert again.exit_code == 0 and "2 unchanged" in again.output
    template = tmp_path / "mau.xlsx"
    assert run_cli(db_url, "import", "--template", str(template)).exit_code == 0
    assert not source_file.read_source_file(template.read_bytes(), template.name).problems


# -- found in review -------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["01/03/26", "20260301", "2026-W09-7", "01/03/²⁰²⁶", "01/03/" + "9" * 5000, "31/12/1899"])
def test_a_date_in_any_other_form_is_an_error_not_a_guess(world: World, cell: str) -> None:
    report = run_import(world, csv_bytes([a_person(code_of(world, "branch"), **{"Ngày vào nguồn": cell})]), dry_run=True)
    assert problems(report) == {(2, "Ngày vào nguồn")}, report.errors


def test_a_broken_xlsx_is_unreadable_not_a_crash(world: World) -> None:
    book = Workbook()
    book.active.append(list(TITLES))
    out = io.BytesIO()
    book.save(out)
    import zipfile

    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, b"<worksheet><unclosed" if item.filename.endswith("sheet1.xml") else data)
    report = run_import(world, broken.getvalue(), filename="nguon.xlsx", dry_run=True)
    assert not report.ok and report.errors[0].line is None and "xlsx" in report.errors[0].message


def test_a_branch_name_like_a_formula_stays_text_in_the_template() -> None:
    data = source_file.template_xlsx(TODAY, [("CB-1", '=HYPERLINK("http://x","y")')])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Chi bộ"]
    cell = sheet["B2"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


def test_a_member_of_another_organisation_is_not_revealed(world: World) -> None:
    born = date(1980, 6, 7)
    outside = make_citizen_id(born, "male", next(_serials), "051")
    inside = make_citizen_id(born, "male", next(_serials), "051")
    from sqlalchemy import update

    from ketnap.db.models import Member

    for key, number in (("other_branch", outside), ("branch", inside)):
        member = add_member(world.engine, world.orgs[key])
        with world.engine.begin() as conn:
            conn.execute(update(table_of(Member)).where(table_of(Member).c.id == member).values(citizen_id=number))
    branch = code_of(world, "branch")
    rows = [a_person(branch, born, "male", **{"Số CCCD": outside}), a_person(branch, born, "male", **{"Số CCCD": inside})]
    report = run_import(world, csv_bytes(rows), dry_run=True)
    assert problems(report) == {(3, "Số CCCD")}, report.errors
