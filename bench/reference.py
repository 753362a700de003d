"""A deliberately simple per-agent Mesa model of liandong_2plus1: the engine's cost yardstick.

One ``mesa.Agent`` per person with plain Python attributes; each day
``shuffle_do("step")`` lets every person, in random order, live their own day: adopt (Bass
diffusion over their contacts, sponsor picked in proportion to sharing), buy the entry package,
shop, cash out, leave. Joining runs the scenario's rules the obvious way: 直推奖 to the sponsor,
then 链动2+1 placement (a 代理's first recruits pass up to their team owner, then the 代理
breaks away as a 老板), 见点奖 to the team owner and 平级奖 to the owner's former boss.

It does the same work per person per day as :class:`sim.model.SchemeModel`, but one person at
a time (asynchronous updating) and with its own random stream, so it matches the engine in
kind and scale, not draw for draw. It is a cost reference, not a validation. Money is in cents.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from itertools import accumulate
from pathlib import Path

import mesa

import sim
from sim.agents import Merchant
from sim.network import community_network
from sim.people import ACTIVE, CHURNED, CONSUMER, DISTRIBUTOR, LEADER, UNAWARE
from sim.rules.base import PPM, cents, ppm
from sim.rules.liandong import AGENT, BOSS  # 链动 ranks: 代理, 老板
from sim.scenario import Scenario
from sim.sections import Market

RULES = {"entry_package", "direct_referral", "liandong", "cash_out"}


class Person(mesa.Agent):
    """One person; every field is a plain attribute, every rule a few lines of Python."""

    def __init__(self, model: ReferenceModel, *, propensity: float, trust: float) -> None:
        super().__init__(model)
        self.propensity = propensity
        self.trust = trust
        self.reach = 1.0                   # trust relative to the mean: scales every hazard
        self.contacts: list[Person] = []   # with repeats: a repeated tie is a stronger one
        self.degree = 1                    # len(contacts), at least 1
        self.influence = 0.0               # contacts' total sharing, kept current by them
        self.share = 0.0
        self.state = UNAWARE
        self.role = 0
        self.rank = 0
        self.founder = False
        self.sponsor: Person | None = None
        self.team_owner: Person | None = None
        self.former_owner: Person | None = None  # the boss a 老板 broke away from
        self.passed_up = 0
        self.depth = 0
        self.recruits = 0
        self.join_day = self.participant_day = self.exit_day = -1
        self.purchases = 0
        self.paid = self.value = self.entry_paid = 0
        self.rewards = self.wallet = self.cashed_out = 0

    # -- the day ------------------------------------------------------------------------
    def step(self) -> None:
        m = self.model
        if self.state == UNAWARE:
            if not self.adopt():
                return
        elif self.role == CONSUMER and self.state == ACTIVE and self.join_day < m.day:
            if m.random.random() < m.conversion_daily:
                self.join_scheme()
        if self.state == ACTIVE:
            self.shop()
        if m.cash_out_today and self.wallet >= m.cash_out_min:
            self.cash_out()  # as in the engine, a wallet is withdrawn even after its owner left
        if self.state == ACTIVE and not self.founder:
            self.maybe_leave()

    def adopt(self) -> bool:
        """Bass hazard from ads and from contacts' sharing; a newcomer may buy in at once."""
        m = self.model
        pull = m.word_of_mouth * self.influence / self.degree
        hazard = (m.external_reach + pull) * self.reach
        if m.random.random() >= -math.expm1(-hazard):
            return False
        by_mouth = m.random.random() * (m.external_reach + pull) < pull
        self.enrol(self.pick_sponsor() if by_mouth else None)
        chance = m.conversion
        if can_earn(self.sponsor):
            earned = min(self.sponsor.rewards / max(m.package_price, 100), 3.0)
            chance = min(chance * (1 + m.conversion_sensitivity * earned), 1.0)
        if m.random.random() < chance:
            self.join_scheme()
        return True

    def pick_sponsor(self) -> Person | None:
        weights = [c.share for c in self.contacts]
        if sum(weights) <= 0:
            return None
        return self.model.random.choices(self.contacts, weights=weights)[0]

    def enrol(self, sponsor: Person | None) -> None:
        m = self.model
        self.state, self.role, self.join_day, self.sponsor = ACTIVE, CONSUMER, m.day, sponsor
        m.active_roles[CONSUMER] += 1
        self.depth = sponsor.depth + 1 if sponsor else 0
        self.set_share(m.customer_share)
        m.adopted += 1
        m.today["new_customers"] += 1

    def join_scheme(self) -> None:
        """Buy the package and become a 代理, then the rules in the scenario's order."""
        m = self.model
        self.paid += m.package_price
        self.entry_paid += m.package_price
        self.value += m.package_value
        m.today["package_sale"] += m.package_price
        m.today["package_goods"] += m.package_cost
        m.today["new_participants"] += 1
        self.rank, self.participant_day = AGENT, m.day
        self.set_role(DISTRIBUTOR)
        self.set_share(m.participant_share)
        sponsor = self.sponsor
        if sponsor is not None:
            sponsor.recruits += 1
        if can_earn(sponsor):  # 直推奖, by the sponsor's rank before any breakaway below
            reward = m.join_reward[min(sponsor.rank, len(m.join_reward)) - 1]
            pay(sponsor, self, "direct_referral", reward)
        self.place()
        owner = self.team_owner
        if can_earn(owner):
            pay(owner, self, "jiandian", m.jiandian)
        if owner is not None and can_earn(owner.former_owner):
            pay(owner.former_owner, self, "pingji", m.pingji)

    def place(self) -> None:
        """链动2+1: a 代理's first ``passups`` recruits go up to their team owner (感恩)."""
        sponsor = self.sponsor
        if sponsor is None or sponsor.role < DISTRIBUTOR:
            return
        if sponsor.rank >= BOSS:
            self.team_owner = sponsor
            return
        self.team_owner = sponsor.team_owner
        sponsor.passed_up += 1
        if sponsor.passed_up >= self.model.passups:  # 脱离: the sponsor now owns a team
            sponsor.former_owner, sponsor.team_owner = sponsor.team_owner, sponsor
            sponsor.rank = BOSS
            sponsor.set_role(LEADER)

    def shop(self) -> None:
        m = self.model
        if not m.open_merchants or m.random.random() >= self.propensity:
            return
        units = 1 + int(m.rng.poisson(m.basket_extra))
        amount = units * m.price
        merchant = m.random.choices(m.open_merchants, cum_weights=m.merchant_cum_appeal)[0]
        fee, rangli = amount * m.fee_ppm // PPM, amount * m.rangli_ppm // PPM
        cogs = units * merchant.unit_cost
        self.paid += amount
        self.value += amount
        self.purchases += 1
        m.merchant_profit_today[merchant.index] += amount - fee - rangli - cogs
        for kind, flow in (("sale", amount), ("platform_fee", fee), ("rangli", rangli),
                           ("cogs", cogs), ("fulfilment", m.fulfilment)):
            m.today[kind] += flow

    def cash_out(self) -> None:
        m = self.model
        fee = self.wallet * m.cash_out_fee_ppm // PPM
        self.cashed_out += self.wallet - fee
        m.today["cash_out"] += self.wallet - fee
        m.today["cash_out_fee"] += fee
        self.wallet = 0

    def maybe_leave(self) -> None:
        """Churn; participants past their grace period weigh earnings against their outlay."""
        m, c = self.model, self.model.churn
        participant = self.role >= DISTRIBUTOR
        base = c.participant if participant else c.customer
        hazard = base * (1 - self.trust) / (1 - m.mean_trust)
        outlay = self.paid - self.value
        if participant and m.day - self.participant_day > c.grace_days and outlay > 0:
            hazard *= 1 + c.earnings_sensitivity * min(max(1 - self.rewards / outlay, 0.0), 1.0)
        leave = -math.expm1(-hazard)
        if c.first_day and not participant and self.join_day == m.day - 1:
            leave = 1 - (1 - leave) * (1 - c.first_day)
        if m.random.random() < leave:
            m.active_roles[self.role] -= 1
            self.state, self.exit_day = CHURNED, m.day
            self.set_share(0.0)
            m.today["churned"] += 1

    def set_role(self, role: int) -> None:
        """Change role, keeping the model's count of active persons by role current."""
        if self.state == ACTIVE:
            counts = self.model.active_roles
            counts[self.role] -= 1
            counts[role] += 1
        self.role = role

    def set_share(self, value: float) -> None:
        """Tell every contact how much more (or less) this person now shares."""
        delta, self.share = value - self.share, value
        for contact in self.contacts:
            contact.influence += delta


def can_earn(person: Person | None) -> bool:
    return person is not None and person.state == ACTIVE and person.role >= DISTRIBUTOR


def pay(payee: Person, trigger: Person, kind: str, amount: int) -> None:
    if amount <= 0:
        return
    payee.wallet += amount
    payee.rewards += amount
    m = payee.model
    m.today["reward:" + kind] += amount
    m.paid_depth[(kind, trigger.depth - payee.depth)] += amount  # what the audit reads


class ReferenceModel(mesa.Model):
    """liandong_2plus1, one Mesa agent per person. ``seed`` fixes the run."""

    def __init__(self, scenario: Scenario, *, seed: int) -> None:
        super().__init__(rng=seed)
        keys = {r.key for r in scenario.rules}
        if keys != RULES:
            raise ValueError(f"the reference implements {sorted(RULES)}, not {sorted(keys)}")
        mk, retail, self.churn = scenario.market, scenario.retail, scenario.churn
        entry, referral = scenario.rule("entry_package"), scenario.rule("direct_referral")
        liandong, cash = scenario.rule("liandong"), scenario.rule("cash_out")
        self.day = 0
        # Parameters as plain attributes, money in cents, as a hand-written model keeps them.
        self.external_reach, self.word_of_mouth = mk.external_reach, mk.word_of_mouth
        self.customer_share, self.participant_share = mk.customer_share, mk.participant_share
        self.basket_extra = mk.basket - 1.0
        self.price, self.fulfilment = cents(retail.price), cents(retail.fulfilment_cost)
        self.fee_ppm, self.rangli_ppm = ppm(retail.platform_fee), ppm(retail.rangli)
        self.package_price, self.package_value = cents(entry.price), cents(entry.goods_value)
        self.package_cost = cents(entry.goods_cost)
        self.conversion, self.conversion_daily = entry.conversion, entry.conversion_daily
        self.conversion_sensitivity = entry.earnings_sensitivity
        self.join_reward = [cents(r) for r in referral.join_reward]  # by the sponsor's rank
        self.passups = liandong.passups
        self.jiandian, self.pingji = cents(liandong.jiandian), cents(liandong.pingji)
        self.cash_out_every, self.cash_out_min = cash.every_days, max(cents(cash.minimum), 1)
        self.cash_out_fee_ppm = ppm(cash.fee)
        self.cash_out_today = False

        people = [Person(self, propensity=self._propensity(mk), trust=self._trust(mk))
                  for _ in range(mk.size)]
        self.mean_trust = sum(p.trust for p in people) / len(people)
        net = community_network(mk.size, community_size=mk.community_size,
                                within=mk.contacts_within, between=mk.contacts_between,
                                rng=self.rng)
        bounds, neighbours = net.indptr.tolist(), net.indices.tolist()
        for i, person in enumerate(people):
            person.contacts = [people[j] for j in neighbours[bounds[i]:bounds[i + 1]]]
            person.degree = max(len(person.contacts), 1)
            person.reach = person.trust / self.mean_trust

        # The engine's own merchant agent: its exit decision is not per-person work.
        self.merchants = [
            Merchant(self, i, unit_cost=cents(retail.unit_cost * math.exp(
                retail.unit_cost_spread * self.random.gauss(0.0, 1.0))),
                appeal=self.random.gammavariate(4.0, 0.25),
                overhead=cents(retail.merchant_fixed_cost), runway=retail.merchant_runway,
                patience=retail.merchant_patience)
            for i in range(retail.merchants)]
        self.merchant_profit_today = [0] * retail.merchants
        self.open_merchants: list[Merchant] = []
        self.merchant_cum_appeal: list[float] = []

        self.adopted = 0
        self.active_roles: Counter[int] = Counter()  # kept by Person.set_role, not recounted
        self.today: Counter[str] = Counter()
        self.paid_depth: Counter[tuple[str, int]] = Counter()
        self.platform_cash = 0
        self.daily: list[dict[str, int]] = []
        for founder in self.random.sample(people, mk.founders):  # organisers: 老板 from day 0
            founder.founder = True
            founder.enrol(None)
            founder.join_scheme()
            founder.rank, founder.team_owner = BOSS, founder
            founder.set_role(LEADER)
        self._close_day()
        self.day = 1

    def _propensity(self, mk: Market) -> float:
        if mk.propensity_spread <= 0:
            return mk.propensity
        shape = 1.0 / mk.propensity_spread**2
        return min(self.random.gammavariate(shape, mk.propensity / shape), 1.0)

    def _trust(self, mk: Market) -> float:
        if mk.trust_spread <= 0:
            return mk.trust
        k = mk.trust * (1 - mk.trust) / mk.trust_spread**2 - 1
        return self.random.betavariate(mk.trust * k, (1 - mk.trust) * k)

    def step(self) -> None:
        self.open_merchants = [mm for mm in self.merchants if mm.active]
        self.merchant_cum_appeal = list(accumulate(mm.appeal for mm in self.open_merchants))
        self.merchant_profit_today = [0] * len(self.merchants)
        self.cash_out_today = self.day % self.cash_out_every == 0
        self.agents_by_type[Person].shuffle_do("step")
        for mm in self.open_merchants:
            self.merchant_profit_today[mm.index] -= mm.overhead
            self.today["merchant_overhead"] += mm.overhead
        self.agents_by_type[Merchant].shuffle_do("step")
        self._close_day()
        self.day += 1

    def _close_day(self) -> None:
        t = self.today
        rewards = sum(v for k, v in t.items() if k.startswith("reward:"))
        revenue = t["platform_fee"] + t["rangli"] + t["package_sale"] + t["cash_out_fee"]
        self.platform_cash += revenue - t["fulfilment"] - t["package_goods"] - rewards
        injected = max(-self.platform_cash, 0)  # owners keep the platform solvent
        self.platform_cash += injected
        roles = self.active_roles
        self.daily.append({
            "day": self.day, "consumers": roles[CONSUMER], "distributors": roles[DISTRIBUTOR],
            "leaders": roles[LEADER], "active": roles.total(), "adopted": self.adopted,
            "new_customers": t["new_customers"], "new_participants": t["new_participants"],
            "churned": t["churned"], "gmv": t["sale"] + t["package_sale"], "rewards": rewards,
            "platform_revenue": revenue, "cash_held": self.platform_cash,
            "capital_injected": injected, "cashed_out": t["cash_out"]})
        self.today = Counter()

    def release(self) -> None:
        """Drop Mesa's class-level registry entry so the model can be garbage-collected."""
        getattr(mesa.Agent, "_ids", {}).pop(self, None)


def run_reference(scenario: str | Path | Scenario = "liandong_2plus1", *, seed: int = 1,
                  market_size: int, days: int) -> dict[str, float | int]:
    """Build and run the reference; return its timings (s) and a few totals to compare."""
    s = sim.load_scenario(scenario).with_market(size=market_size, days=days)
    t0 = time.perf_counter()
    model = ReferenceModel(s, seed=seed)
    t1 = time.perf_counter()
    try:
        for _ in range(days):
            model.step()
        t2 = time.perf_counter()
        last = model.daily[-1]
        return {"build_s": t1 - t0, "days_s": t2 - t1, "adopted": last["adopted"],
                "participants": sum(r["new_participants"] for r in model.daily),
                "rewards_yuan": sum(r["rewards"] for r in model.daily) / 100}
    finally:
        model.release()
