"""The dossier pages: scope, actions with their forms, refusals with reasons, conflicts, search, languages."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from ketnap.db.models import Candidate, Dossier, Member, table_of
from ketnap.webui import services

TODAY = date.today().strftime("%d/%m/%Y")
ADMIT = "admit_to_sympathiser_list"
REQ = '<span class="req" aria-hidden="true">*</span>'  # the mark of a required field, after its label


def helper_options(page: str) -> list[str]:
    select_html = page.split(f'name="{ADMIT}-helper_member_id"', 1)[1].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="(\d+)"', select_html)]


def member_outside(app, dossier_id: int) -> int:
    with app.app_context():
        d, m = table_of(Dossier), table_of(Member)
        with services().engine.connect() as conn:
            branch = conn.execute(select(d.c.branch_id).where(d.c.id == dossier_id)).scalar_one()
            return conn.execute(select(m.c.id).where(m.c.branch_id != branch, m.c.status == "official").limit(1)).scalar_one()


def other_branch_dossier(app, dossier_id: int) -> int:
    with app.app_context():
        d = table_of(Dossier)
        with services().engine.connect() as conn:
            branch = conn.execute(select(d.c.branch_id).where(d.c.id == dossier_id)).scalar_one()
            return conn.execute(select(d.c.id).where(d.c.branch_id != branch).limit(1)).scalar_one()


def test_a_new_source_offers_its_next_step_with_a_labelled_form(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Vũ Thị Bước Một")
    page = b.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Đưa vào danh sách cảm tình Đảng, phân công đảng viên giúp đỡ" in page
    assert f'<label for="{ADMIT}-decided_on">Ngày quyết định</label>{REQ}' in page
    assert f'<label for="{ADMIT}-helper_member_id">Đảng viên chính thức được phân công giúp đỡ</label>{REQ}' in page
    assert helper_options(page), "the branch's official members are offered as helpers"


def test_advancing_records_the_step_and_shows_it_in_the_timeline(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Đỗ Văn Tiến Bước")
    page = b.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    response = b.post(f"/dossiers/{dossier_id}/act/{ADMIT}",
                      {"version": "1", f"{ADMIT}-decided_on": TODAY, f"{ADMIT}-helper_member_id": helper_options(page)[0]})
    assert response.status_code == 302
    after = b.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Đã thực hiện: Đưa vào danh sách cảm tình Đảng" in after
    assert '<span class="badge state">Quần chúng cảm tình Đảng</span>' in after
    assert "Cử đi học lớp bồi dưỡng nhận thức về Đảng" in after, "the next step is offered"


def step(b, dossier_id: int, trigger: str, version: int, **facts: str):
    return b.post(f"/dossiers/{dossier_id}/act/{trigger}", {"version": str(version), **{f"{trigger}-{k}": v for k, v in facts.items()}})


def test_a_refused_step_says_which_rule_failed_and_keeps_what_was_typed(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Phan Văn Bị Từ Chối")
    helper = helper_options(b.get(f"/dossiers/{dossier_id}").get_data(as_text=True))[0]
    assert step(b, dossier_id, ADMIT, 1, decided_on=TODAY, helper_member_id=helper).status_code == 302
    assert step(b, dossier_id, "nominate_for_training", 2, nominated_on=TODAY, class_name="Lớp tháng 11").status_code == 302
    response = step(b, dossier_id, "record_training_certificate", 3, issued_on=TODAY, certificate_no="77-GCN",
                    issuer="Hội Cựu chiến binh xã", issuer_kind="other")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<strong class="rule-id">R-TRAIN-1</strong>' in page
    assert "phải do trung tâm chính trị" in page, "says why in plain words"
    assert "HD 01-HD/TW" in page, "the citation is shown"
    assert 'value="Hội Cựu chiến binh xã"' in page and 'value="77-GCN"' in page, "what was typed is kept"
    assert '<p class="state-line"><span class="badge state">Cử đi học lớp bồi dưỡng nhận thức về Đảng</span>' in \
        b.get(f"/dossiers/{dossier_id}").get_data(as_text=True), "nothing was saved"


def test_a_person_not_offered_is_refused_without_saying_who_it_is(app, login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Quách Thị Ngoài Danh Sách")
    outsider = member_outside(app, dossier_id)
    with app.app_context(), services().engine.connect() as conn:
        name = conn.execute(select(table_of(Member).c.full_name).where(table_of(Member).c.id == outsider)).scalar_one()
    response = step(b, dossier_id, ADMIT, 1, decided_on=TODAY, helper_member_id=str(outsider))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{ADMIT}-helper_member_id-error">Không có trong danh sách được chọn' in page
    assert name not in page


def test_a_step_without_the_version_seen_is_a_bad_request(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Tôn Thị Thiếu Phiên Bản")
    assert b.post(f"/dossiers/{dossier_id}/act/withdraw", {"withdraw-withdrawn_on": TODAY}).status_code == 400


def test_huge_numbers_in_urls_answer_404_not_500(login) -> None:
    b = login("chiuy")
    assert b.get("/dossiers/" + "9" * 25).status_code == 404
    assert b.get("/dossiers?page=" + "9" * 25).status_code == 200


def test_the_administrator_does_not_read_dossiers(login) -> None:
    admin = login("admin")
    assert admin.get("/").headers["Location"].endswith("/admin/")
    assert admin.get("/dossiers").status_code == 403
    assert admin.get("/lists/sympathisers").status_code == 403


def test_bad_input_is_shown_next_to_the_field(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Trịnh Thị Ngày Sai")
    future = (date.today() + timedelta(days=5)).strftime("%d/%m/%Y")
    page_before = b.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    response = b.post(f"/dossiers/{dossier_id}/act/{ADMIT}",
                      {"version": "1", f"{ADMIT}-decided_on": future, f"{ADMIT}-helper_member_id": helper_options(page_before)[0]})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" id="{ADMIT}-decided_on-error">' in page
    assert "ở tương lai" in page
    missing = b.post(f"/dossiers/{dossier_id}/act/{ADMIT}", {"version": "1", f"{ADMIT}-decided_on": TODAY})
    assert f'id="{ADMIT}-helper_member_id-error">Bắt buộc' in missing.get_data(as_text=True)


def test_two_people_at_once_the_second_is_told_who_changed_it(login) -> None:
    first, second = login("chiuy"), login("danguy")
    dossier_id = first.add_source("Lưu Thị Cùng Lúc")
    page = first.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    helper = helper_options(page)[0]
    facts = {"version": "1", f"{ADMIT}-decided_on": TODAY, f"{ADMIT}-helper_member_id": helper}
    assert first.post(f"/dossiers/{dossier_id}/act/{ADMIT}", facts).status_code == 302
    late = second.post(f"/dossiers/{dossier_id}/act/{ADMIT}", facts)
    text = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Nguyễn Văn Chi" in text, "names who changed it"
    assert "tải lại" in text


def test_a_dossier_of_another_organisation_answers_404(app, login) -> None:
    b = login("chiuy")
    mine = b.add_source("Mai Văn Phạm Vi")
    foreign = other_branch_dossier(app, mine)
    assert b.get(f"/dossiers/{foreign}").status_code == 404
    assert b.get(f"/dossiers/{foreign}/print").status_code == 404
    assert b.post(f"/dossiers/{foreign}/act/withdraw", {"version": "1"}).status_code == 404
    assert login("kiemtra").get(f"/dossiers/{foreign}").status_code == 200, "the auditor at the top sees it"


def test_the_auditor_reads_the_timeline_with_hashes_and_cannot_act(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Lâm Thị Kiểm Tra")
    auditor = login("kiemtra")
    page = auditor.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Diễn biến" in page
    assert re.search(r'<code title="mã băm của mục nhật ký">[0-9a-f]{16}</code>', page)
    assert "<form method=\"post\" action=\"/dossiers/" not in page
    assert auditor.post(f"/dossiers/{dossier_id}/act/withdraw", {"version": "1"}).status_code == 403


def test_name_search_ignores_diacritics(login) -> None:
    b = login("chiuy")
    b.add_source("Nguyễn Văn Ánh Tìm Kiếm")
    page = b.get("/dossiers?q=nguyen+van+anh+tim").get_data(as_text=True)
    assert "Nguyễn Văn Ánh Tìm Kiếm" in page
    assert "Nguyễn Văn Ánh Tìm Kiếm" not in b.get("/dossiers?q=tran+thi+khong+co").get_data(as_text=True)


def test_a_bad_new_source_names_the_fields_and_saves_nothing(app, login) -> None:
    b = login("chiuy")
    with app.app_context():
        c = table_of(Candidate)
        with services().engine.connect() as conn:
            before = conn.execute(select(func.count()).select_from(c)).scalar_one()
    page = b.get("/dossiers/new").get_data(as_text=True)
    branch = re.search(r'<option value="(\d+)"', page.split('id="branch_id"', 1)[1]).group(1)
    response = b.post("/dossiers/new", {"branch_id": branch, "r-registered_on": TODAY, "c-full_name": "Lỗi Thiếu Ngày Sinh",
                                        "c-date_of_birth": "31/02/2001", "c-gender": "female", "c-education": "university",
                                        "c-citizen_id": "12345"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="c-date_of_birth-error"' in text
    assert 'id="c-citizen_id-error">Số CCCD gồm 12 chữ số' in text
    assert 'value="Lỗi Thiếu Ngày Sinh"' in text, "what was typed is kept"
    with app.app_context():
        with services().engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(c)).scalar_one() == before


def test_english_on_request_with_vietnamese_dates(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Tạ Thị Ngôn Ngữ", born="07/08/1999")
    b.get("/lang/en")
    page = b.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Timeline" in page and "Diễn biến" not in page
    assert "07/08/1999" in page
    assert "Admit to the sympathiser list" in page
    b.get("/lang/vi")
    assert "Diễn biến" in b.get(f"/dossiers/{dossier_id}").get_data(as_text=True)


def test_printable_summary_lists_the_steps(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Kiều Thị In Ấn")
    page = b.get(f"/dossiers/{dossier_id}/print").get_data(as_text=True)
    assert "Tóm tắt hồ sơ kết nạp đảng viên" in page
    assert "Kiều Thị In Ấn" in page
    assert "Đưa vào nguồn phát triển đảng" in page


def test_dashboard_counts_the_users_organisation_only(login) -> None:
    branch = login("chiuy").get("/").get_data(as_text=True)
    top = login("kiemtra").get("/").get_data(as_text=True)
    n_branch = int(re.search(r"(\d+) hồ sơ trong tổ chức của bạn", branch).group(1))
    n_top = int(re.search(r"(\d+) hồ sơ trong tổ chức của bạn", top).group(1))
    assert 0 < n_branch < n_top


def test_viewing_and_printing_a_dossier_are_recorded_in_the_access_log(app, login, demo_user) -> None:
    from ketnap.db.models import AccessLog

    b = login("chiuy")
    dossier_id = b.add_source("Cao Thị Truy Cập")
    b.get(f"/dossiers/{dossier_id}")
    b.get(f"/dossiers/{dossier_id}/print")
    login("kiemtra").get(f"/dossiers/{dossier_id}")
    a = table_of(AccessLog)
    with app.app_context(), services().engine.connect() as conn:
        rows = conn.execute(select(a.c.user_id, a.c.user_name, a.c.action).where(a.c.dossier_id == dossier_id).order_by(a.c.id)).all()
    me, auditor = demo_user("chiuy"), demo_user("kiemtra")
    assert [tuple(r) for r in rows] == [
        (me["id"], me["full_name"], "view_dossier"),
        (me["id"], me["full_name"], "print_dossier"),
        (auditor["id"], auditor["full_name"], "view_dossier"),
    ]


def test_list_rows_left_blank_are_ignored_and_errors_land_on_the_row_typed(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Ông Văn Nhiều Dòng")
    helper = helper_options(b.get(f"/dossiers/{dossier_id}").get_data(as_text=True))[0]
    steps = [
        (ADMIT, {"decided_on": TODAY, "helper_member_id": helper}),
        ("nominate_for_training", {"nominated_on": TODAY}),
        ("record_training_certificate", {"issued_on": TODAY, "certificate_no": "1-GCN", "issuer": "Trung tâm chính trị",
                                         "issuer_kind": "political_center"}),
        ("submit_application", {"applied_on": TODAY, "handwritten_by_candidate": "y", "states_understanding_and_motive": "y"}),
        ("declare_biography", {"declared_on": TODAY, "personally_declared": "y", "complete": "y", "no_erasures": "y",
                               "relatives-0-relation": "father", "relatives-0-full_name": "Ông Văn Cha"}),
    ]
    for version, (trigger, facts) in enumerate(steps, start=1):
        assert step(b, dossier_id, trigger, version, **facts).status_code == 302, trigger
    task = "start_verification"
    # As a browser sends it: every row of the form, the unused ones blank but for their drop-down's default.
    rows = {f"tasks-{i}-{name}": value for i in range(5) for name, value in
            (("subject", ""), ("name", ""), ("place", ""), ("assignee", ""), ("channel", "direct"), ("requested_on", ""))}
    refused = step(b, dossier_id, task, 6, started_on=TODAY, **{**rows, "tasks-0-subject": "candidate", "tasks-0-place": "Thôn An Điềm",
                                                               "tasks-2-place": "Xã Bình Sơn"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert f'id="{task}-tasks-2-subject-error">Bắt buộc' in page, "the error is on the third row, the one typed"
    assert f'id="{task}-tasks-1-subject-error"' not in page and f'id="{task}-tasks-3-subject-error"' not in page
    done = step(b, dossier_id, task, 6, started_on=TODAY, **{**rows, "tasks-0-subject": "candidate", "tasks-0-place": "Thôn An Điềm",
                                                            "tasks-2-subject": "father", "tasks-2-name": "Ông Văn Cha"})
    assert done.status_code == 302, done.get_data(as_text=True)[-3000:]
    assert "Đang thẩm tra lý lịch" in b.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
