"""Tagging as plain functions: rows in, one record per row out, in order.

The CLI's `predict` is a thin layer over `predict_rows`; Python users call
`predict_texts`. Rows are scored in batches (one sparse product per batch),
and a batch is cut short when the input pauses, so a record follows its line
at once in a pipe.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from classifier.records import Row, rows_from_texts, text_of

BATCH_SIZE = 1024
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
) -> Iterator[dict[str, Any]]:
    """One record per row: `{"id", "labels", "scores", ...}`, or `{"id", "error"}`.

    With `explain_top`, each record also gets `explanations`: the n-grams that
    pushed each predicted label's score most (see `classifier.explain`).
    """
    for batch in batches_as_available(rows, batch_size):
        texts: list[str] = []
        records: list[dict[str, Any]] = []
        slots: list[int] = []
        for row in batch:
            text, error = text_of(row)
            record: dict[str, Any] = {"id": row.id}
            if error is not None:
                record["error"] = error
            else:
                if max_chars is not None and len(text) > max_chars:
                    text = text[:max_chars]
                    record["warning"] = f"text cut to the first {max_chars} characters (--max-chars)"
                slots.append(len(records))
                texts.append(text)
            records.append(record)
        for slot, predicted in zip(slots, model.predict(texts, k=k, threshold=threshold, scores=scores)):
            warning = records[slot].pop("warning", None)
            records[slot].update(predicted)
            if warning:
                records[slot]["warning"] = warning
        if explain_top and texts:
            from classifier.explain import explain

            for slot, explanations in zip(slots, explain(model, texts, top=explain_top, labels=explain_labels)):
                records[slot]["explanations"] = explanations
        yield from records


def predict_texts(
    texts: Sequence[str], model: Any = None, *, k: int | None = None, threshold: float | None = None
) -> list[dict[str, Any]]:
    """Tag a list of paragraphs with a model (default: the shipped one)."""
    if model is None:
        from classifier.persistence import load_model

        model, _ = load_model()
    return list(predict_rows(rows_from_texts(texts), model, k=k, threshold=threshold))


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
