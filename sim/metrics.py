"""Metrics: pure functions of a :class:`~sim.result.RunResult` (DESIGN.md, "Metrics").

The keys of :func:`compute` are a stable contract. Shares are fractions in 0..1, money is in
yuan, and a metric that has no population to measure (say, participants' losses in a model
without participants) is 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.result import RunResult

METRIC_KEYS = ("participants", "penetration", "gmv", "payout_ratio", "retention_d1",
               "retention_d7", "retention_d30", "share_losing_money", "rewards_gini",
               "max_paid_depth", "org_levels", "share_rewards_depth_ge_2", "ledger_imbalance")


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: equal, 1: one person has everything)."""
    v = np.sort(np.asarray(values, float))
    n, total = len(v), v.sum()
    if n == 0 or total == 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ v / (n * total))


def retention(people: pd.DataFrame, days: int, k: int) -> float:
    """Share of persons still active k days after joining, among those observed that long."""
    joined = people["join_day"].to_numpy()
    exited = people["exit_day"].to_numpy()
    seen = joined + k <= days
    if not seen.any():
        return 0.0
    kept = (exited[seen] < 0) | (exited[seen] > joined[seen] + k)
    return float(kept.mean())


def compute(result: RunResult) -> dict[str, Any]:
    daily, people, flows = result.daily, result.people, result.flows
    participants = people[people["participant_day"] >= 0]
    gmv = float(daily["gmv"].sum())
    rewards = float(flows["amount"].sum())
    deep = float(flows.loc[flows["depth"] >= 2, "amount"].sum())
    on_joins = float(flows.loc[flows["basis"] == "join", "amount"].sum())
    participant_rewards = participants["rewards"].to_numpy()
    top = np.sort(participant_rewards)[::-1][:max(1, len(participant_rewards) // 100)]
    # Paid while a participant (the qualifying package included), whatever anyone's role now.
    participant_spend = float(people["spend_as_participant"].sum())
    return {
        "participants": int(len(participants)),
        "customers": int(len(people)),
        "penetration": len(people) / result.market_size,
        "gmv": round(gmv, 2),
        "payout_ratio": rewards / gmv if gmv else 0.0,
        "retention_d1": retention(people, result.days, 1),
        "retention_d7": retention(people, result.days, 7),
        "retention_d30": retention(people, result.days, 30),
        "retention_d90": retention(people, result.days, 90),
        "share_losing_money": float((participants["net"] < 0).mean()) if len(participants) else 0.0,
        "rewards_gini": gini(participant_rewards),
        "top1_share_rewards": float(top.sum() / rewards) if rewards else 0.0,
        "max_paid_depth": int(flows["depth"].max()) if len(flows) else 0,
        "org_levels": int(people["level"].max()) if len(people) else 0,
        "share_rewards_depth_ge_2": deep / rewards if rewards else 0.0,
        "share_rewards_on_joins": on_joins / rewards if rewards else 0.0,
        "internal_consumption_share": participant_spend / gmv if gmv else 0.0,
        "rewards": round(rewards, 2),
        "platform_net": round(float(daily["platform_net"].sum()), 2),
        "merchant_profit": round(float(daily["merchant_profit"].sum()), 2),
        "capital_injected": round(float(daily["capital_injected"].sum()), 2),
        "liabilities_end": float(daily["liabilities"].iloc[-1]),
        "merchants_exited": int((~result.merchants["active"]).sum()),
        "ledger_imbalance": float(daily["ledger_imbalance"].abs().max()),
    }
