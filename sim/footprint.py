"""How much memory a run will need, estimated from its scenario before anything is allocated.

A run's peak is set by its market: the person columns, and above all the contact network while
its edge lists are built and sorted. Days hardly matter (the daily rows are small), nor does
the business model (its per-person columns are a few of the same size). Measured peaks (RSS
above the interpreter's, numpy 2.4, one process):

    persons    contacts  measured  estimate
    1,000,000      0       222 MiB   305 MiB
    1,000,000     10     1,125 MiB 1,354 MiB
    1,000,000     20     2,251 MiB 2,403 MiB
    1,000,000     50     5,245 MiB 5,550 MiB
      200,000     10       318 MiB   410 MiB (a year, the journal of every reward kept)

The estimate is meant to be a little high: it is used to refuse a run that cannot fit, and a
run refused wrongly costs less than a machine that starts swapping.

    >>> from sim import load_scenario
    >>> format_bytes(run_bytes(load_scenario("retail_baseline")))
    '34.0 MiB'
"""

from __future__ import annotations

import re
from pathlib import Path

from sim.scenario import Scenario

PROCESS_BYTES = 200 * 2**20    # Python, numpy, pandas and the engine, before any market exists
PERSON_BYTES = 320             # a person's columns in the engine and in the result
CONTACT_BYTES = 110            # per person and contact: the network's edge lists as they are built
JOURNAL_BYTES = 2              # per person and day: reward rows, when the journal is kept
RUN_DAY_BYTES = 1_024          # per run and day: a sweep's daily table as the parent keeps it
_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 2**10, "kib": 2**10, "m": 2**20, "mb": 2**20,
          "mib": 2**20, "g": 2**30, "gb": 2**30, "gib": 2**30, "t": 2**40, "tb": 2**40, "tib": 2**40}


def run_bytes(scenario: Scenario, *, journal: bool | None = None) -> int:
    """Estimated peak memory of one run of ``scenario`` above the process's own, in bytes.
    ``journal``: whether every reward row is kept (default: as :func:`sim.run` decides)."""
    from sim.model import JOURNAL_LIMIT
    m = scenario.market
    contacts = m.contacts_within + m.contacts_between if m.network == "community" else 0
    keeps = m.size <= JOURNAL_LIMIT if journal is None else journal
    return (m.size * (PERSON_BYTES + CONTACT_BYTES * contacts)
            + (m.size * m.days * JOURNAL_BYTES if keeps else 0))


def sweep_bytes(scenarios: list[Scenario], *, runs_each: int, workers: int) -> int:
    """Estimated peak memory of a sweep on this machine: ``workers`` processes each running
    the largest of ``scenarios`` (1: this process runs them; 0: a cluster does), and this
    process keeping every run's daily table."""
    largest = max(run_bytes(s, journal=False) for s in scenarios)
    kept = sum(runs_each * (s.market.days + 1) * RUN_DAY_BYTES for s in scenarios)
    return kept + (largest if workers == 1 else workers * (PROCESS_BYTES + largest))


def available_bytes() -> int | None:
    """Memory this process can still use: the system's available memory, or less where a
    container (cgroup) limits it; None where neither can be read."""
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
