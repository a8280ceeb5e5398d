"""Similarity: pairs of submissions whose solution code is suspiciously alike — winnowed fingerprints of normalised
tokens, as MOSS computes them (Schleimer, Wilkerson, Aiken: "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003).

- Only the solution cells of a submission are read (what the grader grades); the given code and the released stubs
  (signatures, docstrings, `raise NotImplementedError()`) are *boilerplate*: their fingerprints are removed.
- Each top-level function is read as a canonical syntax tree (course.canonical): renaming, comments, dead code,
  loops written as comprehensions or the reverse, temporaries, helpers extracted or inlined give the same tree. The
  tree is written out as tokens: every identifier that is not a builtin or an attribute is `V`, every number `N`,
  every string `S`. Code that does not parse is read with Python's own `tokenize` up to where it breaks, normalised
  the same way.
- Each top-level function (or run of other top-level statements) is fingerprinted on its own: k-grams never cross
  from one function into the next, and a submission's fingerprints are a *set*, so reordering functions changes
  nothing either.
- k-grams of K tokens are hashed (a polynomial of CRC-32 token codes modulo 2**64: the same on every run and
  machine, where Python's own `hash` of a string is salted per process) and winnowed with a window of WINDOW
  hashes: every shared run of at least K + WINDOW - 1 tokens is found.
- A fingerprint found in more than `common` submissions is what everybody writes (MOSS's `-m`) and is ignored.
- The score of a pair is shared fingerprints / fingerprints of the smaller of the two (the larger of the two
  containments); pairs at or above THRESHOLD that share at least MIN_SHARED fingerprints are reported, with the lines
  their shared fingerprints cover.
"""

from __future__ import annotations

import io
import math
import tokenize
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from autograder.assignment import Assignment
from autograder.batch import Job, discover
from autograder.files import Refused, check_folder
from autograder.load import LoadError, read_answers, read_submission
from autograder.names import shown
from course import canonical

K = 12  # tokens per k-gram: shorter common phrases ("x = np.asarray(x, dtype=float)") are noise
WINDOW = 6  # winnowing window: a shared run of K + WINDOW - 1 = 17 tokens is always detected
THRESHOLD = 0.5  # calibrated on the example class (tests/test_similarity.py): independent pairs score at most 8 %,
# disguised copies at least 87 %; a pair is reported when its shared fingerprints reach this fraction of the smaller
# submission's
MIN_FINGERPRINTS = 15  # a submission with fewer (after boilerplate) is too small to compare (stubs, one-liners)
MIN_SHARED = 20  # and a pair sharing fewer is not reported, whatever the fraction (about ten lines of code)
PARALLEL_FROM = 40  # documents: fewer are fingerprinted in the report's own process
COMMON_MIN, COMMON_SHARE = 10, 0.5  # ignore fingerprints in more than max(10, half the class) submissions

_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)

Span = tuple[str, int, int]  # (grade_id of the cell, first line, last line), lines counted from 1 in the cell


Tok = tuple[str, int, int]  # (normalised text, line where it starts in its cell, line where it ends)
_NAME, _STRING, _NUMBER, _NEWLINE = tokenize.NAME, tokenize.STRING, tokenize.NUMBER, tokenize.NEWLINE
_INDENT, _DEDENT, _ENDMARKER = tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER
_KEEP_NAMES = canonical.KEPT_NAMES
_STATEMENT_END = ("", ";", "{", "}")
_UNIT_START = ("def", "class", "@")


def _raw_tokens(code: str) -> list[tokenize.TokenInfo]:
    """Python's tokens of `code` less comments and blank lines, up to where it stops being readable (a syntax error is
    not the end of a comparison: what came before it still counts)."""
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type not in _SKIP:
                out.append(tok)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def units(code: str) -> list[list[Tok]]:
    """The normalised tokens of `code`, one list per top-level function or class (with its decorators), and one per
    run of other top-level statements."""
    result: list[list[Tok]] = []
    current: list[Tok] = []
    current_is_def = False
    depth, line_start, prev, in_fstring = 0, True, "", 0
    raw = _raw_tokens(code)
    last = len(raw) - 1
    for i, (kind, text, start, end, _) in enumerate(raw):
        if kind == _FSTRING_START:
            in_fstring += 1
            if in_fstring == 1:
                current.append(("S", start[0], start[0]))
                prev = "S"
            continue
        if in_fstring:
            if kind == _FSTRING_END:
                in_fstring -= 1
            continue
        if kind == _NAME:
            norm = text if (text in _KEEP_NAMES or prev == ".") else "V"
        elif kind == _NUMBER:
            norm = "N"
        elif kind == _NEWLINE:
            if prev == "docstring":  # the docstring's own line end
                prev, line_start = ";", True
                continue
            norm = ";"
        elif kind == _STRING:
            if prev in _STATEMENT_END and (i == last or raw[i + 1].type == _NEWLINE):
                prev = "docstring"  # a bare string statement: a docstring or a comment in disguise
                continue
            norm = "S"
        elif kind == _INDENT:
            depth += 1
            norm = "{"
        elif kind == _DEDENT:
            depth -= 1
            norm = "}"
        elif kind == _ENDMARKER:
            continue
        else:
            norm = text
        if line_start and depth == 0 and kind != _NEWLINE and kind != _DEDENT:
            starts_def = norm in _UNIT_START or (norm == "async" and prev != "@")
            if starts_def or current_is_def:
                if current:
                    result.append(current)
                current, current_is_def = [], starts_def
        current.append((norm, start[0], end[0]))
        line_start = kind == _NEWLINE or kind == _DEDENT or kind == _INDENT
        prev = norm
    if current:
        result.append(current)
    return result


_PRIME = np.uint64(1099511628211)  # FNV-1's: k-gram hashes are polynomials in it, modulo 2**64


@cache
def _token_id(text: str) -> int:
    return zlib.crc32(text.encode()) | 1


def kgram_hashes(unit: list[Tok], k: int = K) -> np.ndarray:
    """The hash of every k-gram of `unit` (uint64, the same on every run and machine)."""
    ids = np.array([_token_id(t[0]) for t in unit], dtype=np.uint64)
    n = len(ids) - k + 1
    h = np.zeros(max(n, 0), dtype=np.uint64)
    for j in range(k):
        h = h * _PRIME + ids[j : j + n]
    return h


def winnow(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Positions selected by robust winnowing: the minimum of every window of `window` hashes (the rightmost one on
    ties), each position once, in order."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(hashes) <= window:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))])
    windows = np.lib.stride_tricks.sliding_window_view(hashes, window)
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    return np.unique(rightmost + np.arange(len(windows)))


def fingerprints(cells: dict[str, str]) -> dict[int, list[Span]]:
    """Winnowed fingerprints of one submission's solution-cell code (grade_id -> code): hash -> where it occurs.
    Each function is read in canonical form (course.canonical: its calls to the submission's other functions
    inlined), code that does not parse as normalised tokens."""
    found: dict[int, list[Span]] = defaultdict(list)
    parsed = {gid: canonical.parse_units(code) for gid, code in cells.items()}
    own = [(gid, stmt) for gid, (stmts, _) in parsed.items() for stmt in stmts]
    fresh = [stmt for code in cells.values() for stmt in canonical.parse_units(code)[0]]
    try:
        canon = canonical.canonical([stmt for _, stmt in own], fresh)
        prints = [(gid, _unit_prints(tuple(canonical.tokens(stmt)))) for (gid, _), stmt in zip(own, canon,
                                                                                                strict=True)]
    except RecursionError:  # an expression nested too deeply to rewrite: the whole submission read as tokens
        parsed = {gid: ([], [(code, 0)]) for gid, code in cells.items()}
        prints = []
    for gid, (_, broken) in parsed.items():
        prints += [(gid, _unit_prints(tuple((t, a + offset, b + offset) for t, a, b in unit)))
                   for piece, offset in broken for unit in units(piece)]
    for gid, unit_prints in prints:
        for h, first, last in unit_prints:
            found[h].append((gid, first, last))
    return dict(found)


@lru_cache(maxsize=8192)
def _unit_prints(unit: tuple[Tok, ...]) -> list[tuple[int, int, int]]:
    """(hash, first line, last line) of each winnowed fingerprint of one unit's tokens."""
    if len(unit) < K:
        return []
    hashes = kgram_hashes(unit)
    return [(int(hashes[pos]), min(t[1] for t in unit[pos:pos + K]), max(t[2] for t in unit[pos:pos + K]))
            for pos in winnow(hashes).tolist()]


def boilerplate(assignment: Assignment, stubs: dict[str, str]) -> set[int]:
    """Fingerprints every student has without writing anything: the released stubs and the given code."""
    given = {c.grade_id: c.source for c in assignment.cells_of("given")}
    return set(fingerprints(stubs)) | set(fingerprints(given))


@dataclass
class Document:
    student: str
    cells: dict[str, str]  # grade_id -> the student's code
    prints: dict[int, list[Span]] = field(default_factory=dict)  # less boilerplate
    label: str = ""  # as shown: the student, and the notebook when the folder held several

    def __post_init__(self) -> None:
        self.label = self.label or self.student


@dataclass
class Pair:
    a: Document
    b: Document
    score: float  # shared / fingerprints of the smaller one
    shared: int
    lines_a: dict[str, set[int]]  # grade_id -> lines covered by shared fingerprints
    lines_b: dict[str, set[int]]

    @property
    def containment(self) -> tuple[float, float]:
        """Fractions of a's and of b's fingerprints that the other one has too."""
        return self.shared / max(len(self.a.prints), 1), self.shared / max(len(self.b.prints), 1)


MAX_NOTEBOOKS = 5  # read from one folder the grader refused (several notebooks, none named for the assignment)


def read_documents(assignment: Assignment, submitted: Path) -> list[Document]:
    """The solution cells of every readable submission of `assignment` under nbgrader's `submitted/` layout; a
    folder graded as an error because it held several notebooks gives each of them (its code may still be copied)."""
    docs = []
    for job in discover(submitted, assignment):  # the grader's discovery: no link followed, names as graded
        paths = [job.notebook] if job.notebook is not None else _stray_notebooks(job, submitted)
        for path in paths:
            try:
                data = read_submission(path, job.base or submitted, assignment.limits.notebook_bytes)
                cells, _ = read_answers(data, path.name, assignment)
            except LoadError:
                continue
            label = job.student if job.notebook is not None else f"{job.student}: {shown(path.name)}"
            docs.append(Document(job.student, cells, label=label))
    return docs


def _stray_notebooks(job: Job, submitted: Path) -> list[Path]:
    """The notebooks of a folder the grader did not grade for its layout (a valid student folder of plain files)."""
    if job.base is None:  # an invalid name or a link: nothing of it is read
        return []
    folder = submitted / job.student / job.assignment.id
    try:
        check_folder(folder)
    except (OSError, Refused):
        return []
    return sorted(p for p in folder.glob("**/*.ipynb") if p.is_file())[:MAX_NOTEBOOKS]


def _lines(spans: list[Span]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = defaultdict(set)
    for gid, first, last in spans:
        out[gid].update(range(first, last + 1))
    return dict(out)


def all_fingerprints(docs: list[Document], workers: int = 1) -> list[dict[int, list[Span]]]:
    """`fingerprints` of each document, in `workers` processes when there are enough documents to be worth it."""
    if workers <= 1 or len(docs) < PARALLEL_FROM:
        return [fingerprints(d.cells) for d in docs]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(fingerprints, [d.cells for d in docs], chunksize=max(1, len(docs) // (4 * workers))))


def similar_pairs(docs: list[Document], ignore: set[int], threshold: float = THRESHOLD,
                  common: int | None = None, workers: int = 1) -> tuple[list[Pair], dict]:
    """Fingerprint `docs` (less the `ignore`d boilerplate; in `workers` processes) and return the pairs scoring at
    least `threshold`, best first, and what was compared (counts and parameters, for the report)."""
    for doc, prints in zip(docs, all_fingerprints(docs, workers), strict=True):
        doc.prints = {h: spans for h, spans in prints.items() if h not in ignore}
    if common is None:
        common = max(COMMON_MIN, math.ceil(COMMON_SHARE * len(docs)))
    holders: dict[int, list[int]] = defaultdict(list)
    for i, doc in enumerate(docs):
        for h in doc.prints:
            holders[h].append(i)
    frequent = {h for h, who in holders.items() if len(who) > common}
    for doc in docs:
        for h in frequent & doc.prints.keys():
            del doc.prints[h]
    compared = [i for i, doc in enumerate(docs) if len(doc.prints) >= MIN_FINGERPRINTS]
    keep = set(compared)
    column = {h: j for j, h in enumerate(sorted({h for i in compared for h in docs[i].prints}))}
    rows = [i for i in compared for _ in docs[i].prints]
    cols = [column[h] for i in compared for h in docs[i].prints]
    has = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), max(len(column), 1)))
    shared_counts = sparse.triu(has @ has.T, k=1).tocoo()  # [i, j]: fingerprints i and j share, i < j
    counts = {(int(i), int(j)): int(v)
              for i, j, v in zip(shared_counts.row, shared_counts.col, shared_counts.data, strict=True)}
    pairs = []
    for (i, j), shared in sorted(counts.items()):
        a, b = docs[i], docs[j]
        if a.student == b.student:  # two notebooks of one folder
            continue
        score = shared / min(len(a.prints), len(b.prints))
        if score >= threshold and shared >= MIN_SHARED:
            both = a.prints.keys() & b.prints.keys()
            pairs.append(Pair(a, b, score, shared, _lines([s for h in both for s in a.prints[h]]),
                              _lines([s for h in both for s in b.prints[h]])))
    pairs.sort(key=lambda p: (-p.score, p.a.label, p.b.label))
    info = {"submissions": len(docs), "compared": len(compared), "k": K, "window": WINDOW, "threshold": threshold,
            "common": common, "ignored_common": len(frequent), "min_shared": MIN_SHARED, "boilerplate": len(ignore),
            "too_small": sorted(docs[i].label for i in set(range(len(docs))) - keep)}
    return pairs, info
