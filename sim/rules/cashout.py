"""提现: participants withdraw their reward balance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.people import ACTIVE
from sim.rules.base import PPM, Facts, Rule, cents, ppm
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass(frozen=True)
class CashOut(Rule):
    """Reward cash-out (提现): a wallet at or above ``minimum`` is withdrawn in full, less
    ``fee``. Until then the balance is a liability the platform owes. Unclaimed balances of
    people who left stay on the books as liabilities, as they do in practice."""
    key = "cash_out"
    name_en = "Reward cash-out"
    name_zh = "奖励提现"

    minimum: float = param(100.0, lo=0, hi=1_000_000, unit="yuan",
                           en="Smallest balance that can be withdrawn", zh="最低提现金额")
    fee: float = param(0.006, lo=0, hi=0.5, en="Withdrawal fee, share of the amount",
                       zh="提现手续费比例")
    every_days: int = param(1, lo=1, hi=365, unit="days", en="Withdrawal cycle (T+n)",
                            zh="提现周期(天)")

    def facts(self) -> Facts:
        return Facts()

    def on_day_end(self, model: SchemeModel) -> None:
        if model.day % self.every_days:
            return
        wallet = model.ledger.wallet
        ids = np.flatnonzero(wallet >= max(cents(self.minimum), 1))
        ids = ids[model.people.state[ids] == ACTIVE]  # leavers' balances stay owed
        if len(ids):
            fees = wallet[ids] * ppm(self.fee) // PPM
            model.ledger.withdraw(ids, wallet[ids] - fees, fees)
