"""拼团 group buying and 砍价 bargaining: social buying that runs through the buyer's contacts.

Both take an order out of today's batch, ask the buyer's contacts (network neighbours; in a
well-mixed market, the rest of their community) to join or to help, and settle it days later.
Asking is sharing: while a group or bargain is open its members share ``share_factor`` times
as much as usual, so unaware contacts hear of the platform and the inviter becomes their
sponsor. The helpers below are shared with :mod:`sim.rules.presale` and the other group-buying
rules: per-run state, the invitation draw, and lazy copies of orders other rules may still shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

from sim.orders import Orders
from sim.people import ACTIVE
from sim.rules.base import PPM, Facts, Rule, cents, ppm, rank_within
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel

BUSY = "social_busy"  # open groups or bargains a person is a member of (at most one)


def merchant_open(model: SchemeModel, shop: np.ndarray) -> np.ndarray:
    return np.array([m.active for m in model.merchants], bool)[shop]


def contacts_of(model: SchemeModel, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each person's contacts, concatenated, and for each entry its position in ``ids``: the
    network neighbours, or in a well-mixed market everyone else in their community (the
    group chat)."""
    ids = np.asarray(ids, np.int64)
    if model.network is not None:
        return model.network.neighbours_of(ids)
    size = model.scenario.market.community_size
    start = model.community[ids].astype(np.int64) * size
    count = np.minimum(start + size, model.people.size) - start
    owner = np.repeat(np.arange(len(ids)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    contacts = np.repeat(start, count) + offset
    keep = contacts != ids[owner]
    return contacts[keep], owner[keep]


def answer(model: SchemeModel, contacts: np.ndarray, owner: np.ndarray,
           chance: float) -> tuple[np.ndarray, np.ndarray]:
    """Which asked contacts say yes today (each with ``chance``), each to one ask only, in a
    random order (the order decides who gets the last places)."""
    rng = model.rng
    yes = rng.random(len(contacts)) < chance
    contacts, owner = contacts[yes], owner[yes]
    order = rng.permutation(len(contacts))
    contacts, owner = contacts[order], owner[order]
    _, first = np.unique(contacts, return_index=True)
    first.sort()
    return contacts[first], owner[first]


def first_per_owner(owner: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Mask keeping, in the given order, at most ``room[o]`` entries for each owner o."""
    return rank_within(owner) < room[owner]


def _base_share(model: SchemeModel, ids: np.ndarray) -> np.ndarray:
    m = model.scenario.market
    return np.where(model.people.is_participant(ids), m.participant_share, m.customer_share)


def start_sharing(model: SchemeModel, ids: np.ndarray, factor: float) -> None:
    """Members of an open group or bargain ask their contacts: they share ``factor`` × more."""
    np.add.at(model.column(BUSY, np.int8), ids, 1)
    live = ids[model.people.state[ids] == ACTIVE]
    if factor != 1 and len(live):
        model.set_share(live, _base_share(model, live) * factor)


def stop_sharing(model: SchemeModel, ids: np.ndarray, factor: float) -> None:
    busy = model.column(BUSY, np.int8)
    np.subtract.at(busy, ids, 1)
    done = ids[(busy[ids] == 0) & (model.people.state[ids] == ACTIVE)]
    if factor != 1 and len(done):
        model.set_share(done, _base_share(model, done))


def extend(orders: Orders, more: Orders) -> None:
    """Add orders to today's batch, so rules after this one see (and may shape) them too."""
    for f in fields(Orders):
        setattr(orders, f.name, np.concatenate([getattr(orders, f.name), getattr(more, f.name)]))


@dataclass
class Taken:
    """Orders a rule took from today's batch. They are copied at the day's end, after every
    rule has shaped the batch (a pickup point, a coupon), whatever the rules' order."""
    batch: list[tuple[Orders, np.ndarray, np.ndarray]] = field(default_factory=list)

    def take(self, orders: Orders, idx: np.ndarray, tags: np.ndarray) -> None:
        orders.held[idx] = True
        self.batch.append((orders, idx, tags))

    def collect(self) -> tuple[Orders, np.ndarray]:
        parts = [(o.subset(i), t) for o, i, t in self.batch if len(i)]
        self.batch.clear()
        if not parts:
            return Orders.empty(), np.zeros(0, np.int64)
        return Orders.concat([p for p, _ in parts]), np.concatenate([t for _, t in parts])


def keep_orders(pending: Orders, mask: np.ndarray) -> Orders:
    return pending.subset(np.flatnonzero(mask))


@dataclass
class _Groups:
    shop: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    opened: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    size: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    live: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    pending: Orders = field(default_factory=Orders.empty)   # deposits held, by order
    group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    taken: Taken = field(default_factory=Taken)


@dataclass(frozen=True)
class GroupBuy(Rule):
    """拼团 group buy: the price falls as the group grows; a group that fails is refunded.

    Sources (docs/sources.md): S4, 拼多多 「如果一件商品原价为100元」, 「让用户自愿邀请自己的好友
    一起购买」, 「当购买人数达到一定数量时,价格会逐渐下降,最终可能只需50元」;
    S1 §17 「社交拼團」. A buyer opens a group with chance
    ``take_up`` instead of buying alone and pays the group price of the first step of the
    ladder into escrow. Every day until ``time_limit`` runs out, each member's contacts who
    use the platform join with chance ``join_chance`` (one group at a time each), until the
    group is full (the last step). At the close the group price is the step its size reached
    (阶梯团: everyone gets the lowest price reached, the difference refunded); a group below
    the first step, or whose merchant has closed, is refunded in full and sells nothing. The
    discount below the regular price is the merchant's, except ``platform_pays`` of it, which
    the platform funds as a subsidy (百亿补贴).
    """
    key = "group_buy"
    name_en = "Group buy (拼团)"
    name_zh = "拼团"

    take_up: float = param(0.3, lo=0, hi=1, en="Share of buyers who open a group instead of buying alone",
                           zh="发起拼团(而非单独购买)的买家比例")
    sizes: tuple[float, ...] = param((2.0, 5.0, 10.0), lo=2, hi=1_000, unit="persons",
                                     en="Group sizes of the price ladder, smallest first (the first is the minimum)",
                                     zh="阶梯成团人数(由小到大,第一档为最低成团人数)")
    prices: tuple[float, ...] = param((0.8, 0.65, 0.5), lo=0, hi=1,
                                      en="Group price at each size, as a share of the regular price",
                                      zh="各档拼团价(占原价比例)")
    time_limit: int = param(2, lo=1, hi=60, unit="days", en="Days a group stays open",
                            zh="成团时限(天)")
    join_chance: float = param(0.1, lo=0, hi=1, unit="1/day",
                               en="Daily chance a member's contact joins when asked",
                               zh="被邀请好友每日参团概率")
    platform_pays: float = param(0.0, lo=0, hi=1,
                                 en="Share of the group discount the platform pays the merchant",
                                 zh="平台补贴的拼团优惠比例")
    share_factor: float = param(3.0, lo=1, hi=100,
                                en="Sharing intensity of members while their group is open, × usual",
                                zh="拼团进行中成员分享强度倍数")

    def facts(self) -> Facts:
        return Facts()

    def problems(self) -> list[tuple[str, str, str]]:
        s, p = self.sizes, self.prices
        if any(x != int(x) for x in s) or list(s) != sorted(set(s)):
            return [("sizes", "must be whole numbers of persons, strictly increasing",
                     "必须是严格递增的整数人数")]
        if len(p) != len(s):
            return [("prices", f"needs one price per size ({len(s)}), got {len(p)}",
                     f"每个成团人数需要一个价格({len(s)} 个),实际为 {len(p)} 个")]
        if list(p) != sorted(p, reverse=True):
            return [("prices", "must not rise as the group grows", "不能随成团人数增加而上涨")]
        return []

    def step(self, size: np.ndarray) -> np.ndarray:
        """Ladder step reached by groups of these sizes; -1 below the minimum."""
        return np.searchsorted(np.asarray(self.sizes), size, side="right") - 1

    def unit_prices(self, model: SchemeModel) -> np.ndarray:
        """Group price per unit at each step, in cents."""
        regular = cents(model.scenario.retail.price)
        return np.array([regular * ppm(x) // PPM for x in self.prices], np.int64)

    def _state(self, model: SchemeModel) -> _Groups:
        return model.rule_state(self.key, _Groups)

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        st, people, rng = self._state(model), model.people, model.rng
        first_price = self.unit_prices(model)[0]
        busy = model.column(BUSY, np.int8)
        # New groups, opened by some of today's buyers who are in no group yet.
        free = orders.open[busy[orders.buyers[orders.open]] == 0]
        opening = free[rng.random(len(free)) < self.take_up]
        new = np.arange(len(st.live), len(st.live) + len(opening))
        st.shop = np.concatenate([st.shop, orders.shop[opening]])
        st.opened = np.concatenate([st.opened, np.full(len(opening), model.day)])
        st.size = np.concatenate([st.size, np.ones(len(opening), np.int64)])
        st.live = np.concatenate([st.live, np.ones(len(opening), bool)])
        orders.paid[opening] = orders.units[opening] * first_price
        st.taken.take(orders, opening, new)
        start_sharing(model, orders.buyers[opening], self.share_factor)
        # Members of every open group ask their contacts; those free to join do.
        members = np.concatenate([st.pending.buyers, orders.buyers[opening]])
        group = np.concatenate([st.group, new])
        ask = st.live[group] & (people.state[members] == ACTIVE)
        contacts, pos = contacts_of(model, members[ask])
        owner = group[ask][pos]
        free = (people.state[contacts] == ACTIVE) & (busy[contacts] == 0)
        joiners, owner = answer(model, contacts[free], owner[free], self.join_chance)
        keep = first_per_owner(owner, int(self.sizes[-1]) - st.size)
        joiners, owner = joiners[keep], owner[keep]
        if len(joiners) == 0:
            return
        np.add.at(st.size, owner, 1)
        units = 1 + rng.poisson(people.basket[joiners])
        more = model.new_orders(joiners, units, st.shop[owner])
        more.paid = units * first_price
        start = len(orders)
        extend(orders, more)
        st.taken.take(orders, np.arange(start, len(orders)), owner)
        start_sharing(model, joiners, self.share_factor)

    def on_day_end(self, model: SchemeModel) -> None:
        st, ledger = self._state(model), model.ledger
        today, group = st.taken.collect()
        if len(today):
            ledger.charge("deposit", today.buyers, today.paid)
            st.pending = Orders.concat([st.pending, today])
            st.group = np.concatenate([st.group, group])
        live = np.flatnonzero(st.live)
        due = live[(st.size[live] >= self.sizes[-1])
                   | (model.day - st.opened[live] + 1 >= self.time_limit)
                   | ~merchant_open(model, st.shop[live])]
        if len(due) == 0:
            return
        st.live[due] = False
        is_due = np.zeros(len(st.live), bool)
        is_due[due] = True
        closing = is_due[st.group]
        done, g = keep_orders(st.pending, closing), st.group[closing]
        st.pending, st.group = keep_orders(st.pending, ~closing), st.group[~closing]
        stop_sharing(model, done.buyers, self.share_factor)
        step = self.step(st.size[g])
        ok = (step >= 0) & merchant_open(model, done.shop)
        failed = done.subset(np.flatnonzero(~ok))
        ledger.refund(failed.buyers, failed.paid)
        won = done.subset(np.flatnonzero(ok))
        # A rule after this one may have lowered what was paid (a coupon): never charge more.
        final = np.minimum(won.units * self.unit_prices(model)[step[ok]], won.paid)
        ledger.refund(won.buyers, won.paid - final)   # 阶梯团: the lower price reached
        won.paid = final
        won.subsidy = (won.list_price - final) * ppm(self.platform_pays) // PPM
        model.book_sales(won, from_escrow=True)


EQUAL, SHRINKING = "equal", "shrinking"
MIN_CUT = 1  # cents: a help cuts at least ¥0.01 ("确保至少砍0.01元")


@dataclass
class _Bargains:
    opened: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    helps: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    cut: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))    # the whole way, cents
    left: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))   # still to cut, cents
    pending: Orders = field(default_factory=Orders.empty)   # open bargains, one order each
    bargain: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    helped: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # bargain × N + helper
    taken: Taken = field(default_factory=Taken)


@dataclass(frozen=True)
class Bargain(Rule):
    """砍价 bargaining: friends' help cuts the price; the link is a share.

    Source: S4, 拼多多 (docs/sources.md): 「拼多多通过社交分享、团购、砍价等活动,激发用户的社交互动」;
    「通过好友互助、拼团等方式」. A buyer starts a bargain with chance
    ``take_up`` instead of paying at once and sends the link to their contacts. Each day until
    ``time_limit``, every contact on the platform helps (助力) with chance ``help_chance``, once
    per bargain and one bargain a day. With ``cuts`` = "equal" each help cuts an equal share
    of the way from the regular price to ``floor``, which ``helps_needed`` helps reach. With
    "shrinking" each help cuts a random share between ``cut_low`` and ``cut_high`` of what is
    still to cut, at least ¥0.01, so the first helps cut most and the last yuan takes many
    helpers, as a shop system's help handler does it: "随机砍价金额：剩余金额的5%-20% ... 确保
    至少砍0.01元". Sources differ: other shop systems split the cut into a preset number of
    random amounts ("每次砍价都能砍到金额，最低不能低于1分"), a design the equal cuts
    approximate. At the close the buyer pays the price reached, or, with ``buy_at_reached``
    off (砍到底才能拿), buys only if the floor was reached and otherwise walks away. What the inviter gets is the cut; helpers get nothing but the
    app. The cut is paid by the platform (``platform_pays``, an acquisition cost paid to the
    merchant as a subsidy) and by the merchant (the rest, a lower price).
    """
    key = "bargain"
    name_en = "Bargain (砍价)"
    name_zh = "砍价"

    take_up: float = param(0.2, lo=0, hi=1, en="Share of buyers who start a bargain instead of paying",
                           zh="发起砍价(而非直接购买)的买家比例")
    cuts: str = param(EQUAL, choices=(EQUAL, SHRINKING),
                      en="How a help cuts: equal steps, or a random share of what is left (shrinking)",
                      zh="每次助力的砍价方式:等额,或剩余金额的随机比例(递减)")
    helps_needed: int = param(10, lo=1, hi=10_000, unit="helps",
                              en="Helps that bring the price to the floor (equal cuts)",
                              zh="砍到底价所需助力次数(等额砍价)")
    cut_low: float = param(0.05, lo=0, hi=1,
                           en="Smallest share of what is left one help cuts (shrinking cuts)",
                           zh="每次助力砍掉剩余金额的最小比例(递减砍价)")
    cut_high: float = param(0.20, lo=0, hi=1,
                            en="Largest share of what is left one help cuts (shrinking cuts)",
                            zh="每次助力砍掉剩余金额的最大比例(递减砍价)")
    floor: float = param(0.5, lo=0, hi=1, en="Floor price as a share of the regular price (0: free)",
                         zh="底价占原价比例(0为免费拿)")
    time_limit: int = param(1, lo=1, hi=60, unit="days", en="Days a bargain stays open",
                            zh="砍价时限(天)")
    help_chance: float = param(0.2, lo=0, hi=1, unit="1/day",
                               en="Daily chance a contact helps when asked", zh="好友每日助力概率")
    buy_at_reached: bool = param(True, en="Buy at the price reached when time runs out "
                                          "(false: only at the floor)",
                                 zh="时限到时按已砍价格购买(否:仅砍到底价才购买)")
    platform_pays: float = param(1.0, lo=0, hi=1,
                                 en="Share of the cut the platform pays the merchant",
                                 zh="平台承担的砍价金额比例")
    share_factor: float = param(3.0, lo=1, hi=100,
                                en="Sharing intensity of a bargainer while the bargain is open, × usual",
                                zh="砍价进行中发起人分享强度倍数")

    def facts(self) -> Facts:
        return Facts()

    def problems(self) -> list[tuple[str, str, str]]:
        if self.cut_low > self.cut_high:
            return [("cut_low", f"must be at most cut_high ({self.cut_high:g})",
                     f"不能大于 cut_high({self.cut_high:g})")]
        return []

    def price(self, list_price: np.ndarray, helps: np.ndarray) -> np.ndarray:
        """Price after ``helps`` equal helps, in cents."""
        cut = list_price * (PPM - ppm(self.floor)) // PPM
        return list_price - cut * np.minimum(helps, self.helps_needed) // self.helps_needed

    def cut(self, left: np.ndarray, draw: np.ndarray) -> np.ndarray:
        """Cents one shrinking help cuts from ``left``, for a uniform ``draw`` in [0, 1): a
        share between ``cut_low`` and ``cut_high`` of it, at least one cent, at most all."""
        lo, hi = ppm(self.cut_low), ppm(self.cut_high)
        share = lo + (draw * (hi - lo)).astype(np.int64)
        return np.minimum(np.maximum(left * share // PPM, MIN_CUT), left)

    def _open(self, st: _Bargains, bargain: np.ndarray) -> np.ndarray:
        """Which of these bargains still take helps."""
        return st.left[bargain] > 0 if self.cuts == SHRINKING else st.helps[bargain] < self.helps_needed

    def _help(self, model: SchemeModel, st: _Bargains, helpers: np.ndarray,
              owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Apply today's helps in order; shrinking cuts keep those that still cut something."""
        if self.cuts == EQUAL:
            keep = first_per_owner(owner, self.helps_needed - st.helps)
            return helpers[keep], owner[keep]
        draw = model.rng.random(len(owner))
        rank = rank_within(owner)
        used = np.zeros(len(owner), bool)
        for k in range(int(rank.max(initial=-1)) + 1):  # one help per bargain a round, in order
            now = np.flatnonzero(rank == k)
            now = now[st.left[owner[now]] > 0]
            st.left[owner[now]] -= self.cut(st.left[owner[now]], draw[now])
            used[now] = True
        return helpers[used], owner[used]

    def _reached(self, st: _Bargains, bargain: np.ndarray) -> np.ndarray:
        return st.left[bargain] == 0 if self.cuts == SHRINKING else st.helps[bargain] >= self.helps_needed

    def _price(self, st: _Bargains, bargain: np.ndarray, list_price: np.ndarray) -> np.ndarray:
        if self.cuts == EQUAL:
            return self.price(list_price, st.helps[bargain])
        floor = list_price * ppm(self.floor) // PPM  # a later rule may have changed the list price
        return np.maximum(list_price - (st.cut[bargain] - st.left[bargain]), floor)

    def _state(self, model: SchemeModel) -> _Bargains:
        return model.rule_state(self.key, _Bargains)

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        st, people, rng = self._state(model), model.people, model.rng
        busy = model.column(BUSY, np.int8)
        free = orders.open[busy[orders.buyers[orders.open]] == 0]
        opening = free[rng.random(len(free)) < self.take_up]
        new = np.arange(len(st.opened), len(st.opened) + len(opening))
        st.opened = np.concatenate([st.opened, np.full(len(opening), model.day)])
        st.helps = np.concatenate([st.helps, np.zeros(len(opening), np.int64)])
        cut = orders.list_price[opening] * (PPM - ppm(self.floor)) // PPM
        st.cut = np.concatenate([st.cut, cut])
        st.left = np.concatenate([st.left, cut])
        st.taken.take(orders, opening, new)
        start_sharing(model, orders.buyers[opening], self.share_factor)
        # Every open bargain's link reaches the bargainer's contacts.
        asker = np.concatenate([st.pending.buyers, orders.buyers[opening]])
        bargain = np.concatenate([st.bargain, new])
        ask = self._open(st, bargain) & (people.state[asker] == ACTIVE)
        contacts, pos = contacts_of(model, asker[ask])
        owner = bargain[ask][pos]
        key = owner * people.size + contacts
        fresh = (people.state[contacts] == ACTIVE) & ~np.isin(key, st.helped)
        helpers, owner = answer(model, contacts[fresh], owner[fresh], self.help_chance)
        helpers, owner = self._help(model, st, helpers, owner)
        np.add.at(st.helps, owner, 1)
        st.helped = np.concatenate([st.helped, owner * people.size + helpers])

    def on_day_end(self, model: SchemeModel) -> None:
        st = self._state(model)
        today, bargain = st.taken.collect()
        if len(today):
            st.pending = Orders.concat([st.pending, today])
            st.bargain = np.concatenate([st.bargain, bargain])
        b = st.bargain
        due = (self._reached(st, b) | (model.day - st.opened[b] + 1 >= self.time_limit)
               | ~merchant_open(model, st.pending.shop))
        if not due.any():
            return
        done, b = keep_orders(st.pending, due), b[due]
        st.pending, st.bargain = keep_orders(st.pending, ~due), st.bargain[~due]
        st.helped = st.helped[~np.isin(st.helped // model.people.size, b)]
        stop_sharing(model, done.buyers, self.share_factor)
        buy = (self._reached(st, b) | self.buy_at_reached) & merchant_open(model, done.shop)
        sold = done.subset(np.flatnonzero(buy))
        price = self._price(st, b[buy], sold.list_price)
        sold.subsidy = (sold.list_price - price) * ppm(self.platform_pays) // PPM
        sold.paid = price
        model.book_sales(sold)
