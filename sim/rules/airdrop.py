"""共享购: 共享值 earned on spending, converted by a fixed daily airdrop of 共享积分."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import POINTS, SALE
from sim.people import ACTIVE
from sim.rules.base import MAX_CENTS, PPM, Facts, Rule, cents, ppm
from sim.rules.pools import pro_rata
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass
class _Airdrop:
    remaining: int = -1      # 共享积分 not yet issued, in cents of value at the price
    merchant_value: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


@dataclass(frozen=True)
class SharedPurchase(Rule):
    """Shared purchase (共享购): 共享值 from spending, a fixed daily airdrop of 共享积分.

    Source: S1 §10 共享購模式 (docs/sources.md): 「平臺發行共享值和共享積分兩種資產」;
    「用戶通過消費等方式獲得共享值可轉化為共享積分」; 「共享積分由平臺恒定發售每日固定空投數量
    用戶按比例獲取」; 「商家讓利越多消費者收益越多」. The source gives no figures; those below are
    the worked example of docs/validation.md. A buyer earns
    共享值 = price paid × 让利 × ``value_multiple`` and the merchant 让利 × ``merchant_multiple``
    (共享值 counts in yuan). Every day ``daily_airdrop`` 共享积分 are airdropped, split in
    proportion to everyone's 共享值, leavers and merchants included; converting uses up 共享值
    at ``point_price`` yuan per point (100 of 10,000 共享值 and 498 a day: 4.98 points, 95.02
    left). Issuance is finite: ``total_issuance`` in all, ``daily_airdrop`` a day, the last day
    the remainder (390,000 at 498 a day: 783 full days and 66 on day 784, the last). No one
    receives more than the 共享值 they hold.

    Money: the platform sets each airdrop's value aside in the points account (from the 让利
    it collects); merchants sell theirs back at once (``airdrop_merchants``, a credit to their
    profit); consumers hold theirs (points liability) and sell them at ``point_price`` with
    daily chance ``sell_chance``, a reward on their own spending paid from the points account.
    共享值 still held, by buyers and merchants, is what they were told they would get back and
    the books do not hold: ``promised_offbook``; ``airdrop_remaining`` is the most that can
    ever be airdropped.
    """
    key = "shared_purchase"
    name_en = "Shared purchase airdrop"
    name_zh = "共享购空投"

    value_multiple: float = param(10.0, lo=0, hi=1_000,
                                  en="共享值 per yuan of 让利 on a buyer's purchase",
                                  zh="消费者共享值 = 消费额 × 让利 × 倍数")
    merchant_multiple: float = param(2.0, lo=0, hi=1_000,
                                     en="共享值 per yuan of 让利 a merchant gives",
                                     zh="商家共享值 = 让利额 × 倍数")
    daily_airdrop: float = param(498.0, lo=0, hi=1e12, unit="points",
                                 en="共享积分 airdropped each day", zh="每日固定空投共享积分")
    total_issuance: float = param(390_000.0, lo=0, hi=1e15, unit="points",
                                  en="共享积分 ever issued", zh="共享积分发行总量")
    point_price: float = param(1.0, lo=0.01, hi=1_000_000, unit="yuan",
                               en="Price of one 共享积分 (yuan)", zh="共享积分单价")
    sell_chance: float = param(0.1, lo=0, hi=1, unit="1/day",
                               en="Daily chance an active holder sells their 共享积分",
                               zh="持有人每日出售共享积分的概率")
    purchase_lift: float = param(0.0, lo=0, hi=10,
                                 en="Extra purchase chance from the promise of airdrops",
                                 zh="空投预期带来的购买率提升")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("shared_points",), levels_paid=0, pays_on_sales=True,
                     pays_customers=True, creates_liability=True)

    def problems(self) -> list[tuple[str, str, str]]:
        if cents(self.daily_airdrop * self.point_price) < 1 and self.daily_airdrop > 0:
            return [("daily_airdrop", "is worth less than a cent a day at point_price",
                     "按 point_price 计算每天价值不足 1 分钱")]
        worth = cents(self.total_issuance * self.point_price)
        if worth > MAX_CENTS:
            return [("total_issuance", f"is worth ¥{worth / 100:,.0f} at point_price; at most "
                                       f"¥{MAX_CENTS / 100:,.0f} can be booked to the cent",
                     f"按 point_price 计算价值 ¥{worth / 100:,.0f};账本最多可精确到分地记录 "
                     f"¥{MAX_CENTS / 100:,.0f}")]
        return []

    def _state(self, model: SchemeModel) -> _Airdrop:
        st = model.rule_state(self.key, _Airdrop)
        if st.remaining < 0:
            st.remaining = cents(self.total_issuance * self.point_price)
            st.merchant_value = np.zeros(len(model.merchants), np.int64)
        return st

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        return np.full(len(active), 1 + self.purchase_lift) if self.purchase_lift else None

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        st, rangli = self._state(model), ppm(model.scenario.retail.rangli)
        np.add.at(model.column("share_value", np.int64), buyers,
                  amounts * (rangli * ppm(self.value_multiple) // PPM) // PPM)
        orders = model.booking
        given = (orders.paid + orders.subsidy) * rangli // PPM
        np.add.at(st.merchant_value, orders.shop, given * ppm(self.merchant_multiple) // PPM)

    def airdrop(self, model: SchemeModel) -> tuple[np.ndarray, np.ndarray]:
        """Today's airdrop: (persons, cents of 共享积分 each); merchants are paid directly."""
        st, value = self._state(model), model.column("share_value", np.int64)
        ids = np.flatnonzero(value)
        holdings = np.concatenate([value[ids], st.merchant_value])
        amount = min(cents(self.daily_airdrop * self.point_price), st.remaining, int(holdings.sum()))
        got = pro_rata(amount, holdings)
        mine, theirs = got[:len(ids)], got[len(ids):]
        value[ids] -= mine
        st.merchant_value -= theirs
        st.remaining -= amount
        model.ledger.transfer("points_issued", amount)
        shop = np.flatnonzero(theirs)
        model.ledger.merchants_flow("airdrop_merchants", shop, theirs[shop])
        model.add_merchant_profit(shop, theirs[shop])
        np.add.at(model.column("shared_points", np.int64), ids, mine)
        return ids, mine

    def on_day_end(self, model: SchemeModel) -> None:
        self.airdrop(model)
        held = model.column("shared_points", np.int64)
        ids = np.flatnonzero(held)
        ids = ids[model.people.state[ids] == ACTIVE]
        ids = ids[model.rng.random(len(ids)) < self.sell_chance]
        model.ledger.reward("shared_points", ids, ids, np.zeros(len(ids), np.int64), held[ids],
                            basis=SALE, source=POINTS)
        held[ids] = 0

    def daily_figures(self, model: SchemeModel) -> dict[str, int]:
        st = self._state(model)
        # Merchants hold 共享值 too and are promised airdrops on it like buyers.
        held = int(model.column("share_value", np.int64).sum()) + int(st.merchant_value.sum())
        return {"promised_offbook": held, "airdrop_remaining": st.remaining}
