"""Recruitment-stop stress test: what happens to pay when no one new can join the scheme.

The same scenario is rerun from the same seed with qualification switched off from
``stop_day``: customers still adopt and buy, but no one new becomes a participant. Every
random draw is made as before, so the first ``stop_day - 1`` days are identical to the
baseline and any difference after is the stop's doing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.measures import Measured
from sim.model import SchemeModel
from sim.result import RunResult
from sim.runner import collect, run
from sim.scenario import Scenario, load_scenario

WINDOW = 30          # days compared on each side of the stop
COLLAPSE_DROP = 0.8  # payouts falling by 80% or more count as a collapse
COMPARED = ("participants", "participants_net_total", "share_losing_money", "cash_held_end",
            "capital_injected")


class RecruitmentStop(SchemeModel):
    """The model with qualification refused from ``stop_day`` on (the engine is unchanged)."""

    def __init__(self, scenario: Scenario, *, seed: int, stop_day: int, journal: bool | None = None) -> None:
        self.stop_day = stop_day
        super().__init__(scenario, seed=seed, journal=journal)

    def _qualify(self, joiners: np.ndarray) -> None:
        if self.day < self.stop_day:
            super()._qualify(joiners)


@dataclass(frozen=True)
class StressTest:
    stop_day: int
    window: int
    baseline: RunResult
    stopped: RunResult

    def _mean(self, result: RunResult, column: str, start: int, end: int) -> float:
        d = result.daily
        if column not in d.columns:
            return 0.0
        return float(d.loc[(d["day"] >= start) & (d["day"] < end), column].mean())

    @property
    def payouts_before(self) -> float:
        """Mean daily rewards in the window before the stop (the same in both runs)."""
        return self._mean(self.baseline, "rewards", self.stop_day - self.window, self.stop_day)

    @property
    def payouts_after(self) -> float:
        return self._mean(self.stopped, "rewards", self.stop_day, self.stop_day + self.window)

    @property
    def payouts_after_baseline(self) -> float:
        return self._mean(self.baseline, "rewards", self.stop_day, self.stop_day + self.window)

    @property
    def payout_drop(self) -> float:
        before = self.payouts_before
        return 1 - self.payouts_after / before if before > 0 else 0.0

    @property
    def collapse(self) -> bool:
        return self.payouts_before > 0 and self.payout_drop >= COLLAPSE_DROP

    def rows(self) -> list[tuple[str, float, float]]:
        """(measure key, baseline, recruitment stopped): the window means after the stop day,
        then measures of the two whole runs (:mod:`sim.measures` names them)."""
        after = self.stop_day, self.stop_day + self.window
        out = [("payouts_after_stop", self.payouts_after_baseline, self.payouts_after),
               ("gmv_after_stop", self._mean(self.baseline, "gmv", *after),
                self._mean(self.stopped, "gmv", *after))]
        base, stopped = Measured(self.baseline), Measured(self.stopped)
        return out + [(k, float(base[k]), float(stopped[k])) for k in COMPARED]

    def to_dict(self) -> dict:
        return {"stop_day": self.stop_day, "window": self.window, "payouts_before": self.payouts_before,
                "payouts_after": self.payouts_after, "payout_drop": self.payout_drop,
                "collapse": self.collapse,
                "rows": [{"measure": k, "baseline": b, "stopped": s} for k, b, s in self.rows()]}


def stress_test(scenario: str | Path | dict | Scenario, *, seed: int, stop_day: int,
                days: int | None = None, market_size: int | None = None,
                baseline: RunResult | None = None) -> StressTest:
    """Rerun ``scenario`` with recruitment stopped on ``stop_day`` and compare with the
    baseline (pass ``baseline`` if it has already been run with the same settings)."""
    s = load_scenario(scenario)
    changes = {k: v for k, v in (("days", days), ("size", market_size)) if v is not None}
    if changes:
        s = s.with_market(**changes)
    if not 1 <= stop_day < s.market.days:
        raise ValueError(f"stop_day must be between 1 and {s.market.days - 1} (the run has "
                         f"{s.market.days} days), got {stop_day}")
    if baseline is None:
        baseline = run(s, seed=seed)
    model = RecruitmentStop(s, seed=seed, stop_day=stop_day)
    try:
        model.run_days(s.market.days)
        stopped = collect(model)
    finally:
        model.release()
    window = max(1, min(WINDOW, stop_day, s.market.days - stop_day))
    return StressTest(stop_day, window, baseline, stopped)
