"""多级分销佣金 and 级差: commission on downline purchases, several levels up the sponsor chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import JOIN, SALE
from sim.rules.base import ROUNDING, Facts, Rule, ppm
from sim.rules.chain import pay_differential, pay_up_chain
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


class LevelCommission(Rule):
    """What every per-level commission does; subclasses declare their rates and switches."""
    on_sales: bool
    on_packages: bool

    def level_rates(self) -> tuple[float, ...]:
        raise NotImplementedError

    def facts(self) -> Facts:
        levels = len(self.level_rates())
        # Beyond level 1 it pays on the downline; on sales, level 1 pays on a recruit's own
        # purchases while they are a participant too: both are team pay.
        return Facts(reward_kinds=(self.key,), levels_paid=levels,
                     pays_on_recruitment=self.on_packages, pays_on_sales=self.on_sales,
                     team_pay=levels > 1 or self.on_sales)

    def problems(self) -> list[tuple[str, str, str]]:
        total = sum(self.level_rates())
        if total > 1 + ROUNDING:
            return [(self.sales_amount_key,
                     f"levels add up to {total:.0%} of the price; at most 100% is allowed",
                     f"各级合计为售价的 {total:.0%};最多允许 100%")]
        if not (self.on_sales or self.on_packages):
            return [("on_sales", "pays on nothing: set on_sales or on_packages to true",
                     "没有任何计佣对象:请将 on_sales 或 on_packages 设为 true")]
        return []

    def reward_per_join(self, price: float) -> float:
        return sum(self.level_rates()) * price if self.on_packages else 0.0

    def reward_rate_on_sales(self) -> float:
        return sum(self.level_rates()) if self.on_sales else 0.0

    def _rates_ppm(self) -> list[int]:
        return [ppm(r) for r in self.level_rates()]

    def on_join(self, model: SchemeModel, joiners: np.ndarray) -> None:
        package = model.package_price_cents
        if self.on_packages and package and len(joiners):
            base = np.full(len(joiners), package, np.int64)
            pay_up_chain(model, self.key, joiners, base, self._rates_ppm(), basis=JOIN)

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        if self.on_sales:
            pay_up_chain(model, self.key, buyers, amounts, self._rates_ppm(), basis=SALE)


_ON_SALES = dict(en="Pay on downline retail purchases", zh="按下级零售消费计佣")
_ON_PACKAGES = dict(en="Pay on downline entry packages", zh="按下级礼包计佣")


@dataclass(frozen=True)
class MultiLevelCommission(LevelCommission):
    """Unilevel commission: level d above the buyer earns ``rates[d-1]`` of the purchase.

    Source: S1 §12 社交裂變分銷模式 (docs/sources.md): 「邀請者可以持續獲得下級購買商品的傭金分成」.
    Paying beyond level 1 on downline purchases is 团队计酬; paying on
    package purchases as well ties pay to recruitment.
    """
    key = "multi_level_commission"
    name_en = "Multi-level commission"
    name_zh = "多级分销佣金"
    join_amount_key = sales_amount_key = "rates"

    rates: tuple[float, ...] = param((0.10, 0.05, 0.03), lo=0, hi=1,
                                     en="Share of the purchase paid at level 1, 2, ...",
                                     zh="各级佣金比例(第1级起)")
    on_sales: bool = param(True, **_ON_SALES)
    on_packages: bool = param(False, **_ON_PACKAGES)

    def level_rates(self) -> tuple[float, ...]:
        return self.rates


@dataclass(frozen=True)
class GeometricCommission(LevelCommission):
    """Geometric commission: level d earns ``a × b^(d-1)``, so all levels together never
    exceed ``a / (1 - b)`` of a purchase, however deep the tree (docs/validation.md)."""
    key = "geometric_commission"
    name_en = "Geometric multi-level commission"
    name_zh = "几何递减多级佣金"
    join_amount_key = sales_amount_key = "a"

    a: float = param(0.1, lo=0, hi=1, en="Level-1 rate", zh="第1级比例")
    b: float = param(0.5, lo=0, hi=0.99, en="Ratio between successive levels", zh="逐级递减系数")
    levels: int = param(10, lo=1, hi=1_000, en="Deepest level paid", zh="最深计佣层级")
    on_sales: bool = param(True, **_ON_SALES)
    on_packages: bool = param(False, **_ON_PACKAGES)

    def level_rates(self) -> tuple[float, ...]:
        return tuple(self.a * self.b ** d for d in range(self.levels))


@dataclass(frozen=True)
class DifferentialBonus(Rule):
    """级差 (rank-differential) bonus: on each purchase, every upline earns its rank's rate
    less the highest rate already paid below it, up the whole sponsor chain.

    Sources: a reward engine's rule "级差计算: 当前层级的级别 - 其所有直属下级中的最高级别"; a
    release service's "级差奖励率y = next的占比 - x" (x the highest rate below). Composed with
    ``rank_promotion`` on team volume (团队业绩) it is the ladder of consumption-rebate and
    "team commission" schemes: 浙江市场监管 2022 典型案例 (a comb seller fined as 传销): "团队累计
    销售50把梳子并直推人数达到5人后,可升为区级代理,享有16%的团队傭金收益"; a ladder that doubles
    the team's sales from one rank to the next: "二星创客 ... 必须要满足上一级且旗下销售额200万
    -400万", "三星创客 ... 400万-800万", "四星创客 ... 800万-1600万". ``rates`` is by rank, rank 1
    first (a participant's entry rank, often 0). What all uplines together take from one
    purchase is the top rate. A purchase pays no one until an upline's rate is above what was
    paid below; an upline who cannot earn (left, or no participant) is skipped and the next
    one is paid the difference from what was actually paid.
    """
    key = "differential"
    name_en = "Rank-differential bonus (级差)"
    name_zh = "级差奖"
    join_amount_key = sales_amount_key = "rates"

    rates: tuple[float, ...] = param((0.0, 0.05, 0.10), lo=0, hi=1,
                                     en="Rate of each rank, rank 1 first; an upline earns its rate "
                                        "less the highest rate paid below it",
                                     zh="各等级的比例(第1级起);上级获得本级比例减去下方已发放的最高比例")
    on_sales: bool = param(True, **_ON_SALES)
    on_packages: bool = param(False, **_ON_PACKAGES)

    def facts(self) -> Facts:
        # Paid on the downline's purchases, at a rate the payee's rank sets: team pay.
        return Facts(reward_kinds=(self.key,), levels_paid=None, pays_on_recruitment=self.on_packages,
                     pays_on_sales=self.on_sales, team_pay=True, pay_set_by_rank=True)

    def problems(self) -> list[tuple[str, str, str]]:
        if not (self.on_sales or self.on_packages):
            return [("on_sales", "pays on nothing: set on_sales or on_packages to true",
                     "没有任何计佣对象:请将 on_sales 或 on_packages 设为 true")]
        return []

    def reward_per_join(self, price: float) -> float:
        return max(self.rates) * price if self.on_packages else 0.0

    def reward_rate_on_sales(self) -> float:
        return max(self.rates) if self.on_sales else 0.0

    def on_join(self, model: SchemeModel, joiners: np.ndarray) -> None:
        package = model.package_price_cents
        if self.on_packages and package and len(joiners):
            pay_differential(model, self.key, joiners, np.full(len(joiners), package, np.int64),
                             self.rates, basis=JOIN)

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        if self.on_sales:
            pay_differential(model, self.key, buyers, amounts, self.rates, basis=SALE)
