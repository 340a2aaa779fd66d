"""Every number the admission rules use, in ONE place, with its confidence.

Numbers marked "recalled" are our best reading (rules.md); correct them here, or override them
without touching code with a JSON file named by KETNAP_PARAMS ({"certificate_valid_months": 48}).
Organisation-level overrides (per-stage limits, policy switches) live in the organisation's settings.
Values that differ between rule sets are listed in BY_RULE_SET.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..engine.calendar import WorkingCalendar
from ..engine.snapshot import Params


@dataclass(frozen=True)
class Param:
    value: Any
    confidence: str
    meaning: str


PARAMETERS: dict[str, Param] = {
    "age_min_months": Param(216, "verified", "R-AGE-1: full 18 years, counted in completed months"),
    "age_max_months": Param(720, "verified", "R-AGE-2: up to full 60 years (720 completed months)"),
    "youth_age_max_months": Param(360, "recalled", "R-INTRO-3: youth age up to 30 years (Youth Union charter)"),
    "certificate_valid_months": Param(60, "recalled", "R-TRAIN-2: training certificate valid 60 months from issue"),
    "verification_answer_wd": Param(30, "recalled", "R-VERIFY-4: answer to a verification request, working days"),
    "verification_fresh_months": Param(12, "recalled", "R-VERIFY-5: a conclusion older than this must be refreshed"),
    "introducer_together_months": Param(12, "verified", "R-INTRO-2: introducer and candidate together, months"),
    "decision_wd": Param(60, "verified", "R-DECIDE-2: admission decision, working days from the branch resolution"),
    "decision_extension_wd": Param(30, "verified", "R-DECIDE-2: longest extension, working days"),
    "ceremony_wd": Param(30, "verified", "R-CEREMONY-1: ceremony, working days from receiving the decision"),
    "probation_months": Param(12, "verified", "R-PROBATION-1: probation, months from the ceremony"),
    "recognition_vote_wd": Param(30, "verified", "R-RECOGNISE-1: branch considers recognition, working days"),
    "recognition_decision_wd": Param(30, "verified", "R-RECOGNISE-3: recognition decision, working days"),
    "recognition_extension_wd": Param(30, "verified", "R-RECOGNISE-3: longest extension, working days"),
    "inconclusive_votes_limit": Param(3, "verified", "R-RECOGNISE-5: votes without two thirds before referral"),
    "readmit_wait_months": Param(36, "verified", "R-READMIT-1: months since leaving the Party"),
    "readmit_crime_wait_months": Param(60, "verified", "R-READMIT-1: months after a cleared criminal record"),
    "retry_wait_months": Param(0, "policy", "R-RETRY-1: local waiting time before reopening"),
    "sla_declaration_wd": Param(20, "policy", "R-SLA-1: application to biography declaration, working days"),
    "sla_verification_wd": Param(40, "policy", "R-SLA-1: start to conclusion of verification, working days"),
    "admission_rate_min": Param(0.03, "policy", "Reports: yearly admissions at least 3 % of members at the start of the year (seed 002)"),
    "admission_rate_max": Param(0.04, "policy", "Reports: the yearly admission rate aimed at, up to 4 % (seed 002)"),
    "due_soon_wd": Param(10, "policy", "Reports and dashboard: a step due within this many working days is listed as due soon"),
    "no_erasures_from": Param(date(2022, 1, 18), "verified", "R-BIO-1: HD 12-HD/BTCTW in force: no erasures or corrections"),
    "education_accepts_equivalent": Param(False, "verified", "R-EDU-1: 'or equivalent' accepted (set 2016 only)"),
    "introducer_same_unit": Param(True, "verified", "R-INTRO-2: same unit under the same grassroots organisation"),
}

BY_RULE_SET: dict[str, dict[str, Any]] = {
    "2016": {"education_accepts_equivalent": True, "introducer_same_unit": False},
}


def load_calendar(environ: dict[str, str] | None = None) -> WorkingCalendar:
    """The working-day calendar, with extra days off / working days from the JSON file named by
    KETNAP_CALENDAR ({"extra_days_off": ["2026-04-27"], "extra_working_days": []}), e.g. a Tết break
    announced by the government beyond what the holidays package knows."""
    env = os.environ if environ is None else environ
    path = env.get("KETNAP_CALENDAR")
    if not path:
        return WorkingCalendar()
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return WorkingCalendar(
        extra_days_off=[date.fromisoformat(d) for d in data.get("extra_days_off", [])],
        extra_working_days=[date.fromisoformat(d) for d in data.get("extra_working_days", [])],
    )


def load_params(environ: dict[str, str] | None = None) -> Params:
    """The parameters, with overrides from the JSON file named by KETNAP_PARAMS if any."""
    env = os.environ if environ is None else environ
    params = Params({k: p.value for k, p in PARAMETERS.items()}, BY_RULE_SET)
    path = env.get("KETNAP_PARAMS")
    if path:
        with open(path, encoding="utf-8") as fh:
            overrides = json.load(fh)
        dates = {k for k, p in PARAMETERS.items() if isinstance(p.value, date)}
        params = params.with_overrides({k: date.fromisoformat(v) if k in dates and isinstance(v, str) else v for k, v in overrides.items()})
    return params
