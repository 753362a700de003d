"""The contract every incentive mechanism follows: declared facts plus three hooks.

A rule is a frozen dataclass of its parameters (see :mod:`sim.schema`). The engine calls its
hooks with whole batches of events as numpy arrays, so a rule is vectorised or it is slow:

* ``on_setup(model)``: once, before the founders are placed (assign leaders, audiences);
* ``on_founders(model, ids)``: the organisers placed before day 0;
* ``on_join(model, joiners)``: persons who qualified as participants today, in join order;
* ``demand(model, active)``: a multiplier of each active person's purchase chance, or None;
* ``shape_orders(model, orders)``: change prices, costs or take orders into escrow
  (:class:`sim.orders.Orders`) before they are booked;
* ``on_purchase(model, buyers, amounts)``: booked retail purchases (amounts paid, in cents;
  ``model.booking`` holds their orders, e.g. each order's merchant);
* ``on_day_end(model)``: once a day after purchases;
* ``daily_figures(model)``: money figures (cents) for the day's row, such as value promised
  to persons that the books do not hold (``promised_offbook``); equal keys are summed.

Each rule declares :class:`Facts` that the audit reads without running anything, and a test
checks those declarations against what the ledger shows (STYLE lesson 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from sim.model import SchemeModel
    from sim.orders import Orders

PPM = 1_000_000  # rates are applied as integer parts per million so cents stay exact
# Shares that add up to exactly 100% in decimal may sum to 1.0000000000000002 in floats.
ROUNDING = 1e-9


@dataclass(frozen=True)
class Facts:
    """What a mechanism does, declared up front for the audit.

    ``levels_paid`` is the deepest sponsor distance a reward can reach (``None``: unbounded,
    as when a team owner is paid for members any number of links below); 0 means it pays no
    one on behalf of someone else.
    """
    reward_kinds: tuple[str, ...] = ()
    levels_paid: int | None = 0
    pays_on_recruitment: bool = False   # 拉人头: a reward triggered by someone joining
    pays_on_sales: bool = False         # a reward triggered by a retail purchase
    per_head: bool = False              # 见点奖: a fixed sum per new member, whatever is sold
    team_pay: bool = False              # 团队计酬: pay computed on sales below level 1
    purchase_required_to_earn: bool = False
    entry_fee: float = 0.0              # 入门费 in yuan, including via a required goods package
    qualifies: bool = False             # the rule decides who becomes a participant
    appoints_payees: bool = False       # it picks its own payees (团长, creators), no qualifier needed
    pays_customers: bool = False        # it pays ordinary customers on their own purchases (points)
    creates_liability: bool = False     # promises future value: points, pools, airdrops, rebates


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
