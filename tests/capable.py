"""Whether an isolation test may skip: only where the machine truly cannot run it. As root on Linux (CI) with the
tool installed, what the tool should give is required, so a broken sandbox fails instead of skipping; in CI
(`CI` set, root) a missing tool is a failure too, since `make test-tools` installs it."""

import os
import shutil
import sys

import pytest


def expected(tool: str) -> bool:
    """This machine can run `tool`'s isolation: root on Linux, with the tool (or in CI, where it is installed)."""
    installed = shutil.which(tool) is not None or bool(os.environ.get("CI"))
    return sys.platform == "linux" and os.geteuid() == 0 and installed


def require(available: bool, tool: str, reason: str) -> None:
    """Skip the test when `available` is false and this machine cannot be expected to do better; fail otherwise."""
    if available:
        return
    if expected(tool):
        pytest.fail(f"{reason}, though this is root on Linux with {tool} (or CI): the isolation must work here")
    pytest.skip(reason)
