"""The demo district serves its main pages to a signed-in branch committee member."""

from __future__ import annotations


def test_branch_member_adds_a_source_and_sees_it(login) -> None:
    b = login("chiuy")
    dossier_id = b.add_source("Hoàng Thị Thử Nghiệm")
    page = b.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Hoàng Thị Thử Nghiệm" in page
    assert "Nguồn phát triển đảng" in page
