"""A run's plain result: tables and metrics, no live model. Money is in yuan here."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from sim.scenario import Scenario

__version__ = "0.1.0"
MONEY_DAILY = ("gmv", "rewards", "platform_revenue", "platform_net", "merchant_revenue",
               "merchant_profit", "cash_held", "liabilities", "wallets_owed", "points_liability",
               "pool_liability", "escrow_held", "capital_injected", "cashed_out",
               "ledger_imbalance")


@dataclass
class RunResult:
    """What one run produced: plain tables and the run's metrics, nothing that calls back.

    ``daily``: one row per day (day 0 is the founders' day). ``people``: one row per person who
    ever joined. ``flows``: rewards by day × kind × paid depth × basis (join or sale) × whether
    the trigger was a participant × whether it is team pay. ``journal``: every reward (payee,
    trigger, depth), kept for markets up to 200,000 persons unless asked otherwise.
    ``metrics``: the measures of :data:`sim.metrics.METRIC_KEYS` and more (:mod:`sim.measures`);
    the audit is ``sim.audit(result)``.
    """
    scenario: Scenario
    seed: int
    daily: pd.DataFrame
    people: pd.DataFrame
    flows: pd.DataFrame
    merchants: pd.DataFrame
    journal: pd.DataFrame | None
    code_version: str
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return self.scenario.market.days

    @property
    def market_size(self) -> int:
        return self.scenario.market.size


@lru_cache(maxsize=None)
def code_version(package: Path = Path(__file__).parent) -> str:
    """Package version, plus the git commit when run from a checkout, marked ``.dirty`` when
    the package's tracked files differ from that commit (the commit alone would not reproduce
    the run). Read once per process: a process runs the code it imported."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, timeout=5,
                              cwd=package).stdout.strip()
    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = bool(commit) and bool(git("status", "--porcelain", "--untracked-files=no", "--", "."))
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", False
    return f"{__version__}+{commit}{'.dirty' if dirty else ''}" if commit else __version__
