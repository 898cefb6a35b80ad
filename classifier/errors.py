"""Errors a user can act on: each prints as one line naming file, line and field."""

from __future__ import annotations

from pathlib import Path


ERRORS_SHOWN = 10  # bad lines named on stderr, per run (predict, explain) or per file (batch); the rest are counted


class WiretagError(Exception):
    """Bad usage or unreadable input: the CLI prints it and exits with `exit_code`."""

    exit_code = 2

    def __init__(
        self, message: str, *, path: str | Path | None = None, line: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.field = field

    @classmethod
    def of_record(cls, record: dict, path: str | Path | None) -> WiretagError:
        """The error of a predict error record (`{"id", "line", "error", "field"}`) read from `path`."""
        path = "<stdin>" if path == "-" else path
        return cls(record["error"], path=path, line=record.get("line"), field=record.get("field"))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"field '{self.field}': " if self.field else ""
        return f"{where}{field}{self.message}"


class ModelError(WiretagError):
    """A model directory that is missing, altered or not ours to load."""
