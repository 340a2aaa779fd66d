"""The rule sets: which regulations are in force on which dates (rules.md).

Adding a future set is a data change: append a RuleSet, close the previous one's end date, and list
any differing numbers in params.BY_RULE_SET.
"""

from __future__ import annotations

from datetime import date

from ..engine.rules import RuleSet, RuleSets

RULE_SETS = RuleSets(
    [
        RuleSet("2016", None, date(2021, 7, 29), "ĐL; QĐ 29-QĐ/TW (25/7/2016); HD 01-HD/TW (20/9/2016); HD 09-HD/BTCTW"),
        RuleSet("2021", date(2021, 7, 30), date(2025, 1, 19), "ĐL; QĐ 24-QĐ/TW (30/7/2021); HD 01-HD/TW (28/9/2021); HD 12-HD/BTCTW"),
        RuleSet("2025a", date(2025, 1, 20), date(2025, 6, 30), "ĐL; QĐ 232-QĐ/TW (20/01/2025)"),
        RuleSet("2025b", date(2025, 7, 1), None, "ĐL; QĐ 294-QĐ/TW (from 01/7/2025); no district level"),
    ]
)
