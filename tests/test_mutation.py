"""A mutant is one exact edit of the reference: a catalogue cannot drift into a no-op when the reference changes."""

import pytest

from course.mutation import Mutant

CELLS = {"conv1d": "def conv1d(x, w):\n    return x[::-1] + w\n"}


def test_a_mutant_edits_only_its_cell():
    bug = Mutant("not flipped", "conv1d", replace=(("x[::-1]", "x"),))
    assert bug.apply(CELLS) == {"conv1d": "def conv1d(x, w):\n    return x + w\n"}
    assert CELLS["conv1d"].count("[::-1]") == 1, "the reference cells are not changed"


@pytest.mark.parametrize("bug, error", [
    (Mutant("edit that matches nothing", "conv1d", replace=(("y[::-1]", "y"),)), "occurs 0 times"),
    (Mutant("edit that matches twice", "conv1d", replace=(("x", "z"),)), "occurs 2 times"),
    (Mutant("edit that changes nothing", "conv1d", replace=(("x[::-1]", "x[::-1]"),)), "does not change"),
    (Mutant("whole code equal to the reference", "conv1d", code=CELLS["conv1d"]), "does not change"),
])
def test_an_edit_that_does_not_apply_exactly_once_is_refused(bug, error):
    with pytest.raises(ValueError, match=error):
        bug.apply(CELLS)


def test_a_mutant_of_an_unknown_cell_is_refused():
    with pytest.raises(KeyError, match="no solution cell"):
        Mutant("typo in the cell", "conv2d", replace=(("a", "b"),)).apply(CELLS)
