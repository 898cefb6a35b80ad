"""One timing rule for every benchmark: the best of a few runs, after a warm-up."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_seconds(call: Callable[[], object], repeats: int = 3, warm_up: Callable[[], object] | None = None) -> float:
    """The fastest of `repeats` runs of `call`, in seconds (noise only ever adds time)."""
    if warm_up is not None:
        warm_up()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best
