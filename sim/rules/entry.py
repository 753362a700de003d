"""入门礼包 / 会员费: buying a package makes a customer a participant (代理) able to earn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.people import ACTIVE, CONSUMER
from sim.rules.base import Facts, Rule, cents
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass(frozen=True)
class EntryPackage(Rule):
    """Entry package (礼包): pay ``price`` for goods worth ``goods_value`` and become a 代理.

    Source: S1 §1 「用戶通過購買商品成為代理」 and §6 「用戶購買商品成為代理」 (docs/sources.md). The
    difference between price and fair goods value is a disguised entry fee (入门费), which is
    what the audit weighs. A price of 0 means free sign-up as a distributor (注册即分销).

    Who buys responds to expected earnings: a newcomer brought in by a participant converts
    with ``conversion × (1 + earnings_sensitivity × s)``, where s is the sponsor's rewards so
    far in units of the price (capped at 3): people join schemes whose recruiters show income.
    """
    key = "entry_package"
    name_en = "Entry package"
    name_zh = "入门礼包"

    price: float = param(399.0, lo=0, hi=1_000_000, unit="yuan", en="Package price",
                         zh="礼包价格")
    goods_value: float = param(150.0, lo=0, hi=1_000_000, unit="yuan",
                               en="Fair retail value of the goods in the package",
                               zh="礼包商品的公允零售价值")
    goods_cost: float = param(100.0, lo=0, hi=1_000_000, unit="yuan",
                              en="What the goods cost the platform", zh="礼包商品成本")
    conversion: float = param(0.2, lo=0, hi=1,
                              en="Chance a newcomer buys the package when they arrive",
                              zh="新用户加入时购买礼包的概率")
    conversion_daily: float = param(0.001, lo=0, hi=1, unit="1/day",
                                    en="Daily chance an existing customer buys the package",
                                    zh="现有顾客每日购买礼包的概率")
    earnings_sensitivity: float = param(0.5, lo=0, hi=100,
                                        en="How much a sponsor's visible earnings lift conversion",
                                        zh="推荐人收益对转化率的提升系数")

    def facts(self) -> Facts:
        return Facts(qualifies=True, entry_fee=self.price, purchase_required_to_earn=self.price > 0)

    def problems(self) -> list[tuple[str, str, str]]:
        if self.goods_value > self.price and self.price > 0:
            return [("goods_value", f"must be at most price ({self.price:g}): a package worth more "
                                    f"than it costs is a discount, not an entry package",
                     f"不能超过 price({self.price:g}):商品价值高于售价的礼包是折扣,不是入门礼包")]
        return []

    def select_joiners(self, model: SchemeModel, newcomers: np.ndarray) -> np.ndarray:
        """Who buys the package today: some of today's newcomers, then some existing customers."""
        people, rng = model.people, model.rng
        sponsors = people.sponsor[newcomers]
        pull = np.zeros(len(newcomers))
        referred = people.can_earn(sponsors)
        pull[referred] = np.minimum(
            people.rewards[sponsors[referred]] / max(cents(self.price), 100), 3.0)
        chance = np.minimum(self.conversion * (1 + self.earnings_sensitivity * pull), 1.0)
        first = newcomers[rng.random(len(newcomers)) < chance]
        if self.conversion_daily == 0:
            return first
        waiting = np.flatnonzero((people.role == CONSUMER) & (people.state == ACTIVE)
                                 & (people.join_day < model.day))
        later = waiting[rng.random(len(waiting)) < self.conversion_daily]
        return np.concatenate([first, rng.permutation(later)])

    def charge(self, model: SchemeModel, ids: np.ndarray) -> None:
        n = len(ids)
        if n == 0:
            return
        price = np.full(n, cents(self.price), np.int64)
        model.ledger.charge("package_sale", ids, price,
                            value=np.full(n, cents(self.goods_value), np.int64))
        model.people.entry_paid[ids] += price
        model.ledger.transfer("package_goods", n * cents(self.goods_cost))
