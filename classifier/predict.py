"""Tagging as plain functions: rows in, one record per row out, in order.

The CLI's `predict` is a thin layer over `predict_rows`; Python users call
`predict_texts`. Rows are scored in batches (one sparse product per batch),
and a batch is cut short when the input pauses, so a record follows its line
at once in a pipe.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from classifier.output import encode_json, jsonl_text
from classifier.records import Row, Source, error_record, open_source, rows_from_lines, rows_from_texts, sniff_format

BATCH_SIZE = 1024
LARGE_INPUT_BYTES = 5 * 1024 * 1024
_END = object()


def predict_rows(
    rows: Iterable[Row],
    model: Any,
    *,
    k: int | None = None,
    threshold: float | None = None,
    scores: bool = True,
    batch_size: int = BATCH_SIZE,
    max_chars: int | None = None,
    explain_top: int | None = None,
    explain_labels: Sequence[str] = (),
    jobs: int = 1,
    live: bool = True,
) -> Iterator[dict[str, Any]]:
    """One record per row: `{"id", "labels", "scores", ...}`, or `{"id", "error"}`.

    `live` rows may pause (a pipe, a feed): batches are cut as soon as the
    input waits, so each record follows its line at once. Rows that never
    wait (a file) are batched directly, without the reader thread.

    With `explain_top`, each record also gets `explanations`: the n-grams that
    pushed each predicted label's score most (see `classifier.explain`).
    With `jobs` > 1, batches are tagged in that many forked worker processes
    that share the loaded model; records still come out in input order.
    """
    options = BatchOptions(k, threshold, scores, max_chars, explain_top, tuple(explain_labels))
    batches = batches_as_available(rows, batch_size) if live else fixed_batches(rows, batch_size)
    if jobs <= 1 or not _can_fork():
        for batch in batches:
            yield from tag_batch(batch, model, options)
        return
    global _WORKER_STATE
    _WORKER_STATE = (model, options)  # inherited by the forked workers, not pickled
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs) as pool:
        for records in pool.imap(_tag_in_worker, batches, chunksize=1):
            yield from records


@dataclass(frozen=True)
class BatchOptions:
    k: int | None = None
    threshold: float | None = None
    scores: bool = True
    max_chars: int | None = None
    explain_top: int | None = None
    explain_labels: tuple[str, ...] = ()


def tag_batch(batch: Sequence[Row], model: Any, options: BatchOptions) -> list[dict[str, Any]]:
    """Records for one batch of rows: one vectorisation, one product per head."""
    texts: list[str] = []
    records: list[dict[str, Any]] = []
    slots: list[int] = []
    max_chars = options.max_chars
    for row in batch:
        text = _paragraph(row)
        if text is not None:
            record: dict[str, Any] = {"id": row.id}
            if max_chars is not None and len(text) > max_chars:
                text = text[:max_chars]
                record["warning"] = f"text cut to the first {max_chars} characters (--max-chars)"
            slots.append(len(records))
            texts.append(text)
        else:
            record = error_record(row)
        records.append(record)
    if not texts:
        return records
    X = model.vectorize(texts)
    predicted = model.records(X, k=options.k, threshold=options.threshold, scores=options.scores)
    for slot, result in zip(slots, predicted):
        warning = records[slot].pop("warning", None)
        records[slot].update(result)
        if warning:
            records[slot]["warning"] = warning
    if options.explain_top:
        from classifier.explain import explain

        explained = explain(model, texts, top=options.explain_top, labels=options.explain_labels, X=X)
        for slot, explanations in zip(slots, explained):
            records[slot]["explanations"] = explanations
    return records


def tag_batch_jsonl(batch: Sequence[Row], model: Any, options: BatchOptions) -> tuple[str, list[dict[str, Any]]]:
    """`tag_batch` as JSONL text, with its error records (to report them, not only count them).

    When every row of the batch is a plain paragraph (no error, nothing cut,
    no explanations asked), the lines are built from the model's arrays
    (`Tagger.encoded_records`) without a dictionary per record; otherwise, or
    if a score is not finite, `tag_batch`'s records are encoded. The text is
    the same either way (`tests/test_predict_jsonl.py`).
    """
    texts: list[str] = []
    for row in batch:
        text = _paragraph(row)
        if text is None or (options.max_chars is not None and len(text) > options.max_chars):
            break
        texts.append(text)
    else:
        if texts and not options.explain_top:
            X = model.vectorize(texts)
            encoded = model.encoded_records(X, k=options.k, threshold=options.threshold, scores=options.scores)
            if encoded is not None:
                return "".join(f'{{"id": {encode_json(row.id)}, {fields}}}\n' for row, fields in zip(batch, encoded)), []
    records = tag_batch(batch, model, options)
    return jsonl_text(records), [record for record in records if "error" in record]


def _paragraph(row: Row) -> str | None:
    """The row's text when there is one to tag (None: an error record, from `text_of`)."""
    text = row.fields.get("text") if row.error is None else None
    return text if isinstance(text, str) and text and not text.isspace() else None


_WORKER_STATE: tuple | None = None


def _tag_in_worker(batch: list[Row]) -> list[dict[str, Any]]:
    model, options = _WORKER_STATE
    return tag_batch(batch, model, options)


def predict_file_jsonl(
    source: Source, model: Any, options: BatchOptions, *, jobs: int, batch_size: int = BATCH_SIZE
) -> Iterator[tuple[str, list[dict[str, Any]]]] | None:
    """JSONL output of a line-format file, as (text, its error records) chunks in input order.

    Raw lines are read in chunks; each chunk is parsed, tagged and encoded
    (`tag_batch_jsonl`). With `jobs` > 1, forked workers take the chunks, so
    the main process only reads bytes and writes text: the parallel part is
    the whole job, not only the tagging. None when the source is not a
    regular line-based file (CSV/TSV, a pipe): use `predict_rows` then.
    """
    if not source.is_regular_file:
        return None
    handle = open_source(source)  # opened once: whole-file problems raise here, before any output
    fmt = sniff_format(handle, source)
    if fmt in ("csv", "tsv"):
        handle.close()
        return None
    return _jsonl_chunks(handle, source, fmt, model, options, jobs, batch_size)


def _jsonl_chunks(handle, source, fmt, model, options, jobs, batch_size) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    if jobs <= 1 or not _can_fork():
        with handle:
            for chunk in _line_chunks(handle, batch_size):
                yield _tag_lines(chunk, model, options, source, fmt)
        return
    global _WORKER_STATE
    _WORKER_STATE = (model, options, source, fmt)  # inherited by the forked workers, not pickled
    context = multiprocessing.get_context("fork")
    with handle, context.Pool(jobs) as pool:
        yield from pool.imap(_tag_lines_in_worker, _line_chunks(handle, batch_size), chunksize=1)


def _line_chunks(handle, size: int) -> Iterator[tuple[int, list[bytes]]]:
    first = 1
    while lines := list(itertools.islice(handle, size)):
        yield first, lines
        first += len(lines)


def _tag_lines_in_worker(chunk: tuple[int, list[bytes]]) -> tuple[str, list[dict[str, Any]]]:
    return _tag_lines(chunk, *_WORKER_STATE)


def _tag_lines(
    chunk: tuple[int, list[bytes]], model, options: BatchOptions, source: Source, fmt: str
) -> tuple[str, list[dict[str, Any]]]:
    first, lines = chunk
    return tag_batch_jsonl(list(rows_from_lines(lines, source, fmt, first)), model, options)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def default_jobs(source: str | None) -> int:
    """All cores for a large regular file (over 5 MB), one process otherwise (pipes, short inputs)."""
    if source is None or source == "-":
        return 1
    try:
        large = os.path.getsize(source) > LARGE_INPUT_BYTES
    except OSError:
        return 1
    return (os.cpu_count() or 1) if large else 1


def predict_texts(
    texts: Sequence[str], model: Any = None, *, k: int | None = None, threshold: float | None = None
) -> list[dict[str, Any]]:
    """Tag a list of paragraphs with a model (default: the shipped one)."""
    if model is None:
        from classifier.persistence import load_predictor

        model, _ = load_predictor()
    return list(predict_rows(rows_from_texts(texts), model, k=k, threshold=threshold))


def fixed_batches(items: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Batches of `size` items (the last one shorter), for input that never waits."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def batches_as_available(items: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Batches of up to `size` items, never waiting for more once the input pauses.

    A reader thread fills a bounded queue; a batch is whatever is ready when
    the previous batch is done (at least one item). A file fills batches; a
    slow pipe gives batches of one, so each line is answered as it arrives.
    """
    pending: queue.Queue = queue.Queue(maxsize=size * 4)
    failure: list[BaseException] = []

    def fill() -> None:
        try:
            for item in items:
                pending.put(item)
        except BaseException as exc:  # re-raised in the consuming thread
            failure.append(exc)
        finally:
            pending.put(_END)

    threading.Thread(target=fill, daemon=True, name="wiretag-reader").start()
    done = False
    while not done:
        batch = [pending.get()]
        while len(batch) < size:
            try:
                batch.append(pending.get_nowait())
            except queue.Empty:
                break
        if batch[-1] is _END:
            batch.pop()
            done = True
        if batch:
            yield batch
    if failure:
        raise failure[0]
