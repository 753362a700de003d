"""``sim.run``: one scenario, one seed, one plain result (:func:`collect` turns a finished
model into it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from sim.measures import organisation_levels
from sim.metrics import compute
from sim.model import SchemeModel
from sim.people import CONSUMER, ROLE_NAMES
from sim.result import MONEY_DAILY, RunResult, code_version
from sim.scenario import Scenario, load_scenario

JOURNAL_COLUMNS = ("day", "kind", "basis", "payee", "trigger", "depth", "amount", "team")


def run(scenario: str | Path | dict | Scenario, *, seed: int = 0, days: int | None = None,
        market_size: int | None = None, journal: bool | None = None,
        progress: Callable[[int, int], None] | None = None,
        memory_limit: int | None = None) -> RunResult:
    """Run a scenario for ``days`` (default: the file's) on ``market_size`` persons.

    The same ``seed`` gives the same result, bit for bit. ``journal`` keeps every reward row
    (default: only for markets up to 200,000 persons). Bad values raise
    :class:`~sim.errors.ScenarioError` naming the key, and so does a market estimated to
    need more memory than ``memory_limit`` bytes (default: what is available), before
    anything is allocated.
    """
    s = load_scenario(scenario)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    changes = {k: v for k, v in (("days", days), ("size", market_size)) if v is not None}
    if changes:
        s = s.with_market(**changes)
    model = SchemeModel(s, seed=seed, journal=journal, memory_limit=memory_limit)
    try:
        model.run_days(s.market.days, progress)
        return collect(model)
    finally:
        model.release()


def _journal(batches: list[tuple]) -> pd.DataFrame:
    """Every reward: one ledger batch (day, kind, basis, payees, triggers, depths, cents, team)
    a call."""
    if not batches:
        return pd.DataFrame(columns=list(JOURNAL_COLUMNS))
    sizes = [len(b[3]) for b in batches]
    table: dict[str, Any] = {"day": np.repeat([b[0] for b in batches], sizes)}
    for i, name in ((1, "kind"), (2, "basis")):  # a few labels, shared, not one string per row
        labels = sorted({b[i] for b in batches})
        table[name] = _label_column(labels, np.repeat([labels.index(b[i]) for b in batches], sizes))
    table |= {name: np.concatenate([b[i] for b in batches]) for i, name in enumerate(JOURNAL_COLUMNS[3:], 3)}
    table["amount"] = table["amount"] / 100
    return pd.DataFrame(table, copy=False)  # fresh arrays: stacking them into blocks is a copy


def _label_column(labels: list[str], codes: np.ndarray) -> Any:
    """``labels[codes]`` as the string column pandas would make of it. With Arrow strings
    (pandas 3) it is decoded from a dictionary array in Arrow: pandas converting one Python
    string per row took 0.13 s for the 1.3 million rewards of a 20,000-person run."""
    dtype = pd.Series(labels).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa
        words = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(labels, pa.string()))
        return pd.array(words.cast(pa.large_string()), dtype=dtype)
    return np.array(labels, dtype=object)[codes]


def collect(model: SchemeModel) -> RunResult:
    """Turn a finished model into a plain result."""
    p, ledger = model.people, model.ledger
    daily = pd.DataFrame(model.daily).fillna(0)
    money = [c for c in daily.columns if c in MONEY_DAILY or c in model.figure_keys
             or c.startswith(("flow_", "reward_"))]
    daily[money] = daily[money].astype(np.int64) / 100

    ids = p.order[:p.adopted].astype(np.int64)
    # Levels over everyone who ever qualified: a lapse, an exit or a breakaway since removes
    # no one from the organisation (2013 opinion).
    levels = organisation_levels(p.sponsor.astype(np.int64), p.participant_day >= 0)
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
        "seller_pay": yuan(p.seller_pay),
        "seller_pay_on_own_sales": yuan(p.seller_pay_on_own_sales),
        "own_sales": yuan(p.own_sales),
        "cashed_out": yuan(p.cashed_out),
        "wallet": yuan(ledger.wallet),
        "net": (p.rewards[ids] + p.value[ids] - p.paid[ids]) / 100,
    }, copy=False)  # every column is a fresh array: stacking them into blocks is a wasted copy
    flows = pd.DataFrame(
        [(*key, amount / 100, count) for key, (amount, count) in sorted(ledger.flows.items())],
        columns=["day", "kind", "depth", "basis", "internal", "team", "amount", "count"])
    journal = _journal(ledger.journal) if ledger.journal is not None else None
    merchants = pd.DataFrame({
        "merchant": [m.index for m in model.merchants],
        "unit_cost": [m.unit_cost / 100 for m in model.merchants],
        "appeal": [m.appeal for m in model.merchants],
        "active": [m.active for m in model.merchants],
        "exit_day": [m.exit_day for m in model.merchants],   # the last exit of one that came back
        "returns": [m.returns for m in model.merchants],
        "balance": ledger.merchant / 100,
    })
    result = RunResult(model.scenario, model.seed, daily, people, flows, merchants, journal,
                       code_version())
    result.metrics = compute(result)
    return result
