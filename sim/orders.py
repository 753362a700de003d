"""Today's retail orders, which rules may shape before they are booked.

The engine draws who buys, how many units and from which merchant, then hands the batch to
each rule's ``shape_orders`` hook: a member discount lowers ``paid``, a platform coupon moves
part of the price into ``subsidy``, a pickup point lowers ``fulfilment``, a custom product
raises ``list_price`` and ``cogs``, and a group buy takes orders into escrow with ``hold``.
Whatever is left is booked as sales (:meth:`sim.model.SchemeModel.book_sales`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass
class Orders:
    """A batch of orders; every field is an array with one entry per order (cents)."""
    buyers: np.ndarray
    units: np.ndarray
    shop: np.ndarray          # merchant of record
    list_price: np.ndarray    # units × regular price: the fair value of the goods
    paid: np.ndarray          # what the buyer pays after discounts and coupons
    subsidy: np.ndarray       # what the platform adds so the merchant receives paid + subsidy
    cogs: np.ndarray          # the merchant's cost of the goods
    fulfilment: np.ndarray    # the platform's delivery cost for the order
    held: np.ndarray          # taken by a rule (escrow, group buy): not booked as a sale today

    def __len__(self) -> int:
        return len(self.buyers)

    @property
    def open(self) -> np.ndarray:
        """Indices of orders not yet taken by a rule."""
        return np.flatnonzero(~self.held)

    def subset(self, index: np.ndarray) -> Orders:
        """A copy of some orders (an index or a boolean mask)."""
        return Orders(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def concat(batches: list[Orders]) -> Orders:
        return Orders(**{f.name: np.concatenate([getattr(b, f.name) for b in batches])
                         for f in fields(Orders)})

    @staticmethod
    def empty() -> Orders:
        z = np.zeros(0, np.int64)
        return Orders(z, z, z, z, z, z, z, z, np.zeros(0, bool))
