"""Similarity on canonical syntax trees: each usual disguise of a copy leaves its original's fingerprints in place, and
on the example class every disguised copy is far above the threshold while every independent pair is far below."""

from __future__ import annotations

import pytest

from autograder import assignment as layout
from course import similarity as sim
from course.examples import similarity_expectations, written, written_answers
from course.release import stub_answers

ASSIGNMENT = layout.get("a1_convolution")

DESIGN = '''    rows = len(x) - n + 1
    X = np.zeros((rows, n))
    for i in range(rows):
        t = i + n - 1
        for k in range(n):
            X[i, k] = x[t - k]
'''  # the body of design() less its return: inlined in one disguise
POSITIVES = '''    out = []
    for v in values:
        if v > 0:
            out.append(v * scale + 1.5)
    total = 1
    for j, v in enumerate(values):
        total += (v - 1) * j
    return out, total'''
ORIGINAL = '''
def design(x, n):
    """Delayed copies."""
''' + DESIGN + '''    return X


def positives(values, scale):
''' + POSITIVES + '''


def fit(x, d, n):
    X = design(x, n)
    centred = X - X.mean(axis=0)
    gram = centred.T @ centred + np.eye(n) * 1e-9
    w = np.linalg.solve(gram, centred.T @ (d[n - 1:] - d[n - 1:].mean()))
    return w, float(d[n - 1:].mean() - X.mean(axis=0) @ w)
'''

DISGUISES = {
    "dead code": ORIGINAL.replace('    rows = len(x) - n + 1\n', '    rows = len(x) - n + 1\n    unused = rows * 2\n'
                                  '    if False:\n        print("debug", rows)\n    pass\n').replace(
        "    return X\n", "    return X\n    print('never reached')\n"),
    "loops as comprehensions": ORIGINAL.replace(
        DESIGN + '    return X', '''    return np.array([[x[i + n - 1 - k] for k in range(n)]
                     for i in range(len(x) - n + 1)])''').replace(
        POSITIVES, '''    kept = [v * scale + 1.5 for v in values if v > 0]
    return kept, 1 + sum((v - 1) * j for j, v in enumerate(values))'''),
    "helper extracted": ORIGINAL.replace(
        '''    centred = X - X.mean(axis=0)
    gram = centred.T @ centred + np.eye(n) * 1e-9
''', '''    centred, gram = _gram(X, n)
''') + '''

def _gram(X, n):
    centred = X - X.mean(axis=0)
    return centred, centred.T @ centred + np.eye(n) * 1e-9
''',
    "one-line helper extracted": ORIGINAL.replace("d[n - 1:].mean()", "_tail_mean(d, n)") + '''

def _tail_mean(d, n):
    return d[n - 1:].mean()
''',
    "helper inlined": ORIGINAL.replace("    X = design(x, n)\n", DESIGN),
}


@pytest.mark.parametrize("disguise", list(DISGUISES))
def test_a_disguise_keeps_every_fingerprint_of_the_original(disguise):
    original = set(sim.fingerprints({"c": ORIGINAL}))
    copy = set(sim.fingerprints({"c": DISGUISES[disguise]}))
    assert len(original) >= 15
    assert original <= copy, f"{len(original - copy)} of {len(original)} fingerprints lost"


def test_independent_code_shares_no_fingerprint():
    other = '''
def design(x, n):
    return np.lib.stride_tricks.sliding_window_view(x, n)[:, ::-1]


def positives(values, scale):
    kept = np.asarray(values)[np.asarray(values) > 0]
    return list(kept * scale + 1.5), 1 + int(np.dot(np.asarray(values) - 1, np.arange(len(values))))


def fit(x, d, n):
    A = np.c_[design(x, n), np.ones(len(x) - n + 1)]
    theta, *_ = np.linalg.lstsq(A, d[n - 1:], rcond=None)
    return theta[:-1], float(theta[-1])
'''
    assert not set(sim.fingerprints({"c": ORIGINAL})) & set(sim.fingerprints({"c": other}))


def _scores() -> dict[frozenset, float]:
    """Every pair's score among the example class's written submissions and the reference (`perfect`)."""
    docs = [sim.Document("perfect", ASSIGNMENT.reference_answers())]
    docs += [sim.Document(name, written_answers(path)) for name, path in written(ASSIGNMENT).items()]
    pairs, _ = sim.similar_pairs(docs, sim.boilerplate(ASSIGNMENT, stub_answers(ASSIGNMENT)), threshold=0.0)
    return {frozenset((p.a.student, p.b.student)): p.score for p in pairs}


def test_threshold_separates_disguised_copies_from_independent_work_with_a_wide_margin():
    """The example class (one copy per disguise, five independent solutions): every copy at least 0.35 above the
    threshold, every independent pair at least 0.35 below it."""
    copies, independent = similarity_expectations(ASSIGNMENT)
    copies = [p for p in copies if set(p) <= set(written(ASSIGNMENT))]  # not the notebook in a refused folder
    assert len(copies) >= 5 and len(independent) >= 10
    scores = _scores()
    low = {tuple(sorted(p)): round(scores.get(frozenset(p), 0.0), 3) for p in copies
           if scores.get(frozenset(p), 0.0) < sim.THRESHOLD + 0.35}
    high = {tuple(sorted(p)): round(scores.get(frozenset(p), 0.0), 3) for p in independent
            if scores.get(frozenset(p), 0.0) > sim.THRESHOLD - 0.35}
    assert low == {} and high == {}


def test_code_nested_too_deeply_to_rewrite_is_still_read():
    """A submission's own code cannot stop the report: an expression too deep for the rewrites is read as tokens."""
    deep = "def f(a):\n    return " + " + ".join(["a"] * 900) + "\n"
    assert sim.fingerprints({"c": ORIGINAL, "d": deep})
