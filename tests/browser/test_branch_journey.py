"""A branch committee member's day in a real browser, then the auditor's reading of it.

Chi ủy viên `chiuy` signs in with the keyboard, adds a candidate through "Thêm nguồn", and moves the
dossier through the sympathiser list, the training class, the certificate (refused once by R-TRAIN-1
because of the issuer, then corrected) and the application. The auditor `kiemtra` then reads the
same dossier: every step in the timeline with its hashes, and no form to act. Fields are found by
their labels, as a screen reader would find them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from ketnap.demo import DEMO_PASSWORD
from ketnap.workflows.admission import HAPPY_PATH, OTHER_ENDS, state_label
from ketnap.workflows.rules import CATALOGUE

CANDIDATE = "Lê Thị Thu Hà"
ADMIT = "Đưa vào danh sách cảm tình Đảng, phân công đảng viên giúp đỡ"
NOMINATE = "Cử đi học lớp bồi dưỡng nhận thức về Đảng"
CERTIFICATE = "Ghi nhận giấy chứng nhận (CN-NTVĐ)"
APPLY = "Nộp đơn xin vào Đảng"
DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
HASH = re.compile(r"^[0-9a-f]{16}$")
Screenshots = Callable[..., Path]  # the `shoot` fixture of conftest.py
VIEWPORT = {"width": 1280, "height": 800}
STATES = [name for name, _vi, _en in (*HAPPY_PATH, *OTHER_ENDS)]

UNLABELLED_FIELDS = """() => Array.from(document.querySelectorAll('main input, main select, main textarea'))
  .filter(el => el.type !== 'hidden' && !(el.labels && el.labels.length)
          && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id || el.outerHTML)"""

VISIBLE_FIELDS = """() => Array.from(document.querySelectorAll('main form input, main form select, main form textarea, main form button'))
  .filter(el => el.type !== 'hidden' && el.checkVisibility()).map(el => el.name || el.textContent.trim())"""
FOCUSED_NAME = "() => document.activeElement.name || document.activeElement.textContent.trim()"


# -- what a person does --------------------------------------------------------------------------


def focused(page: Page) -> Locator:
    return page.locator(":focus")


def sign_in(page: Page, username: str) -> None:
    """Sign in with the keyboard only: skip link, then Tab from field to field, Enter on the button."""
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_attribute("href", "#main")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_attribute("name", "username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_attribute("name", "password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_attribute("type", "submit")
    page.keyboard.press("Enter")
    expect(page.locator(".who .user")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()


def open_action(page: Page, step: str) -> Locator:
    """The action's <details>, opened from the keyboard (focus its summary, press Enter) if closed."""
    action = page.locator("details.action").filter(has=page.locator("summary", has_text=step))
    expect(action).to_have_count(1)
    assert unlabelled_fields(page) == []
    if action.get_attribute("open") is None:
        action.locator("summary").focus()
        page.keyboard.press("Enter")
    expect(action.locator("form")).to_be_visible()
    return action


FIELD_ERRORS = "els => els.map(el => `${el.id}: ${el.textContent.trim()}`)"


def press_and_check(page: Page, button: Locator) -> None:
    """Click a submit button and wait for the answer; field errors (shown or folded away) fail the test."""
    with page.expect_navigation():
        button.click()
    assert page.eval_on_selector_all("p.error", FIELD_ERRORS) == [], "the form was sent back with field errors"


def submit(action: Locator, step: str) -> None:
    press_and_check(action.page, action.get_by_role("button", name=step))


def expect_state(page: Page, state: str) -> None:
    expect(page.locator(".state-line .badge.state")).to_have_text(state_label(state, "vi"))


def unlabelled_fields(page: Page) -> list[str]:
    """The form fields of the page (folded ones too) that no <label> or aria attribute names."""
    result: list[str] = page.evaluate(UNLABELLED_FIELDS)
    return result


def add_candidate(page: Page, name: str, shoot: Screenshots | None = None) -> int:
    """Through "Thêm nguồn" in the menu, every field found by its label; returns the new dossier's number."""
    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Thêm nguồn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thêm nguồn")
    assert unlabelled_fields(page) == []
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Ngày sinh").fill("14/08/1999")
    page.get_by_label("Giới tính").select_option(label="Nữ")
    page.get_by_label("Dân tộc").fill("Kinh")
    page.get_by_label("Trình độ học vấn").select_option(label="Đại học")
    page.get_by_label("Nghề nghiệp, nơi làm việc").fill("Giáo viên Trường THCS Thị trấn")
    page.get_by_label("Đối tượng nguồn").select_option(label="Giáo viên")
    page.get_by_label("Đoàn viên", exact=True).check()
    if shoot:
        page.evaluate("window.scrollTo(0, 0)")
        shoot(page, "them-nguon", for_docs=True)
    press_and_check(page, page.get_by_role("button", name="Thêm nguồn"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".flash.success")).to_contain_text(name)
    expect_state(page, "source")
    match = re.search(r"/dossiers/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


def admit_to_sympathiser_list(page: Page) -> str:
    """The first step on the dossier page; returns the name of the helper chosen."""
    action = open_action(page, ADMIT)
    helper = action.get_by_label("Đảng viên chính thức được phân công giúp đỡ")
    helper.select_option(index=1)
    chosen = helper.locator("option:checked").inner_text()
    expect(action.get_by_label("Ngày quyết định")).to_have_value(DATE)
    submit(action, ADMIT)
    expect_state(page, "sympathiser")
    expect(page.locator(".flash.success")).to_contain_text(ADMIT)
    return re.sub(r" \(\d{4}\)$", "", chosen)


# -- the tests ---------------------------------------------------------------------------------


def test_branch_member_advances_a_candidate_and_the_auditor_reads_the_timeline(page: Page, shoot: Screenshots) -> None:
    page.goto("/login")
    shoot(page, "dang-nhap", for_docs=True)
    sign_in(page, "chiuy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan")
    shoot(page, "tong-quan", for_docs=True)

    dossier_id = add_candidate(page, CANDIDATE, shoot)
    shoot(page, "ho-so-nguon")
    admit_to_sympathiser_list(page)

    action = open_action(page, NOMINATE)
    action.get_by_label("Lớp bồi dưỡng").fill("Lớp bồi dưỡng nhận thức về Đảng khóa 2")
    action.get_by_label("Lớp bồi dưỡng").press("Enter")  # a text box submits its form with Enter
    expect_state(page, "training_nominated")

    action = open_action(page, CERTIFICATE)
    action.get_by_label("Số giấy chứng nhận").fill("215-GCN/TTCT")
    action.get_by_label("Nơi cấp", exact=True).fill("Hội Cựu chiến binh xã")
    action.get_by_label("Loại nơi cấp").select_option("other")
    submit(action, CERTIFICATE)
    refusal_shown(page)
    shoot(page, "tu-choi", for_docs=True)
    action = open_action(page, CERTIFICATE)
    expect(action.get_by_label("Số giấy chứng nhận")).to_have_value("215-GCN/TTCT")
    expect(action.get_by_label("Nơi cấp", exact=True)).to_have_value("Hội Cựu chiến binh xã")
    expect(action.get_by_label("Loại nơi cấp")).to_have_value("other")
    action.get_by_label("Nơi cấp", exact=True).fill("Trung tâm Chính trị huyện")
    action.get_by_label("Loại nơi cấp").select_option("political_center")
    submit(action, CERTIFICATE)
    expect_state(page, "trained")
    expect(page.locator("#refusal")).to_have_count(0)

    action = open_action(page, APPLY)
    action.get_by_label("Đơn do người xin vào Đảng tự viết tay").check()
    action.get_by_label("Đơn nêu rõ nhận thức về Đảng và động cơ xin vào Đảng").check()
    shoot(page, "ho-so-hanh-dong", for_docs=True)
    submit(action, APPLY)
    expect_state(page, "applied")
    expect(page.locator("ol.timeline code")).to_have_count(0)  # hashes are the auditor's
    page.locator(".flash.success").evaluate("el => el.remove()")
    page.set_viewport_size({"width": 1280, "height": 1080})  # tall enough for the procedure diagram
    shoot(page, "dossier", for_docs=True)  # shown in the README
    page.set_viewport_size(VIEWPORT)

    sign_out(page)
    sign_in(page, "kiemtra")
    page.goto(f"/dossiers/{dossier_id}")
    auditor_reads_timeline(page)
    page.set_viewport_size({"width": 1280, "height": 960})  # the whole timeline
    shoot(page, "kiem-tra-dien-bien")


def refusal_shown(page: Page) -> None:
    """The refusal box names R-TRAIN-1, says why in plain words and cites the regulation; nothing moved."""
    rule = CATALOGUE["R-TRAIN-1"]
    refusal = page.locator("#refusal")
    expect(refusal).to_be_visible()
    expect(refusal.get_by_role("heading")).to_contain_text(CERTIFICATE)
    item = refusal.locator("ul.rules li").filter(has_text=rule.id)
    expect(item).to_have_count(1)
    expect(item.locator(".rule-id")).to_have_text(rule.id)
    expect(item).to_contain_text("Hội Cựu chiến binh xã")
    expect(item).to_contain_text("phải do trung tâm chính trị cấp huyện (hoặc tương đương) cấp")
    expect(item.locator("cite")).to_have_text(rule.citation)
    expect(refusal).to_contain_text("Chưa lưu gì")
    expect_state(page, "training_nominated")
    expect(page.locator("ol.timeline > li")).to_have_count(3)


def auditor_reads_timeline(page: Page) -> None:
    """Every step, oldest first, each with its hash chained to the one before; no action forms."""
    expect_state(page, "applied")
    entries = page.locator("ol.timeline > li")
    steps = ["Đưa vào nguồn phát triển đảng", ADMIT, NOMINATE, CERTIFICATE, APPLY]
    expect(entries).to_have_count(len(steps))
    chain: list[tuple[str, str]] = []
    for entry, step in zip(entries.all(), steps, strict=True):
        expect(entry).to_contain_text(step)
        expect(entry.locator("strong").first).to_have_text(DATE)
        codes = entry.locator("code")
        expect(codes).to_have_count(2)
        chain.append((codes.nth(0).inner_text(), codes.nth(1).inner_text()))
    assert all(HASH.match(h) and HASH.match(p) for h, p in chain), chain
    assert [prev for _hash, prev in chain[1:]] == [hash_ for hash_, _prev in chain[:-1]], "each entry points at the one before"
    expect(page.locator("details.action")).to_have_count(0)
    expect(page.locator("form[action*='/act/']")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Vai trò của bạn chỉ xem hồ sơ")


def test_tab_reaches_every_field_of_the_new_source_form_in_order(page: Page) -> None:
    sign_in(page, "chiuy")
    page.goto("/dossiers/new")
    fields: list[str] = page.evaluate(VISIBLE_FIELDS)
    assert fields[0] == "branch_id" and fields[-1] == "Thêm nguồn", fields
    page.get_by_role("heading", level=1).click()
    visited: list[str] = []
    for _ in range(len(fields) + 2):
        page.keyboard.press("Tab")
        visited.append(page.evaluate(FOCUSED_NAME))
        if visited[-1] == fields[-1]:
            break
    assert [name for name in visited if name in fields] == fields
    assert "Từng là đảng viên (kết nạp lại)" in visited  # the folded readmission box opens from the keyboard


def test_english_keeps_dates_day_month_year(page: Page, shoot: Screenshots) -> None:
    sign_in(page, "chiuy")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(page.locator(".cards")).to_contain_text("Waiting on you")
    page.locator(".cards a[href^='/dossiers/']").first.click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    state = page.locator(".state-line .badge.state").inner_text()
    assert state in {state_label(s, "en") for s in STATES}, state
    for when in page.locator("ol.timeline > li strong").all():
        expect(when).to_have_text(DATE)
    expect(page.locator("dl.facts dd").first).to_have_text(DATE)  # date of birth
    shoot(page, "english", for_docs=True)
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Diễn biến")).to_be_visible()


def test_print_and_password_pages_are_reachable(page: Page, shoot: Screenshots) -> None:
    sign_in(page, "chiuy")
    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    page.locator("main table a[href^='/dossiers/']").first.click()
    name = page.get_by_role("heading", level=1).inner_text()
    steps = page.locator("ol.timeline > li").count()
    page.get_by_role("link", name="Bản tóm tắt để in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tóm tắt hồ sơ kết nạp đảng viên")
    expect(page.locator("dl.facts")).to_contain_text(name)
    expect(page.locator("table.list tbody tr")).to_have_count(steps)
    shoot(page, "in-tom-tat", for_docs=True)
    page.go_back()
    page.get_by_role("link", name="Mật khẩu", exact=True).click()
    assert unlabelled_fields(page) == []
    for label in ("Mật khẩu hiện tại", "Mật khẩu mới", "Nhập lại mật khẩu mới"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    shoot(page, "doi-mat-khau", for_docs=True)


def test_a_new_sympathiser_is_on_the_branch_list_with_the_helper(page: Page, shoot: Screenshots) -> None:
    sign_in(page, "chiuy")
    add_candidate(page, "Phạm Minh Khoa")
    helper = admit_to_sympathiser_list(page)
    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Cảm tình Đảng").click()
    row = page.locator("#sympathisers tbody tr").filter(has_text="Phạm Minh Khoa")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(helper)
    expect(row).to_contain_text(state_label("sympathiser", "vi"))
    shoot(page, "cam-tinh-dang", for_docs=True)
