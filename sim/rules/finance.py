"""供应链金融 supply-chain finance: merchants borrow against their orders; interest; defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.orders import Orders
from sim.rules.base import PPM, Facts, Rule, ppm
from sim.rules.groupbuy import merchant_open
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass
class _Loans:
    shop: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    principal: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    interest: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    due: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    open: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    written_off_today: int = 0


@dataclass(frozen=True)
class SupplyChainFinance(Rule):
    """Order financing (订单融资) for merchants by a finance partner.

    Source: S1 §17 (docs/sources.md): 「平臺與供應鏈金融機構合作提供融資支持給商家」;
    「商家可以利用融資資金擴大生產規模」. Every day each open merchant borrows ``advance_rate``
    of the value of the orders it took that day (``orders = "held"``: only orders held in
    escrow or pending, i.e. 拼团, presale and bargain orders; list this rule after those
    rules). The loan is repaid after ``term_days`` with simple interest ``daily_rate`` ×
    ``term_days``; interest is a cost in the merchant's profit. A merchant that closes with
    loans outstanding defaults: the lender recovers ``recovery`` of the principal (a
    repayment), the rest is written off and the interest is lost. The lender's books are the
    ``lenders`` account (loan out, repayment and interest in); the daily table shows
    ``loans_outstanding`` and ``loan_written_off``, the lender's loss.
    """
    key = "supply_chain_finance"
    name_en = "Supply-chain finance"
    name_zh = "供应链金融"

    advance_rate: float = param(0.5, lo=0, hi=1,
                                en="Share of each order's value lent to the merchant",
                                zh="按订单金额放款的比例")
    daily_rate: float = param(0.0004, lo=0, hi=0.01, unit="1/day",
                              en="Simple interest per day on the principal", zh="日利率(单利)")
    term_days: int = param(30, lo=1, hi=365, unit="days", en="Days until a loan is repaid",
                           zh="借款期限(天)")
    recovery: float = param(0.2, lo=0, hi=1,
                            en="Share of a defaulted principal the lender recovers",
                            zh="违约本金的回收比例")
    orders: str = param("all", choices=("all", "held"),
                        en="Orders lent against: all of the day's, or only those held (拼团, presale)",
                        zh="融资依据的订单:全部,或仅托管中的(拼团、预售)订单")

    def facts(self) -> Facts:
        return Facts()

    def _state(self, model: SchemeModel) -> _Loans:
        return model.rule_state(self.key, _Loans)

    def shape_orders(self, model: SchemeModel, orders: Orders) -> None:
        pledged = merchant_open(model, orders.shop)
        if self.orders == "held":
            pledged = pledged & orders.held
        value = np.bincount(orders.shop[pledged], weights=(orders.paid + orders.subsidy)[pledged],
                            minlength=len(model.merchants)).astype(np.int64)
        self.lend(model, value * ppm(self.advance_rate) // PPM)

    def lend(self, model: SchemeModel, principal: np.ndarray) -> None:
        """Lend ``principal`` cents to each merchant (0: none), due in ``term_days``."""
        st = self._state(model)
        shop = np.flatnonzero(principal > 0)
        amount = principal[shop]
        model.ledger.merchants_flow("loan", shop, amount)
        st.shop = np.concatenate([st.shop, shop])
        st.principal = np.concatenate([st.principal, amount])
        st.interest = np.concatenate([st.interest, amount * ppm(self.daily_rate) * self.term_days // PPM])
        st.due = np.concatenate([st.due, np.full(len(shop), model.day + self.term_days)])
        st.open = np.concatenate([st.open, np.ones(len(shop), bool)])

    def on_day_end(self, model: SchemeModel) -> None:
        st, ledger = self._state(model), model.ledger
        st.written_off_today = 0
        if not st.open.any():
            return
        active = merchant_open(model, st.shop)
        repay = st.open & active & (st.due <= model.day)
        shop = st.shop[repay]
        ledger.merchants_flow("loan_repayment", shop, st.principal[repay])
        ledger.merchants_flow("loan_interest", shop, st.interest[repay])
        model.add_merchant_profit(shop, -st.interest[repay])
        # Closed merchants default on everything they still owe.
        default = st.open & ~active
        recovered = st.principal[default] * ppm(self.recovery) // PPM
        ledger.merchants_flow("loan_repayment", st.shop[default], recovered)
        st.written_off_today = int((st.principal[default] - recovered).sum())
        st.open &= ~(repay | default)
        if not st.open.all():  # keep only open loans
            keep = st.open
            st.shop, st.principal, st.interest, st.due, st.open = (
                st.shop[keep], st.principal[keep], st.interest[keep], st.due[keep], st.open[keep])

    def daily_figures(self, model: SchemeModel) -> dict[str, int]:
        st = self._state(model)
        return {"loans_outstanding": int(st.principal[st.open].sum()),
                "loan_written_off": st.written_off_today}
