"""Double-entry books in integer cents, with per-person and per-merchant sub-ledgers.

Every flow has a declared type with a fixed source and destination account, so a sale can only
move money from households to merchants, a reward only from the platform to participants'
wallets, and so on. Each posting takes from one account what it gives to another; at the end
of each day :meth:`Ledger.close_day` reconciles the control accounts against the sub-ledgers
and the person columns they were posted from, and records any difference as the day's
imbalance (which must be 0). Accounts that hold persons' money (wallets, points, pools,
deposits) may never go below zero, in total or for any one person or pool: an overdraft is
part of the day's imbalance too.

Every reward is also classified for the audit as it is booked: who it pays (a recruited
seller, a payee the platform appoints, or every customer alike, from the paying rule's
declared :class:`~sim.rules.base.Facts`) and whether it is team pay (团队计酬).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.people import People

ACCOUNTS = ("households", "platform", "merchants", "wallets", "suppliers", "logistics", "owners",
            "points", "pools", "escrow", "lenders")
(HOUSEHOLDS, PLATFORM, MERCHANTS, WALLETS, SUPPLIERS, LOGISTICS, OWNERS,
 POINTS, POOLS, ESCROW, LENDERS) = range(len(ACCOUNTS))
# What the platform owes persons but has not paid: reward wallets, points and 共享积分 at their
# cash value, dividend and rebate pools, and deposits held until a group or presale settles.
OWED = (WALLETS, POINTS, POOLS, ESCROW)

# Flow type -> (from, to). Rewards are typed "reward:<kind>" and go to participants' wallets
# from the platform, or from the points or pools account a rule set aside earlier.
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
    "repurchase": (WALLETS, HOUSEHOLDS),         # rewards taken out to buy the package again (复购)
    "cash_out_fee": (WALLETS, PLATFORM),         # the withdrawal fee
    "capital_injection": (OWNERS, PLATFORM),     # owners cover a platform cash shortfall
    "coupon_subsidy": (PLATFORM, MERCHANTS),     # platform-funded coupons: the merchant is made whole
    "membership_fee": (HOUSEHOLDS, PLATFORM),    # paid membership or subscription fee
    "marketing": (PLATFORM, SUPPLIERS),          # advertising, stores, staff: outside suppliers
    "points_issued": (PLATFORM, POINTS),         # points promised, set aside at their cash value
    "points_expired": (POINTS, PLATFORM),        # breakage: points that lapse unredeemed
    "pool_funding": (PLATFORM, POOLS),           # profit or 让利 put into a dividend / rebate pool
    "wallet_goods": (WALLETS, SUPPLIERS),        # rewards or points spent on goods (积分商城)
    "deposit": (HOUSEHOLDS, ESCROW),             # 拼团 / presale payment held until it settles
    "refund": (ESCROW, HOUSEHOLDS),              # a failed group or presale, refunded in full
    "escrow_sale": (ESCROW, MERCHANTS),          # a settled group or presale becomes a sale
    "loan": (LENDERS, MERCHANTS),                # supply-chain finance against orders
    "loan_repayment": (MERCHANTS, LENDERS),
    "loan_interest": (MERCHANTS, LENDERS),
    "placement_fee": (MERCHANTS, PLATFORM),      # merchants pay for placement: content ads (广告位), live slots (坑位费), creators' CPS commission
    "airdrop_merchants": (POINTS, MERCHANTS),    # 共享购: merchants' share of an airdrop, sold back at its price
}
REWARD = "reward:"
GMV_FLOWS = ("sale", "package_sale", "escrow_sale")
REWARD_SOURCES = (PLATFORM, POINTS, POOLS)

# How a reward was triggered: by someone joining (package, sign-up) or by a retail purchase.
JOIN, SALE = "join", "sale"
# Whom a reward kind pays (Facts.payees): participants only, as a recruited sales force; payees
# the platform appoints (团长, hosts, creators); or every customer on the same terms (points).
SELLER, APPOINTED, CUSTOMER = "seller", "appointed", "customer"


def sum_by(index: np.ndarray, amounts: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sums of ``amounts`` (cents) by ``index`` in 0..n-1.

    Few merchants, many orders: np.bincount is far cheaper than np.add.at, but it adds in
    float64, exact only up to 2**53. So each amount is split into its low 26 bits and the
    rest, and each part summed on its own: exact for up to 2**27 amounts.

    >>> int(sum_by(np.array([0, 0]), np.array([2**53, 1]), 1)[0]) == 2**53 + 1
    True
    """
    amounts = np.asarray(amounts, np.int64)
    low = np.bincount(index, weights=amounts & (2**26 - 1), minlength=n).astype(np.int64)
    high = np.bincount(index, weights=amounts >> 26, minlength=n).astype(np.int64)
    return (high << 26) + low


class Ledger:
    """The books of one run. Amounts are int64 cents throughout."""

    def __init__(self, people: People, n_merchants: int, *, journal: bool,
                 payees: dict[str, str] | None = None) -> None:
        self.people = people
        self.balance = np.zeros(len(ACCOUNTS), np.int64)
        self.wallet = np.zeros(people.size, np.int64)
        # Deposits each person has in escrow, the part of them paid while a participant, and
        # the part booked as their sponsor's own sales: a refund goes back out of the spend
        # (and the sales) it was booked as, whatever the payer is now.
        self.held = np.zeros(people.size, np.int64)
        self.held_as_participant = np.zeros(people.size, np.int64)
        self.held_as_own_sales = np.zeros(people.size, np.int64)
        # Named pools inside the pools account (a rule's dividend or refund pool), in cents.
        self.pools: dict[str, int] = {}
        self.overdrawn = 0  # cents any person's wallet or deposits, or a pool, went below 0 today
        # What each person may still be paid as a seller, in cents, once a payout cap (出局) is
        # set (None: no cap); rewards beyond it are not paid, and ``forfeited`` counts them.
        self.allowance: np.ndarray | None = None
        self.forfeited = 0
        self.payees = dict(payees or {})  # reward kind -> SELLER, APPOINTED or CUSTOMER
        self.merchant = np.zeros(n_merchants, np.int64)
        self.day = 0
        self.today: dict[str, int] = defaultdict(int)
        self.totals: dict[str, int] = defaultdict(int)
        # (day, kind, depth, basis, internal, team) -> [cents, count]
        self.flows: dict[tuple, list[int]] = {}
        self.journal: list[tuple] | None = [] if journal else None
        self.reward_source: dict[str, int] = {}  # reward flow type -> the account it is paid from

    def accounts(self, kind: str) -> tuple[int, int]:
        """(from, to) of a flow type."""
        if kind.startswith(REWARD):
            return self.reward_source.get(kind, PLATFORM), WALLETS
        return FLOWS[kind]

    # -- postings -----------------------------------------------------------------------
    def transfer(self, kind: str, amount: int) -> None:
        """Post an aggregate amount of one flow type."""
        if amount == 0:
            return
        src, dst = self.accounts(kind)
        self.balance[src] -= amount
        self.balance[dst] += amount
        self.today[kind] += amount

    def charge(self, kind: str, ids: np.ndarray, amounts: np.ndarray, *,
               value: np.ndarray | None = None, merchants: np.ndarray | None = None) -> None:
        """Money persons pay in (goods, packages, fees); ``value`` is the fair value they
        receive, ``merchants`` the merchant of record of each payment."""
        inside, credited = self.post_persons(ids, paid=amounts, value=value)
        if self.accounts(kind)[1] == ESCROW:  # a deposit, held until it settles
            np.add.at(self.held, ids, amounts)
            np.add.at(self.held_as_participant, ids, amounts * inside)
            np.add.at(self.held_as_own_sales, ids, amounts * credited)
        if merchants is not None:
            self.merchants_flow(kind, merchants, amounts)
        else:
            self.transfer(kind, int(amounts.sum()))

    def post_persons(self, ids: np.ndarray, *, paid: np.ndarray | None = None,
                     value: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Add to persons' money paid in and fair value of goods received. What a participant
        pays or receives is also posted to their ``*_as_participant`` columns: a per-payment
        record of the buyer's status, which makes the audit's internal consumption exact.
        What a customer pays is their sponsor's own sale to a consumer (``own_sales``) when
        the sponsor is a participant at that moment. Returns which of ``ids`` are
        participants and which payments were credited to a sponsor."""
        p = self.people
        inside = p.is_participant(ids)
        for total, part, amounts in ((p.paid, p.paid_as_participant, paid),
                                     (p.value, p.value_as_participant, value)):
            if amounts is not None:
                np.add.at(total, ids, amounts)
                np.add.at(part, ids, amounts * inside)
        sponsor = p.sponsor[ids]
        credited = ~inside & (sponsor >= 0)
        credited[credited] = p.is_participant(sponsor[credited])
        if paid is not None and credited.any():
            np.add.at(p.own_sales, sponsor[credited], paid[credited])
        return inside, credited

    def merchants_flow(self, kind: str, merchant_ids: np.ndarray, amounts: np.ndarray) -> None:
        """A flow into (or out of) merchants, attributed to each merchant's sub-ledger."""
        total = int(amounts.sum())
        if total == 0 and not amounts.any():
            return
        sign = 1 if self.accounts(kind)[1] == MERCHANTS else -1
        self.merchant += sign * sum_by(merchant_ids, amounts, len(self.merchant))
        self.transfer(kind, total)

    def reward(self, kind: str, payees: np.ndarray, triggers: np.ndarray, depths: np.ndarray,
               amounts: np.ndarray, *, basis: str, source: int = PLATFORM, pool: str = "",
               team: np.ndarray | None = None) -> None:
        """Pay rewards into wallets. Every reward carries its payee, the person whose action
        triggered it, and its paid depth d (sponsor links from trigger up to payee; 0 for a
        reward on one's own purchase, such as points or a rebate). ``source`` is the account
        it is paid from: the platform, or points or a named ``pool`` set aside earlier.

        A seller's reward is team pay (团队计酬) when it rests on purchases by persons other
        than the payee and their own customers: paid depth >= 2, a purchase by a recruit who
        is a participant (the downline's sales, 禁止传销条例 Art. 2 and 7(3)), or ``team``,
        which the paying rule sets where the amount follows a rank reached by team volume.
        """
        if self.allowance is not None and self.payees.get(kind, SELLER) == SELLER:
            amounts = self._within_allowance(payees, amounts)
        keep = amounts > 0
        if not keep.any():
            return
        if source not in REWARD_SOURCES:
            raise ValueError(f"rewards are paid from the platform, points or pools, not {ACCOUNTS[source]}")
        if (source == POOLS) != bool(pool):
            raise ValueError("a reward is paid from a named pool exactly when its source is POOLS")
        if self.reward_source.setdefault(REWARD + kind, source) != source:
            raise ValueError(f"reward kind {kind!r} is already paid from {ACCOUNTS[self.reward_source[REWARD + kind]]}")
        payees, triggers, depths, amounts = payees[keep], triggers[keep], depths[keep], amounts[keep]
        depths = depths.astype(np.int64)
        people = self.people
        np.add.at(self.wallet, payees, amounts)
        np.add.at(people.rewards, payees, amounts)
        total = int(amounts.sum())
        self.transfer(REWARD + kind, total)
        if pool:
            self._draw_pool(pool, total)
        internal = people.is_participant(triggers)  # the trigger is a participant: internal
        if self.payees.get(kind, SELLER) == SELLER:
            sale = basis == SALE
            own = (depths == 1) & ~internal & sale  # a purchase by one's own customer
            teamed = (depths >= 2) | ((depths == 1) & internal & sale)
            if team is not None:
                teamed |= team[keep]
            np.add.at(people.seller_pay, payees, amounts)
            np.add.at(people.seller_pay_on_own_sales, payees[own], amounts[own])
        else:
            teamed = np.zeros(len(payees), bool)
        # Depths are small, so the flow rows' keys are too: bincount, not a sort (np.unique).
        key = depths * 4 + internal * 2 + teamed
        counts = np.bincount(key)
        sums = np.bincount(key, weights=amounts)  # exact below 2**53
        for k in np.flatnonzero(counts).tolist():
            row = self.flows.setdefault((self.day, kind, k // 4, basis, bool(k & 2), bool(k & 1)), [0, 0])
            row[0] += int(sums[k])
            row[1] += int(counts[k])
        if self.journal is not None:
            self.journal.append((self.day, kind, basis, payees.astype(np.int32),
                                 triggers.astype(np.int32), depths.astype(np.int32), amounts,
                                 teamed))

    def allow(self, ids: np.ndarray, amounts: np.ndarray | int) -> None:
        """Raise what persons ``ids`` may still be paid as sellers (a payout cap, 出局); from
        the first call on, sellers are paid only up to their allowance."""
        if self.allowance is None:
            self.allowance = np.zeros(len(self.wallet), np.int64)
        np.add.at(self.allowance, ids, amounts)

    def _within_allowance(self, payees: np.ndarray, amounts: np.ndarray) -> np.ndarray:
        """Each payee's rewards, in order, up to what is left of their allowance."""
        order = np.argsort(payees, kind="stable")
        p, a = payees[order], amounts[order].astype(np.int64)
        start = np.r_[True, p[1:] != p[:-1]] if len(p) else np.zeros(0, bool)
        before = np.cumsum(a) - a                     # paid to earlier rows, all payees
        before -= np.maximum.accumulate(np.where(start, before, 0))  # ... to this payee only
        paid = np.clip(self.allowance[p] - before, 0, a)
        np.subtract.at(self.allowance, p, paid)
        self.forfeited += int((a - paid).sum())
        out = np.empty_like(paid)
        out[order] = paid
        return out

    # -- named pools ----------------------------------------------------------------------
    def fund_pool(self, name: str, amount: int) -> None:
        """Set ``amount`` cents aside from the platform's cash into pool ``name``."""
        self.transfer("pool_funding", amount)
        self.pools[name] = self.pools.get(name, 0) + amount

    def pool(self, name: str) -> int:
        """What pool ``name`` holds, in cents."""
        return self.pools.get(name, 0)

    def _draw_pool(self, name: str, amount: int) -> None:
        left = self.pools.get(name, 0) - amount
        self.pools[name] = left
        self.overdrawn += max(-left, 0) - max(-(left + amount), 0)  # the new overdraft only

    def withdraw(self, ids: np.ndarray, amounts: np.ndarray, fees: np.ndarray, *,
                 kind: str = "cash_out") -> None:
        """Participants take money out of their wallets, less a fee kept by the platform:
        to their bank card (``cash_out``), or to pay for a package again (``repurchase``)."""
        np.subtract.at(self.wallet, ids, amounts + fees)
        self._check_wallets(ids)
        np.add.at(self.people.cashed_out, ids, amounts)
        self.transfer(kind, int(amounts.sum()))
        self.transfer("cash_out_fee", int(fees.sum()))

    def spend_wallet(self, ids: np.ndarray, amounts: np.ndarray, *, value: np.ndarray) -> None:
        """Persons spend wallet money (rewards, redeemed points) on goods worth ``value``.

        It is their money leaving the wallet and coming back as a purchase, so it counts as
        both taken out and paid in: their net result gains the goods, not the amount twice.
        """
        np.subtract.at(self.wallet, ids, amounts)
        self._check_wallets(ids)
        np.add.at(self.people.cashed_out, ids, amounts)
        self.post_persons(ids, paid=amounts, value=value)
        self.transfer("wallet_goods", int(amounts.sum()))

    def refund(self, ids: np.ndarray, amounts: np.ndarray) -> None:
        """Return held deposits to the persons who paid them, out of the spend they were paid
        as (a participant's or a customer's)."""
        who, back, as_participant, as_own_sales = self._release(ids, amounts)
        p = self.people
        p.paid[who] -= back
        p.paid_as_participant[who] -= as_participant
        credited = as_own_sales > 0
        np.subtract.at(p.own_sales, p.sponsor[who[credited]], as_own_sales[credited])
        self.transfer("refund", int(amounts.sum()))

    def escrow_sale(self, buyers: np.ndarray, shop: np.ndarray, amounts: np.ndarray, *,
                    value: np.ndarray) -> None:
        """Held deposits become sales: each merchant is paid, each buyer gets goods worth
        ``value`` (what they paid was counted when they paid the deposit)."""
        self._release(buyers, amounts)
        self.merchants_flow("escrow_sale", shop, amounts)
        self.post_persons(buyers, value=value)

    def _release(self, ids: np.ndarray, amounts: np.ndarray) -> tuple[np.ndarray, ...]:
        """Take deposits out of persons' escrow: (persons, amounts, the parts of them paid
        while a participant, the parts booked as a sponsor's own sales). Exact unless one
        person holds deposits booked both ways at once; then they go out in proportion."""
        who, row = np.unique(ids, return_inverse=True)
        back = np.bincount(row, weights=amounts, minlength=len(who)).astype(np.int64)
        held, part, sold = self.held[who], self.held_as_participant[who], self.held_as_own_sales[who]
        as_participant = back * part // np.maximum(held, 1)
        as_own_sales = back * sold // np.maximum(held, 1)
        self.held[who] = held - back
        self.held_as_participant[who] = part - as_participant
        self.held_as_own_sales[who] = sold - as_own_sales
        self.overdrawn += int(np.maximum(back - held, 0).sum())
        return who, back, as_participant, as_own_sales

    def _check_wallets(self, ids: np.ndarray) -> None:
        """Wallets just debited must not be overdrawn."""
        who = np.unique(ids)
        self.overdrawn += int(np.maximum(-self.wallet[who], 0).sum())

    def owed(self) -> int:
        """What the platform owes persons today, in cents (see ``OWED``)."""
        return int(self.balance[list(OWED)].sum())

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
            int(self.balance[ESCROW] - self.held.sum()),               # deposits by person
            int(self.balance[HOUSEHOLDS] + people.paid.sum() - people.cashed_out.sum()),
            int(people.rewards.sum() - reward_total),                  # rewards by person
            int(self.balance[POOLS] - sum(self.pools.values())),      # named pools
            # Persons' money is never negative: not in total, not for one person or pool.
            *(int(min(self.balance[a], 0)) for a in OWED),
            *(min(v, 0) for v in self.pools.values()),
            self.overdrawn,
        )
        self.overdrawn = 0
        imbalance = sum(abs(c) for c in checks)
        today = dict(self.today)
        for k, v in today.items():
            self.totals[k] += v
        self.today = defaultdict(int)
        self.day += 1
        return today, imbalance
