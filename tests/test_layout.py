"""The layout is the model of an assignment: adding one is adding its files; the grader stands alone."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from gradebook import by_student

from autograder import assignment as layout
from autograder.config import ROOT

TOY = Path(__file__).with_name("toy")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module or "")
    return found


def test_the_grader_imports_nothing_of_the_course_tooling_or_the_tests():
    offenders = [f"{p.relative_to(ROOT)}: {m}" for p in sorted((ROOT / "autograder").rglob("*.py"))
                 for m in imported_modules(p) if m.split(".")[0] in {"course", "tests", "benchmarks"}]
    assert offenders == []


def test_no_list_of_assignments_outside_the_layout():
    ids = re.compile("|".join(a.id for a in layout.find()))
    files = sorted((ROOT / "autograder").glob("*.py")) + [ROOT / "Makefile"] + sorted((ROOT / "course").glob("*.py"))
    assert [str(p.relative_to(ROOT)) for p in files if ids.search(p.read_text())] == []


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m ...` in the copy of the layout: its own `autograder` and `solutions` come first on sys.path."""
    done = subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_new_assignment_is_its_files_and_nothing_else(tmp_path):
    """A toy assignment added to a copy of the layout is built, listed and graded with no list edited."""
    root = tmp_path / "kit"
    shutil.copytree(ROOT / "autograder", root / "autograder",
                    ignore=lambda d, names: [n for n in names if n == "__pycache__"
                                             or (Path(d).name == "suites" and n != "toy")])
    (root / "solutions").mkdir()
    shutil.copy(ROOT / "solutions" / "__init__.py", root / "solutions")
    shutil.copy(TOY / "reference.py", root / "solutions" / "toy.py")
    (root / "authoring").mkdir()
    shutil.copy(TOY / "authoring.py", root / "authoring" / "toy.py")
    (root / "autograder" / "suites" / "toy").mkdir(parents=True)
    shutil.copy(TOY / "suite.py", root / "autograder" / "suites" / "toy" / "test_double.py")

    run(root, "-m", "course", "notebooks", "build")
    assert run(root, "-m", "autograder", "list").stdout.split() == ["toy"]
    toy = layout.Assignment("toy", root)
    assert toy.parts == {"double": 100.0} and toy.solution_ids == ("double",)

    source = nbformat.read(toy.source_notebook, 4)
    for student, body in (("right", "    return 2.0 * np.asarray(x, dtype=float)"),
                          ("wrong", "    return np.asarray(x, dtype=float)")):
        nb = nbformat.from_dict(source)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "double":
                cell.source = f"def double(x):\n{body}\n"
        folder = root / "submitted" / student / "toy"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / "toy.ipynb")
    run(root, "-m", "autograder", "grade", "toy", "--submitted", "submitted", "--out", "graded", "--quiet",
        "--workers", "1")
    scores = {s: (float(r["score"]), r["status"]) for s, r in by_student(root / "graded").items()}
    assert scores == {"right": (100.0, "ok"), "wrong": (0.0, "ok")}
