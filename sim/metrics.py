"""A run's metrics: the measures every result carries (``result.metrics``).

The keys of :data:`METRIC_KEYS` are a stable contract; :data:`RUN_METRICS` are all the keys a
result carries. Names, units and formulas are in :mod:`sim.measures`, the one vocabulary:
shares are fractions in 0..1, money is in yuan, and a measure with no population to
measure (participants' losses in a model without participants) is 0.
"""

from __future__ import annotations

from typing import Any

from sim.measures import MEASURES, values
from sim.result import RunResult

METRIC_KEYS = ("participants", "penetration", "gmv", "payout_ratio", "retention_d1",
               "retention_d7", "retention_d30", "share_losing_money", "rewards_gini",
               "max_paid_depth", "org_levels", "share_rewards_depth_ge_2", "ledger_imbalance")
RUN_METRICS = (*METRIC_KEYS, "customers", "participants_active", "retention_d90",
               "top1_share_rewards", "org_levels_active", "reward_share_recruitment",
               "reward_share_team", "internal_consumption_share", "rewards",
               "payout_to_qualifying", "entry_fees_collected", "platform_net", "merchant_profit",
               "capital_injected", "liabilities_end", "promised_offbook_end", "merchants_exited")
assert set(RUN_METRICS) <= set(MEASURES)


def compute(result: RunResult) -> dict[str, Any]:
    """Every key of :data:`RUN_METRICS` for one run."""
    return values(result, RUN_METRICS)
