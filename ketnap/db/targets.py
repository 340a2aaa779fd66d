"""Setting admission targets and start-of-year membership counts ("giao chỉ tiêu", "số đảng viên đầu năm").

Each setter validates every field first and raises TargetError naming the bad ones, so nothing is
half-saved; a value already set for the same organisation, period and category is replaced (the row
keeps who set it last and when). The level above sets an organisation's targets: the web UI and the
CLI check that before calling these.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from ..reports.periods import parse_period
from ..reports.targets import CATEGORIES
from .models import MembershipCount, Organisation, Target, table_of

_tg, _mc, _o = table_of(Target), table_of(MembershipCount), table_of(Organisation)
MAX_VALUE = 1_000_000


class TargetError(ValueError):
    """Bad input, per field: {"period": "...", "value": "..."}."""

    def __init__(self, field_errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in field_errors.items()))
        self.field_errors = field_errors


def target_period_code(raw: str) -> str:
    """A year ('2026') or term ('2025-2030') code, normalised; ValueError otherwise."""
    period = parse_period(raw)
    if period.kind not in ("year", "term"):
        raise ValueError(f"Chỉ tiêu giao theo năm (2026) hoặc nhiệm kỳ (2025-2030), không theo '{raw}' "
                         "(targets are set per year or per term)")
    return period.code


def _count(raw: Any, name: str, errors: dict[str, str]) -> int | None:
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_VALUE:
        errors[name] = f"'{raw}' phải là số nguyên từ 0 đến {MAX_VALUE:,} (a whole number 0–{MAX_VALUE:,})".replace(",", ".")
        return None
    return int(text)


def _check_org(conn: Connection, org_id: Any, errors: dict[str, str]) -> None:
    if not isinstance(org_id, int) or conn.execute(select(_o.c.id).where(_o.c.id == org_id)).first() is None:
        errors["org"] = f"Không có tổ chức {org_id} (no such organisation)"


def set_target(conn: Connection, org_id: int, period: str, category: str, value: Any, user_id: int | None,
               user_name: str, note: str | None = None) -> None:
    """Set (or replace) one target. TargetError names every bad field; nothing is written then."""
    errors: dict[str, str] = {}
    _check_org(conn, org_id, errors)
    code = ""
    try:
        code = target_period_code(period)
    except ValueError as err:
        errors["period"] = str(err)
    if category not in CATEGORIES:
        errors["category"] = f"Nhóm '{category}' không có; chọn: {', '.join(CATEGORIES)} (target category)"
    count = _count(value, "value", errors)
    if note is not None and len(note) > 500:
        errors["note"] = "Ghi chú tối đa 500 ký tự (note: at most 500 characters)"
    if errors or count is None:
        raise TargetError(errors)
    row = {"value": count, "set_by": user_id, "set_by_name": user_name, "set_at": datetime.now(UTC), "note": note}
    where = (_tg.c.org_id == org_id, _tg.c.period == code, _tg.c.category == category)
    if conn.execute(update(_tg).where(*where).values(**row)).rowcount == 0:
        conn.execute(_tg.insert().values(org_id=org_id, period=code, category=category, **row))


def clear_target(conn: Connection, org_id: int, period: str, category: str) -> bool:
    """Remove a target (the organisation then counts the sum of its children's); whether one was there."""
    code = target_period_code(period)
    deleted = conn.execute(delete(_tg).where(_tg.c.org_id == org_id, _tg.c.period == code, _tg.c.category == category))
    return bool(deleted.rowcount)


def set_membership(conn: Connection, org_id: int, year: Any, members: Any, user_id: int | None, user_name: str) -> None:
    """Set (or replace) an organisation's membership at the start of `year`. TargetError names the bad fields."""
    errors: dict[str, str] = {}
    _check_org(conn, org_id, errors)
    year_value = _count(year, "year", errors)
    if year_value is not None and not 1945 <= year_value <= 2200:
        errors["year"] = f"Năm {year_value} ngoài khoảng 1945–2200 (year out of range)"
    count = _count(members, "members", errors)
    if errors or count is None or year_value is None:
        raise TargetError(errors)
    row = {"members": count, "set_by": user_id, "set_by_name": user_name, "set_at": datetime.now(UTC)}
    where = (_mc.c.org_id == org_id, _mc.c.year == year_value)
    if conn.execute(update(_mc).where(*where).values(**row)).rowcount == 0:
        conn.execute(_mc.insert().values(org_id=org_id, year=year_value, **row))
