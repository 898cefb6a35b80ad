"""Killed processes leave nothing half-written: the old model stays loadable, no truncated output."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time

import pytest

from classifier.persistence import load_model

WIRETAG = shutil.which("wiretag")
pytestmark = pytest.mark.skipif(WIRETAG is None, reason="wiretag is not installed")


def kill_after(args: list[str], seconds: float) -> int:
    process = subprocess.Popen([WIRETAG, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=60)


@pytest.mark.parametrize("seconds", [0.3, 1.0, 2.0, 3.5])
def test_killing_train_keeps_the_previous_model(small_model, train_file, tmp_path, seconds):
    target = tmp_path / "model"
    shutil.copytree(small_model, target)
    kill_after(["train", str(train_file), "-o", str(target), "--force", "--quiet"], seconds)
    model, manifest = load_model(target)  # old or new, but whole and verified
    assert model.predict(["Des migrants secourus en mer."])[0]["labels"] == ["migration"]


def test_killing_predict_never_leaves_a_truncated_output(small_model, tmp_path):
    source = tmp_path / "big.jsonl"
    rows = [json.dumps({"id": i, "text": f"Des migrants secourus en mer au large de Lampedusa, jour {i}."}) for i in range(60_000)]
    source.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.jsonl"
    kill_after(["predict", "-m", str(small_model), "-i", str(source), "-o", str(out)], 2.0)
    if out.exists():  # the run finished before the kill: then it is complete
        assert len(out.read_text().splitlines()) == len(rows)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert all(name.startswith(".out.jsonl.") for name in leftovers)  # clearly named, never out.jsonl itself
