"""When a dossier entered its state: the clock of the next step's deadline."""

from __future__ import annotations

from datetime import date

from ketnap.workflows.deadlines import entered_on


def test_the_clock_starts_at_the_step_that_entered_the_state() -> None:
    steps = [("", "source", date(2026, 1, 5)), ("source", "sympathiser", date(2026, 2, 9))]
    assert entered_on(steps) == date(2026, 2, 9)


def test_a_step_that_stays_in_the_state_does_not_restart_the_clock() -> None:
    steps = [("admission_decided", "probationary", date(2025, 3, 1)), ("probationary", "probationary", date(2026, 3, 20)),
             ("probationary", "probationary", date(2026, 4, 20))]
    assert entered_on(steps) == date(2025, 3, 1)
