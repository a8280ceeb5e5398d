"""The example class of `examples/`: perfect, typical-bug, broken and hostile submissions, written as notebooks
in nbgrader's `submitted/<student>/<assignment>/` layout. Each student carries the score range it deserves, so
`make test` can check that the grader gives exactly that — and no undeserved point.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.assignment import Assignment, nbgrader_meta
from course.mutation import catalogue
from course.release import stub_answers

HOSTILE = Path(__file__).resolve().parent.parent / "examples" / "hostile"
# Correct submissions written as text, one `# %% <grade_id>` section per solution cell:
# examples/independent/<id>_<name>.py becomes student `correct_<name>`; `<id>_copy_of_<other>.py` and
# `<id>_copy_of_<other>__<disguise>.py` are disguised copies of `<id>_<other>.py`.
INDEPENDENT = HOSTILE.parent / "independent"
COPY_OF = "copy_of_"
WRONG_LAYOUT = "two_notebooks_"  # a copy handed in as two notebooks, neither named for the assignment: an error row
TYPICAL_BUGS = 3  # students with one catalogued bug each, per assignment
# The small class of `make demo`: one of each kind that grades in seconds (the full class is `make test`'s).
SMALL_CLASS = ("perfect", "bug_1", "nothing_done", "corrupt_json")
PATCH_NUMPY = (  # a correct submission that also tries to make every comparison succeed
    "import sys, types\nimport numpy as np\nnp.allclose = lambda *a, **k: True\n"
    "np.array_equal = lambda *a, **k: True\nsys.modules['pytest'] = types.ModuleType('pytest')\n\n"
)


@dataclass(frozen=True)
class Student:
    name: str
    kind: str  # perfect | bug | broken | hostile
    statuses: tuple[str, ...]  # acceptable gradebook statuses
    min_score: float
    max_score: float
    write: object  # (path) -> None


def student_notebook(assignment: Assignment, answers: dict[str, str], base: Path | None = None,
                     written: str | None = None) -> nbformat.NotebookNode:
    """A student's notebook: `base` (default: the released notebook, or the source one before a release) with
    `answers` (grade_id -> code) in its solution cells, and `written` (when given) in its written-answer cells."""
    if base is None:
        released = assignment.release_notebook
        base = released if released.exists() else assignment.source_notebook
    nb = nbformat.read(base, 4)
    written_ids = {c.grade_id for c in assignment.cells_of("answer")} if written is not None else set()
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if cell.cell_type == "code" and gid in answers:
            cell.source = answers[gid]
        elif gid in written_ids:
            cell.source = written
    return nb


def _writer(assignment: Assignment, answers: dict[str, str], edit=None):
    def write(path: Path) -> None:
        nb = student_notebook(assignment, answers)
        if edit is not None:
            edit(nb)
        path.write_text(nbformat.writes(nb))

    return write


def written_answers(path: Path) -> dict[str, str]:
    """grade_id -> code of a submission written as text (`# %% <grade_id>` starts each cell's code)."""
    parts = re.split(r"^# %% (\w+)[ \t]*\n", path.read_text(), flags=re.M)
    return {parts[i]: parts[i + 1].strip() + "\n" for i in range(1, len(parts), 2)}


def written(assignment: Assignment) -> dict[str, Path]:
    """Student name -> file of each correct submission written as text for `assignment`."""
    prefix = f"{assignment.id}_"
    return {f"correct_{p.stem.removeprefix(prefix)}": p for p in sorted(INDEPENDENT.glob(f"{prefix}*.py"))}


def similarity_expectations(assignment: Assignment) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Pairs of example students the similarity check must flag (a copy and its original) and pairs it must not
    (independently written correct submissions, and each of them with the reference of `perfect`)."""
    names = list(written(assignment))
    copies = [n for n in names if n.startswith(f"correct_{COPY_OF}")]
    flagged = [(f"correct_{n.removeprefix(f'correct_{COPY_OF}').split('__')[0]}", n) for n in copies]
    flagged += [(original, WRONG_LAYOUT + copy.removeprefix("correct_")) for original, copy in flagged[:1]]
    own = [n for n in names if n not in copies] + ["perfect"]
    return flagged, [(x, y) for i, x in enumerate(own) for y in own[i + 1:]]


def _two_notebooks(assignment: Assignment, answers: dict[str, str], stubs: dict[str, str]):
    def write(path: Path) -> None:
        path.with_name("draft.ipynb").write_text(nbformat.writes(student_notebook(assignment, stubs)))
        path.with_name("final.ipynb").write_text(nbformat.writes(student_notebook(assignment, answers)))

    return write


def _raw(data: bytes):
    return lambda path: path.write_bytes(data)


def _with_hostile(answers: dict[str, str], code: str) -> dict[str, str]:
    last = list(answers)[-1]
    return {**answers, last: answers[last] + "\n\n" + code}


def _vandalise_locked(nb: nbformat.NotebookNode) -> None:
    """Delete one locked cell and rewrite another to cheat; neither may matter."""
    locked = [c for c in nb.cells if nbgrader_meta(c).get("locked")]
    if locked:
        nb.cells.remove(locked[0])
    for cell in locked[1:2]:
        cell.source = "import numpy as np\nnp.allclose = lambda *a, **k: True\n"


def _tamper_grade_ids(nb: nbformat.NotebookNode) -> None:
    """Cells whose nbgrader grade_id is not a string (a list, a number): ignored, the rest graded."""
    for gid in (["conv1d", "corr1d"], 7, None):
        cell = nbformat.v4.new_code_cell("raise SystemExit('never run')")
        cell.metadata["nbgrader"] = {"grade_id": gid, "solution": True}
        nb.cells.append(cell)


def students(assignment: Assignment) -> list[Student]:
    """Every example student of one assignment."""
    full = assignment.max_score
    ref, stubs = assignment.reference_answers(), stub_answers(assignment)
    out = [
        Student("perfect", "perfect", ("ok",), full, full, _writer(assignment, ref)),
        Student("perfect_vandalised_locked_cells", "perfect", ("ok",), full, full,
                _writer(assignment, ref, _vandalise_locked)),
        Student("perfect_with_tampered_grade_ids", "perfect", ("ok",), full, full,
                _writer(assignment, ref, _tamper_grade_ids)),
        Student("nothing_done", "broken", ("ok",), 0, 0, _writer(assignment, stubs)),
        Student("hostile_edited_locked_cells", "hostile", ("ok",), 0, 0,
                _writer(assignment, stubs, _vandalise_locked)),
    ]
    for name, path in written(assignment).items():
        out.append(Student(name, "perfect", ("ok",), full, full, _writer(assignment, written_answers(path))))
    for _, copy in similarity_expectations(assignment)[0][:1]:  # correct code the grader refuses for its layout
        out.append(Student(WRONG_LAYOUT + copy.removeprefix("correct_"), "broken", ("error",), 0, 0, _two_notebooks(
            assignment, written_answers(written(assignment)[copy]), stubs)))
    for i, mutant in enumerate(catalogue(assignment)[:TYPICAL_BUGS]):
        out.append(Student(f"bug_{i + 1}", "bug", ("ok",), 0, full - 1e-9, _writer(assignment, mutant.apply(ref))))
    first = next(iter(ref))
    out += [
        Student("syntax_error", "broken", ("ok",), 0, full - 1e-9,
                _writer(assignment, {**ref, first: ref[first] + "\ndef broken(:\n"})),
        Student("corrupt_json", "broken", ("error",), 0, 0,
                lambda p: p.write_text(json.dumps({"cells": []})[:-3] + "{{{")),
        Student("empty_file", "broken", ("error",), 0, 0, _raw(b"")),
        Student("not_a_notebook", "broken", ("error",), 0, 0, _raw(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))),
        Student("wrong_notebook", "broken", ("error",), 0, 0,
                lambda p: p.write_text(nbformat.writes(nbformat.v4.new_notebook()))),
    ]
    for path in sorted(HOSTILE.glob("*.py")):
        code = path.read_text()
        out.append(Student(f"hostile_{path.stem}", "hostile", ("ok", "error", "timeout"), 0, 0,
                           _writer(assignment, _with_hostile(stubs, code))))
    out.append(Student("hostile_forge_results_but_correct", "hostile", ("ok",), full, full,
                       _writer(assignment, _with_hostile(ref, (HOSTILE / "forge_results.py").read_text()))))
    # its own numpy is patched, so its own tests (A1's proof, A2) may fail: any score up to full is deserved
    out.append(Student("hostile_monkeypatch_but_correct", "hostile", ("ok",), 0, full,
                       _writer(assignment, {**ref, first: PATCH_NUMPY + ref[first]})))
    return out


def materialise(assignment: Assignment, submitted: Path, small: bool = False) -> list[Student]:
    """Write the example class of `assignment` (`small`: only SMALL_CLASS) into `submitted/` and return who is who."""
    roster = [s for s in students(assignment) if not small or s.name in SMALL_CLASS]
    for s in roster:
        folder = submitted / s.name / assignment.id
        folder.mkdir(parents=True, exist_ok=True)
        s.write(folder / f"{assignment.id}.ipynb")
    (submitted / "missing_submission").mkdir(parents=True, exist_ok=True)
    return roster
