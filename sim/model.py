"""SchemeModel: a finite social-commerce market running one business model day by day.

The daily step, in order: adoption (Bass diffusion over contacts; the sharer who converted a
newcomer becomes their sponsor), qualification (some customers buy their way into the
scheme), retail purchases, end-of-day rules, churn, merchants' decisions, and the ledger's
close. Everything is vectorised over the people columns; the rules receive whole batches.
"""

from __future__ import annotations

from typing import Callable

import mesa
import numpy as np

from sim.agents import VIEW_CLASSES, Merchant, Person
from sim.capacity import JOURNAL_LIMIT, check_memory, give_back_freed_memory, reuse_freed_memory
from sim.ledger import (ESCROW, GMV_FLOWS, POINTS, POOLS, PLATFORM, REWARD, WALLETS, Ledger,
                        sum_by)
from sim.network import community_network
from sim.orders import Orders
from sim.people import ACTIVE, CHURNED, CONSUMER, DISTRIBUTOR, LEADER, People
from sim.rules.base import PPM, cents, ppm
from sim.scenario import Scenario



class SchemeModel(mesa.Model):
    """One run of one scenario. ``seed`` fixes every random draw."""

    # Mesa 3.5 made ``Model.scenario`` a property for its own experiment object (the setter
    # writes ``scenario.model``); ours is the frozen business model, so a plain attribute.
    scenario: Scenario = None  # type: ignore[assignment]

    def __init__(self, scenario: Scenario, *, seed: int, journal: bool | None = None,
                 memory_limit: int | None = None) -> None:
        # A clear error now rather than the system killing us later: the run must fit in
        # ``memory_limit`` bytes (default: what is available).
        check_memory(scenario, limit=memory_limit)
        reuse_freed_memory(scenario.market.size)
        super().__init__(rng=seed)
        self.scenario = scenario
        self.seed = seed
        self.day = 0
        self._rule_state: dict[str, object] = {}
        m, retail = scenario.market, scenario.retail
        self.people = People(m.size, self.rng, propensity=m.propensity,
                             propensity_spread=m.propensity_spread, basket=m.basket,
                             trust=m.trust, trust_spread=m.trust_spread)
        p = self.people
        self.network = (community_network(m.size, community_size=m.community_size,
                                          within=m.contacts_within, between=m.contacts_between,
                                          rng=self.rng)
                        if m.network == "community" else None)
        self.degree = self.network.degree if self.network else None
        # Neighbourhoods (小区, group chats): from the network, or blocks of ids when well mixed.
        self.community = (self.network.community if self.network is not None
                          else (np.arange(m.size) // m.community_size).astype(np.int32))
        self.influence = np.zeros(m.size)   # sum of contacts' sharing intensity
        self.total_share = 0.0              # the same, for a well-mixed market
        self.reach = p.trust / p.trust.mean()                        # adoption hazard scale
        self.ad_hazard = m.external_reach * self.reach
        self.mouth_scale = (m.word_of_mouth * self.reach / np.maximum(self.degree, 1)
                            if self.network else None)
        self.churn_scale = (1 - p.trust) / (1 - p.trust.mean())     # churn hazard scale
        c = scenario.churn
        # A participant's chance of leaving, -expm1(-hazard), is below the hazard, which is at
        # most scale × rate × (1 + sensitivity); widened far past rounding, that bounds it.
        self._participant_bound = self.churn_scale * (c.participant * (1 + c.earnings_sensitivity)) * (1 + 1e-9)
        self._customer_leave = -np.expm1(-self.churn_scale * c.customer)
        # Each person's chance of leaving today is at most this, whatever their role: churn
        # looks closer only at draws under it. Kept in step by set_customer_leave.
        self._leave_bound = np.maximum(self._customer_leave, self._participant_bound)
        self.churn_scale.flags.writeable = False  # the bounds above are derived from it
        self.rules = scenario.rules
        self.qualifier = scenario.qualifier
        self.package_price_cents = cents(self.qualifier.price) if self.qualifier else 0
        self._columns: dict[str, np.ndarray] = {}
        self._views: dict[int, Person] = {}
        payees = {kind: facts.payees for facts in (r.facts() for r in self.rules)
                  for kind in facts.reward_kinds}
        self.ledger = Ledger(p, retail.merchants, journal=m.size <= JOURNAL_LIMIT
                             if journal is None else journal, payees=payees)

        costs = retail.unit_cost * np.exp(retail.unit_cost_spread * self.rng.standard_normal(retail.merchants))
        appeal = self.rng.gamma(4.0, 0.25, retail.merchants)
        self.merchants = [Merchant(self, i, unit_cost=cents(c), appeal=float(a),
                                   overhead=cents(retail.merchant_fixed_cost),
                                   runway=retail.merchant_runway,
                                   patience=retail.merchant_patience,
                                   return_chance=retail.merchant_return)
                          for i, (c, a) in enumerate(zip(costs, appeal))]
        self.merchant_unit_cost = np.array([mm.unit_cost for mm in self.merchants], np.int64)
        self.merchant_appeal = appeal
        self.merchant_profit_today = np.zeros(retail.merchants, np.int64)
        self.daily: list[dict] = []
        self.churned_today = self.new_participants = self.orders_today = 0
        self.founders = self.rng.choice(m.size, size=m.founders, replace=False).astype(np.int64)
        self.is_founder = np.zeros(m.size, bool)
        self.is_founder[self.founders] = True
        self._founders_sorted = np.sort(self.founders)
        self.platform_cash_yesterday = 0
        self.figure_keys: set[str] = set()  # rules' own daily money columns (daily_figures)
        self.booking = Orders.empty()       # the orders book_sales is booking, for on_purchase
        for rule in self.rules:
            rule.on_setup(self)
        self._place_founders()

    # -- public helpers -----------------------------------------------------------------
    def rule_state(self, key: str, factory: Callable[[], object] | None = None):
        """What rule ``key`` remembers during this run (open groups, pools, loans): rules are
        frozen parameters shared between runs, so their state lives with the run. ``factory``
        makes it on first use; without one, a rule with no state yet is a KeyError."""
        if key not in self._rule_state:
            if factory is None:
                raise KeyError(f"rule {key!r} keeps no state in this run")
            self._rule_state[key] = factory()
        return self._rule_state[key]

    def person(self, index: int) -> Person:
        """An agent view of person ``index``, typed by their current role."""
        cls = VIEW_CLASSES.get(int(self.people.role[index]))
        if cls is None:
            raise ValueError(f"person {index} has not joined the market")
        view = self._views.get(index)
        if type(view) is not cls:
            if view is not None:
                view.remove()
            view = self._views[index] = cls(self, index)
        return view

    def column(self, name: str, dtype: type, fill: int = 0) -> np.ndarray:
        """A per-person working column a rule keeps (created on first use)."""
        if name not in self._columns:
            self._columns[name] = np.full(self.people.size, fill, dtype)
        return self._columns[name]

    def recent_sales(self, days: int = 30) -> int:
        """Cents merchants took in over the last ``days`` closed days (sales and subsidies)."""
        return int(sum(row["merchant_revenue"] for row in self.daily[-days:]))

    def set_share(self, ids: np.ndarray, values: float | np.ndarray) -> None:
        """Set persons' sharing intensity (one value, or one per person), as a rule that
        prompts or rewards sharing does; the word of mouth their contacts feel follows."""
        self._set_share(np.asarray(ids, np.int64), values)

    # -- what rules may change besides the person columns (sim.rules.base.MODEL_SURFACE) --
    def scale_adverts(self, factor: float, ids: np.ndarray | None = None) -> None:
        """Multiply the daily adoption hazard from adverts of ``ids`` (everyone by default):
        a reach lever such as targeting, a partner's audience or a store's footfall."""
        if ids is None:
            self.ad_hazard *= factor
        else:
            self.ad_hazard[ids] *= factor

    def add_adverts(self, ids: np.ndarray, hazard: float) -> None:
        """Add a daily adoption hazard to ``ids`` (posts, live sessions seen), scaled by trust
        as adverts are; it acts while they are not on the platform. A negative one takes it
        away again."""
        self.ad_hazard[ids] += hazard * self.reach[ids]

    @property
    def customer_leave(self) -> np.ndarray:
        """Each person's chance of leaving today while a customer, read-only: it changes only
        through :meth:`set_customer_leave`, which keeps churn's bound in step."""
        view = self._customer_leave.view()
        view.flags.writeable = False
        return view

    def set_customer_leave(self, ids: np.ndarray, chance: float | np.ndarray) -> None:
        """Set customers' ``ids`` chance of leaving today (raised for a day, put back)."""
        self._customer_leave[ids] = chance
        self._leave_bound[ids] = np.maximum(self._customer_leave[ids], self._participant_bound[ids])

    def scale_customer_churn(self, ids: np.ndarray, factor: float) -> None:
        """Customers ``ids`` leave at ``factor`` times the market's hazard (a store nearby)."""
        hazard = self.churn_scale[ids] * self.scenario.churn.customer * factor
        self.set_customer_leave(ids, -np.expm1(-hazard))

    def add_merchant_profit(self, shop: np.ndarray, amounts: np.ndarray) -> None:
        """Add to merchants' profit today, which their decision to stay reads: income a rule
        pays them, or (negative) a cost it charges them."""
        np.add.at(self.merchant_profit_today, shop, amounts)

    def pick_merchants(self, n: int) -> np.ndarray:
        """``n`` merchants drawn among the open ones by appeal, as shoppers pick them."""
        weight = self.merchant_appeal * np.array([mm.active for mm in self.merchants])
        return self.rng.choice(len(self.merchants), size=n, p=weight / weight.sum())

    def platform_profit_today(self) -> int:
        """Cents the platform's cash has gained so far today."""
        return int(self.ledger.balance[PLATFORM]) - self.platform_cash_yesterday

    def count_participants(self, n: int) -> None:
        """Count persons a rule made participants itself (an appointed 团长) in today's joins."""
        self.new_participants += n

    def newcomers(self) -> np.ndarray:
        """Persons who arrived today, in arrival order."""
        before = self.daily[-1]["adopted"] if self.daily else 0  # at yesterday's close
        return self.people.order[before:self.people.adopted].astype(np.int64)

    def enrol(self, ids: np.ndarray, sponsors: np.ndarray, *, qualify: bool) -> None:
        """Bring persons into the market with the given sponsors (-1: none), in this order.

        The daily step uses it for adoption; tests use it to script exact events. With
        ``qualify`` everyone enrolled also buys into the scheme, if it has a way in.
        """
        ids, sponsors = np.asarray(ids, np.int64), np.asarray(sponsors, np.int64)
        p = self.people
        p.state[ids] = ACTIVE
        p.role[ids] = CONSUMER
        p.join_day[ids] = self.day
        p.sponsor[ids] = sponsors
        p.tree_depth[ids] = -1  # not placed yet: a sponsor enrolled in this batch is placed first
        pending, up = ids, sponsors
        while len(pending):
            depth = p.tree_depth[np.maximum(up, 0)]
            ready = (up < 0) | (depth >= 0)
            p.tree_depth[pending[ready]] = np.where(up[ready] >= 0, depth[ready] + 1, 0)
            pending, up = pending[~ready], up[~ready]
        p.order[p.adopted:p.adopted + len(ids)] = ids
        p.adopted += len(ids)
        self._set_share(ids, self.scenario.market.customer_share)
        for rule in self.rules:
            rule.on_arrive(self, ids)
        if qualify and self.qualifier:
            self._qualify(ids)

    # -- the day ------------------------------------------------------------------------
    def step(self) -> None:
        newcomers = self._adopt()
        active = self.people.active()  # nothing changes state between here and churn
        if self.qualifier:
            self._qualify(self.qualifier.select_joiners(self, newcomers))
        self._purchase(active)
        for rule in self.rules:
            rule.on_day_end(self)
        self._churn(active)
        self._merchants_day()
        self._close_day(len(newcomers))
        self.day += 1

    def run_days(self, days: int, progress: Callable[[int, int], None] | None = None) -> None:
        for d in range(days):
            self.step()
            if progress:
                progress(d + 1, days)

    def release(self) -> None:
        """Drop Mesa's class-level reference to this model so it can be garbage-collected."""
        for agent in list(self.agents):
            agent.remove()
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)
        give_back_freed_memory(self.people.size)

    # -- stages -------------------------------------------------------------------------
    def _place_founders(self) -> None:
        f = self.founders
        self.enrol(f, np.full(len(f), -1), qualify=False)
        if self.qualifier:
            self._make_participants(f, hook="on_founders")
        self._keep_solvent()  # founders' packages may cost the platform more than they pay
        self._close_day(len(f))  # day 0 is the founders' day; the first step is day 1
        self.day = 1

    def _adopt(self) -> np.ndarray:
        p, m, rng = self.people, self.scenario.market, self.rng
        unaware = p.unaware()
        if len(unaware) == 0:
            return unaware
        # hazard = (p + q × f) × reach, with f the share-weighted fraction of adopted contacts
        if self.network is not None:
            pull = self.mouth_scale[unaware] * self.influence[unaware]
        else:
            pull = self.reach[unaware] * (m.word_of_mouth * self.total_share / p.size)
        hazard = self.ad_hazard[unaware] + pull
        # The chance -expm1(-hazard) is below hazard: only draws under it (widened far past
        # rounding) need expm1, which costs several times a compare. The outcome is the same.
        draw = rng.random(len(unaware))
        hit = np.flatnonzero(draw < hazard * (1 + 1e-9))
        hit = hit[draw[hit] < -np.expm1(-hazard[hit])]
        hit = hit[rng.permutation(len(hit))]
        new, pull, hazard = unaware[hit], pull[hit], hazard[hit]
        # Competing hazards: a word-of-mouth adoption has a sponsor, an advert does not.
        by_mouth = rng.random(len(new)) * hazard < pull
        sponsors = np.full(len(new), -1, np.int64)
        if by_mouth.any():
            pick = self._pick_sponsors if self.network is not None else self._pick_sponsors_mixed
            sponsors[by_mouth] = pick(new, by_mouth)
        self.enrol(new, sponsors, qualify=False)
        return new

    def _pick_sponsors(self, new: np.ndarray, by_mouth: np.ndarray) -> np.ndarray:
        """For each word-of-mouth adopter, a contact chosen in proportion to their sharing."""
        ids = new[by_mouth]
        nbrs, owner = self.network.neighbours_of(ids)
        cum = np.cumsum(self.people.share[nbrs])
        counts = np.bincount(owner, minlength=len(ids))
        end = np.cumsum(counts) - 1
        start_cum = np.where(end - counts >= 0, cum[np.maximum(end - counts, 0)], 0.0)
        start_cum[counts == 0] = 0.0
        total = np.where(counts > 0, cum[np.maximum(end, 0)] - start_cum, 0.0)
        target = start_cum + self.rng.random(len(ids)) * total
        pos = np.minimum(np.searchsorted(cum, target, side="right"), np.maximum(end, 0))
        chosen = nbrs[pos] if len(nbrs) else np.zeros(len(ids), np.int64)
        return np.where((total > 0) & (self.people.share[chosen] > 0), chosen, -1)

    def _pick_sponsors_mixed(self, new: np.ndarray, by_mouth: np.ndarray) -> np.ndarray:
        """Well-mixed market: the k-th adopter today picks among everyone adopted before them
        (earlier today included) in proportion to sharing, which makes the uniform case an
        exact random recursive tree."""
        p = self.people
        before = p.order[:p.adopted]
        pool = np.concatenate([before, new])
        weight = np.concatenate([p.share[before],
                                 np.full(len(new), self.scenario.market.customer_share)])
        cum = np.cumsum(weight)
        k = np.flatnonzero(by_mouth)
        limit = cum[p.adopted + k - 1]
        pos = np.searchsorted(cum, self.rng.random(len(k)) * limit, side="right")
        return pool[np.minimum(pos, p.adopted + k - 1)]

    def _qualify(self, joiners: np.ndarray) -> None:
        if len(joiners):
            self._make_participants(joiners, hook="on_join")

    def _make_participants(self, ids: np.ndarray, *, hook: str) -> None:
        """``ids`` buy their way in (the qualifier's package or fee) and become participants."""
        p = self.people
        # A participant from the purchase that qualifies them: the package or fee is their own
        # purchase to become able to earn, so the ledger books it as spent while a participant
        # (internal consumption), never as a sale to a consumer.
        p.role[ids] = DISTRIBUTOR
        self.qualifier.charge(self, ids)
        p.rank[ids] = 1
        p.participant_day[ids] = self.day
        self.new_participants += len(ids)
        sponsors = p.sponsor[ids]
        ok = sponsors >= 0
        np.add.at(p.recruits, sponsors[ok], 1)
        self._set_share(ids, self.scenario.market.participant_share)
        for rule in self.rules:
            getattr(rule, hook)(self, ids)

    def _purchase(self, active: np.ndarray) -> None:
        p, rng = self.people, self.rng
        self.merchant_profit_today[:] = 0
        open_ = np.array([mm.active for mm in self.merchants])
        if not open_.any():
            return
        chance = p.propensity[active]
        for rule in self.rules:
            lift = rule.demand(self, active)
            if lift is not None:
                chance = chance * lift
        buyers = active[rng.random(len(active)) < chance]
        if len(buyers) == 0:
            return
        units = 1 + rng.poisson(p.basket[buyers])
        weight = self.merchant_appeal * open_
        shop = rng.choice(len(self.merchants), size=len(buyers), p=weight / weight.sum())
        orders = self.new_orders(buyers, units, shop)
        for rule in self.rules:
            rule.shape_orders(self, orders)
        # Today's draw has one order per buyer, so the purchase count can skip np.add.at.
        self._book(orders.subset(orders.open) if orders.held.any() else orders, unique_buyers=True)

    def new_orders(self, buyers: np.ndarray, units: np.ndarray, shop: np.ndarray) -> Orders:
        """Orders at the regular price from the given merchants, not yet booked."""
        retail = self.scenario.retail
        price = units * cents(retail.price)
        return Orders(buyers=buyers, units=units, shop=shop, list_price=price, paid=price.copy(),
                      subsidy=np.zeros(len(buyers), np.int64),
                      cogs=units * self.merchant_unit_cost[shop],
                      fulfilment=np.full(len(buyers), cents(retail.fulfilment_cost), np.int64),
                      held=np.zeros(len(buyers), bool))

    def book_sales(self, orders: Orders, *, from_escrow: bool = False) -> None:
        """Book orders as sales: the buyer pays (or their deposit is released from escrow),
        the merchant receives paid + subsidy and pays the platform fee, 让利 and its goods;
        the platform pays delivery. Then every rule sees the purchases."""
        self._book(orders, from_escrow=from_escrow)

    def _book(self, orders: Orders, *, from_escrow: bool = False, unique_buyers: bool = False) -> None:
        if len(orders) == 0:
            return
        retail, ledger = self.scenario.retail, self.ledger
        buyers, shop, paid = orders.buyers, orders.shop, orders.paid
        receipts = paid + orders.subsidy
        fee = receipts * ppm(retail.platform_fee) // PPM
        rangli = receipts * ppm(retail.rangli) // PPM
        if from_escrow:
            ledger.escrow_sale(buyers, shop, paid, value=orders.list_price)
        else:
            ledger.charge("sale", buyers, paid, value=orders.list_price, merchants=shop)
        ledger.merchants_flow("coupon_subsidy", shop, orders.subsidy)
        ledger.merchants_flow("platform_fee", shop, fee)
        ledger.merchants_flow("rangli", shop, rangli)
        ledger.merchants_flow("cogs", shop, orders.cogs)
        ledger.transfer("fulfilment", int(orders.fulfilment.sum()))
        self.merchant_profit_today += sum_by(shop, receipts - fee - rangli - orders.cogs,
                                             len(self.merchants))
        self.orders_today += len(orders)
        if unique_buyers:
            self.people.purchases[buyers] += 1
        else:
            np.add.at(self.people.purchases, buyers, 1)
        self.booking = orders
        for rule in self.rules:
            rule.on_purchase(self, buyers, paid)

    def _churn(self, active: np.ndarray) -> None:
        p, c = self.people, self.scenario.churn
        active = self._without_founders(active)  # organisers stay
        draw = self.rng.random(len(active))
        # Only a draw under the person's bound can mean leaving (a few in a hundred), and so
        # can a newcomer's first day: the rest need no look at their role or record.
        maybe = np.flatnonzero(draw < self._leave_bound[active])
        if c.first_day:
            maybe = np.union1d(maybe, self._positions(active, self._joined_yesterday()))
        who, draw = active[maybe], draw[maybe]
        participant = p.role[who] >= DISTRIBUTOR
        leave = self._customer_leave[who]
        if c.first_day:
            new = ~participant & (p.join_day[who] == self.day - 1)
            leave[new] = 1 - (1 - leave[new]) * (1 - c.first_day)
        go = (draw < leave) & ~participant
        part = np.flatnonzero(participant)
        them = who[part]
        hazard = self.churn_scale[them] * c.participant
        # Participants past their grace period judge what they have earned against their outlay.
        judged = (self.day - p.participant_day[them] > c.grace_days)
        outlay = (p.paid[them] - p.value[them]).astype(float)
        shortfall = np.clip(1 - p.rewards[them] / np.maximum(outlay, 1), 0, 1)
        hazard *= np.where(judged & (outlay > 0), 1 + c.earnings_sensitivity * shortfall, 1)
        go[part] = draw[part] < -np.expm1(-hazard)
        gone = who[go]
        p.state[gone] = CHURNED
        p.exit_day[gone] = self.day
        self._set_share(gone, 0.0)
        self.churned_today = len(gone)

    def _without_founders(self, active: np.ndarray) -> np.ndarray:
        """``active`` (ascending) less the founders in it: a few deletions, not a mask over all."""
        return np.delete(active, self._positions(active, self._founders_sorted))

    @staticmethod
    def _positions(ascending: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Where those of ``ids`` (ascending) that ``ascending`` holds are in it."""
        at = np.searchsorted(ascending, ids)
        found = at < len(ascending)
        found[found] = ascending[at[found]] == ids[found]
        return at[found]

    def _joined_yesterday(self) -> np.ndarray:
        """Persons who joined the market yesterday, ascending: those enrolled between the last
        two closes, as the adoption order records them."""
        start = self.daily[-2]["adopted"] if len(self.daily) > 1 else 0
        ids = np.sort(self.people.order[start:self.daily[-1]["adopted"]]).astype(np.int64)
        return ids[self.people.join_day[ids] == self.day - 1]

    def _merchants_day(self) -> None:
        open_ids = np.array([mm.index for mm in self.merchants if mm.active], np.int64)
        if len(open_ids):
            overhead = np.array([self.merchants[i].overhead for i in open_ids], np.int64)
            self.ledger.merchants_flow("merchant_overhead", open_ids, overhead)
            np.subtract.at(self.merchant_profit_today, open_ids, overhead)
        self.agents_by_type[Merchant].shuffle_do("step")
        self._keep_solvent()

    def _keep_solvent(self) -> None:
        # Owners keep the platform solvent; how much they had to put in is itself a finding.
        if self.ledger.balance[PLATFORM] < 0:
            self.ledger.transfer("capital_injection", int(-self.ledger.balance[PLATFORM]))

    def _set_share(self, ids: np.ndarray, value: float | np.ndarray) -> None:
        p = self.people
        delta = value - p.share[ids]
        p.share[ids] = value
        if self.network is None:
            self.total_share += float(delta.sum())
        elif len(ids):
            nbrs, owner = self.network.neighbours_of(ids)
            np.add.at(self.influence, nbrs, delta[owner])

    def _close_day(self, new_customers: int) -> None:
        p, ledger = self.people, self.ledger
        today, imbalance = ledger.close_day()
        # Active persons by role: whole-column compares are cheaper than gathering the actives.
        active = p.state == ACTIVE
        roles = np.array([np.count_nonzero(active & (p.role == r)) for r in range(LEADER + 1)])
        rewards = {k[len(REWARD):]: v for k, v in today.items() if k.startswith(REWARD)}
        injected = today.get("capital_injection", 0)
        revenue = sum(v for k, v in today.items()
                      if ledger.accounts(k)[1] == PLATFORM and k != "capital_injection")
        cash = int(ledger.balance[PLATFORM])
        row = {
            "day": self.day,
            "consumers": int(roles[CONSUMER]),
            "distributors": int(roles[DISTRIBUTOR]),
            "leaders": int(roles[LEADER]),
            "active": int(roles.sum()),
            "adopted": int(p.adopted),
            "new_customers": new_customers,
            "new_participants": self.new_participants,
            "churned": self.churned_today,
            "orders": self.orders_today,
            "gmv": sum(today.get(k, 0) for k in GMV_FLOWS),
            "rewards": sum(rewards.values()),
            "platform_revenue": revenue,
            # Cash basis: what the platform's own cash did, before owners topped it up.
            "platform_net": cash - self.platform_cash_yesterday - injected,
            "merchant_revenue": sum(today.get(k, 0) for k in ("sale", "escrow_sale", "coupon_subsidy")),
            "merchant_profit": int(self.merchant_profit_today.sum()),
            "merchants_open": sum(mm.active for mm in self.merchants),
            "cash_held": cash,
            "liabilities": ledger.owed(),
            "wallets_owed": int(ledger.balance[WALLETS]),
            "points_liability": int(ledger.balance[POINTS]),
            "pool_liability": int(ledger.balance[POOLS]),
            "escrow_held": int(ledger.balance[ESCROW]),
            "capital_injected": injected,
            "cashed_out": today.get("cash_out", 0),
            "ledger_imbalance": imbalance,
            **{f"flow_{k}": v for k, v in today.items() if not k.startswith(REWARD)},
            **{f"reward_{k}": v for k, v in rewards.items()},
        }
        for rule in self.rules:
            for key, value in rule.daily_figures(self).items():
                row[key] = row.get(key, 0) + value
                self.figure_keys.add(key)
        self.churned_today = self.new_participants = self.orders_today = 0
        self.platform_cash_yesterday = cash
        self.daily.append(row)
