"""Everyone in the market as numpy columns: the engine's hot state.

Persons are rows 0..size-1. Mesa agent classes in :mod:`sim.agents` are views onto these rows
(``model.person(i)``), so a user can inspect anyone while the daily step stays vectorised.
"""

from __future__ import annotations

import numpy as np

# Life states. Churn is absorbing: a person who leaves does not come back.
UNAWARE, ACTIVE, CHURNED = 0, 1, 2
# Roles, in order of engagement.
NONE, CONSUMER, DISTRIBUTOR, LEADER = 0, 1, 2, 3
ROLE_NAMES = {NONE: "unaware", CONSUMER: "consumer", DISTRIBUTOR: "distributor", LEADER: "leader"}
TRUST_EDGE = 1e-6  # nobody trusts the platform exactly not at all, or completely


class People:
    """Columns of person state. Money columns are integer cents."""

    def __init__(self, size: int, rng: np.random.Generator, *, propensity: float,
                 propensity_spread: float, basket: float, trust: float, trust_spread: float) -> None:
        self.size = size
        # Heterogeneity: gamma propensity with the given coefficient of variation; basket as
        # 1 + Poisson mean; trust from a beta with the given mean and standard deviation.
        if propensity_spread > 0:
            shape = 1.0 / propensity_spread**2
            self.propensity = np.minimum(rng.gamma(shape, propensity / shape, size), 1.0)
        else:
            self.propensity = np.full(size, propensity)
        self.basket = np.full(size, basket - 1.0)
        if trust_spread > 0:
            k = trust * (1 - trust) / trust_spread**2 - 1
            # A spread near its limit (sqrt(trust × (1 - trust))) draws exact 0s and 1s, which
            # would make everyone's trust relative to the mean undefined in a small market.
            self.trust = np.clip(rng.beta(trust * k, (1 - trust) * k, size),
                                 TRUST_EDGE, 1 - TRUST_EDGE)
        else:
            self.trust = np.full(size, trust)

        i32 = lambda fill: np.full(size, fill, np.int32)  # noqa: E731
        self.state = np.zeros(size, np.int8)
        self.role = np.zeros(size, np.int8)
        self.rank = np.zeros(size, np.int8)
        self.sponsor = i32(-1)         # who brought them in: the recruitment tree
        self.team_owner = i32(-1)      # whose team they sit in (differs after pass-ups)
        self.tree_depth = i32(0)       # sponsor links to the root of their tree
        self.join_day = i32(-1)
        self.participant_day = i32(-1)
        self.exit_day = i32(-1)
        self.recruits = i32(0)         # participants they sponsored
        self.purchases = i32(0)
        self.share = np.zeros(size)    # current sharing intensity; 0 when unaware or churned
        self.paid = np.zeros(size, np.int64)      # all money paid in: goods, packages, fees
        self.value = np.zeros(size, np.int64)     # fair value of goods received
        # The parts of paid and value booked while the person was a participant (the ledger
        # looks at their role on each payment), the package or fee that qualified them
        # included: the audit's internal consumption, exact however often roles change.
        self.paid_as_participant = np.zeros(size, np.int64)
        self.value_as_participant = np.zeros(size, np.int64)
        self.entry_paid = np.zeros(size, np.int64)  # what they paid to become able to earn
        self.rewards = np.zeros(size, np.int64)
        # 直销管理条例 Art. 24 is per salesperson, so each person's pay as a recruited seller
        # (rules that pay participants only), the part of it on their own sales to consumers,
        # and those sales: what the persons they brought in paid while customers, booked when
        # they themselves were participants.
        self.seller_pay = np.zeros(size, np.int64)
        self.seller_pay_on_own_sales = np.zeros(size, np.int64)
        self.own_sales = np.zeros(size, np.int64)
        self.cashed_out = np.zeros(size, np.int64)
        self.order = np.empty(size, np.int32)    # adoption order
        self.adopted = 0
        self._unaware = np.arange(size, dtype=np.int64)  # a superset, see unaware()

    def unaware(self) -> np.ndarray:
        """Persons not yet in the market, ascending. No one becomes unaware again, so the last
        answer less those who have joined since is the answer: the pass shrinks with it."""
        self._unaware = self._unaware[self.state[self._unaware] == UNAWARE]
        return self._unaware

    def active(self) -> np.ndarray:
        return np.flatnonzero(self.state == ACTIVE)

    def is_participant(self, ids: np.ndarray) -> np.ndarray:
        return self.role[ids] >= DISTRIBUTOR

    def can_earn(self, ids: np.ndarray) -> np.ndarray:
        """Active participants: the only persons rewards are paid to."""
        ok = ids >= 0
        safe = np.where(ok, ids, 0)
        return ok & (self.state[safe] == ACTIVE) & (self.role[safe] >= DISTRIBUTOR)
