"""Languages: Vietnamese by default, English on request; dates dd/mm/yyyy, times in Việt Nam's local time.

The page chrome goes through gettext (Flask-Babel, translations/vi); the domain's own pairs (state
and step names, rule messages, field labels) are picked with `pick()`. The chosen language is kept
in the session (`/lang/en`, `/lang/vi`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, request, session
from flask_babel import Babel
from werkzeug.wrappers import Response

from ..engine.rules import Message
from ..engine.service import LOCAL_TZ
from ..workflows.admission import state_label
from . import labels

LANGUAGES = ("vi", "en")
babel = Babel()
bp = Blueprint("i18n", __name__)


def lang() -> str:
    """The language of this request: the API's Accept-Language or the session's choice, else the configured default (vi)."""
    chosen = g.get("api_lang") or session.get("lang")
    return chosen if chosen in LANGUAGES else current_app.config.get("KETNAP_LANG", "vi")


def pick(message: Message | None) -> str:
    if message is None:
        return ""
    return message.vi if lang() == "vi" else message.en


def fmt_date(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            return f"{date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            return value
    return f"{value:%d/%m/%Y}"


def fmt_datetime(value: datetime | None) -> str:
    """A stored UTC timestamp shown in Việt Nam's time, dd/mm/yyyy HH:MM."""
    if value is None:
        return ""
    return f"{value.astimezone(LOCAL_TZ):%d/%m/%Y %H:%M}"


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never redirect a user to another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.get("/lang/<code>")
def choose(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next") or request.referrer and urlsplit(request.referrer).path))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=lang, default_timezone="Asia/Ho_Chi_Minh")
    app.register_blueprint(bp)
    app.jinja_env.filters["vndate"] = fmt_date
    app.jinja_env.filters["vndatetime"] = fmt_datetime

    @app.context_processor
    def _helpers() -> dict[str, Any]:
        current = lang()
        return {
            "lang": current,
            "pick": pick,
            "state_label": lambda state: state_label(state, current),
            "choice_label": lambda code, table=None: labels.choice_label(code, current, table),
            "field_label": lambda name: labels.field_label(name, current),
            "show": lambda value: labels.show(value, current),
        }
