"""pytest set-up: where the module under test and the gex program are.

Under meson test (GEX_PY_EXT set): the module built in the build tree is staged with the
package's Python half in a temporary directory put first on sys.path. Otherwise the installed
package is tested, with GEX_EXE (default build/gex) as the command to compare with.
"""
import importlib.machinery
import os
import sys
import tempfile

import pytest

ROOT = os.environ.get("GEX_SOURCE_ROOT",
                      os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

_ext = os.environ.get("GEX_PY_EXT")
if _ext:
    _stage = tempfile.mkdtemp(prefix="gex-py-")
    os.mkdir(os.path.join(_stage, "gex"))
    pkg = os.environ["GEX_PY_PACKAGE"]
    for name in os.listdir(pkg):
        if name.endswith(".py") or name == "py.typed":
            os.symlink(os.path.join(pkg, name), os.path.join(_stage, "gex", name))
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    os.symlink(_ext, os.path.join(_stage, "gex", "_gex" + suffix))
    sys.path.insert(0, _stage)


@pytest.fixture(scope="session")
def gex_exe():
    exe = os.environ.get("GEX_EXE", os.path.join(ROOT, "build", "gex"))
    if not os.access(exe, os.X_OK):
        pytest.skip(f"skipped: the gex program {exe} is not built")
    return exe


@pytest.fixture(scope="session")
def gen_chain():
    exe = os.environ.get("GEX_GEN_CHAIN", os.path.join(ROOT, "build", "bench", "gen-chain"))
    if not os.access(exe, os.X_OK):
        pytest.skip(f"skipped: {exe} is not built")
    return exe


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def shared():
    return os.environ.get("GEX_SHARED", os.path.join(ROOT, "..", "shared"))
