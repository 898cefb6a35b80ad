"""Reading paragraphs and labelled rows from JSONL, CSV, TSV and plain text.

Readers yield one `Row` per input record, in order, and never raise for a
bad record: a line that cannot be decoded or parsed becomes a `Row` with an
`error`, so one bad line never costs the others. Only problems with the file
as a whole (missing, a directory, binary, a CSV without a `text` column) raise
`WiretagError`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from classifier.errors import WiretagError

FORMATS = ("auto", "jsonl", "csv", "tsv", "txt")
ENCODING_ERRORS = ("strict", "replace", "ignore")
STDIN = "-"
SUFFIX_FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "txt",
}
_BINARY_SAMPLE = 8192
csv.field_size_limit(sys.maxsize)


@dataclass
class Row:
    """One input record: its fields, or why it could not be read."""

    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_field: str | None = None

    @property
    def id(self) -> Any:
        value = self.fields.get("id")
        return self.line if value is None or value == "" else value


@dataclass
class Source:
    """Where rows come from: a path, or `-` for standard input."""

    name: str
    format: str = "auto"
    encoding: str = "utf-8"
    encoding_errors: str = "strict"

    @property
    def is_stdin(self) -> bool:
        return self.name == STDIN

    @property
    def is_regular_file(self) -> bool:
        """A file on disk, as opposed to standard input, a pipe or a device: its lines never wait."""
        if self.is_stdin:
            return False
        try:
            return stat.S_ISREG(os.stat(self.name).st_mode)
        except OSError:
            return False

    def resolved_format(self, first_bytes: bytes = b"") -> str:
        if self.format != "auto":
            return self.format
        if not self.is_stdin:
            suffix = Path(self.name).suffix.lower()
            if suffix in SUFFIX_FORMATS:
                return SUFFIX_FORMATS[suffix]
        return "jsonl" if first_bytes.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "txt"


def open_source(source: Source) -> BinaryIO:
    """The byte stream of a source, with the whole-file problems as one clear error."""
    if source.is_stdin:
        return sys.stdin.buffer
    path = Path(source.name)
    if path.is_dir():
        raise WiretagError("is a directory, not a file", path=path)
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise WiretagError("no such file", path=path) from None
    except OSError as exc:
        raise WiretagError(f"cannot open ({exc.strerror})", path=path) from None
    sample = handle.peek(_BINARY_SAMPLE)[:_BINARY_SAMPLE] if hasattr(handle, "peek") else b""
    if _looks_binary(sample):
        handle.close()
        raise WiretagError("looks like a binary file, not text (NUL and control bytes in its first block)", path=path)
    return handle


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b") + b"\x7f"


def _looks_binary(sample: bytes) -> bool:
    """NUL bytes among many control bytes in the first block: not text.

    A text file with one stray NUL is still text (that line gets an error
    record); UTF-16 text, which is mostly NULs here, counts as binary: pass
    --encoding utf-16 after converting, or convert it to UTF-8.
    """
    if b"\x00" not in sample:
        return False
    nuls = sample.count(b"\x00")
    controls = sum(sample.count(bytes([b])) for b in _CONTROL_BYTES)
    return nuls >= 2 and (nuls * 100 >= len(sample) or controls * 20 >= len(sample))


def sniff_format(handle: BinaryIO, source: Source) -> str:
    """The source's format, from its name or its first bytes (peeked, not consumed)."""
    return source.resolved_format(handle.peek(64)[:64] if hasattr(handle, "peek") else b"")


def read_rows(source: Source) -> Iterator[Row]:
    """Every record of a source, in order, each read or marked with its error."""
    handle = open_source(source)
    try:
        fmt = sniff_format(handle, source)
        if fmt in ("csv", "tsv"):
            yield from _read_delimited(handle, source, "," if fmt == "csv" else "\t")
        else:
            yield from rows_from_lines(handle, source, fmt)
    finally:
        if not source.is_stdin:
            handle.close()


def rows_from_lines(lines: Iterable[bytes], source: Source, fmt: str, first_number: int = 1) -> Iterator[Row]:
    """Rows of raw JSONL or text lines numbered from `first_number`; parallel workers call it on chunks."""
    for number, raw in enumerate(lines, start=first_number):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw = raw.rstrip(b"\r\n")
        try:
            line = raw.decode(source.encoding, errors=source.encoding_errors)
        except UnicodeDecodeError as exc:
            yield Row(
                number,
                error=f"invalid {source.encoding} at byte {exc.start + 1} "
                "(pass --encoding, or --encoding-errors replace)",
            )
            continue
        if "\x00" in line:
            yield Row(number, error="NUL byte in line", error_field="text")
        elif fmt == "txt":
            yield Row(number, {"text": line})
        else:
            yield _json_row(number, line)


def _json_row(number: int, line: str) -> Row:
    if not line.strip():
        return Row(number, error="empty line, expected a JSON object")
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return Row(number, error=f"malformed JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(value, dict):
        return Row(number, error=f"expected a JSON object, got {type(value).__name__}")
    return Row(number, value)


def _read_delimited(handle: BinaryIO, source: Source, delimiter: str) -> Iterator[Row]:
    text = io.TextIOWrapper(handle, encoding=source.encoding, errors=source.encoding_errors, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        try:
            header = next(reader)
        except StopIteration:
            return
        header = [name.lstrip("\ufeff").strip() for name in header]
        if "text" not in header:
            raise WiretagError(
                f"no 'text' column; columns found: {', '.join(header) or '(none)'}", path=source.name, line=1
            )
        start = reader.line_num + 1
        for values in reader:
            if len(values) != len(header):
                yield Row(start, error=f"{len(values)} columns where the header has {len(header)}")
            else:
                yield Row(start, dict(zip(header, values)))
            start = reader.line_num + 1
    except UnicodeDecodeError:
        raise WiretagError(
            f"invalid {source.encoding} near line {reader.line_num + 1} "
            "(pass --encoding, or --encoding-errors replace)",
            path=source.name,
        ) from None
    except csv.Error as exc:
        raise WiretagError(f"unreadable CSV near line {reader.line_num}: {exc}", path=source.name) from None
    finally:
        text.detach()


def error_record(row: Row) -> dict[str, Any]:
    """The output record of a row that cannot be tagged: its id, its input line, the field at fault, why."""
    _, message = text_of(row)
    field_name = row.error_field if row.error else "text"  # a whole-line problem (bad JSON) has no field
    record: dict[str, Any] = {"id": row.id, "line": row.line, "error": message}
    if field_name:
        record["field"] = field_name
    return record


def text_of(row: Row) -> tuple[str | None, str | None]:
    """The paragraph of a row, or why it has none."""
    if row.error:
        return None, row.error
    value = row.fields.get("text")
    if value is None:
        return None, "missing 'text'"
    if not isinstance(value, str):
        return None, f"'text' must be a string, got {type(value).__name__}"
    if not value.strip():
        return None, "empty text"
    return value, None


def rows_from_texts(texts: Iterable[str]) -> Iterator[Row]:
    """Rows for texts given on the command line or from Python, numbered from 1."""
    for number, text in enumerate(texts, start=1):
        yield Row(number, {"text": text})
