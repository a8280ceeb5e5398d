# Print a gigabyte while loading.
import sys

_line = "spam " * 20000 + "\n"
for _ in range(10000):
    sys.stdout.write(_line)
    sys.stderr.write(_line)
