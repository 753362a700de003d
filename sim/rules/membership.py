"""会员制: paid membership (付费会员), member tiers (会员等级) and subscription (订阅电商)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.people import ACTIVE, CONSUMER, DISTRIBUTOR
from sim.rules.base import PPM, Facts, Rule, cents, ppm
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel
    from sim.orders import Orders

FUNDERS = ("platform", "merchant")
_FUNDED_BY = dict(choices=FUNDERS, en="Who pays for the discount: the platform (the merchant is "
                  "made whole, coupon_subsidy) or the merchant (it receives less)",
                  zh="折扣由谁承担:平台(补贴商家)或商家(少收)")


def apply_discount(orders: Orders, index: np.ndarray, amount: np.ndarray, funded_by: str) -> None:
    """Take ``amount`` cents off the buyer's price of orders ``index``; a platform-funded
    discount is added back as subsidy so the merchant still receives the full price."""
    amount = np.minimum(amount, orders.paid[index])
    orders.paid[index] -= amount
    if funded_by == "platform":
        orders.subsidy[index] += amount


@dataclass(frozen=True)
class PaidMembership(Rule):
    """Paid membership (付费会员): a fee per period buys a member discount and free delivery.

    Sources (docs/sources.md): S3, 付费会员模式 「消费者支付一定的费用成为新零售商城的付费会员」,
    「某新零售商城的付费会员可以享受全场商品8折优惠,每月免费配送一定次数」; and S1 §2
    會員制社交電商模式 「用戶購買會員資格后享受專屬優惠和特權,同時成為分銷商」, where
    ``distributor`` makes every member a 分销商 able to earn (invite commission is composed
    with ``direct_referral``) and the fee is then an entry fee (入门费).

    Newcomers buy with ``conversion`` and existing customers with ``conversion_daily``; the fee
    (``membership_fee`` flow) is charged on joining and at the start of every period a member
    renews (chance ``renewal``); a member who lets it lapse does not come back. Members' orders
    are ``discount`` cheaper (× the tier's multiplier when ``member_tiers`` is composed).

    Free delivery: in this engine the retail price is a delivered price. No buyer pays a
    delivery fee and the platform pays fulfilment on every order, so 免费配送 forgoes no fee in
    the books; it shows as the platform's fulfilment on members' extra orders, and its pull on
    behaviour is in ``member_lift`` (members order more often: "提高用户的……消费频次").
    """
    key = "paid_membership"
    name_en = "Paid membership"
    name_zh = "付费会员"

    fee: float = param(99.0, lo=0, hi=100_000, unit="yuan/period", en="Membership fee per period",
                       zh="每期会员费")
    period_days: int = param(30, lo=1, hi=3_650, unit="days", en="Length of one membership period",
                             zh="会员周期(天)")
    renewal: float = param(0.8, lo=0, hi=1, en="Chance a member renews at the end of a period",
                           zh="会员到期续费概率")
    conversion: float = param(0.1, lo=0, hi=1, en="Chance a newcomer buys membership on arrival",
                              zh="新用户加入时购买会员的概率")
    conversion_daily: float = param(0.002, lo=0, hi=1, unit="1/day",
                                    en="Daily chance an existing non-member customer joins",
                                    zh="非会员顾客每日入会概率")
    discount: float = param(0.2, lo=0, hi=1, en="Member discount, share of the price",
                            zh="会员折扣比例")
    funded_by: str = param("platform", **_FUNDED_BY)
    member_lift: float = param(1.0, lo=0, hi=10,
                               en="Multiplier of a member's purchase chance (discount, free delivery)",
                               zh="会员购买概率倍数(折扣与免运费)")
    distributor: bool = param(False, en="Members become distributors able to earn (会员即分销商)",
                              zh="会员同时成为可获佣金的分销商")

    @property
    def price(self) -> float:
        """What it costs to qualify, for the engine's package checks."""
        return self.fee

    def facts(self) -> Facts:
        return Facts(qualifies=self.distributor, entry_fee=self.fee if self.distributor else 0.0,
                     purchase_required_to_earn=self.distributor and self.fee > 0)

    # -- who joins -----------------------------------------------------------------------
    def _until(self, model: SchemeModel) -> np.ndarray:
        return model.column("member_until", np.int32, -1)  # last day of the paid period

    def members(self, model: SchemeModel, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` hold a membership today."""
        return self._until(model)[ids] >= model.day

    def select_joiners(self, model: SchemeModel, new: np.ndarray) -> np.ndarray:
        """Who buys membership today: some of today's newcomers, then some customers who
        never held one."""
        p, rng, until = model.people, model.rng, self._until(model)
        new = new[until[new] < 0]
        first = new[rng.random(len(new)) < self.conversion]
        if self.conversion_daily == 0:
            return first
        waiting = np.flatnonzero((p.state == ACTIVE) & (p.role == CONSUMER) & (until < 0)
                                 & (p.join_day < model.day))
        return np.concatenate([first, waiting[rng.random(len(waiting)) < self.conversion_daily]])

    def charge(self, model: SchemeModel, ids: np.ndarray) -> None:
        if len(ids) == 0:
            return
        fee = np.full(len(ids), cents(self.fee), np.int64)
        model.ledger.charge("membership_fee", ids, fee)
        if self.distributor:
            model.people.entry_paid[ids] += fee
        self._until(model)[ids] = model.day + self.period_days - 1

    # -- hooks -------------------------------------------------------------------------
    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        if self.member_lift == 1:
            return None
        return np.where(self.members(model, active), self.member_lift, 1.0)

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        idx = orders.open
        idx = idx[self.members(model, orders.buyers[idx])]
        if len(idx) == 0:
            return
        rate = np.full(len(idx), ppm(self.discount), np.int64)
        tiers = model.scenario.rule("member_tiers")
        if tiers is not None:
            rate = rate * tiers.discount_scale_ppm(model, orders.buyers[idx]) // PPM
        apply_discount(orders, idx, orders.list_price[idx] * rate // PPM, self.funded_by)

    def on_day_end(self, model: SchemeModel) -> None:
        p, until = model.people, self._until(model)
        if not self.distributor:
            self.charge(model, self.select_joiners(model, model.newcomers()))
        due = np.flatnonzero(until == model.day)  # periods ending today
        if len(due) == 0:
            return
        stay = (p.state[due] == ACTIVE) & (model.rng.random(len(due)) < self.renewal)
        self.charge(model, due[stay])
        lapsed = due[~stay]
        if self.distributor:
            lapsed = lapsed[p.role[lapsed] == DISTRIBUTOR]
            p.role[lapsed] = CONSUMER
            p.rank[lapsed] = 0
            model.set_share(lapsed[p.state[lapsed] == ACTIVE], model.scenario.market.customer_share)


@dataclass(frozen=True)
class MemberTiers(Rule):
    """Member tiers (会员等级) by spend and referral performance.

    Source: S1 §2 (docs/sources.md): 「會員等級根據消費和分享業績進行劃分,不同等級享受不同權益」.
    A member reaches tier k+1 when their own purchases reach ``spend[k]`` yuan or
    their members recruited reach ``recruits[k]``. The tier multiplies the member discount
    (``discount_scale``, tier 1 first) and, for distributors, sets their rank, so a
    ``direct_referral`` with per-rank rates pays higher tiers more.
    """
    key = "member_tiers"
    name_en = "Member tiers"
    name_zh = "会员等级"

    spend: tuple[float, ...] = param((1_000.0, 3_000.0), lo=0, hi=100_000_000, unit="yuan",
                                     en="Own purchases that reach tier 2, 3, ...",
                                     zh="晋升第2、3…级所需累计消费")
    recruits: tuple[float, ...] = param((3.0, 10.0), lo=0, hi=1_000_000, unit="persons",
                                        en="Members recruited that reach tier 2, 3, ... (either suffices)",
                                        zh="晋升第2、3…级所需直推会员数(与消费满足其一即可)")
    discount_scale: tuple[float, ...] = param((1.0, 1.25, 1.5), lo=0, hi=10,
                                              en="Multiplier of the member discount by tier, tier 1 first",
                                              zh="各级会员折扣倍数(第1级起)")

    def facts(self) -> Facts:
        return Facts()

    def problems(self) -> list[tuple[str, str, str]]:
        if len(self.spend) != len(self.recruits):
            return [("recruits", f"needs one threshold per tier above the first, like spend "
                                 f"({len(self.spend)}), got {len(self.recruits)}",
                     f"第一级以上每级需要一个门槛,与 spend 一致({len(self.spend)} 个),"
                     f"实际为 {len(self.recruits)} 个")]
        if len(self.discount_scale) != len(self.spend) + 1:
            return [("discount_scale", f"needs one multiplier per tier ({len(self.spend) + 1}), "
                                       f"got {len(self.discount_scale)}",
                     f"每级需要一个倍数({len(self.spend) + 1} 个),实际为 {len(self.discount_scale)} 个")]
        if list(self.spend) != sorted(self.spend) or list(self.recruits) != sorted(self.recruits):
            return [("spend", "thresholds must rise from tier to tier", "门槛必须逐级上升")]
        return []

    def tier(self, model: SchemeModel, ids: np.ndarray) -> np.ndarray:
        """Tier of each person, 1 for the lowest."""
        spent = model.column("member_spend", np.int64)[ids]
        by_spend = np.searchsorted(np.array([cents(s) for s in self.spend]), spent, side="right")
        by_recruits = np.searchsorted(np.array(self.recruits), model.people.recruits[ids], side="right")
        return 1 + np.maximum(by_spend, by_recruits)

    def discount_scale_ppm(self, model: SchemeModel, ids: np.ndarray) -> np.ndarray:
        scale = np.array([ppm(s) for s in self.discount_scale], np.int64)
        return scale[self.tier(model, ids) - 1]

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        np.add.at(model.column("member_spend", np.int64), buyers, amounts)

    def on_day_end(self, model: SchemeModel) -> None:
        p = model.people
        ids = np.flatnonzero((p.role == DISTRIBUTOR) & (p.state == ACTIVE))
        p.rank[ids] = self.tier(model, ids)


@dataclass(frozen=True)
class Subscription(Rule):
    """Subscription commerce (订阅电商): prepaid recurring deliveries every cycle.

    Source: S2, 订阅电商模式 (docs/sources.md): 「订阅电商通过用户预付费用,定期配送商品」;
    「用户订阅后,商家按月或按周自动发货」; 「示例:母婴用品订阅服务,月均客单价200元」. A customer
    subscribes (newcomers with ``conversion``, others with ``conversion_daily``) to one merchant;
    every ``every_days`` they prepay and receive ``units`` units at ``discount`` off (a
    subscribe-and-save price the merchant funds), booked as a sale. At each cycle a subscriber
    cancels with ``cancel``, and a subscriber who leaves the market stops. The subscription
    covers staple needs, so subscribers' other purchases happen at ``other_purchases`` × their
    usual chance. Recurring orders are not reshaped by other rules (a subscription has its
    own price).
    """
    key = "subscription"
    name_en = "Subscription"
    name_zh = "订阅电商"

    every_days: int = param(30, lo=1, hi=365, unit="days", en="Days between deliveries",
                            zh="配送周期(天)")
    units: int = param(2, lo=1, hi=1_000, unit="units", en="Units per delivery", zh="每期件数")
    discount: float = param(0.0, lo=0, hi=1, en="Subscription discount, funded by the merchant",
                            zh="订阅优惠比例(商家承担)")
    conversion: float = param(0.1, lo=0, hi=1, en="Chance a newcomer subscribes on arrival",
                              zh="新用户加入时订阅的概率")
    conversion_daily: float = param(0.002, lo=0, hi=1, unit="1/day",
                                    en="Daily chance a customer who never subscribed subscribes",
                                    zh="未订阅顾客每日订阅概率")
    cancel: float = param(0.1, lo=0, hi=1, en="Chance a subscriber cancels at a cycle",
                          zh="每期退订概率")
    other_purchases: float = param(1.0, lo=0, hi=10,
                                   en="Multiplier of subscribers' other purchase chance",
                                   zh="订阅者其他购买概率倍数")

    def facts(self) -> Facts:
        return Facts()

    def _columns(self, model: SchemeModel) -> tuple[np.ndarray, np.ndarray]:
        # Next delivery day (-1: never subscribed, -2: cancelled) and the merchant serving them.
        return model.column("sub_next", np.int32, -1), model.column("sub_shop", np.int32, -1)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        if self.other_purchases == 1:
            return None
        return np.where(self._columns(model)[0][active] >= 0, self.other_purchases, 1.0)

    def subscribe(self, model: SchemeModel, ids: np.ndarray) -> None:
        """Start subscriptions today: the first delivery is today's, at the day's end."""
        nxt, shop = self._columns(model)
        nxt[ids] = model.day
        shop[ids] = -1

    def on_day_end(self, model: SchemeModel) -> None:
        p, rng = model.people, model.rng
        nxt, shop = self._columns(model)
        new = model.newcomers()
        new = new[nxt[new] == -1]
        start = new[rng.random(len(new)) < self.conversion]
        if self.conversion_daily:
            waiting = np.flatnonzero((p.state == ACTIVE) & (nxt == -1) & (p.join_day < model.day))
            start = np.concatenate([start, waiting[rng.random(len(waiting)) < self.conversion_daily]])
        self.subscribe(model, start)
        due = np.flatnonzero(nxt == model.day)
        if len(due) == 0:
            return
        gone = p.state[due] != ACTIVE
        renewing = shop[due] >= 0  # the first delivery is not a renewal
        stop = gone | (renewing & (rng.random(len(due)) < self.cancel))
        nxt[due[stop]] = -2
        due = due[~stop]
        open_ = np.array([mm.active for mm in model.merchants])
        if len(due) == 0 or not open_.any():
            return
        lost = (shop[due] < 0) | ~open_[np.maximum(shop[due], 0)]
        if lost.any():  # a new subscriber, or their merchant closed: pick by appeal
            shop[due[lost]] = model.pick_merchants(int(lost.sum()))
        orders = model.new_orders(due, np.full(len(due), self.units, np.int64), shop[due].astype(np.int64))
        orders.paid -= orders.list_price * ppm(self.discount) // PPM
        nxt[due] = model.day + self.every_days
        model.book_sales(orders)
