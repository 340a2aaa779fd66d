"""Organisation settings: which warning rules block there, and its own limits (e.g. R-SLA-1 days).

Settings live on an organisation and apply to its whole subtree; the nearest organisation wins.
Shape: {"blocking_policies": ["R-SLA-1"], "params": {"sla_verification_wd": 30}}.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..engine.rules import Kind
from .params import PARAMETERS
from .rules import CATALOGUE

# Numbers an organisation may set for itself: local practice, not the Statute's.
ORGANISATION_PARAMS = frozenset({"sla_declaration_wd", "sla_verification_wd", "retry_wait_months"})
# The largest value each may take: a year of working days for a stage, ten years of waiting.
PARAM_MAX = {"sla_declaration_wd": 250, "sla_verification_wd": 250, "retry_wait_months": 120}


class SettingsError(Exception):
    def __init__(self, field_errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in field_errors.items()))
        self.field_errors = field_errors


def switchable_rules() -> list[str]:
    """Rules that only warn by default (warning kind, or policy flags of a guard) and may be made blocking."""
    return [r.id for r in CATALOGUE if r.kind is Kind.WARNING or r.id == "R-BIO-1"]


def update_settings(current: Mapping[str, Any], *, block: Iterable[str] = (), unblock: Iterable[str] = (),
                    params: Mapping[str, str] | None = None, clear: Iterable[str] = ()) -> dict[str, Any]:
    """The settings with the changes applied; SettingsError names each bad field, nothing is changed then."""
    errors: dict[str, str] = {}
    allowed = switchable_rules()
    blocking = set(current.get("blocking_policies", []))
    for rule_id in block:
        if rule_id not in allowed:
            errors["--block"] = f"'{rule_id}' không chuyển được; chỉ: {', '.join(allowed)} (only warning rules can be made blocking)."
        blocking.add(rule_id)
    blocking -= set(unblock)
    values = dict(current.get("params", {}))
    for name, raw in (params or {}).items():
        if name not in ORGANISATION_PARAMS:
            errors["--param"] = f"'{name}' không đặt riêng được; chỉ: {', '.join(sorted(ORGANISATION_PARAMS))}."
            continue
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1 and name != "retry_wait_months":
            errors[f"--param {name}"] = f"'{raw}' phải là số nguyên dương (a positive whole number)."
            continue
        if int(raw) > PARAM_MAX[name]:
            errors[f"--param {name}"] = f"'{raw}' quá lớn: tối đa {PARAM_MAX[name]} (at most {PARAM_MAX[name]})."
            continue
        values[name] = int(raw)
    for name in clear:
        values.pop(name, None)
    if errors:
        raise SettingsError(errors)
    updated = {k: v for k, v in current.items() if k not in ("blocking_policies", "params")}
    if blocking:
        updated["blocking_policies"] = sorted(blocking)
    if values:
        updated["params"] = values
    assert all(name in PARAMETERS for name in values)
    return updated
