"""The thin Flask layer: the app factory and the `ketnap` command line (the web UI comes in [2/7]).

Thin: parse input, call engine/workflows, render. No rule logic here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy.engine import Engine

from ..engine.workflow import Workflow


@dataclass
class Services:
    """What every request and command shares: the database engine and the workflow definition."""

    engine: Engine
    workflow: Workflow


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: configuration from the environment, overridden by `config`."""
    from ..db.session import database_url, make_engine
    from ..workflows.admission import build_workflow
    from ..workflows.params import load_calendar, load_params

    app = Flask(__name__, instance_path=os.path.abspath(os.environ.get("KETNAP_INSTANCE", "instance")))
    app.config.update(
        DATABASE_URL=database_url(),
        SECRET_KEY=os.environ.get("KETNAP_SECRET_KEY", "dev-only-change-me"),
        KETNAP_LANG=os.environ.get("KETNAP_LANG", "vi"),
    )
    if config:
        app.config.update(config)
    app.extensions["ketnap"] = Services(
        engine=make_engine(app.config["DATABASE_URL"]),
        workflow=build_workflow(load_params(), load_calendar()),
    )
    return app


def services() -> Services:
    return current_app.extensions["ketnap"]
