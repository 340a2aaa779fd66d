"""The help pages: the procedure as a diagram drawn from the workflow definition, and the rules."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from ..workflows.admission import HAPPY_PATH
from ..workflows.rules import CATALOGUE
from . import services
from .diagram import workflow_svg
from .i18n import lang

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/procedure")
@login_required
def procedure() -> str:
    wf = services().workflow
    try:
        diagram, problem = workflow_svg(wf, lang()), None
    except RuntimeError as err:
        diagram, problem = None, str(err)
    steps = [(name, [t for t in wf.transitions.values() if t.dest == name]) for name, _vi, _en in HAPPY_PATH]
    return render_template("procedure.html", diagram=diagram, problem=problem, steps=steps, rules=list(CATALOGUE))
