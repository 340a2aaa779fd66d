"""Administration: users, organisations and party members (role admin)."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@roles_required("admin")
def index() -> str:
    return render_template("error.html", code=501, message="…")
