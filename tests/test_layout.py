"""The layout is the model of an assignment: adding one is adding its files; the grader stands alone."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
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


def run(root: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    """`python -m ...` in the copy of the layout: its own `autograder` and `solutions` come first on sys.path."""
    done = subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, timeout=300)
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done


def toy_layout(tmp_path: Path) -> Path:
    """A copy of the grader's layout holding the toy assignment's files only (its notebook not built yet)."""
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
    (root / "tests" / "mutants").mkdir(parents=True)
    shutil.copy(TOY / "mutants.py", root / "tests" / "mutants" / "toy.py")
    return root


def test_a_new_assignment_is_its_files_and_nothing_else(tmp_path):
    """A toy assignment added to a copy of the layout is built, listed and graded with no list edited."""
    root = toy_layout(tmp_path)
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


# -- a broken addition stops at build time, naming the file and the line ----------------------------------------------
SUITE, AUTHORING = "autograder/suites/toy/test_double.py", "authoring/toy.py"
SETTINGS, CATALOGUE = "autograder/suites/toy/assignment.json", "tests/mutants/toy.py"


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1))


def last_line_with(root: Path, name: str, text: str) -> int:
    lines = (root / name).read_text().splitlines()
    return max(i for i, line in enumerate(lines, 1) if text in line)


# what a maintainer got wrong: (the edit, the file named, the text on the line named (its last occurrence), the error)
BROKEN = {
    "wrong part name": (lambda r: edit(r, SUITE, 'part="double"', 'part="dubble"'),
                        SUITE, 'part="dubble"', "no check cell for part 'dubble' (did you mean 'double'?)"),
    "points not adding up": (lambda r: edit(r, SUITE, "points=60", "points=50"),
                             AUTHORING, "# %% check double", "its hidden tests add up to 90"),
    "check cells not 100": (lambda r: (edit(r, AUTHORING, "points=100", "points=90"),
                                       edit(r, SUITE, "points=60", "points=50")),
                            AUTHORING, "# %% check double", "points add up to 90, not 100"),
    "unknown key": (lambda r: (r / SETTINGS).write_text('{\n  "limits": {},\n  "forbiden": {"*": ["scipy.*"]}\n}\n'),
                    SETTINGS, '"forbiden"', "unknown key 'forbiden'"),
    "wrong type": (lambda r: (r / SETTINGS).write_text('{\n  "limits": {\n    "memory": "4 GiB"\n  }\n}\n'),
                   SETTINGS, '"memory"', "limits.memory: Input should be a valid integer"),
    "missing catalogue": (lambda r: (r / CATALOGUE).unlink(), CATALOGUE, None, "no mutant catalogue"),
    "short catalogue": (lambda r: edit(r, CATALOGUE, '    Mutant("tripled"', '    # Mutant("tripled"'),
                        CATALOGUE, "MUTANTS = [", "9 mutants: at least 10"),
    "pinned at full marks": (lambda r: (r / CATALOGUE).write_text((r / CATALOGUE).read_text()
                                                                 + '\nEXPECTED = {"halved": (0, 100)}\n'),
                             CATALOGUE, "EXPECTED = {", "EXPECTED pins 'halved' to 0..100"),
    "mutant of no cell": (lambda r: edit(r, CATALOGUE, '"halved", "double"', '"halved", "dubble"'),
                          CATALOGUE, '"halved"', "no solution cell 'dubble'"),
    "duplicate grade_id": (lambda r: edit(r, AUTHORING, "# %% check", "# %% solution double\n\n# %% check"),
                           AUTHORING, "# %% solution double", "duplicate grade_id 'double'"),
    "directive typo": (lambda r: edit(r, AUTHORING, "solutions.toy:double", "solutions.toy:dubble"),
                       AUTHORING, "solutions.toy:dubble", "solutions.toy has no function 'dubble'"),
    "directive misspelt": (lambda r: edit(r, AUTHORING, "#| solution solutions", "#| soluton solutions"),
                           AUTHORING, "#| soluton", "not a directive"),
    "suite without hints": (lambda r: edit(r, SUITE, ', hint="Possible reason: not doubled?"', ""),
                            SUITE, "@grade(points=60", "test_random_vector has no hint"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_addition_stops_the_build_naming_file_and_line(tmp_path, case):
    """Each mistake of an instructor adding an assignment stops `python -m course notebooks build` with an error
    naming the file and line to fix, and nothing is built."""
    root = toy_layout(tmp_path)
    breaks, name, text, said = BROKEN[case]
    breaks(root)
    done = run(root, "-m", "course", "notebooks", "build", ok=False)
    where = f"{name}:{last_line_with(root, name, text)}: " if text else f"{name}: "
    assert any(line.startswith(where) and said in line for line in done.stderr.splitlines()), done.stderr
    assert not (root / "assignments").exists()


def test_a_broken_assignment_is_neither_tried_nor_graded(tmp_path):
    """A mistake made after the notebook was built stops `course try` and `autograder grade` alike."""
    root = toy_layout(tmp_path)
    run(root, "-m", "course", "notebooks", "build")
    edit(root, SUITE, 'part="double"', 'part="dubble"')
    where = f"{SUITE}:{last_line_with(root, SUITE, 'part=' + chr(34) + 'dubble')}: "
    tried = run(root, "-m", "course", "try", "toy", ok=False)
    graded = run(root, "-m", "autograder", "grade", "toy", "--submitted", "submitted", "--out", "graded", ok=False)
    for done in (tried, graded):
        assert any(line.startswith(where) and "'dubble'" in line for line in done.stderr.splitlines()), done.stderr
    assert not (root / "graded").exists()
    edit(root, SUITE, 'part="dubble"', 'part="double"')
    (root / CATALOGUE).unlink()
    tried = run(root, "-m", "course", "try", "toy", ok=False)
    assert f"{CATALOGUE}: no mutant catalogue" in tried.stderr
