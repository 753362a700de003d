"""Pools that pay customers back: 贡献值 dividends (分红), 让利-tier pools (人人公益) and
消费全返 refund schedules (永倍达). Each sets money aside in the ``pools`` account and pays
rewards from it (source POOLS, depth 0: on the payee's own spending).

What the books hold and what is promised differ: a pool holds what was put in, while a
refund schedule or a consumable entitlement promises more. Rules that promise more report
the uncovered remainder as the daily ``promised_offbook`` figure, beside ``pool_liability``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import POOLS, SALE
from sim.rules.base import PPM, Facts, Rule, cents, ppm
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel

MONTH = 30  # days; month m of the run is days 30(m-1) .. 30m-1, so day 0 starts month 1

def pro_rata(amount: int, weights: np.ndarray) -> np.ndarray:
    """Split ``amount`` cents in proportion to integer ``weights``, exactly: each share is
    rounded down and the leftover cents go to the largest remainders (lowest index first)."""
    weights = np.asarray(weights, np.int64)
    total = int(weights.sum())
    if total == 0 or amount == 0:
        return np.zeros(len(weights), np.int64)
    if int(weights.max()) * amount < 2**62:
        scaled = weights * amount
    else:  # exact for any size, slower
        scaled = weights.astype(object) * amount
    share, frac = (scaled // total).astype(np.int64), (scaled % total).astype(np.int64)
    left = amount - int(share.sum())
    if left:
        share[np.argpartition(-frac, left - 1)[:left]] += 1
    return share


def pay_from_pool(model: SchemeModel, pool: str, kind: str, ids: np.ndarray, amounts: np.ndarray) -> None:
    """Pay rewards on the payees' own spending (depth 0) out of the named pool."""
    model.ledger.reward(kind, ids, ids, np.zeros(len(ids), np.int64), amounts, basis=SALE,
                        source=POOLS, pool=pool)


@dataclass(frozen=True)
class ContributionDividend(Rule):
    """Contribution value (贡献值) and a dividend pool (分红).

    Source: S1 §1 消費返利 (docs/sources.md): 「消費滿一定金額可獲得貢獻值,貢獻值可用于參與分紅
    或兌換獎勵」. An order of at least ``threshold`` earns ``contribution_rate`` 贡献值
    per yuan paid. The platform puts ``pool_share`` of every sale (from the merchants' 让利)
    into the dividend pool; every ``every_days`` days ``payout_share`` of the pool is paid to
    everyone holding 贡献值, in proportion to their holding, leavers included (the right is theirs). With
    ``consumed`` false 贡献值 is a permanent share in the pool; with ``consumed`` true every
    yuan of dividend uses up one 贡献值, so it is a refund entitlement that ends when paid, and
    the part the pool does not hold is reported as ``promised_offbook``.
    """
    key = "contribution_dividend"
    name_en = "Contribution value and dividend pool"
    name_zh = "贡献值分红池"
    sales_amount_key = "pool_share"

    threshold: float = param(200.0, lo=0, hi=1_000_000, unit="yuan",
                             en="Smallest order that earns 贡献值", zh="获得贡献值的最低单笔消费")
    contribution_rate: float = param(1.0, lo=0, hi=100, unit="per yuan",
                                     en="贡献值 earned per yuan of a qualifying order",
                                     zh="每元合格消费获得的贡献值")
    pool_share: float = param(0.05, lo=0, hi=1,
                              en="Share of every sale put into the dividend pool",
                              zh="每笔消费注入分红池的比例")
    payout_share: float = param(1.0, lo=0, hi=1,
                                en="Share of the pool paid out at each dividend",
                                zh="每次分红分配的分红池比例")
    consumed: bool = param(False, en="Dividends use up 贡献值 one for one (yuan)",
                           zh="分红按元消耗贡献值")
    every_days: int = param(1, lo=1, hi=365, unit="days", en="Dividend cycle (1: daily)",
                            zh="分红周期(天)")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("dividend",), levels_paid=0, pays_on_sales=True,
                     pays_customers=True, creates_liability=True)

    def reward_rate_on_sales(self) -> float:
        return self.pool_share

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        held = model.column("contribution_value", np.int64)  # 贡献值 in hundredths
        ok = amounts >= cents(self.threshold)
        np.add.at(held, buyers[ok], amounts[ok] * ppm(self.contribution_rate) // PPM)
        model.ledger.fund_pool(self.key, int((amounts * ppm(self.pool_share) // PPM).sum()))

    def on_day_end(self, model: SchemeModel) -> None:
        if model.day % self.every_days:
            return
        held = model.column("contribution_value", np.int64)
        ids = np.flatnonzero(held)
        pay = pro_rata(model.ledger.pool(self.key) * ppm(self.payout_share) // PPM, held[ids])
        if self.consumed:
            pay = np.minimum(pay, held[ids])
            held[ids] -= pay
        pay_from_pool(model, self.key, "dividend", ids, pay)

    def daily_figures(self, model: SchemeModel) -> dict[str, int]:
        if not self.consumed:
            return {}
        owed = int(model.column("contribution_value", np.int64).sum())
        return {"promised_offbook": max(owed - model.ledger.pool(self.key), 0)}


@dataclass(frozen=True)
class RangliTierPool(Rule):
    """A 让利-tier refund pool (人人公益-style, "24/12/6%").

    Source: the catalogue's variant "RenRenGongYi pool 24/12/6%" (docs/catalogue.md) of S1 §1
    消費返利 (docs/sources.md): 「消費滿一定金額可獲得貢獻值,貢獻值可用于參與分紅」; the source
    itself gives no figures. Reading: 24%, 12% and 6% are the 让利 tiers
    a merchant chooses (``tiers``, shares of merchants ``tier_shares``). The merchant pays its
    tier's 让利 on every sale (on top of ``retail.rangli``, normally 0 here); the platform puts
    ``pool_share`` of it into the pool and keeps the rest. A buyer earns an entitlement
    (贡献值 / 爱心值) of ``full_return`` × the price at the top tier and in proportion below it
    (24% → 100%, 12% → 50%, 6% → 25% of the price). Each day the pool pays out
    ``payout_share`` of its balance pro rata to entitlements still held, using them up: the
    daily release rate (公益指数) is whatever the pool can afford. What is held beyond the
    pool is ``promised_offbook``.
    """
    key = "rangli_tier_pool"
    name_en = "让利-tier refund pool"
    name_zh = "让利分档返还池"
    sales_amount_key = "tiers"

    tiers: tuple[float, ...] = param((0.24, 0.12, 0.06), lo=0, hi=1,
                                     en="让利 tiers merchants choose, share of the price",
                                     zh="商家可选让利档位(占售价比例)")
    tier_shares: tuple[float, ...] = param((0.2, 0.3, 0.5), lo=0, hi=1,
                                           en="Share of merchants on each tier",
                                           zh="各档位商家占比")
    full_return: float = param(1.0, lo=0, hi=10,
                               en="Entitlement per yuan spent at the top tier",
                               zh="最高档每元消费获得的返还额度")
    pool_share: float = param(0.8, lo=0, hi=1, en="Share of the 让利 put into the pool",
                              zh="让利注入返还池的比例")
    payout_share: float = param(1.0, lo=0, hi=1, unit="1/day",
                                en="Share of the pool released each day",
                                zh="返还池每日释放比例")
    purchase_lift: float = param(0.0, lo=0, hi=10,
                                 en="Extra purchase chance from the refund promise",
                                 zh="返还承诺带来的购买率提升")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("tier_refund",), levels_paid=0, pays_on_sales=True,
                     pays_customers=True, creates_liability=True)

    def problems(self) -> list[tuple[str, str, str]]:
        if len(self.tiers) != len(self.tier_shares):
            return [("tier_shares", f"must list one share per tier ({len(self.tiers)}), "
                                    f"got {len(self.tier_shares)}",
                     f"每档需要一个占比({len(self.tiers)} 个),实际为 {len(self.tier_shares)} 个")]
        if abs(sum(self.tier_shares) - 1) > 1e-9:
            return [("tier_shares", f"must add up to 1, got {sum(self.tier_shares):g}",
                     f"合计必须为 1,实际为 {sum(self.tier_shares):g}")]
        if not max(self.tiers):  # refunds are pro rata to the top tier
            return [("tiers", "at least one tier must be above 0: with no merchant discount there is no pool",
                     "至少一档必须大于 0:没有让利就没有返还池")]
        return []

    def reward_rate_on_sales(self) -> float:
        return max(self.tiers) * self.pool_share

    def merchant_rates(self, n_merchants: int) -> np.ndarray:
        """Each merchant's 让利 (ppm). Merchants differ only in their random appeal and cost,
        so consecutive blocks take the tiers, in the shares given (largest remainder)."""
        counts = pro_rata(n_merchants, np.array([ppm(s) for s in self.tier_shares]))
        return np.repeat(np.array([ppm(t) for t in self.tiers], np.int64), counts)

    def _rates(self, model: SchemeModel) -> np.ndarray:
        return model.rule_state(self.key + ":rates", lambda: self.merchant_rates(len(model.merchants)))

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        return np.full(len(active), 1 + self.purchase_lift) if self.purchase_lift else None

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        orders = model.booking
        rate = self._rates(model)[orders.shop]
        rangli = (orders.paid + orders.subsidy) * rate // PPM
        model.ledger.merchants_flow("rangli", orders.shop, rangli)
        model.add_merchant_profit(orders.shop, -rangli)
        model.ledger.fund_pool(self.key, int((rangli * ppm(self.pool_share) // PPM).sum()))
        held = model.column("tier_entitlement", np.int64)
        per_yuan = ppm(self.full_return / max(self.tiers)) * rate // PPM  # ppm of the price
        np.add.at(held, buyers, amounts * per_yuan // PPM)

    def on_day_end(self, model: SchemeModel) -> None:
        held = model.column("tier_entitlement", np.int64)
        ids = np.flatnonzero(held)
        pay = np.minimum(pro_rata(model.ledger.pool(self.key) * ppm(self.payout_share) // PPM, held[ids]),
                         held[ids])
        held[ids] -= pay
        pay_from_pool(model, self.key, "tier_refund", ids, pay)

    def daily_figures(self, model: SchemeModel) -> dict[str, int]:
        owed = int(model.column("tier_entitlement", np.int64).sum())
        return {"promised_offbook": max(owed - model.ledger.pool(self.key), 0)}


@dataclass
class _Schedule:
    promised: int = 0     # refunds promised and not yet paid, cents
    overdue: int = 0      # of which fallen due and unpaid
    buying: dict[int, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)
    # purchase month -> (persons, entitlement, paid so far), once the month has closed
    cohorts: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)


@dataclass(frozen=True)
class RebateSchedule(Rule):
    """Consumption-rebate refund schedule (消费全返, 永倍达-style).

    Source: the catalogue's variant "永倍达-style refund: from month 6, 3%/month until 100%
    returned" (docs/catalogue.md) of S1 §1 消費返利 (docs/sources.md):
    「通過積分或返現機制激勵用戶持續消費」; the source gives no refund terms. Every purchase
    promises ``total`` × its price back. Months are 30-day calendar months of the run (day 0
    starts month 1); a purchase made in month m is refunded ``monthly_rate`` of its price on
    the first day of month m + ``start_month`` − 1 and of every month after, the last
    instalment being the remainder, until ``total`` is returned
    (3% a month: 33 × 3% + 1%, 34 instalments). Refunds are paid from a pool the platform
    fills with ``pool_share`` of every sale. When the pool cannot pay what has fallen due,
    the platform tops it up if ``platform_covers``; otherwise each payee gets the same share
    of what is due, and the rest stays overdue and is paid first when the pool allows.

    The books hold the pool; the promise is every unpaid refund. ``promised_offbook`` is the
    promise beyond the pool, ``refunds_overdue`` what has fallen due and not been paid.
    """
    key = "rebate_schedule"
    name_en = "Consumption-rebate refund schedule"
    name_zh = "消费全返分期返还"
    sales_amount_key = "pool_share"

    start_month: int = param(6, lo=1, hi=120, unit="months",
                             en="Month (the purchase month is 1) of the first refund",
                             zh="首次返还的月份(消费当月为第1月)")
    monthly_rate: float = param(0.03, lo=0.0001, hi=1, unit="1/month",
                                en="Share of the price refunded each month",
                                zh="每月返还消费额的比例")
    total: float = param(1.0, lo=0, hi=10, en="Share of the price refunded in all",
                         zh="累计返还消费额的比例")
    pool_share: float = param(0.2, lo=0, hi=1, en="Share of every sale put into the refund pool",
                              zh="每笔消费注入返还池的比例")
    platform_covers: bool = param(False, en="The platform tops up the pool when refunds fall due",
                                  zh="返还池不足时由平台补足")
    purchase_lift: float = param(0.0, lo=0, hi=10,
                                 en="Extra purchase chance from the refund promise",
                                 zh="全返承诺带来的购买率提升")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("consumption_refund",), levels_paid=0, pays_on_sales=True,
                     pays_customers=True, creates_liability=True)

    def reward_rate_on_sales(self) -> float:
        return self.pool_share

    def _state(self, model: SchemeModel) -> _Schedule:
        return model.rule_state(self.key, _Schedule)

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        return np.full(len(active), 1 + self.purchase_lift) if self.purchase_lift else None

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        st = self._state(model)
        owed = amounts * ppm(self.total) // PPM
        st.buying.setdefault(model.day // MONTH + 1, []).append((buyers.copy(), owed))
        st.promised += int(owed.sum())
        model.ledger.fund_pool(self.key, int((amounts * ppm(self.pool_share) // PPM).sum()))

    def on_day_end(self, model: SchemeModel) -> None:
        if model.day % MONTH:
            return
        st, month = self._state(model), model.day // MONTH + 1
        for m in [m for m in st.buying if m < month]:  # close finished purchase months
            ids, owed = (np.concatenate(a) for a in zip(*st.buying.pop(m)))
            persons, at = np.unique(ids, return_inverse=True)
            total = np.bincount(at, weights=owed, minlength=len(persons)).astype(np.int64)
            st.cohorts[m] = (persons, total, np.zeros(len(persons), np.int64))
        started = [m for m in sorted(st.cohorts) if month - m + 1 >= self.start_month]
        if not started:
            return
        # What each payee should have had by today, less what they have had.
        due = []
        for m in started:
            persons, total, paid = st.cohorts[m]
            instalments = month - m + 2 - self.start_month
            scheduled = np.minimum(instalments * np.maximum(total * ppm(self.monthly_rate) // PPM, 1), total)
            due.append(scheduled - paid)
        due_all = np.concatenate(due)
        need, held = int(due_all.sum()), model.ledger.pool(self.key)
        if self.platform_covers and need > held:
            model.ledger.fund_pool(self.key, need - held)
            held = need
        # Short of money, everyone gets the same share of what is due (rounded down).
        pay_all = due_all if need <= held else due_all * held // need
        ids = np.concatenate([st.cohorts[m][0] for m in started])
        pay_from_pool(model, self.key, "consumption_refund", ids, pay_all)
        st.promised -= int(pay_all.sum())
        st.overdue = int((due_all - pay_all).sum())
        at = 0
        for m in started:
            persons, total, paid = st.cohorts[m]
            paid += pay_all[at:at + len(persons)]
            at += len(persons)
            if (paid == total).all():
                del st.cohorts[m]

    def daily_figures(self, model: SchemeModel) -> dict[str, int]:
        st = self._state(model)
        return {"promised_offbook": max(st.promised - model.ledger.pool(self.key), 0),
                "refunds_overdue": st.overdue}
