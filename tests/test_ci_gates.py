"""CI's accuracy gates pass for the shipped model and fail for a worse one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

GATES = Path(__file__).resolve().parent.parent / ".ci" / "gates"
pytestmark = pytest.mark.skipif(shutil.which("wiretag") is None, reason="wiretag is not installed")


def gates(model: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "WIRETAG_MODEL"}
    if model is not None:
        env["WIRETAG_MODEL"] = str(model)
    return subprocess.run(["bash", str(GATES)], capture_output=True, text=True, timeout=600, env=env)


def test_gates_pass_for_the_shipped_model():
    result = gates()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gates passed" in result.stdout


def test_gates_fail_when_the_shipped_model_is_replaced_by_a_worse_one(small_model):
    result = gates(small_model)
    assert result.returncode == 1
    assert "gate failed" in result.stderr and "gates FAILED" in result.stderr
