"""Pyramid-risk audit: indicators, jurisdiction rule packs, the risk index, the stress test.

    import sim
    result = sim.run("liandong_2plus1", seed=1)
    for f in sim.audit(result, jurisdiction="cn"):
        print(f.verdict, f.citation, f.measured)

``sim.audit`` is this package and can be called like the function :func:`audit` (the public
contract), while its modules stay importable as ``sim.audit.rules_cn`` and so on.
"""

from __future__ import annotations

import sys
import types

from typing import Any

from sim.audit import cases, rules_cn, rules_eu, rules_us
from sim.audit.findings import (BREACH, JURISDICTIONS, NOT_APPLICABLE, NOT_TRIGGERED, VERDICT_NAMES,
                                VERDICTS, WARNING, Evidence, Example, Finding, verdict_name)
from sim.audit.labels import figure, label
from sim.audit.risk import RiskIndex, RiskPart, risk_index
from sim.audit.stress import StressTest, stress_test
from sim.measures import Measured
from sim.result import RunResult

PACKS = {"cn": rules_cn, "us": rules_us, "eu": rules_eu}
# The measures the audit reads and reports (``sim audit --json``'s indicators), in reading order.
INDICATORS = (
    "customers", "participants", "participants_active", "gmv", "rewards", "payout_ratio",
    "payout_to_qualifying", "participant_spend", "sales_to_non_participants",
    "internal_consumption_share", "non_participant_sales_share", "end_user_share",
    "own_sales_to_consumers", "organisation_outside_share", "entry_fee", "entry_goods_value",
    "entry_fee_above_goods_value", "entry_buys_right_to_earn", "payment_for_right_to_earn",
    "entry_fee_payers", "entry_fees_collected", "reward_share_recruitment", "rewards_on_joins",
    "reward_share_team", "team_rewards", "share_rewards_depth_ge_2", "reward_share_end_user_sales",
    "reward_share_internal_sales", "reward_share_own_purchase", "reward_share_direct_consumer_sales",
    "seller_rewards", "seller_rewards_on_own_sales", "seller_rewards_off_own_sales",
    "appointed_rewards", "customer_rewards", "internal_reward_share", "pay_to_own_sales",
    "salespersons", "max_paid_depth", "org_levels", "org_levels_active", "largest_organisation",
    "share_losing_money", "share_broke_even", "share_profited", "share_losing_early",
    "share_losing_late", "median_net", "rewards_gini", "top1_share_rewards", "liabilities_end",
    "wallets_owed_end", "points_liability_end", "pool_liability_end", "escrow_held_end",
    "promised_offbook_end", "cash_held_end", "promised_uncovered_end", "uncovered_promise_share",
    "capital_injected", "rewards_by_depth", "net_by_cohort")


def indicators(result: RunResult) -> dict[str, Any]:
    """The audit indicators of one run: the measures of :data:`INDICATORS`."""
    return Measured(result).values(INDICATORS)


def has_scheme(m: Measured) -> bool:
    """Anyone can earn: the model has participants or a component that pays rewards."""
    return bool(m.participant.any()) or any(f.reward_kinds for f in m.facts.values())


def audit(result: RunResult, jurisdiction: str = "all") -> list[Finding]:
    """One finding per legal test of the chosen rule pack(s): ``cn``, ``us``, ``eu`` or ``all``."""
    if jurisdiction != "all" and jurisdiction not in PACKS:
        raise ValueError(f"jurisdiction must be one of cn, us, eu, all; got {jurisdiction!r}")
    m = Measured(result)
    chosen = PACKS if jurisdiction == "all" else {jurisdiction: PACKS[jurisdiction]}
    findings = []
    for pack in chosen.values():
        if has_scheme(m):
            findings.extend(check(m) for check in pack.CHECKS)
        else:
            findings.extend(test.not_applicable() for test in pack.TESTS)
    return findings


class _CallableModule(types.ModuleType):
    def __call__(self, result: RunResult, jurisdiction: str = "all") -> list[Finding]:
        return audit(result, jurisdiction)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["BREACH", "INDICATORS", "JURISDICTIONS", "NOT_APPLICABLE", "NOT_TRIGGERED", "VERDICTS",
           "VERDICT_NAMES", "WARNING", "Evidence", "Example", "Finding", "RiskIndex", "RiskPart",
           "StressTest", "audit", "cases", "figure", "has_scheme", "indicators", "label", "risk_index",
           "stress_test", "verdict_name"]
