"""Before a batch: the submitted folder has nbgrader's layout, `SUBMITTED/<student>/<assignment>/<assignment>.ipynb`.
A layout that would be graded wrong (a student folder named like an assignment, nothing graded at all) is an error whose
message gives the expected path and the command that makes it."""

from __future__ import annotations

from pathlib import Path

FIX = ("expected {root}/<student>/{a}/{a}.ipynb, as `nbgrader collect` leaves it; for a zip of downloaded notebooks "
       "put them in downloaded/{a}/archive/ and run `nbgrader zip_collect {a}`")


def layout_errors(submitted: Path, wanted: list[str], all_known: list[str], explicit: bool) -> list[str]:
    """What is wrong with `submitted` for grading `wanted` (every assignment of `all_known` found there when not
    `explicit`). An assignment asked for explicitly without a submission is an error; so is none at all."""
    first = wanted[0] if wanted else "<assignment>"
    if not submitted.is_dir():
        return [f"no folder {submitted}: " + FIX.format(root=submitted, a=first)]
    errors = []
    for path in sorted(submitted.iterdir()):
        if path.name in all_known and path.is_dir():
            errors.append(f"{path} is named like an assignment, so it would be graded as a student: "
                          + FIX.format(root=submitted, a=path.name))
        elif path.suffix == ".ipynb":
            errors.append(f"{path} is not in a student's folder: " + FIX.format(root=submitted, a=first))
    for student in sorted(p for p in submitted.iterdir() if p.is_dir() and p.name not in all_known):
        for nb in sorted(student.glob("*.ipynb")):
            errors.append(f"{nb} is not in an assignment's folder: " + FIX.format(root=submitted, a=first))
    found = to_grade(submitted, wanted)
    if explicit:
        errors += [f"no submission for {a} in {submitted}: " + FIX.format(root=submitted, a=a)
                   for a in wanted if a not in found]
    elif not found and not errors:
        errors.append(f"no submission for any assignment in {submitted}: " + FIX.format(root=submitted, a=first))
    return errors


def to_grade(submitted: Path, wanted: list[str]) -> list[str]:
    """The assignments of `wanted` with at least one submission folder."""
    return [a for a in wanted if any(submitted.glob(f"*/{a}"))]
