"""Shared fixtures of the kit's own tests (the hidden suites never see this file: they run with --noconftest)."""

import os

import pytest


@pytest.fixture
def slot() -> int:
    """A sandbox slot (and so a sandbox uid) of this pytest-xdist worker's own, distinct from a batch's slots."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return 16 + int(worker.removeprefix("gw") or 0)
