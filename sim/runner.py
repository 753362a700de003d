"""``sim.run``: one scenario, one seed, one plain result."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from sim.model import SchemeModel
from sim.result import RunResult, collect
from sim.scenario import Scenario, load_scenario


def run(scenario: str | Path | dict | Scenario, *, seed: int = 0, days: int | None = None,
        market_size: int | None = None, journal: bool | None = None,
        progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Run a scenario for ``days`` (default: the file's) on ``market_size`` persons.

    The same ``seed`` gives the same result, bit for bit. ``journal`` keeps every reward row
    (default: only for markets up to 200,000 persons). Bad values raise
    :class:`~sim.errors.ScenarioError` naming the key.
    """
    s = load_scenario(scenario)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    changes = {k: v for k, v in (("days", days), ("size", market_size)) if v is not None}
    if changes:
        s = s.with_market(**changes)
    model = SchemeModel(s, seed=seed, journal=journal)
    try:
        model.run_days(s.market.days, progress)
        return collect(model)
    finally:
        model.release()
