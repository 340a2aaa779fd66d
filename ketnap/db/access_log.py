"""Recording and reading the access log (who viewed personal data or exported a log, and when).

The web UI records a view of a dossier's page or printable summary; the CLI and the web record every
export. Recording happens in the caller's transaction, so a view or export and its record go together.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from .models import AccessLog, table_of

_a = table_of(AccessLog)

ACTIONS: dict[str, tuple[str, str]] = {
    "view_dossier": ("Xem hồ sơ", "Viewed a dossier"),
    "print_dossier": ("In tóm tắt hồ sơ", "Printed a dossier summary"),
    "export_dossier_log": ("Xuất nhật ký một hồ sơ", "Exported a dossier's log"),
    "export_org_log": ("Xuất nhật ký của tổ chức", "Exported an organisation's log"),
    "export_report": ("Xuất báo cáo", "Exported a report"),
    "set_targets": ("Giao chỉ tiêu / số đảng viên đầu năm", "Set targets or start-of-year membership"),
    "set_stage_limits": ("Đặt thời hạn các bước của tổ chức", "Set an organisation's stage limits"),
    "create_api_token": ("Tạo mã truy cập API", "Made an API token"),
    "revoke_api_token": ("Thu hồi mã truy cập API", "Revoked an API token"),
    "read_list": ("Đọc danh sách có thông tin cá nhân (API)", "Read a list with personal data (API)"),
    "import_sources": ("Nhập danh sách nguồn từ tệp", "Imported sources from a file"),
}


def record_access(conn: Connection, *, user_id: int | None, user_name: str, action: str, dossier_id: int | None = None,
                  org_id: int | None = None, detail: Mapping[str, Any] | None = None, remote_addr: str | None = None,
                  at: datetime | None = None) -> None:
    """Append one access record in the caller's open transaction (the caller commits)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access action {action!r}")
    conn.execute(_a.insert().values(
        at=at or datetime.now(UTC), user_id=user_id, user_name=user_name, action=action, dossier_id=dossier_id, org_id=org_id,
        detail=dict(detail or {}), remote_addr=remote_addr,
    ))
