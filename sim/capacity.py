"""Will a run fit in this machine's memory? Checked before the model allocates anything.

The estimate is the peak resident memory of one run: the interpreter and imports, about 450
bytes per person (people columns, hazards, books, and the result tables built at the end)
and, in a community market, about 32 bytes per contact a person picks (each tie is stored
twice, and building the lists needs about as much again). It is meant to err high; the
benchmarks in bench/RESULTS.md print it beside the measured peak.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sim.errors import ScenarioError

if TYPE_CHECKING:
    from sim.scenario import Scenario

BASE_BYTES = 200_000_000   # interpreter, numpy, pandas, Mesa
PERSON_BYTES = 450
PICK_BYTES = 32


def run_bytes(scenario: Scenario) -> int:
    """Estimated peak memory of one run of ``scenario``, in bytes."""
    m = scenario.market
    picks = m.contacts_within + m.contacts_between if m.network == "community" else 0
    return BASE_BYTES + m.size * (PERSON_BYTES + PICK_BYTES * picks)


def available_bytes() -> int | None:
    """Memory the system can give a new process now (Linux ``MemAvailable``), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(scenario: Scenario, *, runs: int = 1) -> None:
    """Raise :class:`ScenarioError` on ``market.size`` when ``runs`` runs of ``scenario`` at
    once would not fit in the memory available, naming the largest size that would."""
    need, free = run_bytes(scenario) * runs, available_bytes()
    if free is None or need <= free:
        return
    per_person = (run_bytes(scenario) - BASE_BYTES) / scenario.market.size
    fits = max(int((free / runs - BASE_BYTES) / per_person), 0)
    fits -= fits % 10 ** max(len(str(fits)) - 2, 0)  # two significant figures, rounded down
    many = f"{runs} runs at once of " if runs > 1 else ""
    many_zh = f"同时运行 {runs} 次" if runs > 1 else ""
    raise ScenarioError(
        scenario.source, "market.size",
        f"{many}{scenario.market.size:,} persons need about {need / 1e9:.1f} GB of memory; "
        f"this machine has {free / 1e9:.1f} GB available, enough for about {fits:,} persons",
        zh=f"{many_zh}{scenario.market.size:,} 人约需 {need / 1e9:.1f} GB 内存;本机可用 "
           f"{free / 1e9:.1f} GB,约可容纳 {fits:,} 人")
