"""Bandit finds nothing of medium or high severity in ``consult/``. A justified exception is marked where it
is, with its reason: ``# nosec B704 # why`` (a second ``#`` ends the list of test ids for bandit)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_bandit_finds_nothing_in_the_code():
    if importlib.util.find_spec("bandit") is None:
        pytest.fail("bandit is not installed: pip install -e '.[test]'", pytrace=False)
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", "consult", "-q", "-ll", "-f", "txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
