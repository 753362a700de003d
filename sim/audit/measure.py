"""Audit indicators: pure functions of a run's tables (DESIGN.md, "Pyramid-risk audit").

Rewards are classified from ``result.flows`` by what triggered them: a join (a package or
sign-up), a purchase by a non-participant (an end user), or a purchase by a participant
(internal consumption), and by paid depth (d = 0 a rebate on one's own purchase, d = 1 a
direct recruit, d >= 2 someone further down: team pay). Sales are split by the buyer's
status when they paid (``spend_as_participant`` in ``result.people``: the engine books each
payment by the payer's role, the qualifying package or fee as a participant's), so a customer
who qualifies later keeps their earlier purchases outside. Money is in yuan, shares in 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics import gini
from sim.result import RunResult
from sim.rules.base import Facts

COHORT_DAYS = 30      # join cohorts are 30-day months
HALF_CENT = 0.005     # amounts below this (yuan) are rounding, not money
# Liability columns the engine may add (missing ones are 0 in older runs).
# promised_offbook: value rules promised (rebate schedules, airdrops) beyond what the books hold.
LIABILITY_COLUMNS = ("wallets_owed", "points_liability", "pool_liability", "escrow_held",
                     "promised_offbook")


@dataclass
class Audited:
    """One result and everything the rule packs read from it, computed once."""
    result: RunResult

    # -- inputs -------------------------------------------------------------------------
    @cached_property
    def facts(self) -> dict[str, Facts]:
        return {rule.key: rule.facts() for rule in self.result.scenario.rules}

    def declaring(self, *names: str) -> tuple[tuple[str, str, Any], ...]:
        """(rule key, fact, value) for every component whose named fact is set (truthy)."""
        out = []
        for key, facts in self.facts.items():
            for name in names:
                value = getattr(facts, name, None)
                if value:
                    out.append((key, name, value))
        return tuple(out)

    @cached_property
    def people(self) -> pd.DataFrame:
        return self.result.people

    @cached_property
    def participant(self) -> np.ndarray:
        return self.people["participant_day"].to_numpy() >= 0

    @cached_property
    def row_of(self) -> np.ndarray:
        """Person id -> row of ``people`` (-1: never joined)."""
        row = np.full(self.result.market_size, -1, np.int64)
        row[self.people["id"].to_numpy()] = np.arange(len(self.people))
        return row

    @cached_property
    def sponsor_participant(self) -> np.ndarray:
        """Per row: the sponsor is a participant (the buyer is in someone's organisation)."""
        s = self.people["sponsor"].to_numpy()
        r = np.where(s >= 0, self.row_of[np.maximum(s, 0)], -1)
        return (r >= 0) & self.participant[np.maximum(r, 0)]

    @cached_property
    def spend_as_customer(self) -> np.ndarray:
        """Per row: what the person paid while not a participant (before qualifying or after
        lapsing; everything, for one who never qualified)."""
        p = self.people
        return p["spend"].to_numpy() - p["spend_as_participant"].to_numpy()

    @cached_property
    def own_sales_by_sponsor(self) -> pd.Series:
        """A participant's own sales to consumers (直销管理条例 Art. 24), by sponsor id: what
        the persons they brought in bought while customers. The sponsor counts as a
        participant if they ever were one by the end of the run (a simplification: a recruit's
        purchases before their sponsor qualified count too)."""
        buyers = self.sponsor_participant
        return (pd.Series(self.spend_as_customer[buyers])
                .groupby(self.people["sponsor"].to_numpy()[buyers]).sum())

    @cached_property
    def has_scheme(self) -> bool:
        """Anyone can earn: the model has participants or a component that pays rewards."""
        return bool(self.participant.any()) or any(f.reward_kinds for f in self.facts.values())

    @cached_property
    def entry_fee(self) -> float:
        """What it costs to become able to earn: declared, or the most anyone paid."""
        declared = max((f.entry_fee for f in self.facts.values()), default=0.0)
        paid = float(self.people.loc[self.participant, "entry_paid"].max()) if self.participant.any() else 0.0
        return max(declared, paid)

    @cached_property
    def entry_goods_value(self) -> float:
        """Fair value of the goods that come with the entry fee (0: a pure fee)."""
        qualifier = self.result.scenario.qualifier
        return float(getattr(qualifier, "goods_value", 0.0)) if qualifier else 0.0

    # -- the indicators -----------------------------------------------------------------
    @cached_property
    def indicators(self) -> dict[str, Any]:
        return {**self._people_money(), **self._rewards(), **self._losses(),
                **self._liabilities(), **self._organisation()}

    def _people_money(self) -> dict[str, Any]:
        p, part = self.people, self.participant
        # Internal consumption: everything paid while a participant, by persons who lapsed or
        # left since too; the rest, bought as customers, is sales outside the organisation.
        part_spend = float(p["spend_as_participant"].sum())
        outside = float(self.spend_as_customer.sum())
        own_sales = float(self.own_sales_by_sponsor.sum())
        # Herbalife's rewardable consumption: goods participants received at fair value.
        end_user = outside + min(float(p["value_received_as_participant"].sum()), part_spend)
        total = part_spend + outside
        share = lambda a, b: a / b if b else 0.0  # noqa: E731
        return {
            "participants": int(part.sum()),
            "customers": int(len(p)),
            "gmv": float(self.result.daily["gmv"].sum()),
            "participant_spend": part_spend,
            "sales_to_non_participants": outside,
            "own_sales_to_consumers": own_sales,
            "entry_fee": self.entry_fee,
            "entry_goods_value": self.entry_goods_value,
            "entry_fee_above_goods_value": max(self.entry_fee - self.entry_goods_value, 0.0),
            "entry_fees_collected": float(p["entry_paid"].sum()),
            "internal_consumption_share": share(part_spend, total),
            "non_participant_sales_share": share(outside, total),
            "end_user_share": share(end_user, total),
            "organisation_outside_share": share(own_sales, own_sales + part_spend),
        }

    def _kinds(self, fact: str) -> set[str]:
        return {k for facts in self.facts.values() if getattr(facts, fact, False)
                for k in facts.reward_kinds}

    def _rewards(self) -> dict[str, Any]:
        f = self.result.flows
        amount = f["amount"].to_numpy(float)
        depth, internal = f["depth"].to_numpy(), f["internal"].to_numpy(bool)
        kind = f["kind"].to_numpy()
        # Pay to a recruited sales force, which is what direct-selling law governs: not the
        # commission of hosts and 团长 the platform appoints, nor customers' points on their
        # own purchases (participants' rebates on their own purchases do count).
        appointed = np.isin(kind, list(self._kinds("appoints_payees")))
        customer = np.isin(kind, list(self._kinds("pays_customers"))) & ~internal
        seller = ~appointed & ~customer
        join, sale = (f["basis"] == "join").to_numpy(), (f["basis"] == "sale").to_numpy()
        total = float(amount.sum())
        part = lambda mask: float(amount[mask].sum()) / total if total else 0.0  # noqa: E731
        by_depth = f.groupby("depth")["amount"].sum()
        gmv = float(self.result.daily["gmv"].sum())
        rewards = self.people.loc[self.participant, "rewards"].to_numpy(float)
        top = np.sort(rewards)[::-1][:max(1, len(rewards) // 100)]
        return {
            "rewards": total,
            "payout_ratio": total / gmv if gmv else 0.0,
            "reward_share_recruitment": part(join),
            "reward_share_end_user_sales": part(sale & ~internal & (depth >= 1)),
            "reward_share_internal_sales": part(sale & internal & (depth >= 1)),
            "reward_share_own_purchase": part(depth == 0),
            "reward_share_internal_trigger": part(internal),
            "reward_share_direct_consumer_sales": part(sale & ~internal & (depth == 1)),
            "reward_share_team": part(depth >= 2),
            "rewards_not_on_own_sales": total - float(amount[sale & ~internal & (depth == 1)].sum()),
            "seller_rewards": float(amount[seller].sum()),
            "seller_rewards_not_on_own_sales":
                float(amount[seller].sum()) - float(amount[seller & sale & ~internal & (depth == 1)].sum()),
            "appointed_rewards": float(amount[appointed].sum()),
            "customer_rewards": float(amount[customer].sum()),
            "max_paid_depth": int(depth.max()) if len(depth) else 0,
            "paid_depth_amounts": {int(d): float(a) for d, a in by_depth.items()},
            "rewards_gini": gini(rewards),
            "top1_share_rewards": float(top.sum()) / float(rewards.sum()) if rewards.sum() else 0.0,
        }

    def _losses(self) -> dict[str, Any]:
        p = self.people.loc[self.participant]
        net = p["net"].to_numpy(float)
        day = p["participant_day"].to_numpy()
        n = len(net)
        cohorts = []
        for start in range(0, int(day.max()) + 1 if n else 0, COHORT_DAYS):
            inside = (day >= start) & (day < start + COHORT_DAYS)
            if inside.any():
                cohorts.append({"start_day": start, "participants": int(inside.sum()),
                                "share_losing": float((net[inside] < 0).mean()),
                                "mean_net": float(net[inside].mean())})
        # Early and late thirds of participants by the day they joined.
        order = np.argsort(day, kind="stable")
        third = n // 3
        early, late = order[:third], order[n - third:]
        losing = lambda ids: float((net[ids] < 0).mean()) if len(ids) else 0.0  # noqa: E731
        return {
            "share_losing_money": float((net < 0).mean()) if n else 0.0,
            "share_broke_even": float((net == 0).mean()) if n else 0.0,
            "share_profited": float((net > 0).mean()) if n else 0.0,
            "share_losing_early": losing(early),
            "share_losing_late": losing(late),
            "median_net": float(np.median(net)) if n else 0.0,
            "cohorts": cohorts,
        }

    def _liabilities(self) -> dict[str, Any]:
        d = self.result.daily
        last = lambda c: float(d[c].iloc[-1]) if c in d.columns and len(d) else 0.0  # noqa: E731
        owed = {c: last(c) for c in LIABILITY_COLUMNS}
        if "wallets_owed" not in d.columns:  # before the engine split them, all owed was wallets
            owed["wallets_owed"] = last("liabilities")
        promised = (owed["wallets_owed"] + owed["points_liability"] + owed["pool_liability"]
                    + owed["promised_offbook"])
        cash = last("cash_held")
        return {
            **{f"{c}_end": v for c, v in owed.items()},
            "cash_held_end": cash,
            "promised_end": promised,
            "promise_coverage": cash / promised if promised else float("inf"),
            "capital_injected": float(d["capital_injected"].sum()) if "capital_injected" in d else 0.0,
            "creates_liability": bool(self.declaring("creates_liability")),
        }

    def _organisation(self) -> dict[str, Any]:
        size, height = self.subtrees
        return {
            "org_levels": int(self.people["level"].max()) if len(self.people) else 0,
            # Persons who each head an organisation of >= 30 participants in >= 3 levels.
            "heads_over_threshold": int(((size >= 30) & (height >= 3)).sum()),
            "largest_organisation": int(size.max()) if len(size) else 0,
        }

    @cached_property
    def subtrees(self) -> tuple[np.ndarray, np.ndarray]:
        """Per row: participants in the person's organisation (themself included) and its
        levels counted from them as level 1, on the sponsor tree of participants."""
        p = self.people
        level = p["level"].to_numpy()
        parent = np.where(self.sponsor_participant & self.participant,
                          self.row_of[np.maximum(p["sponsor"].to_numpy(), 0)], -1)
        size = self.participant.astype(np.int64)
        height = self.participant.astype(np.int64)
        for lv in range(int(level.max(initial=0)), 1, -1):  # leaves first, one pass per level
            rows = np.flatnonzero((level == lv) & (parent >= 0))
            np.add.at(size, parent[rows], size[rows])
            np.maximum.at(height, parent[rows], height[rows] + 1)
        return size, height


def indicators(result: RunResult) -> dict[str, Any]:
    """The audit indicators of one run (see the module docstring)."""
    return Audited(result).indicators
