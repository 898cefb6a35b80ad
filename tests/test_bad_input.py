"""What wiretag does with bad input: every case of the README table, tested."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from classifier.cli import app
from classifier.records import Source, read_rows, text_of
from classifier.text import WordAnalyzer
from tests.conftest import labelled_rows, write_jsonl

runner = CliRunner()


def predict(model, path, *extra):
    return runner.invoke(app, ["predict", "-m", str(model), "-i", str(path), *map(str, extra)])


def records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_invalid_utf8_names_the_line_and_the_rest_goes_on(small_model, tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes("Des migrants secourus.\n".encode() + b"caf\xe9 cr\xe8me\n" + "Un attentat jihadiste.\n".encode())
    result = predict(small_model, path)
    assert result.exit_code == 1
    out = records(result)
    assert len(out) == 3 and out[1]["id"] == 2 and "invalid utf-8 at byte 4" in out[1]["error"]
    assert out[2]["labels"] == ["terrorism"]
    replaced = predict(small_model, path, "--encoding-errors", "replace")
    assert replaced.exit_code == 0 and "labels" in records(replaced)[1]
    latin = predict(small_model, path, "--encoding", "latin-1")
    assert latin.exit_code == 0


def test_bom_and_crlf_are_stripped(small_model, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "x", "text": "Des migrants secourus."}\r\n{"id": "y", "text": "Le match."}\r\n')
    result = predict(small_model, path)
    assert result.exit_code == 0
    assert [r["id"] for r in records(result)] == ["x", "y"]


def test_nul_byte_in_a_line_is_that_line_s_error(small_model, tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(b"Des migrants secourus.\nab\x00cd\nLe match.\n")
    out = records(predict(small_model, path))
    assert out[1] == {"id": 2, "line": 2, "error": "NUL byte in line", "field": "text"} and "labels" in out[2]


@pytest.mark.parametrize("line, message", [
    ('{"id": 1, "text": ', "malformed JSON"),
    ('["a list"]', "expected a JSON object"),
    ('{"id": 1}', "missing 'text'"),
    ('{"id": 1, "text": ["x"]}', "'text' must be a string, got list"),
    ('{"id": 1, "text": null}', "missing 'text'"),
    ('{"id": 1, "text": ""}', "empty text"),
    ('{"id": 1, "text": " \\t "}', "empty text"),
    ("", "empty line"),
    ('{"text": "a"}, {"text": "b"}', "malformed JSON"),  # two objects on one line: one bad line
    ("1", "expected a JSON object, got int"),
])
def test_bad_jsonl_rows_get_error_records(small_model, tmp_path, line, message):
    path = tmp_path / "in.jsonl"
    path.write_text(f'{{"text": "Des migrants."}}\n{line}\n{{"text": "Le match."}}\n')
    result = predict(small_model, path)
    assert result.exit_code == 1
    out = records(result)
    assert len(out) == 3 and message in out[1]["error"] and "labels" in out[2]


def test_huge_paragraph_is_cut_with_a_warning(small_model, tmp_path):
    path = tmp_path / "in.jsonl"
    huge = "Des migrants secourus en mer. " * 350_000  # about 10 MB
    path.write_text(json.dumps({"id": "big", "text": huge}) + "\n")
    result = predict(small_model, path, "--max-chars", "5000")
    assert result.exit_code == 0
    [record] = records(result)
    assert record["labels"] == ["migration"] and "5000" in record["warning"]


def test_csv_with_quoted_newlines_and_a_missing_text_column(small_model, tmp_path):
    good = tmp_path / "in.csv"
    good.write_text('id,text\na,"Des migrants,\nsecourus en mer."\nb,Le match.\n')
    out = records(predict(small_model, good))
    assert [r["id"] for r in out] == ["a", "b"] and out[0]["labels"] == ["migration"]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,body\n1,Des migrants\n")
    result = predict(small_model, bad)
    assert result.exit_code == 2
    assert "no 'text' column; columns found: id, body" in result.stderr


def test_empty_file_gives_no_output_and_exit_0(small_model, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    result = predict(small_model, path)
    assert result.exit_code == 0 and result.stdout == ""


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(bytes(range(256)) * 64), "binary file"),
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: None, "no such file"),
])
def test_whole_file_problems_exit_2_with_one_line(small_model, tmp_path, make, message):
    path = tmp_path / "input.jsonl"
    make(path)
    result = predict(small_model, path)
    assert result.exit_code == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unwritable_output_is_a_clear_error(small_model, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = runner.invoke(app, ["predict", "-m", str(small_model), "-o", str(blocker / "out.jsonl"), "texte"])
    assert result.exit_code == 2 and "wiretag: error:" in result.stderr


def test_full_disk_is_a_clear_error_and_leaves_no_output(small_model, tmp_path, monkeypatch):
    import errno
    import os

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["predict", "-m", str(small_model), "-o", str(out), "Des migrants."])
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


# --- train and evaluate ---------------------------------------------------------------

def train(tmp_path, rows, *extra):
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    return runner.invoke(app, ["train", str(data), "-o", str(tmp_path / "m"), "--quiet", *map(str, extra)])


def test_too_few_examples_names_the_count_and_minimum(tmp_path):
    rows = labelled_rows()
    for row in rows:
        if row["labels"] == ["employment"]:
            row["labels"] = []
    rows[0]["labels"] = ["employment"]
    result = train(tmp_path, rows)
    assert result.exit_code == 2
    assert "'employment' has 1" in result.stderr and "minimum is 5" in result.stderr


def test_every_row_the_same_label(tmp_path):
    rows = [{"text": r["text"], "label": "sport"} for r in labelled_rows()]
    result = train(tmp_path, rows)
    assert result.exit_code == 2 and "same label 'sport'" in result.stderr


def test_same_text_with_two_label_sets(tmp_path):
    rows = labelled_rows()
    rows.append({**rows[0], "labels": ["migration"]})
    result = train(tmp_path, rows)
    assert result.exit_code == 2
    assert "d.jsonl:55" in result.stderr and "same text as" in result.stderr and "d.jsonl:1" in result.stderr


def test_mixed_label_and_labels_rows(tmp_path):
    rows = labelled_rows()
    rows[3] = {"text": rows[3]["text"], "label": "migration"}
    result = train(tmp_path, rows)
    assert result.exit_code == 2
    assert "d.jsonl:4: field 'label': mixed 'label' and 'labels' rows" in result.stderr


@pytest.mark.parametrize("weight", [0, -1, 2.5, "deux", True, 11])
def test_a_bad_weight_names_its_line(tmp_path, weight):
    rows = labelled_rows()
    rows[6]["weight"] = weight
    result = train(tmp_path, rows)
    assert result.exit_code == 2
    assert "d.jsonl:7: field 'weight': must be a whole number from 1 to 10" in result.stderr
    assert not (tmp_path / "m").exists()


def test_duplicate_ids_warn_and_training_goes_on(tmp_path):
    rows = labelled_rows()
    rows[5]["id"] = rows[4]["id"]
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    result = runner.invoke(app, ["train", str(data), "-o", str(tmp_path / "m")])
    assert result.exit_code == 0
    assert "d.jsonl:6: field 'id': duplicate id" in result.stderr


def test_evaluation_labels_the_model_never_saw_are_reported(small_model, tmp_path):
    rows = labelled_rows()[:8]
    rows[0]["labels"] = ["piracy"]
    data = write_jsonl(tmp_path / "eval.jsonl", rows)
    result = runner.invoke(app, ["evaluate", str(data), "-m", str(small_model)])
    assert result.exit_code == 0
    assert "labels the model never saw (labels), not scored: piracy (1)" in result.stdout


# --- properties -------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text())
def test_analyzer_never_raises(text):
    assert isinstance(WordAnalyzer()(text), list)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=60).filter(lambda b: b"\n" not in b and b"\r" not in b), max_size=20),
       st.sampled_from(["jsonl", "txt"]))
def test_line_readers_give_one_row_per_line_and_never_raise(tmp_path_factory, lines, fmt):
    path = tmp_path_factory.mktemp("p") / f"in.{fmt}"
    path.write_bytes(b"".join(line.replace(b"\x00", b"0") + b"\n" for line in lines))
    rows = list(read_rows(Source(str(path), format=fmt)))
    assert [r.line for r in rows] == list(range(1, len(lines) + 1))
    for row in rows:
        text, error = text_of(row)
        assert (text is None) != (error is None)


def test_csv_row_with_the_wrong_number_of_columns(small_model, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,text\na,Des migrants secourus.\nb,Le match.,extra\nc,Un attentat jihadiste.\n")
    result = predict(small_model, path)
    assert result.exit_code == 1
    out = records(result)
    assert out[1] == {"id": 3, "line": 3, "error": "3 columns where the header has 2"}
    assert out[2]["labels"] == ["terrorism"]
