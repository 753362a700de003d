"""Referral rewards paid one link up: 直推奖 on a recruit who joins or buys, and 拉新奖 on a
new user who merely registers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import JOIN, SALE
from sim.people import ACTIVE
from sim.rules.base import PPM, Facts, Rule, at_team_rank, by_rank, cents, ppm
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass(frozen=True)
class DirectReferral(Rule):
    """Direct-referral reward (直推奖) to the sponsor, by the sponsor's rank.

    Source: S1 §1 (docs/sources.md): 「分享商品鏈接可獲得直推獎勵」; 「推薦多個代理可晉升為團長,
    享受更高獎勵」; and §6. ``join_reward`` is paid when a recruit joins
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
                                team=at_team_rank(model, payees, self.join_reward))

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        if max(self.sales_rate) > 0:
            ok = model.people.can_earn(model.people.sponsor[buyers])
            payees, triggers = model.people.sponsor[buyers[ok]], buyers[ok]
            rates = by_rank(tuple(ppm(r) for r in self.sales_rate), model.people.rank[payees])
            model.ledger.reward("direct_referral", payees, triggers, np.ones(len(payees)),
                                amounts[ok] * rates.astype(np.int64) // PPM, basis=SALE,
                                team=at_team_rank(model, payees, self.sales_rate))


EVERYONE, PARTICIPANTS = "everyone", "participants"


@dataclass(frozen=True)
class ReferralBonus(Rule):
    """Free referral bonus (拉新奖): a fixed sum to the inviter for every new user who registers
    through their link, with no package and no purchase.

    Sources: an open-source invitation-reward service ("用户可以通过分享个人邀请链接来邀请新用户
    注册，当被邀请人完成注册或其他指定行为（如首充、交易等）时，邀请人将获得相应的奖励"); a
    rewards configuration ("'subordinate' => 0.5, //下线奖励"); a shop's distribution settings ("inviteReward: { enabled: true, amount: 200, ... }" beside
    its 链动2+1 and 直推 switches). Who can be paid differs: many apps pay every user who
    invites (``everyone``: paid as a customer, on the same terms for all); plans that pay only
    their paying agents exclude free users from every reward (one plan's rules: "免费注册用户
    （非代理）... ✅ 可以推荐他人（获得推荐码）... ❌ 不参与对碰奖励"), which ``participants``
    does.

    It is the platform's marketing spend, not a share of an entry package, so it is not
    bounded by the package price (``reward_per_join`` is 0); it is still pay counted by the
    number of persons brought in, 拉人头 under 禁止传销条例 Art. 7(1).
    """
    key = "referral_bonus"
    name_en = "Free referral bonus"
    name_zh = "拉新奖"
    join_amount_key = "amount"

    amount: float = param(5.0, lo=0, hi=100_000, unit="yuan",
                          en="Paid to the inviter per new user who registers",
                          zh="每邀请一位新用户注册,奖励邀请人的金额")
    payees: str = param(EVERYONE, choices=(EVERYONE, PARTICIPANTS),
                        en="Who is paid for inviting: every user, or participants only",
                        zh="谁可获得拉新奖:所有用户,或仅参与者")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("referral_bonus",), levels_paid=1, pays_on_recruitment=True,
                     per_head=True, pays_customers=self.payees == EVERYONE)

    def on_arrive(self, model: SchemeModel, ids: np.ndarray) -> None:
        if self.payees == PARTICIPANTS:
            payees, triggers = _earning_sponsors(model, ids)
        else:
            sponsor = model.people.sponsor[ids]
            ok = sponsor >= 0
            ok[ok] = model.people.state[sponsor[ok]] == ACTIVE
            payees, triggers = sponsor[ok], ids[ok]
        model.ledger.reward("referral_bonus", payees, triggers, np.ones(len(payees), np.int64),
                            np.full(len(payees), cents(self.amount), np.int64), basis=JOIN)


def _earning_sponsors(model: SchemeModel, triggers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sponsor, trigger) pairs where the sponsor can be paid."""
    sponsor = model.people.sponsor[triggers]
    ok = model.people.can_earn(sponsor)
    return sponsor[ok], triggers[ok]
