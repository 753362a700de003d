"""Channel mechanisms: models without an incentive rule act on the market, not on payouts.

Each class is one lever a channel pulls: the models without an incentive rule (docs/catalogue.md)
act on the market through conversion, basket size, price, margin, fulfilment cost and reach.
They pay no one, so their facts are
empty; their costs are ``marketing`` flows (platform to outside suppliers: rent, staff, data
systems, licences). Reach lifts scale the daily adoption hazard from adverts once in
``on_setup`` (``model.scale_adverts``), conversion lifts are ``demand`` multipliers, price, basket,
cost of goods and fulfilment are changed on the orders in ``shape_orders``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.orders import Orders
from sim.rules.base import PPM, Facts, Rule, cents, ppm
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel

_COST = dict(lo=0, hi=100_000_000, unit="yuan/day")


def _grow(values: np.ndarray, rate: float) -> np.ndarray:
    """``values`` (cents) raised by ``rate``, rounded down to the cent."""
    return values + values * ppm(rate) // PPM


class ChannelRule(Rule):
    """A market lever: it pays no rewards and decides no one's role."""

    def facts(self) -> Facts:
        return Facts()


@dataclass(frozen=True)
class Stores(ChannelRule):
    """Physical stores (门店 / 新零售体验店) serving the communities around them.

    Sources (docs/sources.md): S1 §7 O2O 「線下門店提供體驗和服務支持」 and §20
    「開設線下體驗店,提供商品展示、試用、體驗和售后服務……舉辦各類活動」; S2, O2O
    「线下门店提供试用、咨询等服务,增强用户信任」, 「带动进店率40%」, 「客单价提升15%」.

    ``stores`` stores each serve ``communities_per_store`` neighbourhoods (the first ones:
    communities are alike, so that is a random sample) at ``daily_cost`` each (rent, staff: a
    marketing cost). Customers there see the store (adverts' reach × (1 + ``reach_lift``)),
    visit it and buy more (chance × (1 + ``visit_lift``)), buy bigger baskets (value ×
    (1 + ``basket_lift``)) and trust the brand more (churn hazard × (1 − ``churn_cut``)).
    """
    key = "stores"
    name_en = "Stores"
    name_zh = "线下门店"

    stores: int = param(5, lo=0, hi=1_000_000, en="Stores", zh="门店数")
    communities_per_store: int = param(10, lo=1, hi=1_000_000,
                                       en="Communities (neighbourhoods) one store serves",
                                       zh="每家门店覆盖的社区数")
    daily_cost: float = param(500.0, **_COST, en="Rent and staff per store per day",
                              zh="每店每日租金与人工")
    visit_lift: float = param(0.2, lo=0, hi=10, en="Extra purchase chance of a customer near a store",
                              zh="门店覆盖顾客购买概率提升比例")
    basket_lift: float = param(0.0, lo=0, hi=10, en="Extra basket value of a customer near a store",
                               zh="门店覆盖顾客客单价提升比例")
    reach_lift: float = param(0.0, lo=0, hi=100, en="Extra advert reach near a store (footfall, events)",
                              zh="门店周边广告触达提升比例")
    churn_cut: float = param(0.0, lo=0, hi=1, en="Cut in churn hazard near a store (trust)",
                             zh="门店覆盖顾客流失率降低比例")

    def near(self, model: SchemeModel, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` live in a community a store serves."""
        return model.community[ids] < self.stores * self.communities_per_store

    def on_setup(self, model: SchemeModel) -> None:
        near = np.flatnonzero(self.near(model, np.arange(model.people.size)))
        model.scale_adverts(1.0 + self.reach_lift, near)
        model.scale_customer_churn(near, 1.0 - self.churn_cut)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        return np.where(self.near(model, active), 1.0 + self.visit_lift, 1.0)

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        if self.basket_lift:
            idx = orders.open
            idx = idx[self.near(model, orders.buyers[idx])]
            extra = orders.list_price[idx] * ppm(self.basket_lift) // PPM
            orders.list_price[idx] += extra
            orders.paid[idx] += extra
            orders.cogs[idx] = _grow(orders.cogs[idx], self.basket_lift)

    def on_day_end(self, model: SchemeModel) -> None:
        model.ledger.transfer("marketing", self.stores * cents(self.daily_cost))


@dataclass(frozen=True)
class Pickup(ChannelRule):
    """Pickup in store or at a collection point (到店自提 / 门店发货).

    Sources (docs/sources.md): S1 §7 「線上平臺瀏覽商品、下單支付,然后到線下門店自提」;
    S3, 全渠道 「在微信小程序上购买的商品,可以在线下门店自提,或者由线下门店进行配送」;
    S2 「物流成本占比可能超30%」.

    A share ``pickup_share`` of the orders of customers who can reach a pickup point (near a
    store when ``stores`` is composed, otherwise everyone: lockers and partner shops) is
    collected, costing ``pickup_cost`` instead of the delivery cost. Each such order is booked
    at the expected cost of the two ways it is collected, rounded to the cent.
    """
    key = "pickup"
    name_en = "Pickup"
    name_zh = "到店自提"

    pickup_share: float = param(0.5, lo=0, hi=1, en="Share of reachable orders collected",
                                zh="可自提订单中自提的比例")
    pickup_cost: float = param(2.0, lo=0, hi=100_000, unit="yuan/order",
                               en="Fulfilment cost of a collected order", zh="自提订单履约成本")

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        idx = orders.open
        stores = model.scenario.rule("stores")
        if stores is not None:
            idx = idx[stores.near(model, orders.buyers[idx])]
        share = ppm(self.pickup_share)
        orders.fulfilment[idx] = (orders.fulfilment[idx] * (PPM - share)
                                  + cents(self.pickup_cost) * share) // PPM


@dataclass(frozen=True)
class Targeting(ChannelRule):
    """Data-driven targeting (精准营销): better-aimed adverts and offers.

    Source: S1 §8 數據驅動零售模式 (docs/sources.md): 「通過精準營銷、個性化推薦和庫存管理優化
    提升銷售效率」 and 「降低運營成本」. The data platform costs ``daily_cost`` (marketing); the
    same advertising reaches × ``reach_scale`` as many likely buyers (cheaper acquisition: more
    adopters per yuan), and targeted offers lift every customer's purchase chance by
    ``conversion_lift``.
    """
    key = "targeting"
    name_en = "Targeting"
    name_zh = "精准营销"

    daily_cost: float = param(300.0, **_COST, en="Data platform and targeting cost per day",
                              zh="数据平台与精准投放每日成本")
    reach_scale: float = param(1.5, lo=0, hi=100, en="Multiplier of advert reach",
                               zh="广告触达倍数")
    conversion_lift: float = param(0.1, lo=0, hi=10, en="Extra purchase chance from targeted offers",
                                   zh="精准优惠带来的购买概率提升比例")

    def on_setup(self, model: SchemeModel) -> None:
        model.scale_adverts(self.reach_scale)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        return np.full(len(active), 1.0 + self.conversion_lift)

    def on_day_end(self, model: SchemeModel) -> None:
        model.ledger.transfer("marketing", cents(self.daily_cost))


@dataclass(frozen=True)
class Inventory(ChannelRule):
    """Inventory optimisation (库存管理优化): demand forecasts cut waste, markdowns and stock-outs.

    Sources (docs/sources.md): S1 §8 「庫存管理優化」; S3, 全渠道 「整合这些渠道的订单、库存……
    进行精准营销和库存调配」. Merchants' cost of goods per order
    falls by ``cost_saving`` (less spoiled and marked-down stock carried per unit sold).
    """
    key = "inventory"
    name_en = "Inventory optimisation"
    name_zh = "库存优化"

    cost_saving: float = param(0.05, lo=0, hi=1, en="Cut in the cost of goods per order",
                               zh="单位商品成本降低比例")

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        idx = orders.open
        orders.cogs[idx] -= orders.cogs[idx] * ppm(self.cost_saving) // PPM


@dataclass(frozen=True)
class Recommendation(ChannelRule):
    """Personalised recommendation (智能推荐 / 个性化推荐) that learns from purchase history.

    Sources (docs/sources.md): S1 §18 「平臺根據用戶的歷史購買記錄、瀏覽行為、搜索關鍵詞等信息」,
    「推送符合其個性化需求的商品」, 「增加用戶粘性和購買轉化率」; S5 「个性化推荐:社交电商可以根据用户画像,
    通过机器学习和数据挖掘等技术,实现个性化推荐」. A customer with
    n past orders buys with chance × (1 + ``max_lift`` × (1 − e^(−n / ``learn_orders``))): the
    more history, the better the picks. The system costs ``daily_cost`` (marketing).
    """
    key = "recommendation"
    name_en = "Recommendation"
    name_zh = "智能推荐"

    max_lift: float = param(0.2, lo=0, hi=10, en="Purchase-chance lift once the profile is learnt",
                            zh="画像成熟后的购买概率提升比例")
    learn_orders: float = param(3.0, lo=0.01, hi=1_000, unit="orders",
                                en="Orders of history the lift takes to build (e-folding)",
                                zh="推荐效果建立所需订单数(e 折)")
    daily_cost: float = param(200.0, **_COST, en="Recommendation system cost per day",
                              zh="推荐系统每日成本")

    def lift(self, purchases: np.ndarray) -> np.ndarray:
        return 1.0 + self.max_lift * -np.expm1(-purchases / self.learn_orders)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        return self.lift(model.people.purchases[active])

    def on_day_end(self, model: SchemeModel) -> None:
        model.ledger.transfer("marketing", cents(self.daily_cost))


@dataclass(frozen=True)
class SharedAudience(ChannelRule):
    """Co-branding (跨界联名): a partner brand's audience hears of the platform.

    Source: S1 §14 跨界融合模式 (docs/sources.md): 「與其他行業或品牌進行跨界合作,共同推出聯名
    商品或服務」; 「通過共享資源和用戶群體」; 「吸引更多潛在用戶」.
    The partnership costs
    ``daily_cost`` (licence and joint campaign: marketing) and multiplies adverts' reach by
    (1 + ``reach_lift``) across the market. The limited edition itself is a ``product_offer``.
    """
    key = "shared_audience"
    name_en = "Shared audience"
    name_zh = "共享用户群"

    reach_lift: float = param(1.0, lo=0, hi=100, en="Extra advert reach from the partner's audience",
                              zh="合作方用户带来的触达提升比例")
    daily_cost: float = param(200.0, **_COST, en="Partnership cost per day", zh="合作每日成本")

    def on_setup(self, model: SchemeModel) -> None:
        model.scale_adverts(1.0 + self.reach_lift)

    def on_day_end(self, model: SchemeModel) -> None:
        model.ledger.transfer("marketing", cents(self.daily_cost))


@dataclass(frozen=True)
class ProductOffer(ChannelRule):
    """A special product: custom-made (个性化定制) or a limited co-branded edition (限量联名款).

    Sources (docs/sources.md): S1 §15 「消費者可以根據自己的需求和喜好在平臺上定制商品」,
    「提高商品附加值」 and §14 「推出限量版商品」; S3, C2B定制 「商家根据这些需求进行定制生产」.

    A share ``share`` of orders are for it, at ``price_premium`` over the regular price (the
    fair value of what is bought rises with it) and ``cost_premium`` over its cost of goods.
    With ``lead_days`` > 0 it is made to order: the buyer pays up front into escrow, the goods
    arrive ``lead_days`` later and are booked as a sale then, and a share ``cancel`` of buyers
    cancel before delivery and are refunded in full.
    """
    key = "product_offer"
    name_en = "Product offer"
    name_zh = "定制/限量商品"

    share: float = param(1.0, lo=0, hi=1, en="Share of orders for the special product",
                         zh="特殊商品订单占比")
    price_premium: float = param(0.3, lo=0, hi=100, en="Price above the regular price",
                                 zh="相对常规价格的溢价比例")
    cost_premium: float = param(0.15, lo=0, hi=100, en="Cost of goods above the regular cost",
                                zh="相对常规成本的增加比例")
    lead_days: int = param(0, lo=0, hi=365, unit="days", en="Days from order to delivery",
                           zh="下单到交付天数")
    cancel: float = param(0.0, lo=0, hi=1, en="Share of made-to-order buyers who cancel",
                          zh="定制订单取消比例")

    def problems(self) -> list[tuple[str, str, str]]:
        if self.cancel and not self.lead_days:
            return [("cancel", "needs lead_days > 0: only an order still being made can be cancelled",
                     "需要 lead_days > 0:只有尚在生产的订单才能取消")]
        return []

    def _pending(self, model: SchemeModel) -> dict[int, Orders]:
        """Made-to-order batches by delivery day."""
        return model.rule_state(self.key, dict)

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        idx = orders.open
        if self.share < 1:
            idx = idx[model.rng.random(len(idx)) < self.share]
        extra = orders.list_price[idx] * ppm(self.price_premium) // PPM
        orders.list_price[idx] += extra
        orders.paid[idx] += extra
        orders.cogs[idx] = _grow(orders.cogs[idx], self.cost_premium)
        if self.lead_days and len(idx):
            orders.held[idx] = True
            made = orders.subset(idx)
            model.ledger.charge("deposit", made.buyers, made.paid)
            pending = self._pending(model)
            due = model.day + self.lead_days
            pending[due] = Orders.concat([pending[due], made]) if due in pending else made

    def on_day_end(self, model: SchemeModel) -> None:
        made = self._pending(model).pop(model.day, None)
        if made is None:
            return
        cancelled = model.rng.random(len(made)) < self.cancel
        if cancelled.any():
            model.ledger.refund(made.buyers[cancelled], made.paid[cancelled])
        model.book_sales(made.subset(~cancelled), from_escrow=True)


@dataclass(frozen=True)
class PeerListings(ChannelRule):
    """Peer-to-peer listings (共享经济): idle things and skills rented between users.

    Source: S1 §22 社交電商+共享經濟模式 (docs/sources.md): 「通過平臺共享閑置資源(如房產、車輛、
    技能等)」; 「用戶可以在平臺上發布自己的閑置資源信息,尋找有需求的買家或租客」;
    「平臺通過收取服務費或傭金實現盈利」. The scenario's merchants are the peer hosts (their cost of goods is wear and
    cleaning, the platform fee is the service fee, their profit is the hosts' income) and a
    host whose listing does not pay leaves like any merchant. A renter finds something that
    suits them with chance 1 − e^(−open listings / ``match_listings``), which scales every
    customer's purchase chance: fewer hosts, fewer matches (the two-sided market's liquidity).
    """
    key = "peer_listings"
    name_en = "Peer listings"
    name_zh = "共享闲置资源"

    match_listings: float = param(50.0, lo=0.01, hi=10_000_000, unit="listings",
                                  en="Open listings at which 63% of searches find a match",
                                  zh="63% 搜索可匹配时的在架房源/资源数")

    def match(self, open_listings: int) -> float:
        return -np.expm1(-open_listings / self.match_listings)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        return np.full(len(active), self.match(sum(mm.active for mm in model.merchants)))
