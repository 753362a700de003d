"""A small progress bar on stderr, shown only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Call with (done, total). Silent unless ``stream`` is a TTY and ``enabled``.

    ``unit`` names what is counted: days of one run, or runs of a sweep.
    """

    def __init__(self, label: str, *, enabled: bool = True, stream: TextIO | None = None,
                 unit: str = "day") -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.label = label
        self.unit = unit
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
        eta = _clock(elapsed / done * (total - done)) if done else "   ?"  # nothing to go on yet
        bar = "#" * (pct // 4) + "-" * (25 - pct // 4)
        self.stream.write(f"\r{self.label} [{bar}] {pct:3d}% {self.unit} {done}/{total} "
                          f"eta {eta}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    """``  12s`` under a minute (as a single run shows it), else ``m:ss`` or ``h:mm:ss``."""
    if seconds < 60:
        return f"{seconds:4.0f}s"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"
