"""A CPU share per sandbox where the machine has cgroup v2 controllers, and the gradebook says which holds.

The kernel's side cannot be faked; what is checked here is the grader's reading of a hierarchy (a folder laid out as
cgroup2 lays it out) and what it writes there. On a machine without the controllers (this course machine: a hybrid
hierarchy whose v2 part has none), tests/test_cpu_share.py shows the call limits in the child's own time instead."""

from __future__ import annotations

from pathlib import Path

from autograder import cgroup
from autograder.config import Limits
from autograder.sandbox import isolation

MOUNTS = ("cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
          "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n")


def hierarchy(tmp_path: Path, controllers: str, enabled: str = "") -> Path:
    (tmp_path / "cgroup.controllers").write_text(controllers + "\n")
    (tmp_path / "cgroup.subtree_control").write_text(enabled + "\n")
    return tmp_path


def test_the_mount_and_the_own_cgroup_are_read_from_proc():
    mount = cgroup._mount(MOUNTS)
    assert mount == Path("/sys/fs/cgroup/unified")
    assert cgroup._own(mount, "4:memory:/x\n0::/user.slice/grader.scope\n") == mount / "user.slice/grader.scope"
    assert cgroup._mount("proc /proc proc rw 0 0\n") is None


def test_a_hierarchy_without_the_controllers_is_not_used(tmp_path):
    root = hierarchy(tmp_path, "hugetlb")
    assert cgroup.usable(root, root) == (None, "no cgroup v2 cpu/pids/memory controller here")
    assert cgroup.usable(None, root)[0] is None


def test_the_root_of_a_hierarchy_hands_its_controllers_down(tmp_path):
    root = hierarchy(tmp_path, "cpuset cpu io memory pids")
    assert cgroup.usable(root, root) == (root, "")
    assert (root / "cgroup.subtree_control").read_text().split() == ["+cpu", "+pids", "+memory"]


def test_a_cgroup_that_is_not_delegated_with_its_controllers_is_not_used(tmp_path):
    (tmp_path / "grader.scope").mkdir()
    own = hierarchy(tmp_path / "grader.scope", "cpu memory pids", enabled="memory")
    found, why = cgroup.usable(tmp_path, own)
    assert found is None and "does not hand its controllers down" in why
    (own / "cgroup.subtree_control").write_text("cpu pids memory\n")
    assert cgroup.usable(tmp_path, own)[0] == own


def test_a_share_is_one_cpu_and_the_sandbox_limits(tmp_path):
    share = cgroup.Share.make("kit-1-64000-1", Limits(processes=32, memory=2 * 1024**3), under=tmp_path)
    assert share is not None and share.procs == str(tmp_path / "kit-1-64000-1" / "cgroup.procs")
    folder = tmp_path / "kit-1-64000-1"
    assert (folder / "cpu.max").read_text() == "100000 100000"
    assert (folder / "pids.max").read_text() == "32"
    assert (folder / "memory.max").read_text() == str(2 * 1024**3)
    assert cgroup.Share.make("kit-1-64000-1", Limits(), under=tmp_path) is None, "a name in use is not shared"
    assert (folder / "pids.max").read_text() == "32", "nor changed"


def test_the_gradebook_says_what_shares_the_cpu():
    said = cgroup.in_force()
    assert said in isolation()
    assert said.startswith("CPU share: cgroup v2") == (cgroup.parent()[0] is not None)
