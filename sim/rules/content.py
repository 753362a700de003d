"""内容电商: creators (达人 / 内容创作者) post to their followers, who buy through the links.

The helpers here (appointing hosts, drawing their audiences, lifting adoption) are shared with
live streaming (:mod:`sim.rules.live`): a streamer is a host with sessions instead of posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import SALE
from sim.people import ACTIVE, LEADER, UNAWARE
from sim.rules.base import PPM, Facts, Rule, cents, ppm
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass
class Audience:
    """One run's channels (creators, streamers or a brand's own account) and their followers."""
    hosts: np.ndarray     # person id hosting each channel; -1 for a brand's own account
    follows: np.ndarray   # per person: the channel they follow, -1 for none
    live: np.ndarray      # per channel: still running (its host has not left)


def audience_of(model: SchemeModel, key: str) -> Audience:
    """The audience a rule drew in ``on_setup`` (its per-run state)."""
    return model.rule_state(key)


def appoint_hosts(model: SchemeModel, n: int) -> np.ndarray:
    """Sign ``n`` persons who are not yet on the platform as hosts (LEADER) on day 0.

    They join with no sponsor, as the platform's own signings, and can earn at once.
    """
    p = model.people
    free = np.flatnonzero((p.state == UNAWARE) & ~model.is_founder)
    ids = np.sort(model.rng.choice(free, size=min(n, len(free)), replace=False)).astype(np.int64)
    model.enrol(ids, np.full(len(ids), -1), qualify=False)
    p.role[ids] = LEADER
    p.rank[ids] = 1
    p.participant_day[ids] = model.day
    return ids


def draw_audience(model: SchemeModel, hosts: np.ndarray, *, share: float, tail: float,
                  community_share: float) -> np.ndarray:
    """Who follows which channel: a ``share`` of the market, channels weighted by a Pareto
    popularity of shape ``tail`` (small: a few head channels hold most followers), then a
    ``community_share`` of each host's own community (社群, from the network) follows them."""
    rng, size = model.rng, model.people.size
    n = len(hosts)
    follows = np.full(size, -1, np.int32)
    weight = rng.pareto(tail, n) + 1.0
    eligible = np.ones(size, bool)
    eligible[hosts[hosts >= 0]] = False   # a host is not paid on their own purchases
    fans = np.flatnonzero(eligible & (rng.random(size) < share))
    follows[fans] = rng.choice(n, size=len(fans), p=weight / weight.sum())
    if community_share > 0 and (hosts >= 0).any():
        person_hosts = np.flatnonzero(hosts >= 0)
        by_community = np.full(int(model.community.max()) + 1, -1, np.int32)
        by_community[model.community[hosts[person_hosts]]] = person_hosts
        local = by_community[model.community]
        join = eligible & (local >= 0) & (rng.random(size) < community_share)
        follows[join] = local[join]
    return follows


def lift_adoption(model: SchemeModel, ids: np.ndarray, hazard: float) -> None:
    """Add a daily adoption hazard (posts, sessions seen) to persons ``ids``; it acts only
    while they are not yet on the platform.

    Content reaches people the way adverts do, so it adds to their external (Bass p) hazard,
    scaled by trust like adverts; a negative ``hazard`` takes it away again. Newcomers it
    brings have no sponsor: a creator's follower was not recruited by anyone.
    """
    if len(ids) and hazard:
        model.add_adverts(ids, hazard)


def following_live(model: SchemeModel, aud: Audience, ids: np.ndarray) -> np.ndarray:
    """For persons ``ids``: the channel they follow if it is still running, else -1."""
    ch = aud.follows[ids]
    return np.where((ch >= 0) & aud.live[np.maximum(ch, 0)], ch, -1)


def pay_by_channel(model: SchemeModel, kind: str, aud: Audience, buyers: np.ndarray,
                   channel: np.ndarray, amounts: np.ndarray, rate: float) -> None:
    """Pay each channel's host ``rate`` of their followers' purchases (depth 1: the host made
    the sale to the follower directly, like a 团长 on residents' orders).

    The merchant of each order funds the commission (CPS: it pays only on sales the host
    brought): the platform collects it as a placement fee and pays it to the host. ``buyers``
    are the purchases being booked, in the order of ``model.booking``.
    """
    if len(model.booking) != len(buyers):
        raise ValueError("commission needs the orders being booked (model.booking)")
    has = channel >= 0
    payees = aud.hosts[channel[has]]
    ok = model.people.can_earn(payees)
    if not ok.any():
        return
    pay = amounts[has][ok] * ppm(rate) // PPM
    shop = model.booking.shop[has][ok]
    model.ledger.merchants_flow("placement_fee", shop, pay)
    model.add_merchant_profit(shop, -pay)
    model.ledger.reward(kind, payees[ok], buyers[has][ok], np.ones(len(pay), np.int64), pay,
                        basis=SALE)


def charge_advertisers(model: SchemeModel, amounts: np.ndarray) -> np.ndarray:
    """Merchants buy placements (广告位, 坑位费): one advertiser per amount, drawn among open
    merchants by appeal. Returns the amounts charged (0 where no merchant is open)."""
    open_ = np.array([m.active for m in model.merchants])
    if not open_.any() or len(amounts) == 0:
        return np.zeros(len(amounts), np.int64)
    shop = model.pick_merchants(len(amounts))
    model.ledger.merchants_flow("placement_fee", shop, amounts)
    model.add_merchant_profit(shop, -amounts)
    return amounts


_TAIL = dict(lo=0.5, hi=20, en="Pareto shape of channel popularity: small means a few head "
                               "channels hold most followers", zh="粉丝量帕累托形状参数(越小越集中于头部)")
_COMMUNITY = dict(lo=0, hi=1, en="Share of a host's own community (社群) who follow them",
                  zh="主理人所在社群的关注比例")


@dataclass(frozen=True)
class ContentCreators(Rule):
    """Content commerce (内容电商): creators post notes, videos and lives to their followers.

    Sources (docs/sources.md): S1 §4 內容電商模式 「通過生產高質量的內容(如圖文、視頻、直播)吸引用戶關注」,
    「內容中嵌入商品鏈接或優惠券,引導用戶購買」, 「內容創作者根據商品銷售額獲得傭金或廣告分成」;
    S4, 小红书 「用户自发分享购物心得」, 「KOL(关键意见领袖)营销」, 「广告收入」.

    The platform signs ``creators`` (达人) on day 0. A share of the market follows them (the
    network decides part of it: a creator's own community). Posts reach followers who are not
    yet customers (an adoption hazard, like adverts) and lift the purchase chance of those who
    are (种草). Every purchase a follower makes while their creator is active goes through the
    creator's link (last-touch attribution) and pays the creator ``commission`` of the price
    (佣金, depth 1). Alternatively or as well, merchants buy ad placements in creators' content
    at ``ad_price`` per 1,000 followers on the platform per day, and the creator gets
    ``ad_share`` of it (广告分成); that pay is for the creator's own content, so it is journaled
    at depth 0 with the creator as trigger, on the sale basis (no one joins anything).
    """
    key = "creators"
    name_en = "Content creators"
    name_zh = "内容达人"
    sales_amount_key = "commission"
    hosts_key = "creators"

    creators: int = param(40, lo=1, hi=1_000_000, unit="persons",
                          en="Creators the platform signs on day 0 (达人)", zh="平台签约达人数")
    audience: float = param(0.3, lo=0, hi=1, en="Share of the market following some creator",
                            zh="关注达人的人口比例")
    audience_tail: float = param(1.2, **_TAIL)
    community_share: float = param(0.0, **_COMMUNITY)
    post_reach: float = param(0.002, lo=0, hi=1, unit="1/day",
                              en="Daily chance a follower not yet on the platform is brought "
                                 "in by posts (added to the advert hazard)",
                              zh="内容对未注册粉丝的每日触达转化率")
    purchase_lift: float = param(0.2, lo=0, hi=100,
                                 en="Relative lift of a follower's daily purchase chance (种草)",
                                 zh="粉丝购买概率的相对提升(种草)")
    commission: float = param(0.1, lo=0, hi=1, en="Share of followers' purchases paid to their creator",
                              zh="达人佣金比例(粉丝消费额)")
    ad_price: float = param(0.0, lo=0, hi=1_000_000, unit="yuan/1000 followers/day",
                            en="What advertisers (merchants) pay per 1,000 followers reached a day",
                            zh="广告主每日每千粉丝投放费用(CPM)")
    ad_share: float = param(0.0, lo=0, hi=1, en="Creator's share of the ad revenue (广告分成)",
                            zh="达人广告分成比例")

    def _kinds(self) -> tuple[str, ...]:
        return ((("creator_commission",) if self.commission > 0 else ())
                + (("creator_ad_share",) if self.ad_price * self.ad_share > 0 else ()))

    def facts(self) -> Facts:
        return Facts(reward_kinds=self._kinds(), levels_paid=1 if self.commission > 0 else 0,
                     pays_on_sales=True, appoints_payees=True)

    def problems(self) -> list[tuple[str, str, str]]:
        if not self._kinds():
            return [("commission", "creators are paid nothing: set commission, or ad_price and ad_share",
                     "达人没有任何收入:请设置 commission,或 ad_price 和 ad_share")]
        return []

    def reward_rate_on_sales(self) -> float:
        return self.commission

    def hosts_signed(self) -> int:
        return self.creators

    def on_setup(self, model: SchemeModel) -> None:
        hosts = appoint_hosts(model, self.creators)
        follows = draw_audience(model, hosts, share=self.audience, tail=self.audience_tail,
                                community_share=self.community_share)
        aud = Audience(hosts, follows, np.ones(len(hosts), bool))
        model.rule_state(self.key, lambda: aud)
        lift_adoption(model, np.flatnonzero(follows >= 0), self.post_reach)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        if self.purchase_lift == 0:
            return None
        ch = following_live(model, audience_of(model, self.key), active)
        return np.where(ch >= 0, 1.0 + self.purchase_lift, 1.0)

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        if self.commission > 0:
            aud = audience_of(model, self.key)
            pay_by_channel(model, "creator_commission", aud, buyers,
                           following_live(model, aud, buyers), amounts, self.commission)

    def on_day_end(self, model: SchemeModel) -> None:
        aud = audience_of(model, self.key)
        now = model.people.state[aud.hosts] == ACTIVE
        gone = aud.live & ~now
        if gone.any():  # a creator who left stops posting: followers lose the reach and lift
            followers = np.flatnonzero((aud.follows >= 0) & gone[np.maximum(aud.follows, 0)])
            lift_adoption(model, followers, -self.post_reach)
            aud.live &= now
        if self.ad_price * self.ad_share > 0:
            self._ad_share(model, aud)

    def _ad_share(self, model: SchemeModel, aud: Audience) -> None:
        p = model.people
        on = aud.follows[(aud.follows >= 0) & (p.state == ACTIVE)]
        reached = np.bincount(on, minlength=len(aud.hosts))
        pay = aud.live & (reached > 0)
        fee = charge_advertisers(model, reached[pay] * cents(self.ad_price) // 1000)
        creators = aud.hosts[pay]
        model.ledger.reward("creator_ad_share", creators, creators, np.zeros(len(creators), np.int64),
                            fee * ppm(self.ad_share) // PPM, basis=SALE)
