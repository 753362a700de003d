"""优惠券: coupons that bring customers back (私域社群发券)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.people import ACTIVE
from sim.rules.base import Facts, Rule, cents
from sim.rules.membership import FUNDERS, apply_discount
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel
    from sim.orders import Orders

UNDECIDED, IN_GROUP, OUT = 0, 1, 2


@dataclass(frozen=True)
class Coupons(Rule):
    """Coupons (优惠券) that lift the chance of the next purchase.

    Sources (docs/sources.md): S2, 私域流量电商 「品牌通过社群发放优惠券,复购率提升30%」;
    S1 §4 「內容中嵌入商品鏈接或優惠券」 and §16 「社群運營包括定期發布優惠信息」.

    ``issue = "after_purchase"``: a buyer receives a coupon with their order (chance ``reach``).
    ``issue = "community"``: a buyer joins the brand's group chat (私域, chance ``reach``, decided
    at their first purchase) and the group gets a coupon for every member every ``every_days``.
    A coupon is worth ``value`` yuan off one order (at most the order's price), lapses after
    ``valid_days`` and is used up by the holder's next purchase. While holding one, a person's
    purchase chance is × (1 + ``lift``). The discount is paid by the platform (coupon_subsidy:
    the merchant is made whole) or by the merchant. A coupon is a conditional discount, not
    money owed, so it is no reward and no liability.
    """
    key = "coupons"
    name_en = "Coupons"
    name_zh = "优惠券"

    issue: str = param("community", choices=("after_purchase", "community"),
                       en="When coupons are issued: with each purchase, or dropped in the group chat",
                       zh="发券方式:购买后发放,或在社群中定期发放")
    reach: float = param(1.0, lo=0, hi=1,
                         en="Share of buyers who get coupons (after_purchase) or join the group (community)",
                         zh="获得优惠券(购后发券)或加入社群(社群发券)的买家比例")
    every_days: int = param(7, lo=1, hi=365, unit="days", en="Days between coupon drops in the group",
                            zh="社群发券周期(天)")
    value: float = param(10.0, lo=0, hi=1_000_000, unit="yuan", en="Yuan off one order",
                         zh="每张券面额")
    valid_days: int = param(7, lo=1, hi=3_650, unit="days", en="Days a coupon stays valid",
                            zh="优惠券有效期(天)")
    lift: float = param(0.3, lo=0, hi=10,
                        en="Extra purchase chance while holding a coupon (0.3: +30%)",
                        zh="持券期间购买概率提升比例")
    funded_by: str = param("platform", choices=FUNDERS,
                           en="Who pays the discount: platform (coupon_subsidy) or merchant",
                           zh="券面由谁承担:平台(补贴)或商家")

    def facts(self) -> Facts:
        return Facts()

    def _columns(self, model: SchemeModel) -> tuple[np.ndarray, np.ndarray]:
        # Last day the held coupon is valid (-1: none), and group membership.
        return model.column("coupon_until", np.int32, -1), model.column("coupon_group", np.int8)

    def holding(self, model: SchemeModel, ids: np.ndarray) -> np.ndarray:
        return self._columns(model)[0][ids] >= model.day

    def give(self, model: SchemeModel, ids: np.ndarray) -> None:
        """Hand a fresh coupon to each of ``ids`` (a held one is replaced, not stacked)."""
        self._columns(model)[0][ids] = model.day + self.valid_days - 1

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        return np.where(self.holding(model, active), 1.0 + self.lift, 1.0)

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        idx = orders.open
        idx = idx[self.holding(model, orders.buyers[idx])]
        if len(idx):
            apply_discount(orders, idx, np.full(len(idx), cents(self.value), np.int64), self.funded_by)
            self._columns(model)[0][orders.buyers[idx]] = -1

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        group = self._columns(model)[1]
        if self.issue == "after_purchase":
            self.give(model, buyers[model.rng.random(len(buyers)) < self.reach])
            return
        first = np.unique(buyers[group[buyers] == UNDECIDED])
        group[first] = np.where(model.rng.random(len(first)) < self.reach, IN_GROUP, OUT)

    def on_day_end(self, model: SchemeModel) -> None:
        if self.issue == "community" and model.day % self.every_days == 0:
            group = self._columns(model)[1]
            self.give(model, np.flatnonzero((group == IN_GROUP) & (model.people.state == ACTIVE)))
