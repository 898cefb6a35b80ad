"""The `wiretag` command line: thin commands over plain functions.

Each command parses, calls a function that returns data, and prints. Exit
codes: 0 success, 1 a gate failed or some input lines failed, 2 bad usage or
unreadable input (one line on stderr, no traceback). Heavy imports
(scikit-learn, nltk) happen inside the commands that need them, so `--help`
starts fast.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from collections.abc import Iterator
from typing import Annotated, Any, Optional

import typer

from classifier.errors import ERRORS_SHOWN, WiretagError

app = typer.Typer(
    name="wiretag",
    help="Tag French news paragraphs with themes and topics; train and evaluate the models that do it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
data_app = typer.Typer(help="Check labelled data before training.", no_args_is_help=True)
app.add_typer(data_app, name="data")

# Options shared by every command that reads files: the same flag means the same thing everywhere.
ModelOption = Annotated[
    Optional[Path],
    typer.Option("--model", "-m", help="Model directory [default: $WIRETAG_MODEL, else the shipped themes-fr model]."),
]
FormatOption = Annotated[
    str, typer.Option("--format", help="Input format: auto (from the file name or content), jsonl, csv, tsv, txt.")
]
EncodingOption = Annotated[str, typer.Option("--encoding", help="Text encoding of the input.")]
EncodingErrorsOption = Annotated[
    str,
    typer.Option("--encoding-errors", help="On undecodable bytes: strict (that line fails), replace or ignore."),
]
# Options shared by the commands that tag (predict, batch).
KOption = Annotated[Optional[int], typer.Option("-k", min=1, help="At most k labels per paragraph.")]
ThresholdOption = Annotated[
    Optional[float], typer.Option("--threshold", min=0.0, max=1.0, help="One probability cut for every label.")
]
ScoresOption = Annotated[bool, typer.Option("--scores/--no-scores", help="Include every label's probability.")]
MaxCharsOption = Annotated[
    Optional[int], typer.Option("--max-chars", min=1, help="Cut longer paragraphs (a warning goes in the record).")
]


def friendly_errors(command):
    """Turn the library's errors into one line on stderr and the right exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except WiretagError as exc:
            typer.echo(f"wiretag: error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (`| head`): not an error worth a trace
            raise typer.Exit(0) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            typer.echo(f"wiretag: error: {where}{exc.strerror or exc}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None

    return wrapper


def _check_choice(name: str, value: str, choices) -> None:
    if value not in choices:
        raise WiretagError(f"{name} must be one of {', '.join(choices)}, got '{value}'")


@app.command("predict")
@friendly_errors
def predict_cli(
    texts: Annotated[Optional[list[str]], typer.Argument(help="Paragraphs to tag; `-` alone reads standard input.")] = None,
    input: Annotated[Optional[str], typer.Option("--input", "-i", help="File to tag, or - for standard input.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write JSONL here (atomically).")] = None,
    format: FormatOption = "auto",
    model: ModelOption = None,
    k: KOption = None,
    threshold: ThresholdOption = None,
    scores: ScoresOption = True,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad line (exit 2).")] = False,
    max_chars: MaxCharsOption = 100_000,
    encoding: EncodingOption = "utf-8",
    encoding_errors: EncodingErrorsOption = "strict",
    explain: Annotated[bool, typer.Option("--explain", help="Add the n-grams behind each label to each record.")] = False,
    jobs: Annotated[
        Optional[int],
        typer.Option("--jobs", "-j", min=1, help="Worker processes [default: all cores for files over 5 MB, else 1]."),
    ] = None,
) -> None:
    """Tag paragraphs: one JSON line per input paragraph, in input order."""
    rows = _input_rows(texts, input, format, encoding, encoding_errors)

    from classifier.output import atomic_output, format_table, record_row, write_jsonl
    from classifier.persistence import load_model, load_predictor
    from classifier.predict import BatchOptions, default_jobs, predict_file_jsonl, predict_rows
    from classifier.records import Source

    tagger, _ = load_model(model) if explain else load_predictor(model)  # explanations need the full model
    jobs = jobs or default_jobs(input)
    to_terminal = output is None and sys.stdout.isatty()
    if input is not None and not strict and not to_terminal:
        chunks = predict_file_jsonl(
            Source(input, format=format, encoding=encoding, encoding_errors=encoding_errors),
            tagger,
            BatchOptions(k, threshold, scores, max_chars, 10 if explain else None),
            jobs=jobs,
        )
        if chunks is not None:
            failures = FailureReport(input)
            with atomic_output(output) as handle:
                for text, errors in chunks:
                    handle.write(text)
                    failures.add(errors)
            failures.finish()
            return
    records = predict_rows(
        rows,
        tagger,
        k=k,
        threshold=threshold,
        scores=scores,
        max_chars=max_chars,
        explain_top=10 if explain else None,
        jobs=jobs,
        live=texts == ["-"] if input is None else not Source(input).is_regular_file,  # a pipe may pause
    )
    failures = FailureReport(input)
    if to_terminal:
        rows_out = [record_row(r) for r in failures.watch(records, strict)]
        typer.echo(format_table(rows_out, ["id", "labels", "topic"]))
    else:
        with atomic_output(output) as handle:
            write_jsonl(failures.watch(records, strict), handle, flush_each=output is None)
    failures.finish()


@app.command("batch")
@friendly_errors
def batch_cli(
    inputs: Annotated[list[str], typer.Argument(help="Input files, directories or glob patterns ('news/*.jsonl').")],
    output_dir: Annotated[Path, typer.Option("--output-dir", "-d", help="One <input name>.jsonl per input here.")],
    scheduler: Annotated[
        str, typer.Option("--scheduler", help="Dask scheduler address (tcp://HOST:PORT), or 'local' for this machine.")
    ] = "local",
    workers: Annotated[
        Optional[int], typer.Option("--workers", min=1, help="Worker processes of the local cluster [default: all cores]; a remote cluster has its own.")
    ] = None,
    model: ModelOption = None,
    k: KOption = None,
    threshold: ThresholdOption = None,
    scores: ScoresOption = True,
    max_chars: MaxCharsOption = 100_000,
) -> None:
    """Tag many files on a Dask cluster (pip install 'wiretag[dask]'): one output file per input, order kept."""
    from classifier.cluster import expand_inputs, tag_files
    from classifier.persistence import load_predictor

    files = expand_inputs(inputs)
    tagger, _ = load_predictor(model)
    options = {"k": k, "threshold": threshold, "scores": scores, "max_chars": max_chars}
    results = tag_files(files, output_dir, tagger, scheduler=scheduler, workers=workers, options=options)
    failed = 0
    for result in results:
        if result.failure:
            typer.echo(f"wiretag: {result.failure}", err=True)
            failed += 1
        else:
            typer.echo(f"{result.input} -> {result.output}: {result.records} records, {result.errors} errors")
            for error in result.first_errors:
                typer.echo(f"wiretag: {error}", err=True)
            failed += bool(result.errors)
    if failed:
        raise typer.Exit(1)


class FailureReport:
    """Bad lines of a predict run: the first few on stderr as they come (file, line, field, why), then a count."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.count = 0

    def error(self, record: dict) -> WiretagError:
        return WiretagError.of_record(record, self.source)

    def watch(self, records: Iterator[dict], strict: bool = False) -> Iterator[dict]:
        """The records, passed on as they come; bad ones reported (with `strict`, the first one raises)."""
        for record in records:
            if "error" in record:
                if strict:
                    raise self.error(record)
                self.add([record])
            yield record

    def add(self, records: list[dict]) -> None:
        for record in records:
            self.count += 1
            if self.count <= ERRORS_SHOWN:
                typer.echo(f"wiretag: {self.error(record)}", err=True)

    def finish(self) -> None:
        """Exit 1 when any line failed, after saying how many (each kept its error record in the output)."""
        if self.count:
            more = f", {self.count - ERRORS_SHOWN} more not shown" if self.count > ERRORS_SHOWN else ""
            typer.echo(f"wiretag: {self.count} paragraph(s) could not be tagged{more}; "
                       "each has an 'error' record in the output", err=True)
            raise typer.Exit(1)


def _input_rows(texts, input, format, encoding, encoding_errors):
    """Rows from TEXT arguments, a file, or `-` (standard input)."""
    from classifier.records import ENCODING_ERRORS, FORMATS, Source, read_rows, rows_from_texts

    _check_choice("--format", format, FORMATS)
    _check_choice("--encoding-errors", encoding_errors, ENCODING_ERRORS)
    if texts == ["-"] and input is None:
        texts, input = None, "-"
    if texts and input:
        raise WiretagError("give paragraphs as arguments or --input, not both")
    if not texts and input is None:
        raise WiretagError("nothing to read: give paragraphs, --input FILE, or - for standard input")
    if input is not None:
        return read_rows(Source(input, format=format, encoding=encoding, encoding_errors=encoding_errors))
    return rows_from_texts(texts)


@app.command("explain")
@friendly_errors
def explain_cli(
    texts: Annotated[Optional[list[str]], typer.Argument(help="Paragraphs to explain; `-` alone reads standard input.")] = None,
    input: Annotated[Optional[str], typer.Option("--input", "-i", help="File to explain, or - for standard input.")] = None,
    model: ModelOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many n-grams per label.")] = 10,
    label: Annotated[
        Optional[list[str]], typer.Option("--label", help="Also explain this label, predicted or not (repeatable).")
    ] = None,
    format: FormatOption = "auto",
    encoding: EncodingOption = "utf-8",
    encoding_errors: EncodingErrorsOption = "strict",
) -> None:
    """Show the n-grams that pushed each label's score (feature value × weight, exact for the linear model)."""
    rows = _input_rows(texts, input, format, encoding, encoding_errors)

    from classifier.output import format_table, write_jsonl
    from classifier.persistence import load_model
    from classifier.predict import predict_rows

    tagger, _ = load_model(model)
    failures = FailureReport(input)
    records = failures.watch(predict_rows(rows, tagger, scores=False, explain_top=top, explain_labels=label or ()))
    if not sys.stdout.isatty():
        write_jsonl(records, sys.stdout, flush_each=True)
        failures.finish()
        return
    for record in records:
        typer.echo(f"[{record['id']}] " + (f"error: {record['error']}" if "error" in record else ""))
        for item in record.get("explanations", []):
            typer.echo(f"  {item['head']} = {item['label']}  score {item['score']:.3f}  "
                       f"(logit {item['logit']:+.3f} = intercept {item['intercept']:+.3f} + features)")
            table = [[f["feature"], f"{f['value']:.3f}", f"{f['weight']:+.3f}", f"{f['contribution']:+.3f}"]
                     for f in item["features"]]
            typer.echo("    " + format_table(table, ["n-gram", "value", "weight", "contribution"]).replace("\n", "\n    "))
    failures.finish()


@app.command("train")
@friendly_errors
def train_cli(
    data: Annotated[list[Path], typer.Argument(help="Labelled JSONL/CSV/TSV files (text + labels, label and/or topic).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model directory to write.")],
    task: Annotated[str, typer.Option("--task", help="auto, multilabel or multiclass.")] = "auto",
    taxonomy: Annotated[
        Optional[Path], typer.Option("--taxonomy", help="TOML label set: unknown labels are refused, its lexicon is used.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for folds and solvers: same seed, same model.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model (kept as a .bak-TIME backup).")] = False,
    search: Annotated[
        bool, typer.Option("--search", help="Choose C, loss, min_df and character n-grams by a grouped grid search first.")
    ] = False,
    eval_data: Annotated[
        Optional[list[Path]], typer.Option("--eval", help="Also score on this labelled file; figures go in the model card.")
    ] = None,
    streaming: Annotated[
        bool, typer.Option("--streaming", help="Out-of-core: read in chunks, hashing features + SGD (data beyond memory).")
    ] = False,
    cv_repeats: Annotated[
        int, typer.Option("--cv-repeats", min=1, help="Tune thresholds on N fold draws pooled: steadier, N times the CV time.")
    ] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
) -> None:
    """Train a model from labelled rows and write its directory (model, manifest, card)."""
    from training.train import Recipe, train

    if streaming and cv_repeats > 1:
        raise WiretagError("--cv-repeats applies to the in-memory trainer; --streaming tunes on held-out rows")

    def progress(message: str) -> None:
        if not quiet:
            typer.echo(f"· {message}", err=True)

    manifest = train(
        data, output, task=task, taxonomy_path=taxonomy, seed=seed, force=force, search=search,
        eval_paths=eval_data or (), streaming=streaming, progress=progress, recipe=Recipe(cv_repeats=cv_repeats),
    )
    if "search" in manifest["training"]:
        best = manifest["training"]["search"]["best"]
        typer.echo(f"search: best C={best['C']}, loss {best['loss']}, min_df {best['min_df']}, "
                   f"character n-grams {'on' if best['chars'] else 'off'} "
                   f"({manifest['training']['search']['scoring']} {best['score']:.4f})")
    for head, metrics in manifest["cv_metrics"].items():
        figures = ", ".join(f"{k} {v:.3f}" for k, v in metrics.items() if isinstance(v, float))
        typer.echo(f"{head}: cross-validated {figures}")
    for head, metrics in manifest["training"].get("held_out_metrics", {}).items():
        figures = ", ".join(f"{k} {v:.3f}" for k, v in metrics.items() if isinstance(v, float))
        typer.echo(f"{head}: on held-out training rows {figures}")
    for head, metrics in manifest.get("evaluation", {}).get("heads", {}).items():
        figures = ", ".join(f"{k} {v:.3f}" for k, v in metrics.items() if isinstance(v, float))
        typer.echo(f"{head}: on --eval data {figures}")
    typer.echo(f"wrote {output}")


@app.command("evaluate")
@friendly_errors
def evaluate_cli(
    data: Annotated[list[Path], typer.Argument(help="Labelled JSONL/CSV/TSV files.")],
    model: ModelOption = None,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="Write the full report as JSON here.")] = None,
    fail_under: Annotated[
        Optional[list[str]],
        typer.Option("--fail-under", help="Gate: METRIC=VALUE, e.g. macro_f1=0.75, f1:terrorism=0.6, topic.accuracy=0.8."),
    ] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Also report per value of this field (e.g. drawn).")] = None,
    baseline: Annotated[
        Optional[Path],
        typer.Option("--baseline", help="Gate on regressions against this `--json` report or model directory."),
    ] = None,
    max_drop: Annotated[float, typer.Option("--max-drop", help="With --baseline: the largest drop allowed.")] = 0.02,
) -> None:
    """Score a model on labelled data: per-label table, averages; exit 1 if a gate fails."""
    from training.evaluate import evaluate, failed_gates

    report = evaluate(data, model, by=by)
    typer.echo(render_report(report))
    if json_path:
        from classifier.output import atomic_output

        with atomic_output(json_path) as handle:
            json.dump(report, handle, indent=2, ensure_ascii=False)
    failures = failed_gates(report, fail_under or [])
    if baseline is not None:
        from training.compare import baseline_report, regressions

        failures += regressions(report, baseline_report(baseline, data), max_drop)
    if failures:
        from classifier.output import format_table

        typer.echo("gate failed:", err=True)
        rows = [[f["metric"], f"{f['value']:.4f}", f"{f['required']:.4f}", str(f.get("baseline", ""))] for f in failures]
        typer.echo(format_table(rows, ["metric", "value", "required", "baseline"]), err=True)
        raise typer.Exit(1)


def render_report(report: dict[str, Any]) -> str:
    from classifier.output import format_table

    parts = []
    for name, head in report["heads"].items():
        rows = [
            [label, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", str(s["support"])]
            for label, s in head["per_label"].items()
        ]
        parts.append(f"{name} ({head['task']}, {head['rows']} rows)")
        parts.append(format_table(rows, ["label", "precision", "recall", "f1", "support"]))
        keys = ["micro_f1", "macro_f1", "samples_f1", "subset_accuracy", "hamming_loss", "accuracy"]
        parts.append("  ".join(f"{k} {head[k]:.4f}" for k in keys if k in head))
        if "confusion" in head:
            labels = head["confusion"]["labels"]
            matrix = [[label] + [str(v) for v in row] for label, row in zip(labels, head["confusion"]["matrix"])]
            parts.append("confusion (rows: truth, columns: predicted)")
            parts.append(format_table(matrix, ["", *[label[:8] for label in labels]]))
        parts.append("")
    for name, labels in report.get("unknown_labels", {}).items():
        shown = ", ".join(f"{label} ({n})" for label, n in labels.items())
        parts.append(f"labels the model never saw ({name}), not scored: {shown}")
    if "by" in report:
        field = report["by"]["field"]
        for value, heads in report["by"]["groups"].items():
            figures = "; ".join(
                f"{name} " + ", ".join(f"{k} {h[k]:.4f}" for k in ("micro_f1", "macro_f1", "accuracy") if k in h)
                + f" ({h['rows']} rows)"
                for name, h in heads.items()
            )
            parts.append(f"{field}={value}: {figures}")
    return "\n".join(parts).rstrip()


@app.command("compare")
@friendly_errors
def compare_cli(
    old_model: Annotated[Path, typer.Argument(help="The model in use.")],
    new_model: Annotated[Path, typer.Argument(help="The candidate.")],
    data: Annotated[list[Path], typer.Argument(help="Labelled files to score both on.")],
    tolerance: Annotated[float, typer.Option("--tolerance", help="F1 drop that flags a label as worse.")] = 0.02,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="Write the full comparison here.")] = None,
    show: Annotated[int, typer.Option("--show", help="How many changed paragraphs to print.")] = 10,
) -> None:
    """Compare two models on the same data: per label, overall, and the paragraphs that changed. Exit 1 if a label got worse."""
    from classifier.output import atomic_output, format_table
    from training.compare import compare_models

    result = compare_models(old_model, new_model, data, tolerance=tolerance)
    for name, head in result["heads"].items():
        if "status" in head:
            typer.echo(f"{name}: head {head['status']} in the new model")
            continue
        rows = []
        for label, r in head["labels"].items():
            if "status" in r:
                rows.append([label, r["status"], "", "", ""])
                continue
            rows.append([label, f"{r['old']['f1']:.3f}", f"{r['new']['f1']:.3f}", f"{r['delta']['f1']:+.3f}",
                         "WORSE" if r["worse"] else ""])
        for metric, r in head["overall"].items():
            rows.append([metric, f"{r['old']:.3f}", f"{r['new']:.3f}", f"{r['delta']:+.3f}", ""])
        typer.echo(f"{name}")
        typer.echo(format_table(rows, ["label", "old f1", "new f1", "change", ""]))
    typer.echo(f"{len(result['changed'])} paragraph(s) changed labels")
    for item in result["changed"][:show]:
        typer.echo(f"  {item['where']}: {item['old']} -> {item['new']}  {item['text'][:70]}")
    if json_path:
        with atomic_output(json_path) as handle:
            json.dump(result, handle, indent=2, ensure_ascii=False)
    worse = [f"{name}:{label}" for name, head in result["heads"].items() for label in head.get("worse", [])]
    if worse:
        typer.echo(f"worse by more than {tolerance}: {', '.join(worse)}", err=True)
        raise typer.Exit(1)


@app.command("suggest")
@friendly_errors
def suggest_cli(
    input: Annotated[str, typer.Argument(help="Unlabelled paragraphs (file, or - for standard input).")],
    n: Annotated[int, typer.Option("-n", min=1, help="How many paragraphs to pick.")] = 50,
    model: ModelOption = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write JSONL here.")] = None,
    format: FormatOption = "auto",
    encoding: EncodingOption = "utf-8",
    encoding_errors: EncodingErrorsOption = "strict",
) -> None:
    """Pick the paragraphs the model is least sure about: JSONL with its guesses, ready to label."""
    from classifier.output import atomic_output, write_jsonl
    from classifier.persistence import load_model
    from training.compare import most_uncertain

    rows = _input_rows(None, input, format, encoding, encoding_errors)
    tagger, _ = load_model(model)
    picked = most_uncertain(tagger, rows, n)
    with atomic_output(output) as handle:
        write_jsonl(picked, handle)


@app.command("info")
@friendly_errors
def info_cli(
    model: ModelOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole manifest as JSON.")] = False,
) -> None:
    """Show a model's manifest: labels, thresholds, training data and metrics."""
    from classifier.persistence import read_manifest, resolve_model_dir

    directory = resolve_model_dir(model)
    manifest = read_manifest(directory)
    if as_json:
        typer.echo(json.dumps(manifest, indent=2, ensure_ascii=False))
        return
    typer.echo(f"model     {directory}")
    typer.echo(f"created   {manifest.get('created')}  (wiretag {manifest['versions'].get('wiretag')}, "
               f"scikit-learn {manifest['versions'].get('scikit-learn')})")
    training = manifest.get("training", {})
    for source in training.get("data", []):
        typer.echo(f"trained   {source['path']} ({source['rows']} rows, sha256 {source['sha256'][:12]})")
    for name, head in manifest["heads"].items():
        cv = manifest.get("cv_metrics", {}).get(name, {})
        typer.echo(f"head      {name} ({head['task']}, {len(head['labels'])} labels)"
                   + (f"  cross-validated macro-F1 {cv['macro_f1']:.3f}" if "macro_f1" in cv else ""))
        for label in head["labels"]:
            threshold = head["thresholds"].get(label)
            typer.echo(f"  {label:<22} rows {head['label_counts'].get(label, 0):>5}"
                       + (f"  threshold {threshold:.3f}" if threshold is not None else ""))


@data_app.command("check")
@friendly_errors
def data_check_cli(
    data: Annotated[list[Path], typer.Argument(help="Labelled files; with --test, the training files.")],
    test: Annotated[Optional[list[Path]], typer.Option("--test", help="Test files to check for overlap with DATA.")] = None,
    taxonomy: Annotated[Optional[Path], typer.Option("--taxonomy", help="Label set to check labels against.")] = None,
    min_examples: Annotated[int, typer.Option("--min-examples", help="Fewest rows a label needs to train.")] = 5,
    near: Annotated[float, typer.Option("--near", help="Shingle similarity that makes two texts near-duplicates.")] = 0.8,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="Write the full report as JSON here.")] = None,
) -> None:
    """Find problems in labelled data: schema, labels, duplicates, conflicts, overlap, rare labels."""
    from training.datacheck import check_data, render_check

    report = check_data(data, test=test or [], taxonomy_path=taxonomy, min_examples=min_examples, near=near)
    typer.echo(render_check(report))
    if json_path:
        from classifier.output import atomic_output

        with atomic_output(json_path) as handle:
            json.dump(report, handle, indent=2, ensure_ascii=False)
    if report["errors"]:
        raise typer.Exit(1)


def main() -> None:
    app()
