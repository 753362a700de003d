"""Double-entry books in integer cents, with per-person and per-merchant sub-ledgers.

Every flow has a declared type with a fixed source and destination account, so a sale can only
move money from households to merchants, a reward only from the platform to participants'
wallets, and so on. Each posting takes from one account what it gives to another; at the end
of each day :meth:`Ledger.close_day` reconciles the control accounts against the sub-ledgers
and the person columns they were posted from, and records any difference as the day's
imbalance (which must be 0).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.people import People

ACCOUNTS = ("households", "platform", "merchants", "wallets", "suppliers", "logistics", "owners")
HOUSEHOLDS, PLATFORM, MERCHANTS, WALLETS, SUPPLIERS, LOGISTICS, OWNERS = range(len(ACCOUNTS))

# Flow type -> (from, to). Rewards are typed "reward:<kind>" and all go platform -> wallets.
FLOWS: dict[str, tuple[int, int]] = {
    "sale": (HOUSEHOLDS, MERCHANTS),             # retail GMV, paid to the merchant of record
    "platform_fee": (MERCHANTS, PLATFORM),       # the platform's commission on the sale
    "rangli": (MERCHANTS, PLATFORM),             # 让利: the merchant's contribution to rewards
    "cogs": (MERCHANTS, SUPPLIERS),              # the merchant's cost of goods
    "merchant_overhead": (MERCHANTS, SUPPLIERS),  # a merchant's fixed daily cost
    "fulfilment": (PLATFORM, LOGISTICS),         # delivery per order
    "package_sale": (HOUSEHOLDS, PLATFORM),      # 礼包 / entry package bought to qualify
    "package_goods": (PLATFORM, SUPPLIERS),      # the goods inside the package
    "cash_out": (WALLETS, HOUSEHOLDS),           # rewards withdrawn to a bank card
    "cash_out_fee": (WALLETS, PLATFORM),         # the withdrawal fee
    "capital_injection": (OWNERS, PLATFORM),     # owners cover a platform cash shortfall
}
REWARD = "reward:"
GMV_FLOWS = ("sale", "package_sale")
PLATFORM_REVENUE = ("platform_fee", "rangli", "package_sale", "cash_out_fee")
PLATFORM_COSTS = ("package_goods", "fulfilment")

# How a reward was triggered: by someone joining (package, sign-up) or by a retail purchase.
JOIN, SALE = "join", "sale"


def flow_accounts(kind: str) -> tuple[int, int]:
    return (PLATFORM, WALLETS) if kind.startswith(REWARD) else FLOWS[kind]


class Ledger:
    """The books of one run. Amounts are int64 cents throughout."""

    def __init__(self, people: People, n_merchants: int, *, journal: bool) -> None:
        self.people = people
        self.balance = np.zeros(len(ACCOUNTS), np.int64)
        self.wallet = np.zeros(people.size, np.int64)
        self.merchant = np.zeros(n_merchants, np.int64)
        self.day = 0
        self.today: dict[str, int] = defaultdict(int)
        self.totals: dict[str, int] = defaultdict(int)
        # (day, kind, depth, basis, internal) -> [cents, count]
        self.flows: dict[tuple, list[int]] = {}
        self.journal: list[tuple] | None = [] if journal else None

    # -- postings -----------------------------------------------------------------------
    def transfer(self, kind: str, amount: int) -> None:
        """Post an aggregate amount of one flow type."""
        if amount == 0:
            return
        src, dst = flow_accounts(kind)
        self.balance[src] -= amount
        self.balance[dst] += amount
        self.today[kind] += amount

    def charge(self, kind: str, ids: np.ndarray, amounts: np.ndarray, *,
               value: np.ndarray | None = None, merchants: np.ndarray | None = None) -> None:
        """Money persons pay in (goods, packages, fees); ``value`` is the fair value they
        receive, ``merchants`` the merchant of record of each payment."""
        np.add.at(self.people.paid, ids, amounts)
        if value is not None:
            np.add.at(self.people.value, ids, value)
        if merchants is not None:
            self.merchants_flow(kind, merchants, amounts)
        else:
            self.transfer(kind, int(amounts.sum()))

    def merchants_flow(self, kind: str, merchant_ids: np.ndarray, amounts: np.ndarray) -> None:
        """A flow into (or out of) merchants, attributed to each merchant's sub-ledger."""
        sign = 1 if flow_accounts(kind)[1] == MERCHANTS else -1
        np.add.at(self.merchant, merchant_ids, sign * amounts)
        self.transfer(kind, int(amounts.sum()))

    def reward(self, kind: str, payees: np.ndarray, triggers: np.ndarray, depths: np.ndarray,
               amounts: np.ndarray, *, basis: str) -> None:
        """Pay rewards into wallets. Every reward carries its payee, the person whose action
        triggered it, and its paid depth d (sponsor links from trigger up to payee)."""
        keep = amounts > 0
        if not keep.any():
            return
        payees, triggers, depths, amounts = payees[keep], triggers[keep], depths[keep], amounts[keep]
        people = self.people
        np.add.at(self.wallet, payees, amounts)
        np.add.at(people.rewards, payees, amounts)
        self.transfer(REWARD + kind, int(amounts.sum()))
        internal = people.is_participant(triggers)  # the trigger is a participant: internal
        key = depths.astype(np.int64) * 2 + internal
        uniq, inverse = np.unique(key, return_inverse=True)
        sums = np.zeros(len(uniq), np.int64)
        np.add.at(sums, inverse, amounts)
        counts = np.bincount(inverse, minlength=len(uniq))
        for k, s, c in zip(uniq.tolist(), sums.tolist(), counts.tolist()):
            row = self.flows.setdefault((self.day, kind, k // 2, basis, bool(k % 2)), [0, 0])
            row[0] += s
            row[1] += c
        if self.journal is not None:
            self.journal.append((self.day, kind, basis, payees.astype(np.int32),
                                 triggers.astype(np.int32), depths.astype(np.int32), amounts))

    def withdraw(self, ids: np.ndarray, amounts: np.ndarray, fees: np.ndarray) -> None:
        """Participants take money out of their wallets, less a fee kept by the platform."""
        np.subtract.at(self.wallet, ids, amounts + fees)
        np.add.at(self.people.cashed_out, ids, amounts)
        self.transfer("cash_out", int(amounts.sum()))
        self.transfer("cash_out_fee", int(fees.sum()))

    # -- the day's close ----------------------------------------------------------------
    def close_day(self) -> tuple[dict[str, int], int]:
        """Reconcile and return (today's totals by flow type, imbalance in cents)."""
        people = self.people
        reward_total = sum(v for k, v in self.totals.items() if k.startswith(REWARD))
        reward_total += sum(v for k, v in self.today.items() if k.startswith(REWARD))
        checks = (
            int(self.balance.sum()),                                   # double entry
            int(self.balance[WALLETS] - self.wallet.sum()),            # wallets sub-ledger
            int(self.balance[MERCHANTS] - self.merchant.sum()),        # merchants sub-ledger
            int(self.balance[HOUSEHOLDS] + people.paid.sum() - people.cashed_out.sum()),
            int(people.rewards.sum() - reward_total),                  # rewards by person
        )
        imbalance = sum(abs(c) for c in checks)
        today = dict(self.today)
        for k, v in today.items():
            self.totals[k] += v
        self.today = defaultdict(int)
        self.day += 1
        return today, imbalance
