"""社区团购: neighbourhood leaders (团长) as pickup points, paid a commission on residents' orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import SALE
from sim.people import ACTIVE, CONSUMER, LEADER
from sim.rules.base import PPM, Facts, Rule, cents, ppm
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel
    from sim.orders import Orders


@dataclass
class _Leaders:
    leader: np.ndarray                 # leader of each territory, -1: none
    started: bool = False
    appointed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # by person
    earned: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))     # by person
    quit: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))           # by person


@dataclass(frozen=True)
class CommunityLeaders(Rule):
    """Community group buying (社区团购): a 团长 per neighbourhood is the pickup point and earns
    a commission on residents' orders.

    Sources (docs/sources.md): S1 §3 社區團購模式 「以社區為單位,團長在社群內發布商品信息」,
    「居民通過小程序下單購買。平臺統一采購和配送至團長處,居民自提」, 「團長根據銷售額獲得傭金獎勵」,
    「降低物流成本」; S2 「高频配送模式下,物流成本占比可能超30%」; S4, 社群团购起盘
    「起盘期合伙人级别的大团长,月出货量过10w+的只需要10个就已满足起盘」.
    The market's communities are grouped into territories of ``territory`` communities, one
    leader each. The platform appoints one with daily chance ``recruit_rate`` where there is
    none: the resident who has ordered most (with ``founders_lead``, the organisers are the
    first leaders, one territory each). A leader earns ``commission`` of every resident's
    order (not their own), paid one link away to a payee the rule picked, so the reward is
    depth 1 on sales. Residents of a led territory collect at the pickup point: the platform
    pays ``pickup_fulfilment`` per order plus ``stop_cost`` per community with orders that
    day (one delivery run), instead of home delivery; the leader's daily posts lift their
    purchases by ``demand_lift``. A leader whose commission over ``review_days`` averages
    below ``reservation_wage`` a day gives up the role. ``operations_cost`` is the platform's
    daily cost of the warehouse, system and team that run the leaders (marketing flow).
    """
    key = "community_leaders"
    name_en = "Community group-buy leaders (社区团购团长)"
    name_zh = "社区团购团长"
    sales_amount_key = "commission"

    commission: float = param(0.10, lo=0.05, hi=0.20,
                              en="Leader commission, share of residents' orders (5-20%: an assumed "
                                 "range; the sources give no rate)",
                              zh="团长佣金占居民订单金额比例(5%-20% 为假设范围,来源未给比例)")
    territory: int = param(1, lo=1, hi=100_000, unit="communities",
                           en="Communities one leader serves", zh="每位团长服务的社区数")
    recruit_rate: float = param(0.05, lo=0, hi=1, unit="1/day",
                                en="Daily chance the platform appoints a leader where there is none",
                                zh="无团长区域每日招募到团长的概率")
    founders_lead: bool = param(False, en="The organisers are the first leaders, one territory each",
                                zh="初始组织者为首批团长(各管一个区域)")
    pickup_fulfilment: float = param(1.5, lo=0, hi=100_000, unit="yuan/order",
                                     en="Delivery cost per order collected at a pickup point",
                                     zh="团长自提点每单配送成本")
    stop_cost: float = param(30.0, lo=0, hi=1_000_000, unit="yuan/day",
                             en="Delivery run to a community's pickup point, per day with orders",
                             zh="每个社区自提点每日配送车次成本")
    demand_lift: float = param(1.2, lo=0, hi=10,
                               en="Purchase chance of residents with a leader, × usual",
                               zh="有团长社区居民的购买概率倍数")
    reservation_wage: float = param(0.0, lo=0, hi=100_000, unit="yuan/day",
                                    en="Average daily commission below which a leader gives up (0: never)",
                                    zh="团长日均佣金低于此值即放弃(0为不放弃)")
    review_days: int = param(30, lo=1, hi=3_650, unit="days",
                             en="Days a new leader waits before judging the commission",
                             zh="团长评估佣金前的天数")
    operations_cost: float = param(0.0, lo=0, hi=100_000_000, unit="yuan/day",
                                   en="Platform's daily cost of warehouse, system and leader team",
                                   zh="平台每日仓储、系统与团长运营团队成本")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("leader_commission",), levels_paid=1, pays_on_sales=True,
                     appoints_payees=True)

    def reward_rate_on_sales(self) -> float:
        return self.commission

    def _state(self, model: SchemeModel) -> _Leaders:
        def make() -> _Leaders:
            n = model.people.size
            return _Leaders(np.full(int(model.community.max()) // self.territory + 1, -1, np.int64),
                            appointed=np.full(n, -1, np.int64), earned=np.zeros(n, np.int64),
                            quit=np.zeros(n, bool))
        return model.rule_state(self.key, make)

    def _served(self, model: SchemeModel, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(leader of each person's territory, whether that leader is serving)."""
        leader = self._state(model).leader[model.community[ids] // self.territory]
        safe = np.maximum(leader, 0)
        p = model.people
        return leader, (leader >= 0) & (p.state[safe] == ACTIVE) & (p.role[safe] == LEADER)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        if self.demand_lift == 1:
            return None
        return np.where(self._served(model, active)[1], self.demand_lift, 1.0)

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        served = self._served(model, orders.buyers)[1]
        orders.fulfilment[served] = cents(self.pickup_fulfilment)
        stops = len(np.unique(model.community[orders.buyers[served]]))
        model.ledger.transfer("fulfilment", stops * cents(self.stop_cost))

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        leader, ok = self._served(model, buyers)
        ok &= leader != buyers
        pay = amounts[ok] * ppm(self.commission) // PPM
        np.add.at(self._state(model).earned, leader[ok], pay)
        model.ledger.reward("leader_commission", leader[ok], buyers[ok], np.ones(int(ok.sum()), np.int64),
                            pay, basis=SALE)

    def on_day_end(self, model: SchemeModel) -> None:
        st, p = self._state(model), model.people
        if not st.started:
            st.started = True
            if self.founders_lead:
                self._appoint_founders(model)
        if self.reservation_wage > 0:
            self._review(model)
        leader = st.leader
        safe = np.maximum(leader, 0)
        vacant = (leader < 0) | (p.state[safe] != ACTIVE) | (p.role[safe] != LEADER)
        leader[vacant] = -1
        chosen = vacant & (model.rng.random(len(leader)) < self.recruit_rate)
        if chosen.any():
            cand = np.flatnonzero((p.state == ACTIVE) & (p.role == CONSUMER) & (p.purchases > 0)
                                  & ~st.quit)
            t = model.community[cand] // self.territory
            cand, t = cand[chosen[t]], t[chosen[t]]
            # The most engaged resident of each territory: most orders, then earliest id.
            order = np.lexsort((cand, -p.purchases[cand], t))
            cand, t = cand[order], t[order]
            first = np.concatenate([[True], t[1:] != t[:-1]]) if len(t) else np.zeros(0, bool)
            self._appoint(model, cand[first], t[first])
        if self.operations_cost:
            model.ledger.transfer("marketing", cents(self.operations_cost))

    def _appoint_founders(self, model: SchemeModel) -> None:
        """Each organiser takes their own territory, or the next one without a leader."""
        st = self._state(model)
        n = len(st.leader)
        taken = st.leader >= 0
        ids, ts = [], []
        for f in model.founders.tolist():
            if taken.all():
                break
            t = int(model.community[f]) // self.territory
            for k in range(n):
                if not taken[(t + k) % n]:
                    taken[(t + k) % n] = True
                    ids.append(f)
                    ts.append((t + k) % n)
                    break
        self._appoint(model, np.array(ids, np.int64), np.array(ts, np.int64))

    def _appoint(self, model: SchemeModel, ids: np.ndarray, territories: np.ndarray) -> None:
        if len(ids) == 0:
            return
        st, p, m = self._state(model), model.people, model.scenario.market
        st.leader[territories] = ids
        st.appointed[ids] = model.day
        st.earned[ids] = 0
        p.role[ids] = LEADER
        p.rank[ids] = 1
        p.participant_day[ids] = np.where(p.participant_day[ids] < 0, model.day, p.participant_day[ids])
        model.count_participants(len(ids))
        model.set_share(ids, m.participant_share)  # a leader posts the day's deals in the group

    def _review(self, model: SchemeModel) -> None:
        st, p = self._state(model), model.people
        leader = st.leader[st.leader >= 0]
        leader = leader[(p.state[leader] == ACTIVE) & (p.role[leader] == LEADER)]
        tenure = model.day - st.appointed[leader]
        low = (tenure >= self.review_days) & (st.earned[leader] < tenure * cents(self.reservation_wage))
        gone = leader[low]
        if len(gone) == 0:
            return
        p.role[gone] = CONSUMER
        p.rank[gone] = 0
        st.quit[gone] = True
        model.set_share(gone, model.scenario.market.customer_share)
