"""Writing records: JSONL to a file (atomically) or a stream, or a table for people."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from classifier.errors import WiretagError


@contextlib.contextmanager
def atomic_output(path: str | Path | None) -> Iterator[TextIO]:
    """A text stream for `path` that appears under its name only once complete.

    Records go to a temporary file beside the target, renamed over it when the
    block ends without error; a crash or a kill leaves the target untouched
    (the `.partial` file says what it is). `None` or `-` is standard output.
    """
    if path is None or str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if target.is_dir():
        raise WiretagError("is a directory; give a file name for the output", path=target)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent or ".")
    except FileNotFoundError:
        raise WiretagError("output folder does not exist", path=target.parent) from None
    except OSError as exc:
        raise WiretagError(f"cannot write here ({exc.strerror})", path=target) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


encode_json = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode  # how every record is written


def jsonl_text(records: Iterable[dict[str, Any]]) -> str:
    """Records as JSONL text, for workers that hand back finished output."""
    return "".join(encode_json(record) + "\n" for record in records)


def write_jsonl(records: Iterable[dict[str, Any]], handle: TextIO, *, flush_each: bool = False) -> None:
    """One JSON object per line; whole lines only, flushed per record in a pipe."""
    for record in records:
        handle.write(encode_json(record) + "\n")
        if flush_each:
            handle.flush()


def format_table(rows: list[list[str]], header: list[str]) -> str:
    """A plain fixed-width table, for terminals."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    line = "  ".join("{:<" + str(w) + "}" for w in widths)
    out = [line.format(*header), line.format(*("-" * w for w in widths))]
    out += [line.format(*row) for row in rows]
    return "\n".join(s.rstrip() for s in out)


def record_row(record: dict[str, Any], width: int = 60) -> list[str]:
    """A predict record as table cells: id, labels (with scores), topic."""
    if "error" in record:
        return [str(record["id"]), f"error: {record['error']}", ""]
    scores = record.get("scores", {})
    labels = ", ".join(f"{label} {scores[label]:.2f}" if label in scores else label for label in record.get("labels", []))
    topic = f"{record['topic']} {record['topic_score']:.2f}" if "topic" in record else ""
    return [str(record["id"]), (labels or "-")[:width], topic]
