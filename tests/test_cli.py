"""The CLI contract, through Typer's CliRunner: predict, train, evaluate, info, data check."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from classifier.cli import app
from tests.conftest import labelled_rows, write_jsonl

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_predict_texts_as_arguments(small_model):
    result = run("predict", "-m", small_model, "Un attentat jihadiste a frappé Gao.", "Le match de football.")
    assert result.exit_code == 0, result.output
    records = lines(result.stdout)
    assert [r["id"] for r in records] == [1, 2]
    assert records[0]["labels"][0] == "terrorism"
    assert records[1]["labels"] == []
    assert set(records[0]["scores"]) == {"employment", "migration", "terrorism"}
    assert records[0]["topic"] == "security" and 0 <= records[0]["topic_score"] <= 1


def test_predict_jsonl_file_keeps_ids_order_and_one_line_each(small_model, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "text": "Des migrants ont été secourus au large de Lampedusa."},
        {"id": "b", "text": "Les syndicats réclament des hausses de salaires et des emplois."},
        {"text": "Sans identifiant, le club a gagné le match."},
    ])
    result = run("predict", "-m", small_model, "-i", source, "--no-scores")
    assert result.exit_code == 0
    records = lines(result.stdout)
    assert [r["id"] for r in records] == ["a", "b", 3]
    assert records[0]["labels"] == ["migration"] and records[1]["labels"] == ["employment"]
    assert "scores" not in records[0]


@pytest.mark.parametrize("fmt, body", [
    ("csv", 'id,text\n1,"Des réfugiés demandent l\'asile, disent-ils."\n2,"Le chômage des jeunes augmente,\nselon les syndicats."\n'),
    ("tsv", "id\ttext\n1\tDes réfugiés demandent l'asile.\n2\tLe chômage des jeunes augmente.\n"),
    ("txt", "Des réfugiés demandent l'asile.\nLe chômage des jeunes augmente.\n"),
])
def test_predict_reads_csv_tsv_and_txt(small_model, tmp_path, fmt, body):
    source = tmp_path / f"in.{fmt}"
    source.write_text(body, encoding="utf-8")
    result = run("predict", "-m", small_model, "-i", source)
    assert result.exit_code == 0, result.output
    records = lines(result.stdout)
    assert len(records) == 2
    assert records[0]["labels"] == ["migration"] and records[1]["labels"] == ["employment"]


def test_predict_from_stdin_with_dash(small_model):
    result = run("predict", "-m", small_model, "-", input='{"text": "Des migrants secourus en mer."}\n')
    assert result.exit_code == 0
    assert lines(result.stdout)[0]["labels"] == ["migration"]


def test_predict_k_and_threshold(small_model):
    text = "Un attentat jihadiste ; des migrants et des réfugiés fuient vers l'Europe."
    everything = lines(run("predict", "-m", small_model, "--threshold", "0", text).stdout)[0]
    assert len(everything["labels"]) == 3
    assert everything["labels"] == list(everything["scores"])  # best first
    top = lines(run("predict", "-m", small_model, "--threshold", "0", "-k", "1", text).stdout)[0]
    assert top["labels"] == everything["labels"][:1]
    nothing = lines(run("predict", "-m", small_model, "--threshold", "1", text).stdout)[0]
    assert nothing["labels"] == []


def test_predict_writes_output_file(small_model, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run("predict", "-m", small_model, "-o", out, "Des migrants secourus.")
    assert result.exit_code == 0 and result.stdout == ""
    assert lines(out.read_text())[0]["labels"] == ["migration"]
    assert not list(tmp_path.glob("*.partial"))


def test_bad_lines_get_error_records_and_exit_1(small_model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b'{"id": "ok", "text": "Des migrants secourus."}\n'
        b'{"id": "broken", "text": \n'
        b'{"id": "empty", "text": "   "}\n'
        b'{"id": "number", "text": 42}\n'
        b'\xff\xfe not utf-8\n'
        b'{"id": "last", "text": "Un attentat jihadiste."}\n'
    )
    result = run("predict", "-m", small_model, "-i", source)
    assert result.exit_code == 1
    records = lines(result.stdout)
    assert [r["id"] for r in records] == ["ok", 2, "empty", "number", 5, "last"]
    assert "malformed JSON" in records[1]["error"]
    assert records[2]["error"] == "empty text"
    assert "must be a string" in records[3]["error"]
    assert "invalid utf-8" in records[4]["error"]
    assert records[5]["labels"] == ["terrorism"]
    assert [(r["line"], r.get("field")) for r in records[1:5]] == [(2, None), (3, "text"), (4, "text"), (5, None)]
    assert "in.jsonl:3: field 'text': empty text" in result.stderr
    assert "4 paragraph(s) could not be tagged" in result.stderr


def test_stderr_names_the_first_ten_bad_lines_and_counts_the_rest(small_model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join('{"id": %d, "txt": "typo"}\n' % (100 + i) for i in range(12)) + '{"text": "Un attentat."}\n')
    result = run("predict", "-m", small_model, "-i", source)
    assert result.exit_code == 1
    named = [line for line in result.stderr.splitlines() if "field 'text': missing 'text'" in line]
    assert [line.split("in.jsonl:")[1].split(":")[0] for line in named] == [str(n) for n in range(1, 11)]  # not the ids
    assert "12 paragraph(s) could not be tagged, 2 more not shown" in result.stderr
    assert lines(result.stdout)[-1]["labels"] == ["terrorism"]


def test_strict_stops_at_first_bad_line(small_model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Des migrants."}\n{oops\n{"text": "Un attentat."}\n')
    result = run("predict", "-m", small_model, "-i", source, "--strict")
    assert result.exit_code == 2
    assert "in.jsonl:2" in result.stderr and "malformed JSON" in result.stderr


def test_strict_names_the_input_line_even_when_the_row_has_a_numeric_id(small_model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 7, "text": "Des migrants."}\n{"id": 42, "text": null}\n')
    result = run("predict", "-m", small_model, "-i", source, "--strict")
    assert result.exit_code == 2
    assert "in.jsonl:2: field 'text': missing 'text'" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["-i", "/nonexistent/file.jsonl"], "no such file"),
    ([], "nothing to read"),
    (["--format", "xml", "-i", "-"], "--format must be one of"),
])
def test_usage_errors_exit_2_with_one_line(small_model, args, message):
    result = run("predict", "-m", small_model, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_missing_model_is_a_clear_error(tmp_path):
    result = run("predict", "-m", tmp_path / "nope", "texte")
    assert result.exit_code == 2 and "no model directory" in result.stderr


def test_train_then_evaluate_with_gates(tmp_path, train_file):
    out = tmp_path / "model"
    result = run("train", train_file, "-o", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert "labels: cross-validated" in result.stdout and "topic: cross-validated" in result.stdout
    passing = run("evaluate", train_file, "-m", out, "--fail-under", "macro_f1=0.5", "--fail-under", "topic.accuracy=0.5",
                  "--json", tmp_path / "report.json")
    assert passing.exit_code == 0, passing.output
    assert "terrorism" in passing.stdout and "macro_f1" in passing.stdout and "confusion" in passing.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert set(report["heads"]) == {"labels", "topic"}
    failing = run("evaluate", train_file, "-m", out, "--fail-under", "f1:terrorism=1.01")
    assert failing.exit_code == 1
    assert "f1:terrorism" in failing.stderr
    unknown = run("evaluate", train_file, "-m", out, "--fail-under", "nonsense=0.5")
    assert unknown.exit_code == 2 and "unknown metric" in unknown.stderr


def test_train_refuses_existing_output_without_force(tmp_path, train_file, small_model):
    result = run("train", train_file, "-o", small_model, "--quiet")
    assert result.exit_code == 2 and "--force" in result.stderr


def test_train_with_taxonomy_names_the_closest_label(tmp_path):
    taxonomy = tmp_path / "tax.toml"
    taxonomy.write_text("".join(f"[labels.{label}]\n" for label in ("terrorism", "migration", "employment")))
    rows = labelled_rows()
    rows[7]["labels"] = ["terorism"]
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    result = run("train", data, "-o", tmp_path / "m", "--taxonomy", taxonomy, "--quiet")
    assert result.exit_code == 2
    assert "d.jsonl:8" in result.stderr and "'terorism'" in result.stderr and "closest: 'terrorism'" in result.stderr


def test_multiclass_task_on_label_rows(tmp_path):
    rows = [{"text": r["text"], "label": r["topic"]} for r in labelled_rows()]
    data = write_jsonl(tmp_path / "topics.csv.jsonl", rows)
    out = tmp_path / "m"
    assert run("train", data, "-o", out, "--quiet").exit_code == 0
    info = json.loads(run("info", "-m", out, "--json").stdout)
    assert info["task"] == "multiclass" and "topic" not in info["heads"]
    record = lines(run("predict", "-m", out, "Le chômage des jeunes progresse.").stdout)[0]
    assert record["labels"] == ["economy"] and abs(sum(record["scores"].values()) - 1) < 0.01
    result = run("evaluate", data, "-m", out)
    assert result.exit_code == 0 and "accuracy" in result.stdout


def test_info_shows_heads_and_thresholds(small_model):
    result = run("info", "-m", small_model)
    assert result.exit_code == 0
    assert "head      labels (multilabel, 3 labels)" in result.stdout
    assert "threshold" in result.stdout and "topic" in result.stdout


def test_data_check_passes_clean_data_and_fails_on_problems(tmp_path, train_file):
    clean = run("data", "check", train_file)
    assert clean.exit_code == 0, clean.output
    assert "0 errors" in clean.stdout
    rows = labelled_rows()
    rows.append({"text": rows[0]["text"], "labels": ["migration"]})  # same text, other labels
    rows.append({"text": "  ", "labels": []})
    rows.append({"text": "Le marché de Ségou rouvre ses portes.", "labels": [], "weight": 0})
    bad = write_jsonl(tmp_path / "bad.jsonl", rows)
    result = run("data", "check", bad, "--test", train_file)
    assert result.exit_code == 1
    assert "bad.jsonl:56: field 'text': empty" in result.stdout
    assert "bad.jsonl:57: field 'weight': must be a whole number" in result.stdout
    assert "with other labels" in result.stdout
    assert "test rows must not be in training" in result.stdout


def test_topic_only_model(tmp_path):
    rows = [{"text": r["text"], "topic": r["topic"]} for r in labelled_rows()]
    data = write_jsonl(tmp_path / "topics.jsonl", rows)
    out = tmp_path / "m"
    assert run("train", data, "-o", out, "--quiet").exit_code == 0
    record = lines(run("predict", "-m", out, "Des migrants secourus en mer.").stdout)[0]
    assert set(record) == {"id", "topic", "topic_score"} and record["topic"] == "society"
    gate = run("evaluate", data, "-m", out, "--fail-under", "topic.accuracy=0.9", "--fail-under", "topic.f1:sport=0.5")
    assert gate.exit_code == 0, gate.output
    assert run("evaluate", data, "-m", out, "--fail-under", "topic.accuracy=1.01").exit_code == 1
    explained = lines(run("explain", "-m", out, "Des migrants secourus en mer.").stdout)[0]
    assert explained["explanations"][0]["head"] == "topic"


def test_train_search_picks_settings_and_records_them(tmp_path, train_file):
    out = tmp_path / "searched"
    result = run("train", train_file, "-o", out, "--search", "--quiet")
    assert result.exit_code == 0, result.output
    assert "search: best C=" in result.stdout
    search = json.loads((out / "manifest.json").read_text())["training"]["search"]
    assert search["scoring"] == "average_precision" and len(search["results"]) == 32
    assert {(r["loss"], r["chars"], r["min_df"]) for r in search["results"]} == {
        (loss, chars, min_df) for loss in ("logistic", "svm") for chars in (False, True) for min_df in (1, 2)}
    assert search["best"]["score"] == max(r["score"] for r in search["results"])
    recipe = json.loads((out / "manifest.json").read_text())["training"]["recipe"]
    assert (recipe["C"], recipe["loss"], recipe["min_df"], recipe["char_ngrams"] is not None) == (
        search["best"]["C"], search["best"]["loss"], search["best"]["min_df"], search["best"]["chars"])


def test_same_seed_same_model_and_eval_figures_in_the_card(tmp_path, train_file):
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert run("train", train_file, "-o", out, "--seed", "7", "--quiet", "--eval", train_file).exit_code == 0
    manifests = [json.loads((d / "manifest.json").read_text()) for d in (first, second)]
    assert manifests[0]["heads"] == manifests[1]["heads"]
    assert manifests[0]["cv_metrics"] == manifests[1]["cv_metrics"]
    texts = ["Un attentat jihadiste.", "Des migrants secourus.", "Le chômage progresse."]
    assert run("predict", "-m", first, *texts).stdout == run("predict", "-m", second, *texts).stdout
    assert "labels" in manifests[0]["evaluation"]["heads"]
    card = (first / "MODEL_CARD.md").read_text()
    assert "## Evaluation on `train.jsonl` (54 rows)" in card


def test_predict_with_two_jobs_gives_the_same_lines_in_the_same_order(small_model, tmp_path):
    texts = ["Des migrants secourus en mer au large de Lampedusa.", "Un attentat jihadiste a frappé Gao.",
             "Le chômage des jeunes progresse.", "Le club a gagné le match."]
    lines_in = [json.dumps({"id": i, "text": texts[i % 4]}) if i % 97 else "{broken" for i in range(5000)]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines_in) + "\n")
    one = run("predict", "-m", small_model, "-i", source, "-o", tmp_path / "one.jsonl", "--jobs", "1")
    two = run("predict", "-m", small_model, "-i", source, "-o", tmp_path / "two.jsonl", "--jobs", "2")
    assert one.exit_code == two.exit_code == 1  # the broken lines
    assert (tmp_path / "one.jsonl").read_text() == (tmp_path / "two.jsonl").read_text()
    assert len((tmp_path / "two.jsonl").read_text().splitlines()) == 5000


def test_texts_of_a_str_subclass_are_tagged():
    import numpy as np

    from classifier.persistence import load_model
    from classifier.predict import predict_texts

    model, _ = load_model()
    records = predict_texts(np.array(["Un attentat jihadiste a frappé Gao.", "Le match de football."]), model)
    assert "error" not in records[0] and "terrorism" in records[0]["labels"]


def test_train_cv_repeats_is_recorded_and_refused_with_streaming(tmp_path, train_file):
    out = tmp_path / "repeated"
    assert run("train", train_file, "-o", out, "--cv-repeats", "2", "--quiet").exit_code == 0
    assert json.loads((out / "manifest.json").read_text())["training"]["recipe"]["cv_repeats"] == 2
    refused = run("train", train_file, "-o", tmp_path / "s", "--streaming", "--cv-repeats", "2")
    assert refused.exit_code == 2 and "--cv-repeats applies to the in-memory trainer" in refused.output
    assert not (tmp_path / "s").exists()
