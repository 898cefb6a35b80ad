"""The installed `wiretag` command, run as a real process, as users and pipes run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading

import pytest

WIRETAG = shutil.which("wiretag")
pytestmark = pytest.mark.skipif(WIRETAG is None, reason="wiretag is not installed (pip install -e '.[dev]')")


def wiretag(*args, input: str | None = None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([WIRETAG, *map(str, args)], input=input, capture_output=True, text=True, timeout=120, env=env)


def test_help_lists_every_command():
    result = wiretag("--help")
    assert result.returncode == 0
    for command in ("predict", "train", "evaluate", "info", "data"):
        assert command in result.stdout


def test_python_dash_m_classifier_works_too():
    result = subprocess.run([sys.executable, "-m", "classifier", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "predict" in result.stdout


def test_predict_with_model_option_and_env_variable(small_model):
    direct = wiretag("predict", "-m", small_model, "Des migrants secourus en mer.")
    assert direct.returncode == 0, direct.stderr
    assert json.loads(direct.stdout)["labels"] == ["migration"]
    env = {**os.environ, "WIRETAG_MODEL": str(small_model)}
    via_env = wiretag("predict", "Des migrants secourus en mer.", env=env)
    assert via_env.stdout == direct.stdout


def test_exit_codes_of_the_real_process(small_model, tmp_path):
    assert wiretag("predict", "-m", small_model, "-i", tmp_path / "missing.txt").returncode == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Des migrants."}\n{nope\n')
    result = wiretag("predict", "-m", small_model, "-i", bad)
    assert result.returncode == 1 and len(result.stdout.splitlines()) == 2
    assert "Traceback" not in result.stderr


def test_default_model_tags_without_any_option():
    result = wiretag("predict", "Des centaines de migrants ont été secourus en Méditerranée.")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert "migration" in record["labels"] and "topic" in record


def test_records_stream_out_of_a_pipe_before_input_ends(small_model):
    """Like `tail -f feed.jsonl | wiretag predict -`: each line is answered while the pipe stays open."""
    process = subprocess.Popen(
        [WIRETAG, "predict", "-m", str(small_model), "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
    )
    answers: list[str] = []
    try:
        for text in ("Des migrants secourus en mer.", "Un attentat jihadiste à Gao."):
            process.stdin.write(json.dumps({"text": text}) + "\n")
            process.stdin.flush()
            reader = threading.Thread(target=lambda: answers.append(process.stdout.readline()))
            reader.start()
            reader.join(timeout=60)  # generous: the point is that no end of input is needed
            assert not reader.is_alive(), "no record came out while the input pipe was still open"
        assert json.loads(answers[0])["labels"] == ["migration"]
        assert json.loads(answers[1])["labels"] == ["terrorism"]
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    assert process.returncode == 0


def test_cli_start_up_imports_neither_scikit_learn_nor_nltk():
    code = "import sys, classifier.cli; print(sorted(m for m in ('sklearn', 'nltk', 'scipy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]"


def test_a_named_pipe_given_as_input_is_read_as_a_live_stream(small_model, tmp_path):
    """`wiretag predict -i FIFO --jobs 2`: answered line by line, nothing read twice or lost."""
    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    process = subprocess.Popen([WIRETAG, "predict", "-m", str(small_model), "-i", str(fifo), "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(fifo, "w") as feed:
        for i in range(300):
            feed.write(json.dumps({"id": i, "text": "Des migrants secourus en mer."}) + "\n")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == list(range(300))
