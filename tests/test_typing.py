"""mypy over the whole package: zero errors (configured in pyproject.toml, [tool.mypy])."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_mypy_reports_no_error_in_src():
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "src/sitrep"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
