"""Will a run fit in memory? Estimated from the scenario, checked before anything is allocated.

A run's peak is set by its market: about 450 bytes per person (people columns, hazards, books,
and the result tables built at the end) and, in a community market, about 32 bytes per contact
a person picks (each tie is stored twice, and building the lists needs about as much again);
the journal of every reward, when kept, adds about 2 bytes per person and day. Days hardly
matter otherwise, nor does the business model. Each process also carries the interpreter and
its imports (``PROCESS_BYTES``). The estimate is meant to err high: a run refused wrongly costs
less than a machine that starts swapping; bench/RESULTS.md prints it beside measured peaks.

    >>> from sim import load_scenario
    >>> format_bytes(run_bytes(load_scenario("retail_baseline")))
    '21.6 MiB'
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import ScenarioError

if TYPE_CHECKING:
    from sim.scenario import Scenario

PROCESS_BYTES = 200_000_000  # Python, numpy, pandas, Mesa and the engine, before any market
PERSON_BYTES = 450
PICK_BYTES = 32              # per person and contact picked, in a community network
JOURNAL_BYTES = 2            # per person and day: reward rows, when the journal is kept
RUN_DAY_BYTES = 1_024        # per run and day: a sweep's daily table as the parent keeps it
JOURNAL_LIMIT = 200_000      # sim.run keeps every reward row only in markets this small
_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 2**10, "kib": 2**10, "m": 2**20, "mb": 2**20,
          "mib": 2**20, "g": 2**30, "gb": 2**30, "gib": 2**30, "t": 2**40, "tb": 2**40, "tib": 2**40}


def run_bytes(scenario: Scenario, *, journal: bool | None = None) -> int:
    """Estimated peak memory of one run of ``scenario`` above its process's own, in bytes.
    ``journal``: whether every reward row is kept (default: as :func:`sim.run` decides)."""
    m = scenario.market
    picks = m.contacts_within + m.contacts_between if m.network == "community" else 0
    keeps = m.size <= JOURNAL_LIMIT if journal is None else journal
    return m.size * (PERSON_BYTES + PICK_BYTES * picks) + (m.size * m.days * JOURNAL_BYTES if keeps else 0)


def sweep_bytes(scenarios: list[Scenario], *, runs_each: int, workers: int) -> int:
    """Estimated peak memory of a sweep on this machine: ``workers`` processes each running the
    largest of ``scenarios`` (1: this process runs them; 0: a cluster does), and this process
    keeping every run's daily table."""
    largest = max(run_bytes(s, journal=False) for s in scenarios)
    kept = sum(runs_each * (s.market.days + 1) * RUN_DAY_BYTES for s in scenarios)
    return kept + (largest if workers == 1 else workers * (PROCESS_BYTES + largest))


def available_bytes() -> int | None:
    """Memory this process can still use: the system's available memory (``MemAvailable``),
    or less where a container (cgroup) limits it; None where neither can be read."""
    found = []
    try:
        info = Path("/proc/meminfo").read_text()
        found.append(int(re.search(r"^MemAvailable:\s+(\d+) kB", info, re.M).group(1)) * 1024)
    except (OSError, AttributeError, ValueError):
        pass
    for limit, usage in (("memory.max", "memory.current"),  # cgroup v2
                         ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes")):
        try:
            cap = (Path("/sys/fs/cgroup") / limit).read_text().strip()
            used = int((Path("/sys/fs/cgroup") / usage).read_text())
        except (OSError, ValueError):
            continue
        if cap.isdigit() and int(cap) < 2**60:  # "max", or v1's huge number: no limit
            found.append(max(int(cap) - used, 0))
    return min(found) if found else None


def check_memory(scenario: Scenario, *, runs: int = 1, limit: int | None = None) -> None:
    """Raise :class:`ScenarioError` on ``market.size`` when ``runs`` runs of ``scenario`` at
    once (the first in this process, the others in processes of their own) would need more
    than ``limit`` bytes (default: what is available now), naming the largest size that fits."""
    one = run_bytes(scenario)
    need = runs * one + (runs - 1) * PROCESS_BYTES
    free = available_bytes() if limit is None else limit
    if free is None or need <= free:
        return
    per_person = one / scenario.market.size
    fits = max(int((free - (runs - 1) * PROCESS_BYTES) / runs / per_person), 0)
    fits -= fits % 10 ** max(len(str(fits)) - 2, 0)  # two significant figures, rounded down
    many = f"{runs} runs at once of " if runs > 1 else ""
    many_zh = f"同时运行 {runs} 次" if runs > 1 else ""
    where, where_zh = (("this machine has", "本机可用") if limit is None else ("the limit is", "上限为"))
    raise ScenarioError(
        scenario.source, "market.size",
        f"{many}{scenario.market.size:,} persons need about {format_bytes(need)} of memory; "
        f"{where} {format_bytes(free)}, enough for about {fits:,} persons",
        zh=f"{many_zh}{scenario.market.size:,} 人约需 {format_bytes(need)} 内存;{where_zh} "
           f"{format_bytes(free)},约可容纳 {fits:,} 人")


# Persons from which freed arrays are kept for reuse (see reuse_freed_memory). Measured: 12%
# off the daily loop and the result at 3,000,000; nothing at 1,000,000, for 60 MB more peak.
# Above the dashboard's largest market, so its long-lived server keeps glibc's defaults.
LARGE_MARKET = 3_000_000
_TRIM_THRESHOLD, _MMAP_THRESHOLD = -1, -3  # mallopt(3)'s M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
_libc = None


def _glibc():
    """The C library when it is glibc (mallopt and malloc_trim), else None."""
    global _libc
    if _libc is None:
        import ctypes
        import platform
        _libc = False
        if platform.libc_ver()[0] == "glibc":
            with contextlib.suppress(OSError, AttributeError):
                lib = ctypes.CDLL(None)
                _libc = lib if lib.mallopt and lib.malloc_trim else False
    return _libc or None


def reuse_freed_memory(persons: int) -> None:
    """In a market this large, let freed arrays be reused rather than unmapped.

    glibc maps every block above its mmap threshold afresh and unmaps it when freed, and hands
    a large free top of its heap back to the system; both thresholds adapt, the first up to
    32 MB. At millions of persons (a column is 8 bytes a person) each day's temporaries are
    so mapped, faulted in page by page and given back again, every day. Thresholds of 1 GiB
    keep them in the heap for the next day; :func:`give_back_freed_memory` returns what is
    free after the run. Figures in bench/RESULTS.md.
    """
    libc = _glibc()
    if libc and persons >= LARGE_MARKET:
        libc.mallopt(_MMAP_THRESHOLD, 1 << 30)
        libc.mallopt(_TRIM_THRESHOLD, 1 << 30)


def give_back_freed_memory(persons: int) -> None:
    """After a run in a market this large, return the heap's free pages to the system."""
    libc = _glibc()
    if libc and persons >= LARGE_MARKET:
        libc.malloc_trim(0)


def parse_bytes(text: str) -> int:
    """``"8G"``, ``"512 MiB"`` or ``"1000000"`` as a number of bytes.

    >>> parse_bytes("1.5G") == 3 * 2**29
    True
    """
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = found and _UNITS.get(found.group(2).lower())
    if not unit:
        raise ValueError(f"expected a size such as 8G, 512M or 1000000 (bytes), got {text!r}")
    return int(float(found.group(1)) * unit)


def format_bytes(n: float) -> str:
    """``n`` bytes for a reader: ``"11.6 GiB"``.

    >>> format_bytes(3 * 2**29)
    '1.5 GiB'
    """
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{int(n)} bytes"
