"""The declared schema of `autograder/suites/<id>/assignment.json`: every key, its type, and what it means.

Unknown keys and values of the wrong type are errors (pydantic, strict: "60" is not a number), each reported with the
dotted key and the line of that key in the file. `autograder.assignment` reads the file through `parse`; the key
reference in docs/CONTRIBUTING.md is `reference()` (tests/test_assignment.py checks they agree).
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model

from autograder.config import Limits

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_]\w*$")]
DottedName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")]
CallName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(\.\*)?$")]  # "scipy.*" too
CellOrEvery = Annotated[str, StringConstraints(pattern=r"^([A-Za-z_]\w*|\*)$")]
Distribution = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")]
EnvValue = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


class _Declared(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _limit_type(hint: type) -> object:
    if hint is str:  # tmpfs_size: the size syntax of mount(8)
        return Annotated[str, StringConstraints(pattern=r"^\d+[kmgKMG]?$")]
    return Annotated[hint, Field(gt=0, allow_inf_nan=False)]


_HINTS = typing.get_type_hints(Limits)
LimitsDeclared = create_model(  # one optional, positive field per field of config.Limits
    "LimitsDeclared", __base__=_Declared,
    **{f.name: (_limit_type(_HINTS[f.name]) | None, None) for f in dataclasses.fields(Limits)})


class PreloadDeclared(_Declared):
    modules: Annotated[list[DottedName], Field(min_length=1)]
    env: dict[Name, EnvValue] = {}


class Settings(_Declared):
    """Everything an assignment may declare; a key left out keeps the grader's default."""

    limits: LimitsDeclared | None = Field(None, examples=[{"memory": 4294967296, "load_timeout": 60}], description=(
        "the grader's limits this assignment changes (`config.Limits`; seconds and bytes, positive): "
        + ", ".join(f"`{f.name}`" for f in dataclasses.fields(Limits))))
    needs: list[Distribution] = Field([], examples=[["keras", "jax"]], description=(
        "distributions pinned in `pyproject.toml` that its submissions import beyond numpy; its Gradescope "
        "`setup.sh` and the students' `requirements.txt` install them"))
    preload: PreloadDeclared | None = Field(None, examples=[{"modules": ["jax", "keras"],
                                                             "env": {"KERAS_BACKEND": "jax"}}], description=(
        "trusted libraries every sandboxed child finds already imported (`modules`, non-empty), with the environment "
        "their import reads (`env`); their address space counts in the child's memory limit"))
    reveals: dict[Name, list[Name]] = Field({}, examples=[{"<id>": ["conv_forward"]}], description=(
        "what its release shows of other assignments' solutions: assignment id -> function names (the leak check "
        "fails on an undeclared reveal of 3 or more lines; `make release` prints the order it implies)"))
    forbidden: dict[CellOrEvery, list[CallName]] = Field({}, examples=[{"*": ["scipy.*"], "conv1d": [
        "numpy.convolve"]}], description=(
        "calls a solution cell may not use: cell (or `*`, every cell but the student's own `test_*`) -> dotted "
        "names, `pkg.*` for a package; a use costs the cell's part, and the call raises while the cell's functions run "
        "(`autograder/rules.py`, `child.Tripwires`)"))
    calls: dict[Name, list[Name]] = Field({}, examples=[{"cnn_loss": ["conv_forward", "relu_forward"]}], description=(
        "the graded functions each graded function calls: function -> names; while its tests run, those are the "
        "reference's (callbacks into the grader), so their bugs cost only their own parts"))
    depends: dict[Name, list[Name]] = Field({}, examples=[{"gabor": ["train_cnn"]}], description=(
        "parts that grade what another solution cell's functions produce, by design (the notebook says so): "
        "part -> solution cells whose bugs may cost it too"))


class SettingsError(ValueError):
    """assignment.json does not follow the schema: `problems` are (line or None, message) pairs."""

    def __init__(self, problems: list[tuple[int | None, str]]):
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


def parse(text: str) -> Settings:
    """The settings declared by the JSON `text`; SettingsError naming each wrong key and its line."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SettingsError([(getattr(exc, "lineno", None), f"not valid JSON ({exc})")]) from None
    try:
        return Settings.model_validate(data, strict=True)
    except ValidationError as exc:
        raise SettingsError([(key_line(text, e["loc"]), _said(e)) for e in exc.errors(include_url=False)]) from None


def _said(error: dict) -> str:
    loc = [str(k) for k in error["loc"] if k != "[key]"]
    if not loc:
        return f"expected a JSON object, got {json.dumps(error['input'])[:80]}"
    where = ".".join(loc)
    if error["type"] == "extra_forbidden":
        parent = _model_at(error["loc"][:-1])
        known = ", ".join(parent.model_fields) if parent else ""
        return f"{where}: unknown key {loc[-1]!r}" + (f" (known: {known})" if known else "")
    if error["loc"] and error["loc"][-1] == "[key]":
        return f"{where}: the key {loc[-1]!r} is not a valid name ({error['msg']})"
    return f"{where}: {error['msg']}, got {json.dumps(error['input'])[:80]}"


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model that holds the keys at `loc` (None where a mapping of names does)."""
    model: type[BaseModel] | None = Settings
    for key in loc:
        field = model.model_fields.get(key) if model and isinstance(key, str) else None
        args = typing.get_args(field.annotation) if field else ()
        model = next((a for a in (field.annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)),
                     None) if field else None
    return model


def key_line(text: str, loc: tuple) -> int | None:
    """The line of the deepest key of `loc` in the JSON `text` (each key looked for after its parent's); 1 for the
    document itself."""
    pos, line = 0, (1 if not loc else None)
    for key in loc:
        if not isinstance(key, str) or key == "[key]":
            break
        found = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:").search(text, pos)
        if found is None:
            break
        pos, line = found.end(), text.count("\n", 0, found.start()) + 1
    return line


def reference() -> str:
    """The keys of assignment.json as a Markdown table (docs/CONTRIBUTING.md holds it verbatim)."""
    rows = ["| key | example | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        example = json.dumps(field.examples[0]).replace("|", "\\|")
        rows.append(f"| `{name}` | `{example}` | {field.description} |")
    return "\n".join(rows)
