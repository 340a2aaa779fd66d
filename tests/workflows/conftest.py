"""Fixtures for the admission rule tests: a fresh in-memory world per test."""

from __future__ import annotations

import pytest
from admission_world import World


@pytest.fixture()
def world() -> World:
    return World()
