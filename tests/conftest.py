"""Shared fixtures of the kit's own tests (the hidden suites never see this file: they run with --noconftest)."""

import os
import shutil

import pytest


@pytest.fixture(autouse=True)
def _group_is_honoured(request):
    """Tests that share machine-wide state (the release folder, sandbox uids) rely on --dist loadgroup keeping their
    group on one worker: fail them, saying why, when the installed pytest/pytest-xdist pair ignores the groups."""
    node = request.node
    if getattr(request.config.option, "loadgroup", False) and node.get_closest_marker("xdist_group"):
        if "@" not in node.nodeid:
            pytest.fail(f"pytest-xdist ignored this test's xdist_group (pytest {pytest.__version__}): "
                        "pin a pytest that pytest-xdist's --dist loadgroup supports")


def worker_index() -> int:
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


@pytest.fixture
def slot() -> int:
    """A sandbox slot (and so a sandbox uid) of this pytest-xdist worker's own, distinct from a batch's slots."""
    return 16 + worker_index()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, which `make test` installs before pytest starts (`make test-tools`)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("no Chromium: `make test-tools` (as root) or `sudo apt-get install -y chromium`")
    return found
