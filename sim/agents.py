"""Mesa agents. Persons are views onto rows of :class:`sim.people.People`; merchants are whole
agents with their own books and an exit decision.

Get a person with ``model.person(i)``: the class tells the role (Consumer, Distributor 代理,
Leader 团长/老板) and every attribute reads the live columns, so the view is always current.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import mesa

from sim.people import CHURNED, CONSUMER, DISTRIBUTOR, LEADER, ROLE_NAMES

if TYPE_CHECKING:
    from sim.model import SchemeModel


class Person(mesa.Agent):
    """A person in the market, read from the model's columns. Money in yuan."""

    def __init__(self, model: SchemeModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    def _col(self, name: str):
        return getattr(self.model.people, name)[self.index]

    role = property(lambda self: ROLE_NAMES[int(self._col("role"))])
    rank = property(lambda self: int(self._col("rank")))
    sponsor = property(lambda self: int(self._col("sponsor")))
    team_owner = property(lambda self: int(self._col("team_owner")))
    join_day = property(lambda self: int(self._col("join_day")))
    exit_day = property(lambda self: int(self._col("exit_day")))
    churned = property(lambda self: int(self._col("state")) == CHURNED)
    recruits = property(lambda self: int(self._col("recruits")))
    spend = property(lambda self: int(self._col("paid")) / 100)
    rewards = property(lambda self: int(self._col("rewards")) / 100)

    @property
    def net(self) -> float:
        """Rewards plus fair value received, minus everything paid (yuan)."""
        p = self.model.people
        return int(p.rewards[self.index] + p.value[self.index] - p.paid[self.index]) / 100

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(id={self.index}, rank={self.rank}, sponsor={self.sponsor}, "
                f"team_owner={self.team_owner}, spend={self.spend:.2f}, rewards={self.rewards:.2f})")


class Consumer(Person):
    """A customer who buys but is not qualified to earn (顾客)."""


class Distributor(Person):
    """A participant qualified to earn rewards (代理 / 分销商)."""


class Leader(Person):
    """A promoted participant: 团长, 老板 (boss) or another senior rank."""


VIEW_CLASSES = {CONSUMER: Consumer, DISTRIBUTOR: Distributor, LEADER: Leader}


class Merchant(mesa.Agent):
    """A merchant (商家): sells at the platform price, pays its cost of goods, the platform fee
    and the 让利 it funds, and leaves when, after a ``runway`` to let the platform grow, its
    rolling 30-day profit has been negative for ``patience`` days in a row.

    One that left reopens with daily chance ``return_chance`` once demand has recovered: the
    platform's sales over the last 30 days are above what they were when it left. Coming back
    takes more than the conditions it left under, as in Dixit's account of entry and exit
    ("firms do not invest until price rises substantially above long run average cost. ... On
    the downside, firms stay in business for lengthy periods while absorbing operating losses",
    Investment and Hysteresis, Journal of Economic Perspectives 6(1), 1992)."""

    def __init__(self, model: SchemeModel, index: int, *, unit_cost: int, appeal: float,
                 overhead: int, runway: int, patience: int, return_chance: float = 0.0) -> None:
        super().__init__(model)
        self.index = index
        self.unit_cost = unit_cost      # cents per unit
        self.appeal = appeal            # relative share of shoppers who pick this merchant
        self.overhead = overhead        # cents per day
        self.runway = runway
        self.patience = patience
        self.return_chance = return_chance
        self.active = True
        self.exit_day = -1
        self.exit_sales = 0       # the platform's 30-day sales when it left, in cents
        self.returns = 0
        self.profit_30d: deque[int] = deque(maxlen=30)
        self.loss_days = 0

    def step(self) -> None:
        if not self.active:
            if (self.return_chance and self.model.recent_sales() > self.exit_sales
                    and self.model.rng.random() < self.return_chance):
                self.reopen()
            return
        self.profit_30d.append(int(self.model.merchant_profit_today[self.index]))
        losing = sum(self.profit_30d) < 0 and self.model.day > self.runway
        self.loss_days = self.loss_days + 1 if losing else 0
        if self.loss_days >= self.patience:
            self.leave()

    def leave(self) -> None:
        self.active = False
        self.exit_day = self.model.day
        self.exit_sales = self.model.recent_sales()

    def reopen(self) -> None:
        """Back in business with a clean record: it judges the platform afresh."""
        self.active = True
        self.returns += 1
        self.profit_30d.clear()
        self.loss_days = 0
