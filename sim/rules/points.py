"""积分: points issued on spending and social actions, redeemed for goods, lapsing unused;
and a points pool whose unit value follows platform profit (消费增值).

Points at a fixed cash value are set aside when issued (``points_issued``: platform ->
points), so the books' points liability is always issued − redeemed − expired. Redeeming
pays the member from the points account (a reward on their own spending, depth 0) and they
spend it at once on goods in the points mall (积分商城, ``ledger.spend_wallet``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import POINTS, POOLS, SALE
from sim.people import ACTIVE
from sim.rules.base import PPM, Facts, Rule, cents, ppm
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel

# Per-person columns shared by the points rules: whole points held, and the last day earned.
HELD, LAST_EARNED = "points_held", "points_last_earned"


def issue_points(model: SchemeModel, ids: np.ndarray, points: np.ndarray) -> None:
    """Credit whole points to persons, setting their cash value aside in the points account."""
    rule = model.scenario.rule("points")
    np.add.at(model.column(HELD, np.int64), ids, points)
    model.column(LAST_EARNED, np.int32)[ids[points > 0]] = model.day
    model.ledger.transfer("points_issued", int(points.sum()) * cents(rule.point_value))


def _needs_points(model: SchemeModel, key: str) -> None:
    if model.scenario.rule("points") is None:
        raise ValueError(f"rules.{key} issues points: add [rules.points] to value and redeem them")


@dataclass(frozen=True)
class Points(Rule):
    """Points on purchases (积分), redeemed in a points mall, lapsing when unused.

    Sources (docs/sources.md): S1 §5 「用戶在平臺購物獲得積分,積分可用于兌換商品」 and §21
    「積分可用于在積分商城兌換商品或服務」; S3, 积分会员模式 「每消费100元可以获得10个积分」,
    「高级会员每消费100元可以获得15个积分」. A member earns
    ``points_per_100`` whole points per 100 yuan paid (rounded down), by tier: tier k from
    lifetime spend ``tier_spend[k]``. Each point is worth ``point_value`` yuan, set aside
    when issued. A member holding ``redeem_at`` points redeems, with daily chance
    ``redeem_chance``, every whole block of ``redeem_at`` for mall goods of that value.
    Points lapse (``points_expired``, breakage back to the platform) after ``expiry_days``
    without earning any, which is how leavers' points end. ``purchase_lift`` raises the
    purchase chance of members holding points.
    """
    key = "points"
    name_en = "Points and points mall"
    name_zh = "积分与积分商城"
    sales_amount_key = "points_per_100"

    points_per_100: tuple[float, ...] = param((10.0,), lo=0, hi=10_000, unit="points",
                                              en="Points per 100 yuan spent, by tier",
                                              zh="每消费100元获得积分(按等级)")
    tier_spend: tuple[float, ...] = param((0.0,), lo=0, hi=1e9, unit="yuan",
                                          en="Lifetime spend at which each tier starts",
                                          zh="各等级起始累计消费额")
    point_value: float = param(0.1, lo=0.01, hi=1_000, unit="yuan",
                               en="Cash value of one point in the mall", zh="每积分兑换价值")
    redeem_at: int = param(200, lo=1, hi=10_000_000, unit="points",
                           en="Points one mall item or coupon costs", zh="一次兑换所需积分")
    redeem_chance: float = param(0.2, lo=0, hi=1, unit="1/day",
                                 en="Daily chance an active member who can redeem does",
                                 zh="可兑换会员每日兑换的概率")
    expiry_days: int = param(365, lo=0, hi=3_650, unit="days",
                             en="Days without earning after which points lapse (0: never)",
                             zh="未获积分多少天后积分失效(0为永不)")
    purchase_lift: float = param(0.0, lo=0, hi=10,
                                 en="Extra purchase chance of members holding points",
                                 zh="持有积分会员的购买率提升")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("points_redeemed",), levels_paid=0, pays_on_sales=True,
                     pays_customers=True, creates_liability=True)

    def problems(self) -> list[tuple[str, str, str]]:
        t = self.tier_spend
        if len(t) != len(self.points_per_100):
            return [("tier_spend", f"must list one threshold per tier like points_per_100 "
                                   f"({len(self.points_per_100)}), got {len(t)}",
                     f"每级需要一个门槛,与 points_per_100 一致({len(self.points_per_100)} 个),"
                     f"实际为 {len(t)} 个")]
        if t[0] != 0 or any(b <= a for a, b in zip(t, t[1:])):
            return [("tier_spend", "must start at 0 and increase", "必须从 0 开始并逐级上升")]
        return []

    def reward_rate_on_sales(self) -> float:
        return max(self.points_per_100) / 100 * self.point_value

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        if not self.purchase_lift:
            return None
        return 1 + self.purchase_lift * (model.column(HELD, np.int64)[active] > 0)

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        spend = model.column("points_spend", np.int64)
        tier = np.searchsorted(np.array([cents(t) for t in self.tier_spend]), spend[buyers],
                               side="right") - 1
        np.add.at(spend, buyers, amounts)
        per_100 = np.array([round(p * 100) for p in self.points_per_100], np.int64)[tier]
        issue_points(model, buyers, amounts * per_100 // 1_000_000)  # cents/10,000 per 100 yuan

    def on_day_end(self, model: SchemeModel) -> None:
        held, value = model.column(HELD, np.int64), cents(self.point_value)
        if self.expiry_days:
            last = model.column(LAST_EARNED, np.int32)
            lapsed = np.flatnonzero(held > 0)
            lapsed = lapsed[model.day - last[lapsed] >= self.expiry_days]
            model.ledger.transfer("points_expired", int(held[lapsed].sum()) * value)
            held[lapsed] = 0
        ids = np.flatnonzero(held >= self.redeem_at)
        ids = ids[model.people.state[ids] == ACTIVE]
        ids = ids[model.rng.random(len(ids)) < self.redeem_chance]
        used = held[ids] // self.redeem_at * self.redeem_at
        held[ids] -= used
        redeem(model, "points_redeemed", ids, used * value, source=POINTS)


def redeem(model: SchemeModel, kind: str, ids: np.ndarray, amounts: np.ndarray, *,
           source: int, pool: str = "") -> None:
    """Pay redeemed points to their holders (own spending, depth 0) and spend them at once
    on mall goods of the same value."""
    model.ledger.reward(kind, ids, ids, np.zeros(len(ids), np.int64), amounts, basis=SALE,
                        source=source, pool=pool)
    model.ledger.spend_wallet(ids, amounts, value=amounts)


@dataclass(frozen=True)
class SignInPoints(Rule):
    """Points for social actions (签到, 评价): daily sign-in and tasks earn points.

    Sources (docs/sources.md): S1 §21 社交電商+積分商城模式 with §13 「用戶通過完成任務獲得積分」;
    S3 「消费者在新零售商城购物、参与活动、评价商品等行为可以获得积分」. Each active customer
    signs in with daily chance ``chance`` and earns ``points``, valued and redeemed by
    [rules.points]. Signing in brings people back:
    ``purchase_lift`` raises the purchase chance on a day they sign in.
    """
    key = "sign_in_points"
    name_en = "Sign-in points"
    name_zh = "签到积分"

    points: int = param(1, lo=0, hi=10_000, unit="points", en="Points per sign-in",
                        zh="每次签到积分")
    chance: float = param(0.3, lo=0, hi=1, unit="1/day", en="Daily chance a customer signs in",
                          zh="顾客每日签到概率")
    purchase_lift: float = param(0.0, lo=0, hi=10,
                                 en="Extra purchase chance on a day one signs in",
                                 zh="签到当日购买率提升")

    def facts(self) -> Facts:
        return Facts(pays_customers=True, creates_liability=True)

    def on_setup(self, model: SchemeModel) -> None:
        _needs_points(model, self.key)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        # Signing in comes before shopping, so it is drawn here, where the day's buying starts.
        signed = active[model.rng.random(len(active)) < self.chance]
        issue_points(model, signed, np.full(len(signed), self.points, np.int64))
        if not self.purchase_lift:
            return None
        return 1 + self.purchase_lift * (model.column(LAST_EARNED, np.int32)[active] == model.day)


@dataclass(frozen=True)
class SharePoints(Rule):
    """Share rewards (分享奖励): points to the sharer when the friend they brought buys.

    Source: S3, 社交分享与推荐模式 (docs/sources.md): 「其他用户通过分享链接进入商城购物,
    分享者可以获得一定的奖励,如积分」; 「这位消费者则获得了商城的积分奖励,
    可以在下次购物时抵扣现金」. When a person makes their first purchase, the contact whose share brought them in
    (their sponsor), if still active, earns ``points`` worth ``point_value`` yuan each. The
    reward is a depth-1 payment for someone else's purchase, so it is paid into the sharer's
    balance when earned (where the audit sees who triggered it) and used up as 现金抵扣 on the
    sharer's next purchases (goods of that value, ``spend_wallet``).
    """
    key = "share_points"
    name_en = "Share reward points"
    name_zh = "分享奖励积分"

    points: int = param(50, lo=0, hi=1_000_000, unit="points",
                        en="Points per friend who buys through one's share", zh="每位通过分享购买的好友奖励积分")
    point_value: float = param(0.1, lo=0.01, hi=1_000, unit="yuan",
                               en="Cash value of one point", zh="每积分抵扣金额")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("share_points",), levels_paid=1, pays_on_sales=True,
                     pays_customers=True, creates_liability=True)

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        people, unused = model.people, model.column("share_points_unused", np.int64)
        # 现金抵扣: share points not yet used pay towards what the sharer buys now.
        use = np.minimum(np.minimum(unused[buyers], model.ledger.wallet[buyers]), amounts)
        spenders = use > 0
        model.ledger.spend_wallet(buyers[spenders], use[spenders], value=use[spenders])
        unused[buyers] -= use
        first = buyers[people.purchases[buyers] == 1]
        sharer = people.sponsor[first]
        ok = sharer >= 0
        ok[ok] = people.state[sharer[ok]] == ACTIVE
        pay = np.full(int(ok.sum()), self.points * cents(self.point_value), np.int64)
        model.ledger.reward("share_points", sharer[ok], first[ok], np.ones(len(pay), np.int64), pay,
                            basis=SALE)
        np.add.at(unused, sharer[ok], pay)


@dataclass(frozen=True)
class PointsPool(Rule):
    """A points pool whose unit value follows platform profit (积分池, 消费增值).

    Source: S1 §5 (docs/sources.md): 「部分平臺還通過積分池機制實現消費增值,用戶積分價值隨平臺
    利潤增長而提升」. Buyers earn ``points_per_100`` points per 100 yuan. Each day
    the platform puts ``profit_share`` of its cash profit that day (if any) into the pool; a
    point is worth pool ÷ points outstanding. A holder of at least ``redeem_at`` points
    redeems them all, with daily chance ``redeem_chance``, at that unit value, for goods. The
    pool is the liability on the books; points were sold as worth ``issue_value`` each and
    only rising, so the shortfall of the pool below that is reported as ``promised_offbook``.
    """
    key = "points_pool"
    name_en = "Points pool (consumption appreciation)"
    name_zh = "积分池消费增值"

    points_per_100: float = param(100.0, lo=0, hi=1_000_000, unit="points",
                                  en="Points per 100 yuan spent", zh="每消费100元获得积分")
    profit_share: float = param(0.3, lo=0, hi=1,
                                en="Share of the platform's daily profit put into the pool",
                                zh="平台每日利润注入积分池的比例")
    issue_value: float = param(0.01, lo=0, hi=1_000, unit="yuan",
                               en="What a point is said to be worth when issued",
                               zh="积分发放时宣传的单位价值")
    redeem_at: int = param(1000, lo=1, hi=1e9, unit="points",
                           en="Fewest points that can be redeemed", zh="最低兑换积分")
    redeem_chance: float = param(0.05, lo=0, hi=1, unit="1/day",
                                 en="Daily chance an active holder who can redeem does",
                                 zh="可兑换持有人每日兑换的概率")
    purchase_lift: float = param(0.0, lo=0, hi=10,
                                 en="Extra purchase chance of persons holding points",
                                 zh="持有积分者的购买率提升")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("points_pool",), levels_paid=0, pays_on_sales=True,
                     pays_customers=True, creates_liability=True)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        if not self.purchase_lift:
            return None
        return 1 + self.purchase_lift * (model.column("pool_points", np.int64)[active] > 0)

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        np.add.at(model.column("pool_points", np.int64), buyers,
                  amounts * round(self.points_per_100 * 100) // 1_000_000)

    def unit_value(self, model: SchemeModel) -> float:
        """Today's value of one point in yuan."""
        out = int(model.column("pool_points", np.int64).sum())
        return model.ledger.pool(self.key) / out / 100 if out else 0.0

    def on_day_end(self, model: SchemeModel) -> None:
        held = model.column("pool_points", np.int64)
        profit = model.platform_profit_today()
        if profit > 0:
            model.ledger.fund_pool(self.key, profit * ppm(self.profit_share) // PPM)
        ids = np.flatnonzero(held >= self.redeem_at)
        ids = ids[model.people.state[ids] == ACTIVE]
        ids = ids[model.rng.random(len(ids)) < self.redeem_chance]
        if not len(ids):
            return
        outstanding = int(held.sum())
        # Each redeemer's points times pool / outstanding, rounded down: those who stay keep
        # at least today's unit value.
        pay = held[ids] * model.ledger.pool(self.key) // outstanding
        held[ids] = 0
        redeem(model, "points_pool", ids, pay, source=POOLS, pool=self.key)

    def daily_figures(self, model: SchemeModel) -> dict[str, int]:
        promised = int(model.column("pool_points", np.int64).sum()) * ppm(self.issue_value) * 100 // PPM
        return {"promised_offbook": max(promised - model.ledger.pool(self.key), 0)}
