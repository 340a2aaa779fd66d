"""Branch lists: the sympathiser list with its monthly review, and the training-class nominations."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("lists", __name__, url_prefix="/lists")


@bp.get("/sympathisers")
@login_required
def sympathisers() -> str:
    return render_template("error.html", code=501, message="…")


@bp.get("/training")
@login_required
def training() -> str:
    return render_template("error.html", code=501, message="…")
