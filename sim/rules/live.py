"""直播电商: scheduled live sessions (直播) to a channel's followers; KOL or brand self-streaming."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import SALE
from sim.people import ACTIVE
from sim.rules.base import PPM, Facts, Rule, cents, ppm
from sim.rules.content import (_COMMUNITY, _TAIL, Audience, appoint_hosts, audience_of,
                               charge_advertisers, draw_audience, following_live, lift_adoption,
                               pay_by_channel)
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel
    from sim.orders import Orders

MONTH = 30  # days


@dataclass
class Schedule(Audience):
    """Channels, followers, each channel's session phase, and who is being reached tomorrow."""
    phase: np.ndarray      # per channel: offset of its sessions, in days
    fans: np.ndarray       # followers sorted by channel; channel c's are fans[bounds[c]:bounds[c+1]]
    bounds: np.ndarray
    boosted: np.ndarray    # persons whose adoption hazard a session raised for today


@dataclass(frozen=True)
class LiveSessions(Rule):
    """Live streaming (直播电商), by a hired streamer (达人直播) or the brand itself (品牌自播).

    Sources (docs/sources.md): S1 §9 「主播通過直播平臺展示商品」, 「平臺根據銷售額給予主播傭金獎勵
    并抽取一定比例的服務費」; S2 (二)直播电商模式 「某美妆品牌每月自播4次,
    带动月销增长25%」 and 「邀请行业KOL(关键意见领袖)进行带货,利用其粉丝效应快速起量」.

    Each channel (a streamer, or the brand's own account) holds ``sessions_per_month``
    sessions on evenly spaced days. On a session day, each active follower watches with
    chance ``attendance``; a viewer's purchase chance that day rises by ``conversion``
    (added to their own daily chance), and orders placed in the session get ``discount`` off,
    of which the platform funds ``platform_funds`` as a coupon (coupon_subsidy) and the
    merchant the rest. Followers not yet on the platform come in with chance
    ``session_reach`` on a session day (the fan effect, 粉丝效应). The streamer earns
    ``commission`` of session sales (depth 1: they sold to the viewer) and, per session,
    ``slots`` merchants each pay a slot fee (坑位费): the platform collects it as a
    placement fee and pays it to the streamer in full, journaled at depth 0 with the streamer
    as trigger (pay for their own session, not for anyone's purchase or join). The platform's
    service fee (服务费) is the retail platform fee. With ``host = "brand"`` no one in the
    market is paid: the brand's staff and studio cost ``session_cost`` per session (marketing).
    Newcomers a session brought in are impulse buyers: with chance ``impulse_leave`` (or the
    market's own first-day chance, if higher) they never come back after their first day, in
    whatever market the model runs (S2: 「社交电商和直播电商的次日留存率通常低于20%」).
    """
    key = "live_sessions"
    name_en = "Live streaming sessions"
    name_zh = "直播带货"
    sales_amount_key = "commission"
    hosts_key = "channels"

    host: str = param("streamer", choices=("streamer", "brand"),
                      en="Who streams: hired streamers (paid) or the brand's own staff",
                      zh="主播类型:达人主播(计佣)或品牌自播")
    channels: int = param(10, lo=1, hi=1_000_000, en="Streamers (or brand accounts) streaming",
                          zh="直播间(主播)数量")
    audience: float = param(0.3, lo=0, hi=1, en="Share of the market following some channel",
                            zh="关注直播间的人口比例")
    audience_tail: float = param(1.2, **_TAIL)
    community_share: float = param(0.0, **_COMMUNITY)
    sessions_per_month: float = param(4.0, lo=0.1, hi=30, unit="sessions/month",
                                      en="Sessions each channel holds in 30 days", zh="每月开播场次")
    attendance: float = param(0.3, lo=0, hi=1, en="Share of active followers watching a session",
                              zh="粉丝每场观看比例")
    conversion: float = param(0.1, lo=0, hi=1,
                              en="Extra chance a viewer buys on a session day",
                              zh="观看者开播当日的额外购买概率")
    session_reach: float = param(0.0, lo=0, hi=1, unit="1/day",
                                 en="Chance a follower not yet on the platform joins on a session day",
                                 zh="开播日未注册粉丝的加入概率")
    discount: float = param(0.0, lo=0, hi=0.95, en="Price cut on orders placed in a session",
                            zh="直播间折扣")
    platform_funds: float = param(0.0, lo=0, hi=1,
                                  en="Share of the discount the platform funds as a coupon "
                                     "(the merchant funds the rest)",
                                  zh="折扣中平台补贴的比例(其余由商家承担)")
    commission: float = param(0.2, lo=0, hi=1, en="Share of session sales paid to the streamer",
                              zh="主播佣金比例")
    slot_fee: float = param(0.0, lo=0, hi=100_000_000, unit="yuan",
                            en="坑位费 a featured merchant pays per session", zh="每场坑位费")
    slots: int = param(1, lo=1, hi=1_000, en="Merchants featured (paying a slot fee) per session",
                       zh="每场坑位数")
    session_cost: float = param(0.0, lo=0, hi=100_000_000, unit="yuan",
                                en="Staff and studio cost of a session, paid by the platform",
                                zh="每场直播人员与场地成本")
    impulse_leave: float = param(0.0, lo=0, hi=1,
                                 en="Chance a newcomer a session brought in never comes back after "
                                    "day one (impulse buyers; the market's first-day churn comes on top)",
                                 zh="开播日由直播间带来的新用户次日即不再回来的概率(冲动型购买者;"
                                    "市场本身的次日流失另计)")

    def _kinds(self) -> tuple[str, ...]:
        return ((("streamer_commission",) if self.commission > 0 else ())
                + (("slot_fee",) if self.slot_fee > 0 else ()))

    def facts(self) -> Facts:
        return Facts(reward_kinds=self._kinds(), levels_paid=1 if self.commission > 0 else 0,
                     pays_on_sales=bool(self._kinds()), appoints_payees=self.host == "streamer")

    def problems(self) -> list[tuple[str, str, str]]:
        if self.host == "brand" and self._kinds():
            return [("commission" if self.commission > 0 else "slot_fee",
                     "a brand's own staff are paid as session_cost, not commission or slot fees; "
                     "set it to 0 or host = \"streamer\"",
                     "品牌自播的员工费用计入 session_cost,不付佣金或坑位费;"
                     "请将其设为 0,或设 host = \"streamer\"")]
        if self.impulse_leave and not self.session_reach:
            return [("impulse_leave", "applies to newcomers a session brings in, and session_reach is 0; "
                                      "set session_reach above 0 or impulse_leave to 0",
                     "仅作用于开播日被直播间带来的新用户,而 session_reach 为 0;"
                     "请将 session_reach 设为大于 0,或将 impulse_leave 设为 0")]
        if self.host == "streamer" and not self._kinds():
            return [("commission", "streamers are paid nothing: set commission or slot_fee, "
                                   "or host = \"brand\" with a session_cost",
                     "主播没有任何收入:请设置 commission 或 slot_fee,"
                     "或设 host = \"brand\" 并填写 session_cost")]
        return []

    def reward_rate_on_sales(self) -> float:
        return self.commission

    # -- schedule -----------------------------------------------------------------------
    def session_days(self, phase: np.ndarray, day: int) -> np.ndarray:
        """Channels holding a session on ``day``: exactly ``sessions_per_month`` in any 30 days."""
        rate = self.sessions_per_month / MONTH
        return np.floor((day + phase) * rate) != np.floor((day - 1 + phase) * rate)

    def _on_air(self, sch: Schedule, day: int) -> np.ndarray:
        return np.flatnonzero(self.session_days(sch.phase, day) & sch.live)

    # -- hooks --------------------------------------------------------------------------
    def hosts_signed(self) -> int:
        return self.channels if self.host == "streamer" else 0

    def on_setup(self, model: SchemeModel) -> None:
        hosts = (appoint_hosts(model, self.channels) if self.host == "streamer"
                 else np.full(self.channels, -1, np.int64))
        follows = draw_audience(model, hosts, share=self.audience, tail=self.audience_tail,
                                community_share=self.community_share)
        phase = model.rng.random(len(hosts)) * MONTH
        fans = np.flatnonzero(follows >= 0)
        fans = fans[np.argsort(follows[fans], kind="stable")]
        bounds = np.searchsorted(follows[fans], np.arange(len(hosts) + 1))
        sch = Schedule(hosts, follows, np.ones(len(hosts), bool), phase, fans, bounds,
                       np.zeros(0, np.int64))
        model.rule_state(self.key, lambda: sch)
        self._reach(model, sch, model.day + 1)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        sch = audience_of(model, self.key)
        on_air = np.zeros(len(sch.hosts), bool)
        on_air[self._on_air(sch, model.day)] = True
        if not on_air.any():
            return None
        ch = following_live(model, sch, active)
        fan = np.flatnonzero((ch >= 0) & on_air[np.maximum(ch, 0)])
        watch = fan[model.rng.random(len(fan)) < self.attendance]
        model.column("live_viewer_day", np.int32, -1)[active[watch]] = model.day
        if len(watch) == 0:
            return None
        # A multiplier of the viewer's own chance that adds ``conversion`` to it.
        base = model.people.propensity[active[watch]]
        lift = np.ones(len(active))
        lift[watch] = np.where(base > 0, 1 + self.conversion / np.maximum(base, 1e-12), 1.0)
        return lift

    def _viewing(self, model: SchemeModel, buyers: np.ndarray) -> np.ndarray:
        return model.column("live_viewer_day", np.int32, -1)[buyers] == model.day

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        if self.discount == 0:
            return
        i = np.flatnonzero(~orders.held & self._viewing(model, orders.buyers))
        cut = orders.paid[i] * ppm(self.discount) // PPM
        orders.paid[i] -= cut
        orders.subsidy[i] += cut * ppm(self.platform_funds) // PPM

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        if self.commission > 0:
            sch = audience_of(model, self.key)
            ch = np.where(self._viewing(model, buyers), following_live(model, sch, buyers), -1)
            pay_by_channel(model, "streamer_commission", sch, buyers, ch, amounts, self.commission)

    def on_day_end(self, model: SchemeModel) -> None:
        sch = audience_of(model, self.key)
        if self.impulse_leave:
            self._impulse_buyers(model, sch)
        held = self._on_air(sch, model.day)
        model.ledger.transfer("marketing", len(held) * cents(self.session_cost))
        if self.slot_fee > 0 and len(held):
            per_slot = np.full(len(held) * self.slots, cents(self.slot_fee), np.int64)
            fee = charge_advertisers(model, per_slot).reshape(len(held), self.slots).sum(axis=1)
            streamers = sch.hosts[held]
            model.ledger.reward("slot_fee", streamers, streamers, np.zeros(len(held), np.int64),
                                fee, basis=SALE)
        if self.host == "streamer":
            sch.live &= model.people.state[sch.hosts] == ACTIVE  # a streamer who left stops
        self._reach(model, sch, model.day + 1)

    def _impulse_buyers(self, model: SchemeModel, sch: Schedule) -> None:
        """Newcomers who joined yesterday while a session reached them never come back with
        chance ``impulse_leave`` (or the market's first-day chance, if higher), on top of their
        ordinary churn: the mechanism's impulse buyers, whatever market it runs in. Runs before
        the model's churn step, and puts back tomorrow the leave chances it raised today."""
        st = model.rule_state(f"{self.key}_impulse", lambda: {
            "pending": np.zeros(0, np.int64), "raised": np.zeros(0, np.int64), "saved": np.zeros(0)})
        model.set_customer_leave(st["raised"], st["saved"])
        ids = st["pending"]
        st["raised"], st["saved"] = ids, model.customer_leave[ids]
        # The model's churn step applies the market's first-day chance to every newcomer; an
        # impulse buyer's is impulse_leave, or the market's if that is higher (not both).
        market = model.scenario.churn.first_day
        if self.impulse_leave > market:
            extra = 1 - (1 - self.impulse_leave) / (1 - market)
            model.set_customer_leave(ids, 1 - (1 - model.customer_leave[ids]) * (1 - extra))
        # Today's newcomers among those today's sessions reached: tomorrow's to judge.
        st["pending"] = sch.boosted[model.people.join_day[sch.boosted] == model.day]

    def _reach(self, model: SchemeModel, sch: Schedule, day: int) -> None:
        """Move the session-day adoption lift from today's audiences to tomorrow's."""
        if self.session_reach == 0:
            return
        lift_adoption(model, sch.boosted, -self.session_reach)
        sch.boosted = np.concatenate([np.zeros(0, np.int64)] + [
            sch.fans[sch.bounds[c]:sch.bounds[c + 1]] for c in self._on_air(sch, day)])
        lift_adoption(model, sch.boosted, self.session_reach)
