"""The project's own JSONL files (batches, splits, review records), read whole.

The project wrote them and tests check them, so they are read without the
per-line error handling that user data gets (`classifier.records`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_records(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file, blank lines skipped."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
