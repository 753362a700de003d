"""直推奖: the direct-referral reward, paid one link up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import JOIN, SALE
from sim.rules.base import PPM, Facts, Rule, by_rank, ppm
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass(frozen=True)
class DirectReferral(Rule):
    """Direct-referral reward (直推奖) to the sponsor, by the sponsor's rank.

    Source: 000_378a153c03d2435e.txt, model 1 ("分享商品链接可获得直推奖励。推荐多个代理
    可晋升为团长,享受更高奖励") and model 6. ``join_reward`` is paid when a recruit joins
    (per head, so it is 拉人头 pay); ``sales_rate`` is a share of each retail purchase the
    recruit makes. Lists are by the payee's rank, rank 1 first; higher ranks repeat the last.
    """
    key = "direct_referral"
    name_en = "Direct referral reward"
    name_zh = "直推奖"
    join_amount_key = "join_reward"
    sales_amount_key = "sales_rate"

    join_reward: tuple[float, ...] = param((0.0,), lo=0, hi=1_000_000, unit="yuan",
                                           en="Paid per recruit who joins, by sponsor rank",
                                           zh="每直推一人加入的奖励(按等级)")
    sales_rate: tuple[float, ...] = param((0.0,), lo=0, hi=1,
                                          en="Share of a recruit's purchases, by sponsor rank",
                                          zh="直推下级消费的提成比例(按等级)")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("direct_referral",), levels_paid=1,
                     pays_on_recruitment=max(self.join_reward) > 0,
                     pays_on_sales=max(self.sales_rate) > 0, per_head=max(self.join_reward) > 0,
                     team_pay=max(self.sales_rate) > 0,  # a recruit's purchases as a participant
                     pay_set_by_rank=len(set(self.join_reward)) > 1 or len(set(self.sales_rate)) > 1)

    def reward_per_join(self, price: float) -> float:
        return max(self.join_reward)

    def reward_rate_on_sales(self) -> float:
        return max(self.sales_rate)

    def on_join(self, model: SchemeModel, joiners: np.ndarray) -> None:
        if max(self.join_reward) > 0:
            payees, triggers = _earning_sponsors(model, joiners)
            pay = np.rint(by_rank(self.join_reward, model.people.rank[payees]) * 100)
            model.ledger.reward("direct_referral", payees, triggers, np.ones(len(payees)),
                                pay.astype(np.int64), basis=JOIN,
                                team=_rank_by_team(model, payees, self.join_reward))

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        if max(self.sales_rate) > 0:
            ok = model.people.can_earn(model.people.sponsor[buyers])
            payees, triggers = model.people.sponsor[buyers[ok]], buyers[ok]
            rates = by_rank(tuple(ppm(r) for r in self.sales_rate), model.people.rank[payees])
            model.ledger.reward("direct_referral", payees, triggers, np.ones(len(payees)),
                                amounts[ok] * rates.astype(np.int64) // PPM, basis=SALE,
                                team=_rank_by_team(model, payees, self.sales_rate))


def _earning_sponsors(model: SchemeModel, triggers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sponsor, trigger) pairs where the sponsor can be paid."""
    sponsor = model.people.sponsor[triggers]
    ok = model.people.can_earn(sponsor)
    return sponsor[ok], triggers[ok]


def _rank_by_team(model: SchemeModel, payees: np.ndarray, by_rank_values: tuple[float, ...]) -> np.ndarray | None:
    """Which payees are paid at a rank reached on team volume, where the amount differs from
    the entry rank's: pay set by the downline's purchases (级差 by 团队业绩) is team pay."""
    promotion = model.scenario.rule("rank_promotion")
    if promotion is None or len(set(by_rank_values)) == 1:
        return None
    rank = model.people.rank[payees]
    differs = by_rank(by_rank_values, rank) != by_rank_values[0]
    return differs & promotion.reached_on_team_volume(rank)
