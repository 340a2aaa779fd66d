"""Pins the undocumented use of `transitions` that ketnap.engine.workflow relies on.

Why this file exists: for speed, ketnap builds ONE `transitions.Machine` per workflow and never adds
a dossier to it. To fire a trigger it calls `machine.events[trigger].trigger(token)` on a throw-away
object carrying the dossier's state. That is not the documented API (which registers each model
with `Machine(model=...)` or `machine.add_model(...)`, attaching trigger methods and keeping a
reference in `machine.models`). If an upgrade of `transitions` changes any of the behaviours below,
this file fails before the engine silently starts leaking models or stops enforcing the graph.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import transitions
from transitions import Machine, MachineError

from ketnap.engine.workflow import Evaluation
from ketnap.workflows.admission import build_workflow


class Token:
    """Stands for a model the machine has never seen: no trigger methods, only a `state`."""

    __slots__ = ("state", "allowed", "target", "seen")

    def __init__(self, state: str, allowed: bool = True, target: str | None = None):
        self.state = state
        self.allowed = allowed
        self.target = target
        self.seen: list[Any] = []


def guard(event: Any) -> bool:
    event.model.seen.append(event)
    return bool(event.model.allowed)


def target_is(dest: str) -> Any:
    return lambda event: event.model.target == dest


@pytest.fixture()
def machine() -> Machine:
    return Machine(
        model=None,
        states=["draft", "review", "done", "back"],
        transitions=[
            {"trigger": "submit", "source": "draft", "dest": "review", "conditions": [guard]},
            {"trigger": "accept", "source": "review", "dest": "done", "conditions": [guard]},
            {"trigger": "rework", "source": "review", "dest": "draft", "conditions": [target_is("draft")]},
            {"trigger": "rework", "source": "review", "dest": "back", "conditions": [target_is("back")]},
        ],
        initial="draft",
        auto_transitions=False,
        send_event=True,
        model_attribute="state",
    )


def test_machine_built_without_a_model_has_no_models(machine: Machine) -> None:
    assert machine.models == []


def test_event_trigger_fires_on_a_model_never_added(machine: Machine) -> None:
    token = Token("draft")
    assert machine.events["submit"].trigger(token) is True
    assert token.state == "review"
    assert machine.models == []
    assert not hasattr(token, "submit")  # no trigger methods were attached


def test_conditions_receive_the_token_as_event_model(machine: Machine) -> None:
    token = Token("draft")
    machine.events["submit"].trigger(token)
    (event,) = token.seen
    assert event.model is token
    assert event.event.name == "submit"


def test_a_refusing_condition_returns_false_and_leaves_the_state(machine: Machine) -> None:
    token = Token("draft", allowed=False)
    assert machine.events["submit"].trigger(token) is False
    assert token.state == "draft"


def test_trigger_from_a_wrong_state_raises_machine_error(machine: Machine) -> None:
    token = Token("draft")
    with pytest.raises(MachineError):
        machine.events["accept"].trigger(token)
    assert token.state == "draft"


def test_the_first_transition_whose_conditions_pass_is_taken(machine: Machine) -> None:
    back, draft, nowhere = Token("review", target="back"), Token("review", target="draft"), Token("review", target="x")
    assert machine.events["rework"].trigger(back) and back.state == "back"
    assert machine.events["rework"].trigger(draft) and draft.state == "draft"
    assert machine.events["rework"].trigger(nowhere) is False and nowhere.state == "review"


def test_many_tokens_leave_nothing_behind(machine: Machine) -> None:
    for _ in range(1000):
        token = Token("draft")
        machine.events["submit"].trigger(token)
        machine.events["accept"].trigger(token)
        assert token.state == "done"
    assert machine.models == []


def test_the_admission_workflow_machine_is_used_the_same_way() -> None:
    wf = build_workflow()
    assert wf.machine.models == []
    snapshot_state = "introduced"

    class Snap:
        state = snapshot_state

    evaluation = Evaluation("hold_branch_vote", snapshot_state, "branch_approved", date(2024, 3, 5), "2021")
    assert wf.fire(Snap(), evaluation) == "branch_approved"  # type: ignore[arg-type]
    with pytest.raises(MachineError):
        wf.fire(Snap(), Evaluation("hold_admission_ceremony", snapshot_state, "probationary", date(2024, 3, 5), "2021"))  # type: ignore[arg-type]
    assert wf.machine.models == []


def test_pinned_transitions_version() -> None:
    major, minor, *_ = (int(p) for p in transitions.__version__.split(".")[:2])
    assert (major, minor) == (0, 9), "re-check this contract before moving to another transitions release"
