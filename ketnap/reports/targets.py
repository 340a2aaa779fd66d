"""Target categories ("chỉ tiêu" and "cơ cấu"): the total, the structure groups of seed 002 and 004,
each source category and each mass organisation that introduces candidates.

Category keys as stored in the `targets` table: "total", "women", "ethnic_minority", "religious",
"youth", "source:<source category>" (workflows.vocab.SOURCE_CATEGORIES, private-sector workers
among them), "mass_org:<kind>" (workflows.vocab.MASS_ORG_KINDS: admissions of candidates it introduced).
"""

from __future__ import annotations

from ..engine.rules import Message
from ..workflows.vocab import MASS_ORG_KINDS, SOURCE_CATEGORIES

STRUCTURE: dict[str, Message] = {
    "women": Message("Nữ", "Women"),
    "ethnic_minority": Message("Người dân tộc thiểu số", "Ethnic minorities"),
    "religious": Message("Người có đạo", "Religious followers"),
    "youth": Message("Thanh niên (đến 30 tuổi)", "Youth (up to 30)"),
}

CATEGORIES: dict[str, Message] = {
    "total": Message("Tổng số kết nạp", "All admissions"),
    **STRUCTURE,
    **{f"source:{code}": Message(f"Nguồn: {name}", f"Source: {code.replace('_', ' ')}") for code, name in SOURCE_CATEGORIES.items()},
    **{f"mass_org:{kind}": Message(f"Do {name} giới thiệu", f"Introduced by {kind.replace('_', ' ')}")
       for kind, name in MASS_ORG_KINDS.items()},
}


def category_label(category: str) -> Message:
    """The label of a category key; ValueError for an unknown one."""
    try:
        return CATEGORIES[category]
    except KeyError:
        raise ValueError(f"Nhóm chỉ tiêu '{category}' không có; chọn: {', '.join(CATEGORIES)} (target category)") from None
