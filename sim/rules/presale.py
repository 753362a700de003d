"""预售 / 众筹 / C2B: orders are pooled before anything is made; below the threshold, refunds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.orders import Orders
from sim.rules.base import PPM, Facts, Rule, ppm
from sim.rules.groupbuy import Taken, keep_orders, merchant_open
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass
class _Campaigns:
    pending: Orders = field(default_factory=Orders.empty)   # paid into escrow, not yet delivered
    campaign: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    deposit: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    deliver: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # -1: not yet made
    taken: Taken = field(default_factory=Taken)


@dataclass(frozen=True)
class Presale(Rule):
    """Presale, crowdfunding and C2B made-to-order (预售 / 众筹 / C2B 定制).

    Sources (docs/sources.md): S1 §11 「消費者通過團購形式提前下單支付定金或全款」,
    「達到一定團購人數后,商家開始生產和發貨」; S3, C2B定制 「商家根据预售或众筹的订单数量进行生产」,
    「当众筹金额达到一定目标时,商家开始生产」. Each merchant runs
    campaigns of ``window`` days back to back. A buyer pre-orders with chance ``take_up``
    instead of buying from stock, at ``price_factor`` × the regular price (below 1 a presale
    discount, above 1 a made-to-order premium), paying ``deposit`` of it into escrow (定金; 1
    is full payment, 全款). When the window closes, a campaign with at least ``threshold``
    orders goes into production: buyers pay the balance (尾款) into escrow and the goods,
    costing ``cost_factor`` × the usual unit cost (made to order: no unsold stock, or custom
    work), are delivered and sold ``lead_days`` later. A campaign below the threshold makes
    nothing and refunds every deposit; so does one whose merchant closes before delivery.
    """
    key = "presale"
    name_en = "Presale / crowdfunding"
    name_zh = "预售 / 众筹"

    take_up: float = param(0.3, lo=0, hi=1, en="Share of buyers who pre-order instead of buying from stock",
                           zh="选择预订(而非现货购买)的买家比例")
    price_factor: float = param(0.9, lo=0.01, hi=10,
                                en="Presale price as a multiple of the regular price",
                                zh="预售价为原价的倍数")
    cost_factor: float = param(1.0, lo=0, hi=10,
                               en="Unit cost of the made-to-order goods as a multiple of the usual cost",
                               zh="按单生产的单位成本为常规成本的倍数")
    deposit: float = param(0.2, lo=0.01, hi=1, en="Share of the price paid up front (1: full payment)",
                           zh="定金占售价比例(1为全款)")
    window: int = param(10, lo=1, hi=365, unit="days", en="Days a campaign takes orders",
                        zh="每期预售/众筹的下单天数")
    threshold: int = param(20, lo=1, hi=10_000_000, unit="orders",
                           en="Orders a merchant's campaign needs to go into production",
                           zh="商家每期成团(开工生产)所需订单数")
    lead_days: int = param(7, lo=0, hi=365, unit="days",
                           en="Days from the close of a campaign to delivery", zh="截单到交付的天数")

    def facts(self) -> Facts:
        return Facts()

    def _state(self, model: SchemeModel) -> _Campaigns:
        return model.rule_state(self.key, _Campaigns)

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        free = orders.open
        pre = free[model.rng.random(len(free)) < self.take_up]
        regular = orders.list_price[pre]
        orders.paid[pre] = regular * ppm(self.price_factor) // PPM
        orders.list_price[pre] = np.maximum(orders.paid[pre], regular)  # a premium buys more
        orders.cogs[pre] = orders.cogs[pre] * ppm(self.cost_factor) // PPM
        self._state(model).taken.take(orders, pre, np.zeros(len(pre), np.int64))

    def on_day_end(self, model: SchemeModel) -> None:
        st, ledger, day = self._state(model), model.ledger, model.day
        today, _ = st.taken.collect()
        if len(today):
            deposit = today.paid * ppm(self.deposit) // PPM
            ledger.charge("deposit", today.buyers, deposit)
            st.pending = Orders.concat([st.pending, today])
            st.campaign = np.concatenate([st.campaign, np.full(len(today), (day - 1) // self.window)])
            st.deposit = np.concatenate([st.deposit, deposit])
            st.deliver = np.concatenate([st.deliver, np.full(len(today), -1)])
        if day % self.window == 0:
            self._close(model, (day - 1) // self.window)
        arrived = (st.deliver >= 0) & (st.deliver <= day)
        if arrived.any():
            done = keep_orders(st.pending, arrived)
            self._drop(st, arrived)
            made = merchant_open(model, done.shop)
            ledger.refund(done.buyers[~made], done.paid[~made])
            model.book_sales(done.subset(np.flatnonzero(made)), from_escrow=True)

    def _close(self, model: SchemeModel, campaign: int) -> None:
        st, ledger = self._state(model), model.ledger
        closing = (st.campaign == campaign) & (st.deliver < 0)
        shop = st.pending.shop[closing]
        count = np.bincount(shop, minlength=len(model.merchants))
        go = (count[shop] >= self.threshold) & merchant_open(model, shop)
        idx = np.flatnonzero(closing)
        made, dropped = idx[go], idx[~go]
        # Production: the balance is paid and delivery scheduled.
        balance = st.pending.paid[made] - st.deposit[made]
        ledger.charge("deposit", st.pending.buyers[made], balance)
        st.deliver[made] = model.day + self.lead_days
        # Below the threshold: nothing is made and every deposit goes back.
        ledger.refund(st.pending.buyers[dropped], st.deposit[dropped])
        keep = np.ones(len(st.campaign), bool)
        keep[dropped] = False
        self._drop(st, ~keep)

    @staticmethod
    def _drop(st: _Campaigns, mask: np.ndarray) -> None:
        st.pending = keep_orders(st.pending, ~mask)
        st.campaign, st.deposit, st.deliver = st.campaign[~mask], st.deposit[~mask], st.deliver[~mask]
