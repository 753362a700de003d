"""The contract every incentive mechanism follows: declared facts, hooks, and the part of the
model it may touch.

A rule is a frozen dataclass of its parameters (see :mod:`sim.schema`). The engine calls its
hooks with whole batches of events as numpy arrays, so a rule is vectorised or it is slow:

* ``on_setup(model)``: once, before the founders are placed (assign leaders, audiences);
* ``on_founders(model, ids)``: the organisers placed before day 0;
* ``on_arrive(model, ids)``: persons who came onto the platform (registered as customers,
  their inviter bound as sponsor), in arrival order;
* ``on_join(model, joiners)``: persons who qualified as participants today, in join order;
* ``demand(model, active)``: a multiplier of each active person's purchase chance, or None;
* ``shape_orders(model, orders)``: change prices, costs or take orders into escrow
  (:class:`sim.orders.Orders`) before they are booked;
* ``on_purchase(model, buyers, amounts)``: booked retail purchases (amounts paid, in cents;
  ``model.booking`` holds their orders, e.g. each order's merchant);
* ``on_day_end(model)``: once a day after purchases;
* ``daily_figures(model)``: money figures (cents) for the day's row, such as value promised
  to persons that the books do not hold (``promised_offbook``); equal keys are summed.

A rule reads and changes the model only through :data:`MODEL_SURFACE` (a test reads every
rule's source and fails on anything else), and remembers what it needs during a run in
``model.rule_state``. Each rule declares :class:`Facts` that the audit reads without running
anything, and a test checks those declarations against what the ledger shows (tests/test_rules.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.ledger import APPOINTED, CUSTOMER, SELLER

if TYPE_CHECKING:
    from sim.model import SchemeModel
    from sim.orders import Orders

# Everything of the model a rule may use: what it is for. The person columns (``people``) and
# the books (``ledger``) are the state rules change; the engine's own arrays change only
# through the methods named here.
MODEL_SURFACE: dict[str, str] = {
    "people": "the person columns (role, rank, sponsor, team owner, money) rules read and set",
    "ledger": "the double-entry books every yuan moves through",
    "scenario": "the validated scenario: market, retail, churn and the composed rules",
    "qualifier": "the rule that makes participants, if any",
    "package_price_cents": "the price of qualifying once, in cents",
    "day": "today's date (day 0 is the founders' day)",
    "rng": "the run's random generator (one seed reproduces a run)",
    "network": "the contact network, or None when the market is well mixed",
    "community": "each person's neighbourhood (小区, group chat)",
    "founders": "the organisers placed before day 0",
    "is_founder": "per person: an organiser",
    "merchants": "the merchant agents (read their ``active``)",
    "booking": "the orders being booked, beside on_purchase's buyers",
    "column": "a per-person working column the rule keeps",
    "rule_state": "what the rule remembers during this run",
    "newcomers": "persons who arrived today",
    "enrol": "bring persons onto the platform (a rule's own signings)",
    "set_share": "persons' sharing intensity (word of mouth follows)",
    "new_orders": "orders at the regular price, not yet booked",
    "book_sales": "book orders as sales (then every rule sees the purchases)",
    "pick_merchants": "merchants drawn by appeal among the open ones",
    "add_merchant_profit": "income or a cost to merchants' profit today",
    "scale_adverts": "a reach lever on the advert adoption hazard",
    "add_adverts": "an adoption hazard from posts or sessions",
    "scale_customer_churn": "customers' churn hazard near a store",
    "customer_leave": "per person: a customer's chance of leaving today (read-only)",
    "set_customer_leave": "customers' chance of leaving today (raised for a day, put back)",
    "count_participants": "participants a rule appointed itself, in today's joins",
    "platform_profit_today": "the platform's cash gained so far today",
}

PPM = 1_000_000  # rates are applied as integer parts per million so cents stay exact
# Shares that add up to exactly 100% in decimal may sum to 1.0000000000000002 in floats.
ROUNDING = 1e-9


@dataclass(frozen=True)
class Facts:
    """What a mechanism does, declared up front for the audit.

    ``levels_paid`` is the deepest sponsor distance a reward can reach (``None``: unbounded,
    as when a team owner is paid for members any number of links below); 0 means it pays no
    one on behalf of someone else.

    Rewards go to participants only (a recruited sales force, who qualified through the
    rule that ``qualifies``) unless the rule ``appoints_payees`` or ``pays_customers``; that
    is what makes a qualifying purchase an entry fee (入门费): it buys the right to be paid.
    """
    reward_kinds: tuple[str, ...] = ()
    levels_paid: int | None = 0
    pays_on_recruitment: bool = False   # 拉人头: a reward triggered by someone joining
    pays_on_sales: bool = False         # a reward triggered by a retail purchase
    per_head: bool = False              # 见点奖: a fixed sum per new member, whatever is sold
    # 团队计酬: its pay can rest on purchases by persons other than the payee and their own
    # customers (paid depth >= 2, or a recruit's purchases while a participant).
    team_pay: bool = False
    pay_set_by_rank: bool = False       # what it pays depends on the payee's rank (级差)
    ranks_by_team_volume: bool = False  # it promotes on the team's purchases (团队业绩)
    purchase_required_to_earn: bool = False  # qualifying costs a purchase or a fee
    entry_fee: float = 0.0              # 入门费 in yuan: the price of qualifying once
    qualifies: bool = False             # the rule decides who becomes a participant
    appoints_payees: bool = False       # it picks its own payees (团长, creators), no qualifier needed
    pays_customers: bool = False        # it pays every customer alike on their own purchases (points)
    creates_liability: bool = False     # promises future value: points, pools, airdrops, rebates

    @property
    def payees(self) -> str:
        """Whom its rewards go to: ``"appointed"``, ``"customer"`` or ``"seller"``
        (participants only)."""
        return APPOINTED if self.appoints_payees else CUSTOMER if self.pays_customers else SELLER


class Rule:
    """Base class of incentive mechanisms; subclasses are frozen dataclasses."""

    key: ClassVar[str]          # the TOML table name under [rules]
    # The parameters that set what it pays per join and per sale, named in error messages.
    join_amount_key: ClassVar[str] = ""
    sales_amount_key: ClassVar[str] = ""
    hosts_key: ClassVar[str] = ""  # the parameter that sets how many persons it signs as hosts
    name_en: ClassVar[str]
    name_zh: ClassVar[str]

    def facts(self) -> Facts:
        raise NotImplementedError

    def problems(self) -> list[tuple[str, str, str]]:
        """Cross-field checks: (key, message, Chinese message) for each problem; empty when valid."""
        return []

    # What one join (at package ``price``) and one sale can cost in rewards at most, for the
    # scenario-wide check that rewards never exceed 100% of what they are paid from.
    def reward_per_join(self, price: float) -> float:
        return 0.0

    def reward_rate_on_sales(self) -> float:
        return 0.0

    # Persons it signs from the market on day 0 (creators, streamers), for the scenario-wide
    # check that the market has them to sign.
    def hosts_signed(self) -> int:
        return 0

    def on_setup(self, model: SchemeModel) -> None:
        pass

    def on_founders(self, model: SchemeModel, ids: np.ndarray) -> None:
        pass

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        return None

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        pass

    def on_arrive(self, model: SchemeModel, ids: np.ndarray) -> None:
        pass

    def on_join(self, model: SchemeModel, joiners: np.ndarray) -> None:
        pass

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        pass

    def on_day_end(self, model: SchemeModel) -> None:
        pass

    def daily_figures(self, model: SchemeModel) -> dict[str, int]:
        return {}


# The most money one run may move: sums of cents up to 2**53 are exact in the int64 books
# (which hold up to 2**63, a margin for every flow beside retail sales) and as float yuan in
# results.
MAX_CENTS = 2**53


def cents(yuan: float) -> int:
    """Yuan to integer cents, rounded to the nearest cent."""
    return int(round(yuan * 100))


def ppm(rate: float) -> int:
    """A share (0..1) to integer parts per million."""
    return int(round(rate * PPM))


def by_rank(values: tuple[float, ...], ranks: np.ndarray) -> np.ndarray:
    """Look up a per-rank value (rank 1 first); ranks beyond the list take its last value."""
    table = np.asarray(values)
    return table[np.clip(ranks.astype(np.int64) - 1, 0, len(table) - 1)]


def rank_within(groups: np.ndarray) -> np.ndarray:
    """Each entry's place among the entries of the same group, in the given order (0 first)."""
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    first = np.r_[True, g[1:] != g[:-1]] if len(g) else np.zeros(0, bool)
    at = np.arange(len(g))
    place = np.empty(len(g), np.int64)
    place[order] = at - np.maximum.accumulate(np.where(first, at, 0))
    return place


def at_team_rank(model: SchemeModel, payees: np.ndarray, values: tuple[float, ...]) -> np.ndarray | None:
    """Which payees are paid at a rank reached on team volume, where the per-rank ``values``
    differ from the entry rank's: pay set by the downline's purchases (级差 by 团队业绩) is
    team pay, the ``team`` mask of :meth:`sim.ledger.Ledger.reward`. None when no rank is."""
    promotion = model.scenario.rule("rank_promotion")
    if promotion is None or len(set(values)) == 1:
        return None
    rank = model.people.rank[payees]
    differs = by_rank(values, rank) != values[0]
    return differs & promotion.reached_on_team_volume(rank)
