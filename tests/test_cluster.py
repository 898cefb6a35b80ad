"""`wiretag batch`: many files on a Dask LocalCluster of two workers, same records as `predict`."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from classifier.cli import app
from classifier.cluster import expand_inputs, output_paths
from classifier.errors import WiretagError

runner = CliRunner()
TEXTS = ["Des migrants secourus en mer au large de Lampedusa.", "Un attentat jihadiste a frappé Gao.",
         "Le chômage des jeunes progresse.", "Le club a gagné le match."]


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def write_inputs(folder):
    folder.mkdir()
    for name, count in (("monday", 300), ("tuesday", 250)):
        lines = [json.dumps({"id": f"{name}-{i}", "text": TEXTS[i % 4]}) for i in range(count)]
        lines.insert(17, "{broken")
        (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def test_batch_on_a_local_cluster_matches_predict_file_by_file(small_model, tmp_path):
    pytest.importorskip("distributed")
    inputs = write_inputs(tmp_path / "in")
    result = run("batch", inputs / "*.jsonl", "-d", tmp_path / "out", "-m", small_model, "--workers", "2")
    assert result.exit_code == 1, result.output  # one broken line per file, recorded, the rest tagged
    for name in ("monday", "tuesday"):
        expected = tmp_path / f"{name}.expected.jsonl"
        run("predict", "-m", small_model, "-i", inputs / f"{name}.jsonl", "-o", expected, "--jobs", "1")
        assert (tmp_path / "out" / f"{name}.jsonl").read_text() == expected.read_text()
        records = [json.loads(line) for line in expected.read_text().splitlines()]
        assert records[17]["error"].startswith("malformed JSON") and records[18]["id"] == f"{name}-17"
    assert "monday.jsonl: 301 records, 1 errors" in result.stdout
    assert "monday.jsonl:18: malformed JSON" in result.stderr  # the bad line is named, not only counted


def test_batch_reports_an_unreadable_file_and_still_tags_the_others(small_model, tmp_path):
    pytest.importorskip("distributed")
    inputs = write_inputs(tmp_path / "in")
    (inputs / "binary.jsonl").write_bytes(b"\x00\x01\x02\x00" * 100)
    result = run("batch", inputs, "-d", tmp_path / "out", "-m", small_model, "--workers", "2")
    assert result.exit_code == 1
    assert "binary.jsonl: looks like a binary file" in result.output
    assert not (tmp_path / "out" / "binary.jsonl").exists()
    assert len((tmp_path / "out" / "monday.jsonl").read_text().splitlines()) == 301


def test_batch_without_dask_says_how_to_install_it(small_model, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    inputs = write_inputs(tmp_path / "in")
    result = run("batch", inputs, "-d", tmp_path / "out", "-m", small_model)
    assert result.exit_code == 2
    assert "pip install 'wiretag[dask]'" in result.output


def test_inputs_from_directories_and_globs_and_one_output_each(tmp_path):
    for name in ("a.jsonl", "b.csv", "notes.md"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in expand_inputs([str(tmp_path)])] == ["a.jsonl", "b.csv"]
    assert [p.name for p in expand_inputs([str(tmp_path / "*.csv")])] == ["b.csv"]
    with pytest.raises(WiretagError, match="no file matches"):
        expand_inputs([str(tmp_path / "*.tsv")])
    (tmp_path / "sub").mkdir()
    with pytest.raises(WiretagError, match="would both write"):
        output_paths([tmp_path / "a.jsonl", tmp_path / "sub" / "a.csv"], tmp_path / "out")


def test_an_input_is_never_overwritten_by_its_own_output(tmp_path):
    (tmp_path / "a.jsonl").write_text("{}\n")
    with pytest.raises(WiretagError, match="overwritten by its own output"):
        output_paths([tmp_path / "a.jsonl"], tmp_path)
