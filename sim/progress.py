"""A small progress bar on stderr, shown only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Call with (done, total). Silent unless ``stream`` is a TTY and ``enabled``."""

    def __init__(self, label: str, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.label = label
        self.start = time.monotonic()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        pct = done * 100 // max(total, 1)
        if pct == self.shown and done < total:
            return
        self.shown = pct
        elapsed = time.monotonic() - self.start
        eta = elapsed / done * (total - done) if done else 0.0
        bar = "#" * (pct // 4) + "-" * (25 - pct // 4)
        self.stream.write(f"\r{self.label} [{bar}] {pct:3d}% day {done}/{total} eta {eta:4.0f}s")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
