"""Errors the use cases raise; each names what is wrong in words a user can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class KetnapError(Exception):
    """Base of every error the engine reports to a user."""


class BadInput(KetnapError):
    """Input that cannot be used: every field named with its problem(s). Nothing was written."""

    def __init__(self, field_errors: Mapping[str, Sequence[str] | str]):
        self.field_errors = {k: [v] if isinstance(v, str) else list(v) for k, v in field_errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.field_errors.items()))


class NotFound(KetnapError):
    """No such object in the actor's scope (another organisation's dossier is 'not found' too)."""


class Forbidden(KetnapError):
    """The actor's role may not do this."""


class InvalidTransition(KetnapError):
    """The trigger does not leave the dossier's current state."""


class Conflict(KetnapError):
    """The dossier changed since the actor read it (optimistic locking)."""

    def __init__(self, message: str, current_version: int | None = None):
        super().__init__(message)
        self.current_version = current_version
