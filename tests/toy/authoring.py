# %% [markdown]
# # A toy assignment: doubling
# `double(x)` returns 2·x as a float64 array.

# %% given
import numpy as np

# %% solution double
#| solution solutions.toy:double

# %% check double points=100
assert np.array_equal(double(np.arange(3)), [0.0, 2.0, 4.0])
