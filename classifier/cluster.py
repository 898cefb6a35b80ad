"""Tagging a collection of files on a Dask cluster: one task per file, one output file per input.

The model (its prediction-only form when it has one) is loaded once here and
scattered to every worker once (`Client.scatter(..., broadcast=True)`); each
task reads one input file, tags it with the same code as `wiretag predict`
(`predict_file_jsonl` for line files, `predict_rows` for CSV/TSV, so bad lines
become error records exactly as on one machine) and writes its output beside
the others atomically. Workers on other machines must see the input and
output paths (a shared or network file system), as with any Dask job over
files. Dask is an optional extra: `pip install 'wiretag[dask]'`.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.errors import ERRORS_SHOWN, WiretagError
from classifier.records import SUFFIX_FORMATS

INSTALL_HINT = "tagging on a Dask cluster needs Dask: pip install 'wiretag[dask]'"
LOCAL = "local"


@dataclass
class FileResult:
    """What happened to one input file: where its records went, how many, how many were errors and the first ones."""

    input: str
    output: str
    records: int = 0
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)  # the first bad lines, as FILE:LINE: field: why
    failure: str | None = None  # the whole file could not be read (missing, binary...)

    def add_errors(self, records: list[dict[str, Any]]) -> None:
        self.errors += len(records)
        room = ERRORS_SHOWN - len(self.first_errors)
        self.first_errors += [str(WiretagError.of_record(record, self.input)) for record in records[:max(room, 0)]]


def expand_inputs(patterns: list[str]) -> list[Path]:
    """Files named by paths, directories (the files wiretag reads by their suffix) or glob patterns, sorted."""
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIX_FORMATS)
        elif glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
            if not matches:
                raise WiretagError(f"no file matches {pattern!r}")
            found += matches
        else:
            found.append(path)
    if not found:
        raise WiretagError("no input files")
    return found


def output_paths(inputs: list[Path], out_dir: Path) -> list[Path]:
    """`out_dir/<input name without suffix>.jsonl` per input; two inputs may not share an output."""
    outputs = [out_dir / f"{path.stem}.jsonl" for path in inputs]
    seen: dict[Path, Path] = {}
    for source, target in zip(inputs, outputs):
        if target.resolve() == source.resolve():
            raise WiretagError(f"{source} would be overwritten by its own output; choose another --output-dir")
        if target in seen:
            raise WiretagError(f"{seen[target]} and {source} would both write {target}; rename one")
        seen[target] = source
    return outputs


def tag_files(
    inputs: list[Path],
    out_dir: Path,
    model: Any,
    *,
    scheduler: str = LOCAL,
    workers: int | None = None,
    options: dict[str, Any] | None = None,
) -> list[FileResult]:
    """Tag every input file on a Dask cluster; results in input order.

    `scheduler` is a scheduler address (`tcp://host:8786`) or "local" for a
    `LocalCluster` of `workers` processes on this machine (default: all cores).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise WiretagError(INSTALL_HINT) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = output_paths(inputs, out_dir)
    cluster = None
    if scheduler == LOCAL:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        shipped = client.scatter(model, broadcast=True)  # sent to each worker once, not once per task
        futures = [
            client.submit(tag_one_file, str(source), str(target), shipped, options or {}, pure=False)
            for source, target in zip(inputs, outputs)
        ]
        return [_result_of(future, str(source), str(target)) for future, source, target in zip(futures, inputs, outputs)]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _result_of(future, source: str, target: str) -> FileResult:
    """A task's result; a task that crashed (disk full, permissions...) becomes that file's failure."""
    try:
        return future.result()
    except Exception as exc:  # reported per file, so the other files' results are still shown
        return FileResult(source, target, failure=f"{source}: {exc.__class__.__name__}: {exc}")


def tag_one_file(source: str, target: str, model: Any, options: dict[str, Any]) -> FileResult:
    """The task run on a worker: one input file to one JSONL output file, written atomically."""
    from classifier.output import atomic_output, write_jsonl
    from classifier.predict import BatchOptions, predict_file_jsonl, predict_rows
    from classifier.records import Source, read_rows

    result = FileResult(source, target)

    def counted(records):
        for record in records:
            result.records += 1
            if "error" in record:
                result.add_errors([record])
            yield record

    try:
        with atomic_output(target) as handle:
            reader = Source(source)
            chunks = predict_file_jsonl(reader, model, BatchOptions(**options), jobs=1)  # line files: JSONL from arrays
            if chunks is None:  # CSV/TSV
                write_jsonl(counted(predict_rows(read_rows(reader), model, live=not reader.is_regular_file, **options)), handle)
            else:
                for text, errors in chunks:
                    handle.write(text)
                    result.records += text.count("\n")  # one line per record: JSON escapes newlines in strings
                    result.add_errors(errors)
    except WiretagError as exc:
        result.failure = str(exc)
    return result
