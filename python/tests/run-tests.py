"""Runs the package's pytest tests for meson test: exit 77 (skipped) when pytest or numpy is
not importable by this interpreter (Debian: python3-pytest, python3-numpy)."""
import os
import sys

try:
    import numpy  # noqa: F401
    import pytest
except ImportError as e:
    print(f"skipped: {e.name} is not importable by {sys.executable} "
          "(Debian: apt-get install python3-pytest python3-numpy)")
    sys.exit(77)

# Guarded: the worker processes of the Dask test (multiprocessing's spawn) import this module
# again as __mp_main__, and must not run the tests themselves.
if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", here] + sys.argv[1:]))
