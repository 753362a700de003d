"""A run's plain result: tables and metrics, no live model. Money is in yuan here."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.people import CONSUMER, DISTRIBUTOR, ROLE_NAMES
from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.model import SchemeModel

__version__ = "0.1.0"
MONEY_DAILY = ("gmv", "rewards", "platform_revenue", "platform_net", "merchant_revenue",
               "merchant_profit", "cash_held", "liabilities", "wallets_owed", "points_liability",
               "pool_liability", "escrow_held", "capital_injected", "cashed_out",
               "ledger_imbalance")


@dataclass
class RunResult:
    """What one run produced.

    ``daily``: one row per day (day 0 is the founders' day). ``people``: one row per person who
    ever joined. ``flows``: rewards by day × kind × paid depth × basis (join or sale) × whether
    the trigger was a participant. ``journal``: every reward (payee, trigger, depth), kept for
    markets up to 200,000 persons unless asked otherwise. ``metrics``: see :mod:`sim.metrics`.
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

    @cached_property
    def audit(self) -> list:
        """The pyramid-risk findings of every rule pack (:func:`sim.audit.audit`), on first use."""
        from sim.audit import audit
        return audit(self)

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


def organisation_levels(sponsor: np.ndarray, participant: np.ndarray) -> np.ndarray:
    """Persons on the longest participant chain above and including each participant.

    Counted on the recruitment (sponsor) tree, the organiser as level 1, as the 2013 opinion
    counts 层级; pass-ups and breakaways do not shorten it. Pointer doubling: O(n log height).
    """
    parent = np.where(participant & (sponsor >= 0), sponsor, -1)
    parent = np.where((parent >= 0) & participant[np.maximum(parent, 0)], parent, -1)
    links = (parent >= 0).astype(np.int64)
    anc = parent.copy()
    while (anc >= 0).any():
        has = anc >= 0
        safe = np.maximum(anc, 0)
        links = links + np.where(has, links[safe], 0)
        anc = np.where(has, anc[safe], -1)
    return np.where(participant, links + 1, 0)


JOURNAL_COLUMNS = ("day", "kind", "basis", "payee", "trigger", "depth", "amount")


def _journal(batches: list[tuple]) -> pd.DataFrame:
    """Every reward: one ledger batch (day, kind, basis, payees, triggers, depths, cents) a call."""
    if not batches:
        return pd.DataFrame(columns=list(JOURNAL_COLUMNS))
    sizes = [len(b[3]) for b in batches]
    table: dict[str, Any] = {"day": np.repeat([b[0] for b in batches], sizes)}
    for i, name in ((1, "kind"), (2, "basis")):  # a few labels, shared, not one string per row
        labels = sorted({b[i] for b in batches})
        codes = np.repeat([labels.index(b[i]) for b in batches], sizes)
        table[name] = np.array(labels, dtype=object)[codes]
    table |= {name: np.concatenate([b[i] for b in batches]) for i, name in enumerate(JOURNAL_COLUMNS[3:], 3)}
    table["amount"] = table["amount"] / 100
    return pd.DataFrame(table)


def collect(model: SchemeModel) -> RunResult:
    """Turn a finished model into a plain result."""
    p, ledger = model.people, model.ledger
    daily = pd.DataFrame(model.daily).fillna(0)
    money = [c for c in daily.columns if c in MONEY_DAILY or c in model.figure_keys
             or c.startswith(("flow_", "reward_"))]
    daily[money] = daily[money].astype(np.int64) / 100

    ids = p.order[:p.adopted].astype(np.int64)
    participant = p.role >= DISTRIBUTOR
    levels = organisation_levels(p.sponsor.astype(np.int64), participant)
    yuan = lambda a: a[ids] / 100  # noqa: E731
    people = pd.DataFrame({
        "id": ids,
        # Codes straight from the role column (consumer = 1 is code 0), not a string per person.
        "role": pd.Categorical.from_codes(p.role[ids].astype(np.int8) - CONSUMER,
                                          categories=list(ROLE_NAMES.values())[1:]),
        "rank": p.rank[ids],
        "sponsor": p.sponsor[ids],
        "team_owner": p.team_owner[ids],
        "founder": model.is_founder[ids],
        "join_day": p.join_day[ids],
        "participant_day": p.participant_day[ids],
        "exit_day": p.exit_day[ids],
        "level": levels[ids],
        "recruits": p.recruits[ids],
        "purchases": p.purchases[ids],
        "spend": yuan(p.paid),
        "spend_as_participant": yuan(p.paid_as_participant),  # qualifying package or fee included
        "entry_paid": yuan(p.entry_paid),
        "value_received": yuan(p.value),
        "value_received_as_participant": yuan(p.value_as_participant),
        "rewards": yuan(p.rewards),
        "cashed_out": yuan(p.cashed_out),
        "wallet": yuan(ledger.wallet),
        "net": (p.rewards[ids] + p.value[ids] - p.paid[ids]) / 100,
    })
    flows = pd.DataFrame(
        [(*key, amount / 100, count) for key, (amount, count) in sorted(ledger.flows.items())],
        columns=["day", "kind", "depth", "basis", "internal", "amount", "count"])
    journal = _journal(ledger.journal) if ledger.journal is not None else None
    merchants = pd.DataFrame({
        "merchant": [m.index for m in model.merchants],
        "unit_cost": [m.unit_cost / 100 for m in model.merchants],
        "appeal": [m.appeal for m in model.merchants],
        "active": [m.active for m in model.merchants],
        "exit_day": [m.exit_day for m in model.merchants],
        "balance": ledger.merchant / 100,
    })
    from sim.metrics import compute
    result = RunResult(model.scenario, model.seed, daily, people, flows, merchants, journal,
                       code_version())
    result.metrics = compute(result)
    return result
