"""The toy assignment's catalogue of typical bugs (each edits the reference cell of `double`)."""

from course.mutation import Mutant

_BODY = "2.0 * np.asarray(x, dtype=np.float64)"

MUTANTS = [
    Mutant("not doubled", "double", replace=(("2.0 * ", ""),)),
    Mutant("tripled", "double", replace=(("2.0", "3.0"),)),
    Mutant("sign flipped", "double", replace=(("2.0", "-2.0"),)),
    Mutant("halved", "double", replace=(("2.0", "0.5"),)),
    Mutant("float32 result", "double", replace=(("np.float64", "np.float32"),)),
    Mutant("integer input kept integer", "double", replace=((_BODY, "np.asarray(x) * 2"),)),
    Mutant("reversed", "double", replace=((_BODY, f"({_BODY})[::-1]"),)),
    Mutant("sorted", "double", replace=((_BODY, f"np.sort({_BODY})"),)),
    Mutant("squared", "double", replace=((_BODY, "np.asarray(x, dtype=np.float64) ** 2"),)),
    Mutant("absolute value", "double", replace=((_BODY, f"np.abs({_BODY})"),)),
]
