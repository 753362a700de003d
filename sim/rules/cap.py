"""出局 and 复购: pay per package capped at a multiple of its price, and the package bought
again out of the wallet at an earnings threshold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.people import ACTIVE, DISTRIBUTOR
from sim.rules.base import PPM, Facts, Rule, ppm
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass
class _Caps:
    forfeited: int = 0    # the ledger's running total at yesterday's close
    pay_at_purchase: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


@dataclass(frozen=True)
class PayoutCap(Rule):
    """Payout cap per package (出局) and automatic repurchase (复购).

    Each package bought (the qualifier's price) lets its buyer be paid at most ``multiple``
    times its price as a seller; a reward beyond that is not paid: the participant is out
    (出局) until they buy again. Plans set the multiple differently: a staking contract's
    "出局倍数 (例如, 1.5倍 存为 150)", a service's "ExitMultiplier ... // 出局倍数，默认 4", an
    app's "TYPE_1: 10, // 100积分 10倍出局 TYPE_2: 2, // 1000积分 2倍出局", a "三倍收益保障池".

    With ``repurchase_at`` set, every time a participant's pay since their last package
    reaches that multiple of its price, the package is bought again out of their wallet
    (when it holds the price), which renews the cap: one plan's "复投机制（300U提示，30U复投）"
    against a 30U entry (its next version: "200U提示"); a court in 上海 found a platform
    "若用户试图提现或退出，平台会强制要求继续购买指定商品". A repurchase is money paid to
    qualify (``entry_paid``, ``payout_to_qualifying``), taken out of the wallet as the
    ``repurchase`` flow; it is not a new member and triggers no one's join pay. It happens at
    the end of the day, before a cash-out listed after this rule.
    """
    key = "payout_cap"
    name_en = "Payout cap (出局) and repurchase (复购)"
    name_zh = "出局封顶与复购"

    multiple: float = param(3.0, lo=0.1, hi=100,
                            en="Pay allowed per package bought, as a multiple of its price (1 = 100%)",
                            zh="每份礼包可获报酬上限(礼包价格的倍数,1 即 100%)")
    repurchase_at: float = param(0.0, lo=0, hi=100,
                                 en="Pay since the last package, as a multiple of its price, at which the "
                                    "package is bought again out of the wallet (0: never)",
                                 zh="自上次购买礼包以来的报酬达到礼包价格的该倍数时,自动从钱包复购(0 为不复购)")

    def facts(self) -> Facts:
        return Facts()

    def problems(self) -> list[tuple[str, str, str]]:
        if self.repurchase_at > self.multiple:
            return [("repurchase_at", f"must be at most multiple ({self.multiple:g}): pay stops at "
                                      f"the cap, so a higher threshold is never reached",
                     f"不能超过 multiple({self.multiple:g}):报酬到封顶即止,更高的门槛永远达不到")]
        return []

    def _cap(self, model: SchemeModel) -> int:
        return model.package_price_cents * ppm(self.multiple) // PPM

    def on_setup(self, model: SchemeModel) -> None:
        if model.qualifier is None:
            raise ValueError("rules.payout_cap caps pay per package: it needs a way to qualify "
                             "([rules.entry_package])")
        st = model.rule_state(self.key, _Caps)
        st.pay_at_purchase = np.zeros(model.people.size, np.int64)
        model.ledger.allow(np.zeros(0, np.int64), 0)  # from now on sellers are paid within caps

    def on_founders(self, model: SchemeModel, ids: np.ndarray) -> None:
        model.ledger.allow(ids, self._cap(model))

    def on_join(self, model: SchemeModel, joiners: np.ndarray) -> None:
        model.ledger.allow(joiners, self._cap(model))

    def on_day_end(self, model: SchemeModel) -> None:
        if not self.repurchase_at:
            return
        people, ledger, st = model.people, model.ledger, model.rule_state(self.key)
        price = model.package_price_cents
        since = people.seller_pay - st.pay_at_purchase
        due = np.flatnonzero((since >= price * ppm(self.repurchase_at) // PPM) & (since > 0)
                             & (ledger.wallet >= price) & (people.state == ACTIVE)
                             & (people.role >= DISTRIBUTOR))
        if len(due):
            ledger.withdraw(due, np.full(len(due), price, np.int64), np.zeros(len(due), np.int64),
                            kind="repurchase")
            model.qualifier.charge(model, due)
            ledger.allow(due, self._cap(model))
            st.pay_at_purchase[due] = people.seller_pay[due]

    def daily_figures(self, model: SchemeModel) -> dict[str, int]:
        st = model.rule_state(self.key)
        today, st.forfeited = model.ledger.forfeited - st.forfeited, model.ledger.forfeited
        return {"rewards_forfeited": today}
