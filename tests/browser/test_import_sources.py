"""Importing sources in a real browser: `danguy` picks a file, checks it (every problem
listed with its line and column, nothing saved), picks the corrected file and imports it, reads what each
column accepts, then opens a new dossier from the report. Screenshots: import-errors(-full).png,
import-done.png, import-columns.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from ketnap.demo import DEMO_PASSWORD
from ketnap.engine.service import local_today
from ketnap.workflows.citizen_id import make_citizen_id

Screenshots = Callable[..., Path]  # the `shoot` fixture of conftest.py
TITLES = "Họ và tên;Ngày sinh;Giới tính;Số CCCD;Trình độ học vấn;Chi bộ;Ngày vào nguồn;Đoàn thể giới thiệu;Đoàn viên"


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".who .user")).to_be_visible()


def source_file(tmp_path: Path, name: str, branch: str, bad: bool) -> Path:
    today = f"{local_today():%d/%m/%Y}"
    people = [("Hà Thị Mai", date(2001, 3, 4), "female", "Nữ"), ("Đinh Văn Ớt", date(1998, 11, 20), "male", "Nam"),
              ("Trần Minh Quân", date(2004, 6, 1), "male", "Nam")]
    lines = [TITLES]
    for i, (full_name, born, gender, shown) in enumerate(people):
        number = make_citizen_id(born, gender, 4200 + i, "051")
        lines.append(f"{full_name};{born:%d/%m/%Y};{shown};{number};Tốt nghiệp trung học phổ thông;{branch};{today};"
                     f"Đoàn Thanh niên Cộng sản Hồ Chí Minh;x")
    if bad:
        lines[1] = lines[1].replace("Nữ", "Nu x")
        lines[2] = lines[2].replace(make_citizen_id(date(1998, 11, 20), "male", 4201, "051"), "51198004201")
        lines[3] = lines[3].replace(";x", ";có lẽ").replace("01/06/2004", "31/06/2004")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_a_file_is_checked_corrected_and_imported(page: Page, shoot: Screenshots, tmp_path: Path) -> None:
    sign_in(page, "danguy")
    page.get_by_role("link", name="Nhập nguồn từ tệp").click()
    expect(page.get_by_role("heading", name="Nhập danh sách nguồn từ tệp")).to_be_visible()
    branch = "CB-0-1"
    page.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(source_file(tmp_path, "nguon-sai.csv", branch, bad=True))
    page.get_by_role("button", name="Kiểm tra (không ghi)").click()
    expect(page.get_by_role("alert")).to_contain_text("Chưa ghi gì")
    problems = page.locator("table.import-errors tbody tr")
    expect(problems).to_have_count(4)
    expect(problems.nth(0)).to_contain_text("Giới tính")
    expect(problems.nth(1)).to_contain_text("Số CCCD")
    shoot(page, "import-errors")
    page.screenshot(path=str(shoot(page, "import-errors")).replace(".png", "-full.png"), full_page=True)

    page.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(source_file(tmp_path, "nguon.csv", branch, bad=False))
    page.get_by_role("button", name="Nhập", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Đã nhập: thêm 3 người")
    links = page.locator("table.import-rows a")
    expect(links).to_have_count(3)
    shoot(page, "import-done")
    page.get_by_text("Các cột và giá trị được chấp nhận").click()
    citizen_id = page.get_by_role("row").filter(has_text="citizen_id")
    expect(citizen_id).to_contain_text("Số CCCD")
    citizen_id.scroll_into_view_if_needed()
    shoot(page, "import-columns")
    href = links.first.get_attribute("href") or ""
    assert re.fullmatch(r"/dossiers/\d+", href)
    links.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hà Thị Mai")
