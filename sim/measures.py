"""One vocabulary of measures: every figure Scheme Lab outputs, declared once.

A :class:`Measure` is what ``param()`` is for inputs: a key, an English and a Chinese name, a
unit, the formula (a function of a run's plain result, through :class:`Measured`, which
computes what several measures share once) and who it covers (everyone who ever took part,
or those active at the end). ``result.metrics``, the audit's indicators, the risk index's
parts, batch metrics, the dashboard, the CLI and the report all read values and names from
here; nothing else computes a measure. Per-day columns of ``result.daily`` are a second
namespace, :data:`SERIES` (the daily ``gmv`` is GMV that day, the measure ``gmv`` is the run's).

A few figures are verdicts' working (a count of salespersons over the 30% cap, whether the
prosecution threshold is met): they depend on a legal threshold, so the legal test computes
them; the vocabulary still names them (``formula=None`` and ``by`` names the test).

    >>> MEASURES["internal_consumption_share"].unit
    'share'
    >>> name("payout_ratio", "zh")
    '奖励支出率(奖励 ÷ 销售额)'
    >>> figure("reward_share_team", 0.25), figure("platform_net", -5619.4)
    ('25.0%', '-¥5,619')
    >>> figure("participants", 6017.33), figure("participants", 6017.33, mean=True)  # one run, a mean
    ('6,017', '6,017.3')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable, NamedTuple

import numpy as np
import pandas as pd

from sim.ledger import APPOINTED, CUSTOMER, FLOWS, JOIN, SALE, SELLER
from sim.result import RunResult
from sim.rules.base import Facts

# -- units -------------------------------------------------------------------------------
YUAN, SHARE, RATIO, PERSONS, LEVELS, COUNT, COEFFICIENT, POINTS, FLAG, TABLE, SCORE = (
    "yuan", "share", "ratio", "persons", "levels", "count", "coefficient", "points", "flag", "table",
    "score")
UNIT_NAMES = {YUAN: ("yuan", "元"), PERSONS: ("persons", "人"), LEVELS: ("levels", "级"),
              POINTS: ("points", "分")}
BOUNDED = (SHARE, COEFFICIENT)  # always in [0, 1]
EVER, ACTIVE_END = "ever", "active"  # who a measure covers: everyone who ever took part, or
# the participants active at the end (lapse, exit and breakaway remove no one from "ever")
HALF_CENT = 0.005  # amounts below this (yuan) are rounding, not money
WEEK = 7           # join cohorts are weeks of the day a participant qualified


@dataclass(frozen=True)
class Measure:
    key: str
    en: str
    zh: str
    unit: str
    formula: Callable[[Measured], Any] | None
    over: str = ""   # EVER or ACTIVE_END where the population matters
    doc: str = ""    # the definition in words, when the name is not enough
    by: str = ""     # for a verdict's working: the legal test (finding id) that computes it

    @property
    def bounded(self) -> bool:
        """A share or coefficient: always within [0, 1]."""
        return self.unit in BOUNDED

    def name(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


MEASURES: dict[str, Measure] = {}
SERIES: dict[str, Measure] = {}


def _declare(table: dict[str, Measure], key: str, en: str, zh: str, unit: str,
             formula: Callable | None = None, **more: str) -> None:
    if key in table:
        raise RuntimeError(f"measure {key!r} is declared twice")
    table[key] = Measure(key, en, zh, unit, formula, **more)


def ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: equal, 1: one person has everything)."""
    v = np.sort(np.asarray(values, float))
    n, total = len(v), v.sum()
    if n == 0 or total == 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ v / (n * total))


def organisation_levels(sponsor: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Persons on the longest chain of members above and including each member.

    Counted on the recruitment (sponsor) tree, the organiser as level 1, as the 2013 opinion
    counts 层级; pass-ups and breakaways do not shorten it. ``member``: who counts (everyone
    who ever qualified, or those active at the end). Pointer doubling: O(n log height).
    """
    parent = np.where(member & (sponsor >= 0), sponsor, -1)
    parent = np.where((parent >= 0) & member[np.maximum(parent, 0)], parent, -1)
    links = (parent >= 0).astype(np.int64)
    anc = parent.copy()
    while (anc >= 0).any():
        has = anc >= 0
        safe = np.maximum(anc, 0)
        links = links + np.where(has, links[safe], 0)
        anc = np.where(has, anc[safe], -1)
    return np.where(member, links + 1, 0)


def retention(people: pd.DataFrame, days: int, k: int) -> float:
    """Share of persons still active k days after joining, among those observed that long."""
    joined = people["join_day"].to_numpy()
    exited = people["exit_day"].to_numpy()
    seen = joined + k <= days
    if not seen.any():
        return 0.0
    kept = (exited[seen] < 0) | (exited[seen] > joined[seen] + k)
    return float(kept.mean())


# -- what measures share, computed once per result -----------------------------------------
class Measured:
    """One result and what its measures share (cached); ``m[key]`` is a measure's value."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        self._values: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            formula = MEASURES[key].formula
            if formula is None:
                raise KeyError(f"{key} is computed by the legal test {MEASURES[key].by}")
            self._values[key] = formula(self)
        return self._values[key]

    def values(self, keys: Iterable[str]) -> dict[str, Any]:
        return {k: self[k] for k in keys}

    # -- the scheme's declared facts --------------------------------------------------------
    @cached_property
    def facts(self) -> dict[str, Facts]:
        return {rule.key: rule.facts() for rule in self.result.scenario.rules}

    def declaring(self, *names: str) -> tuple[tuple[str, str, Any], ...]:
        """(rule key, fact, value) for every component whose named fact is set (truthy)."""
        return tuple((key, name, getattr(facts, name)) for key, facts in self.facts.items()
                     for name in names if getattr(facts, name, None))

    def kinds(self, payees: str) -> list[str]:
        """Reward kinds paid to ``payees`` (SELLER, APPOINTED or CUSTOMER)."""
        return [k for f in self.facts.values() if f.payees == payees for k in f.reward_kinds]

    @cached_property
    def qualifier(self) -> Facts | None:
        return next((f for f in self.facts.values() if f.qualifies), None)

    # -- persons ----------------------------------------------------------------------------
    @cached_property
    def people(self) -> pd.DataFrame:
        return self.result.people

    def column(self, name: str) -> np.ndarray:
        return self.people[name].to_numpy()

    @cached_property
    def participant(self) -> np.ndarray:
        """Per row: ever qualified (lapse, exit or breakaway since changes nothing)."""
        return self.column("participant_day") >= 0

    @cached_property
    def active_participant(self) -> np.ndarray:
        """Per row: a participant at the end, still in the market."""
        # isin on the column itself: on a categorical it compares the categories, not a
        # million strings.
        senior = self.people["role"].isin(("distributor", "leader")).to_numpy(bool)
        return senior & (self.column("exit_day") < 0)

    @cached_property
    def row_of(self) -> np.ndarray:
        """Person id -> row of ``people`` (-1: never joined)."""
        row = np.full(self.result.market_size, -1, np.int64)
        row[self.column("id")] = np.arange(len(self.people))
        return row

    @cached_property
    def sponsor_row(self) -> np.ndarray:
        """Per row: the sponsor's row (-1: none)."""
        s = self.column("sponsor")
        return np.where(s >= 0, self.row_of[np.maximum(s, 0)], -1)

    @cached_property
    def spend_as_customer(self) -> np.ndarray:
        """Per row: what the person paid while not a participant."""
        return self.column("spend") - self.column("spend_as_participant")

    @cached_property
    def net(self) -> np.ndarray:
        """Participants' net results (rewards + goods' value − everything paid), ever."""
        return self.people.loc[self.participant, "net"].to_numpy(float)

    @cached_property
    def salesperson(self) -> np.ndarray:
        """Per row: paid as a recruited seller (by a rule that pays participants only)."""
        return self.column("seller_pay") > HALF_CENT

    @cached_property
    def pay_to_own_sales_each(self) -> np.ndarray:
        """Per row: pay as a seller ÷ own sales to consumers (∞ for pay without such sales)."""
        pay, own = self.column("seller_pay"), self.column("own_sales")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(own > 0, pay / np.where(own > 0, own, 1), np.where(pay > 0, np.inf, 0.0))

    # -- the organisation, on the sponsor tree of everyone who ever took part --------------
    @cached_property
    def tree_parent(self) -> np.ndarray:
        """Per row: the sponsor's row if both ever took part (-1 otherwise)."""
        parent = self.sponsor_row
        ok = self.participant & (parent >= 0)
        ok[ok] = self.participant[parent[ok]]
        return np.where(ok, parent, -1)

    def subtree_sum(self, values: np.ndarray, *, combine: Callable = np.add) -> np.ndarray:
        """Per row: ``values`` combined over the person's organisation (themself and every
        participant below them on the sponsor tree), one pass per level, leaves first."""
        out = np.array(values, copy=True)
        level, parent = self.column("level"), self.tree_parent
        for lv in range(int(level.max(initial=0)), 1, -1):
            rows = np.flatnonzero((level == lv) & (parent >= 0))
            combine.at(out, parent[rows], out[rows])
        return out

    @cached_property
    def organisations(self) -> tuple[np.ndarray, np.ndarray]:
        """Per row: participants in the person's organisation and its levels, counted from
        them as level 1 (everyone who ever took part)."""
        ones = self.participant.astype(np.int64)
        size = self.subtree_sum(ones)
        height = ones.copy()
        level, parent = self.column("level"), self.tree_parent
        for lv in range(int(level.max(initial=0)), 1, -1):
            rows = np.flatnonzero((level == lv) & (parent >= 0))
            np.maximum.at(height, parent[rows], height[rows] + 1)
        return size, height

    @cached_property
    def organisation_revenue(self) -> tuple[np.ndarray, np.ndarray]:
        """Per row: revenue generated by the person and their downline (Vemma 2016: "the
        participant and others within the participant's downline"), split into (paid by
        non-participants, paid by participants). A participant's own purchases count by
        their status when they paid; customers who never took part count with their sponsor."""
        p, outside = self.participant, self.spend_as_customer.astype(float)
        inside = self.column("spend_as_participant").astype(float) * p
        customers = ~p & (self.sponsor_row >= 0)
        customers[customers] = p[self.sponsor_row[customers]]
        base = np.where(p, outside, 0.0)
        np.add.at(base, self.sponsor_row[customers], outside[customers])
        return self.subtree_sum(base), self.subtree_sum(inside)

    # -- rewards, classified from result.flows ---------------------------------------------
    @cached_property
    def flows(self) -> pd.DataFrame:
        return self.result.flows

    def reward_total(self, mask: np.ndarray | None = None) -> float:
        """Rewards in yuan, to the cent (so a part never exceeds the whole by a rounding)."""
        amount = self.flows["amount"].to_numpy(float)
        return round(float(amount.sum() if mask is None else amount[mask].sum()), 2)

    @cached_property
    def flow_masks(self) -> dict[str, np.ndarray]:
        f = self.flows
        kind, depth = f["kind"].to_numpy(), f["depth"].to_numpy()
        internal = f["internal"].to_numpy(bool)
        team = f["team"].to_numpy(bool) if "team" in f else depth >= 2
        join, sale = (f["basis"] == JOIN).to_numpy(), (f["basis"] == SALE).to_numpy()
        payee = {cls: np.isin(kind, self.kinds(cls)) for cls in (APPOINTED, CUSTOMER)}
        seller = ~payee[APPOINTED] & ~payee[CUSTOMER]
        return {"join": join, "sale": sale, "internal": internal, "team": team,
                "depth0": depth == 0, "depth1": depth == 1, "deep": depth >= 2,
                "seller": seller, "appointed": payee[APPOINTED], "customer": payee[CUSTOMER],
                "own_sale": sale & ~internal & (depth == 1)}

    def reward_share(self, *names: str, negate: tuple[str, ...] = ()) -> float:
        """Share of all rewards whose flows match every named mask (and none in ``negate``)."""
        mask = np.ones(len(self.flows), bool)
        for n in names:
            mask &= self.flow_masks[n]
        for n in negate:
            mask &= ~self.flow_masks[n]
        return ratio(self.reward_total(mask), self["rewards"])

    # -- the daily table ------------------------------------------------------------------
    def last(self, column: str) -> float:
        d = self.result.daily
        return float(d[column].iloc[-1]) if column in d.columns and len(d) else 0.0

    def total(self, column: str) -> float:
        d = self.result.daily
        return float(d[column].sum()) if column in d.columns else 0.0


def value(result: RunResult, key: str) -> Any:
    """One measure of one run."""
    return Measured(result)[key]


def values(result: RunResult, keys: Iterable[str]) -> dict[str, Any]:
    """Several measures of one run, sharing their intermediate quantities."""
    return Measured(result).values(keys)


# -- names and figures ----------------------------------------------------------------------
COMPARISONS = (("_at_least", "≥"), ("_at_most", "≤"), ("_max", "≤"), ("_above", ">"))
# Series the daily table gains per flow type or reward kind: flow_<type>, reward_<kind>.
SERIES_PREFIXES = (("flow_", ("money moved per day: ", "每日资金流:")),
                   ("reward_", ("rewards paid per day: ", "每日发放:")))


def _entry(key: str) -> Measure | None:
    if key in MEASURES:
        return MEASURES[key]
    for suffix, sign in COMPARISONS:  # a threshold: its measure's key with a comparison
        base = MEASURES.get(key.removesuffix(suffix)) if key.endswith(suffix) else None
        if base:
            return Measure(key, f"{base.en} {sign}", f"{base.zh} {sign}", base.unit, None)
    return None


def name(key: str, lang: str = "en", *, with_unit: bool = False) -> str:
    """A measure's (or a threshold's) name in ``lang``, optionally with its unit; an
    unknown key is shown as itself."""
    entry = _entry(key)
    if entry is None:
        return key
    text = entry.name(lang)
    if with_unit and entry.unit in UNIT_NAMES:
        en, zh = UNIT_NAMES[entry.unit]
        return f"{text}({zh})" if lang == "zh" else f"{text} ({en})"
    return text


def unit(key: str) -> str:
    """A measure's unit (see the constants above), or "" if unknown."""
    entry = _entry(key)
    return entry.unit if entry else ""


def series_name(key: str, lang: str = "en") -> str:
    """A daily column's name: declared in :data:`SERIES`, or a flow or reward column."""
    if key in SERIES:
        return SERIES[key].name(lang)
    from_terms = {"flow_": FLOW_NAMES, "reward_": REWARD_NAMES}
    for prefix, (en, zh) in SERIES_PREFIXES:
        if key.startswith(prefix):
            what = from_terms[prefix].get(key[len(prefix):])
            if what:
                return (zh + what[1]) if lang == "zh" else (en + what[0])
    return key


# -- how figures are written --------------------------------------------------------------
class Style(NamedTuple):
    """How one unit's figures are written: the value times ``scale``, rounded to ``decimals``
    (``mean_decimals`` for a statistic over runs: a mean, median or interval bound), between
    ``prefix`` and ``suffix``; a minus sign, if any, goes in front of it all."""
    decimals: int
    mean_decimals: int
    prefix: str = ""
    suffix: str = ""
    scale: int = 1
    en: str = ""
    zh: str = ""


STYLES = {
    YUAN: Style(0, 0, prefix="¥", en="whole yuan", zh="整元"),
    SHARE: Style(1, 1, suffix="%", scale=100, en="percent, one decimal", zh="百分比,一位小数"),
    RATIO: Style(1, 1, suffix="%", scale=100, en="percent, one decimal (may exceed 100%)",
                 zh="百分比,一位小数(可超过 100%)"),
    PERSONS: Style(0, 1, en="whole persons; a mean over runs to one decimal", zh="整数;多次运行的均值保留一位小数"),
    LEVELS: Style(0, 1, en="whole levels; a mean over runs to one decimal", zh="整数;多次运行的均值保留一位小数"),
    COUNT: Style(0, 1, en="whole number; a mean over runs to one decimal", zh="整数;多次运行的均值保留一位小数"),
    POINTS: Style(1, 1, en="one decimal", zh="一位小数"),
    COEFFICIENT: Style(3, 3, en="three decimals", zh="三位小数"),
    SCORE: Style(3, 3, en="three decimals", zh="三位小数"),
}
# What docs/measures.md shows each rule doing: (value, a statistic over runs?).
STYLE_EXAMPLES = {
    YUAN: ((1_143_412.333, False), (-5_619.4, False), (49.4, False), (-0.0001, False)),
    SHARE: ((0.25, False), (0.92641, False), (-0.0001, False)),
    RATIO: ((0.1568, False), (12.5, False)),
    PERSONS: ((1_143_412, False), (6_017.333, True)),
    LEVELS: ((5, False), (4.5, True)),
    COUNT: ((7, False), (6_017.333, True)),
    POINTS: ((71.26, False), (-0.0001, False)),
    COEFFICIENT: ((0.92641, False), (0.93, False)),
    SCORE: ((-1.23456, False), (0.5, True)),
}
# ASCII, not U+2212: the dashboard's tables are written by the browser (Intl.NumberFormat),
# which writes "-¥5,619"; every other figure is written the same way.
MINUS = "-"
YES_NO = (("no", "否"), ("yes", "是"))


def _rounded(kind: str, v: float, mean: bool) -> tuple[float, Style, int]:
    """The value as it will be written (scaled and rounded; a rounded zero has no sign)."""
    style = STYLES[kind]
    places = style.mean_decimals if mean else style.decimals
    return round(v * style.scale, places) + 0.0, style, places  # + 0.0: -0.0 becomes 0.0


def _written(x: float, style: Style, places: int) -> str:
    return f"{MINUS if x < 0 else ''}{style.prefix}{abs(x):,.{places}f}{style.suffix}"


def number(v: float) -> str:
    """A number that is not a measure (a parameter value, an index): whole numbers with
    thousands separators, others to four significant digits."""
    v = float(v)
    if math.isnan(v):
        return "—"
    if math.isinf(v):
        return "∞" if v > 0 else MINUS + "∞"
    if v == int(v) or abs(v) >= 1_000:
        return f"{round(v):,}"
    return f"{v:.4g}"


def format_value(kind: str, value: Any, lang: str = "en", *, mean: bool = False) -> str:
    """A value written by its unit's rule (:data:`STYLES`): ¥1,143,412, -¥5,619, 25.0%, 1,204,
    71.3 (points), 0.926, 是/否; "—" when missing. ``mean``: a statistic over runs (a mean,
    median or interval bound), where a count keeps one decimal (6,017.3)."""
    if kind == FLAG:
        return YES_NO[bool(value)][lang == "zh"]
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    v = float(value)
    if math.isnan(v) or math.isinf(v) or kind not in STYLES:
        return number(v)
    return _written(*_rounded(kind, v, mean))


def yuan(v: float) -> str:
    """Money as a reader sees it: ¥399, ¥2,100, -¥5,619 (whole yuan, see :data:`STYLES`)."""
    return format_value(YUAN, v)


def amount(v: float) -> str:
    """One ledger amount (a person's or one event's, in an audit's evidence), to the cent as the
    books keep it: ¥0.60, -¥38.50. Not a measure: a measure's money is in whole yuan."""
    x = round(float(v), 2) + 0.0
    if not math.isfinite(x):
        return number(x)
    return f"{MINUS if x < 0 else ''}¥{abs(x):,.2f}"


def figure(key: str, value: Any, lang: str = "en", *, mean: bool = False) -> str:
    """A measured value or threshold written in its unit."""
    return format_value(unit(key), value, lang, mean=mean)


def change(key: str, before: float, after: float, lang: str = "en") -> str:
    """How a measure moved, in its unit, rounded then signed: +2.5 pp for shares and ratios,
    -¥200, +35; no change (after rounding) has no sign: 0.0 pp, ¥0, 0."""
    kind, delta = unit(key), float(after) - float(before)
    if kind not in STYLES:
        return figure(key, delta, lang)
    x, style, places = _rounded(kind, delta, False)
    if style.suffix == "%":  # a change in a percentage is in percentage points
        style = style._replace(suffix=" pp")
    return ("+" if x > 0 else "") + _written(x, style, places)


def interval(key: str, mean: float, half: float, lang: str = "en") -> str:
    """A mean over runs and the half-width of its interval, both in its unit: 15.7% ± 2.8 pp,
    ¥8,747 ± ¥3,289, 19.3 ± 10.2; the mean alone when there is no interval (one run)."""
    text = figure(key, mean, lang, mean=True)
    kind = unit(key)
    if half is None or math.isnan(float(half)) or kind not in STYLES:
        return text
    x, style, places = _rounded(kind, abs(float(half)), True)
    if style.suffix == "%":
        style = style._replace(suffix=" pp")
    return f"{text} ± {_written(x, style, places)}"


def unit_column_format(kind: str, *, mean: bool = False) -> dict[str, Any]:
    """Streamlit ``NumberColumn`` arguments that write a column of ``kind`` by its rule: the
    browser rounds to the step's decimals (a percent's two fewer); "yen" is whole yuan with
    the minus sign in front (-¥5,619); printf formats for the rest."""
    if kind not in STYLES:
        return {"format": "localized"}
    style = STYLES[kind]
    places = style.mean_decimals if mean else style.decimals
    if kind == YUAN:
        assert places == 0, "Streamlit's yen format writes whole yuan only"
        return {"format": "yen", "step": 1}
    if style.suffix == "%":
        return {"format": "percent", "step": round(10.0 ** -(places + 2), places + 2)}
    return {"format": f"%,.{places}f", "step": 1 if places == 0 else round(10.0 ** -places, places)}


def column_format(key: str, *, mean: bool = False) -> dict[str, Any]:
    """``NumberColumn`` arguments for a table column of one measure (see :func:`unit_column_format`)."""
    return unit_column_format(unit(key), mean=mean)


# -- the vocabulary ---------------------------------------------------------------------
def m(key: str, en: str, zh: str, unit_: str, formula: Callable | None = None, **more: str) -> None:
    _declare(MEASURES, key, en, zh, unit_, formula, **more)


def _participant_rewards(x: Measured) -> np.ndarray:
    return x.people.loc[x.participant, "rewards"].to_numpy(float)


# Market and growth
m("customers", "persons who joined the market", "进入市场人数", PERSONS,
  lambda x: int(len(x.people)), over=EVER)
m("participants", "participants (ever qualified to earn)", "参与者(曾取得计酬资格)", PERSONS,
  lambda x: int(x.participant.sum()), over=EVER)
m("participants_active", "participants active at the end", "期末在册参与者", PERSONS,
  lambda x: int(x.active_participant.sum()), over=ACTIVE_END)
m("penetration", "market penetration", "市场渗透率", SHARE,
  lambda x: len(x.people) / x.result.market_size)
for _k in (1, 7, 30, 90):
    m(f"retention_d{_k}", f"D{_k} retention (active {_k} days after joining)",
      f"{_k} 日留存(加入 {_k} 天后仍活跃)", SHARE,
      lambda x, k=_k: retention(x.people, x.result.days, k))
m("merchants_exited", "merchants that closed", "关闭的商家", COUNT,
  lambda x: int((~x.result.merchants["active"]).sum()))

# Money
m("gmv", "GMV", "销售额", YUAN, lambda x: round(x.total("gmv"), 2))
m("rewards", "rewards paid", "奖励总额", YUAN, lambda x: round(x.reward_total(), 2))
m("payout_ratio", "payout ratio (rewards ÷ GMV)", "奖励支出率(奖励 ÷ 销售额)", RATIO,
  lambda x: ratio(x["rewards"], x["gmv"]))
m("payout_to_qualifying", "rewards ÷ money paid to qualify", "奖励 ÷ 取得资格所付金额", RATIO,
  lambda x: ratio(x["rewards"], x["entry_fees_collected"]),
  doc="what 链动-type schemes mean by a payout ratio: rewards against packages and fees")
m("platform_net", "platform net (cash basis)", "平台净收入(现金口径)", YUAN,
  lambda x: round(x.total("platform_net"), 2))
m("merchant_profit", "merchant profit", "商家利润", YUAN, lambda x: round(x.total("merchant_profit"), 2))
m("capital_injected", "owners' capital injected", "股东注资", YUAN,
  lambda x: round(x.total("capital_injected"), 2))

# Where the platform's net comes from, flow by flow from the ledger: the parts add up to
# platform_net (income positive, what it pays negative). The last part is the rest: rewards
# paid from its cash, points issued less points lapsed, and pool funding.
def _flows(x: Measured, *kinds: str) -> float:
    return sum(x.total(f"flow_{k}") for k in kinds)


m("platform_net_fees", "platform net: fees and 让利 from merchants, cash-out fees",
  "平台净收入:商家佣金、让利、推广费及提现手续费", YUAN,
  lambda x: round(_flows(x, "platform_fee", "rangli", "placement_fee", "cash_out_fee"), 2))
m("platform_net_qualifying", "platform net: entry packages and membership fees, less the package goods",
  "平台净收入:入门礼包与会员费(扣除礼包商品)", YUAN,
  lambda x: round(_flows(x, "package_sale", "membership_fee") - _flows(x, "package_goods"), 2))
m("platform_net_subsidies", "platform net: coupons and marketing it pays", "平台净收入:平台承担的优惠券与营销",
  YUAN, lambda x: round(0.0 - _flows(x, "coupon_subsidy", "marketing"), 2))
m("platform_net_delivery", "platform net: delivery it pays", "平台净收入:平台承担的配送", YUAN,
  lambda x: round(0.0 - _flows(x, "fulfilment"), 2))
m("platform_net_rewards", "platform net: rewards, points and pools it funds", "平台净收入:平台出资的奖励、积分与资金池",
  YUAN, lambda x: round(x["platform_net"] - sum(x[k] for k in PLATFORM_NET_PARTS[:-1]), 2),
  doc="the rest of platform net: rewards paid from its own cash, points issued less points "
      "lapsed, and money put into pools")
PLATFORM_NET_PARTS = ("platform_net_fees", "platform_net_qualifying", "platform_net_subsidies",
                      "platform_net_delivery", "platform_net_rewards")
m("ledger_imbalance", "largest daily imbalance of the books", "账簿最大日差额", YUAN,
  lambda x: float(x.result.daily["ledger_imbalance"].abs().max()))

# Liabilities: what is owed and held in an account, and what is promised and held nowhere
m("liabilities_end", "owed and held at the end (wallets, points, pools, deposits)",
  "期末所欠且已留存(钱包、积分、资金池、押金)", YUAN, lambda x: x.last("liabilities"))
m("wallets_owed_end", "reward wallets at the end", "期末奖励钱包余额", YUAN, lambda x: x.last("wallets_owed"))
m("points_liability_end", "points at their cash value at the end", "期末积分(按现金价值)", YUAN,
  lambda x: x.last("points_liability"))
m("pool_liability_end", "pools at the end", "期末资金池余额", YUAN, lambda x: x.last("pool_liability"))
m("escrow_held_end", "deposits held at the end", "期末托管押金", YUAN, lambda x: x.last("escrow_held"))
m("promised_offbook_end", "promised and not held at the end (schedules, airdrops, entitlements)",
  "期末已承诺但未留存(返还计划、空投、权益)", YUAN, lambda x: x.last("promised_offbook"))
m("cash_held_end", "platform cash at the end", "期末平台现金", YUAN, lambda x: x.last("cash_held"))
m("promised_uncovered_end", "promised and not covered by the platform's cash at the end",
  "期末平台现金不能覆盖的承诺", YUAN,
  lambda x: max(x["promised_offbook_end"] - max(x["cash_held_end"], 0.0), 0.0),
  doc="money in wallets, points and pools is held in its own account, so only promises "
      "the books do not hold can be uncovered, and the platform's free cash backs them")
m("uncovered_promise_share", "share of everything owed and promised that nothing backs",
  "所欠及承诺中无任何资金支持的比例", SHARE,
  lambda x: ratio(x["promised_uncovered_end"], x["liabilities_end"] + x["promised_offbook_end"]))

# Who paid what: sales by the buyer's status when they paid
m("participant_spend", "paid while a participant (packages and fees included)",
  "作为参与者期间的支出(含礼包与会费)", YUAN, lambda x: float(x.people["spend_as_participant"].sum()))
m("sales_to_non_participants", "paid while not a participant", "非参与者期间的支出", YUAN,
  lambda x: float(x.spend_as_customer.sum()))
m("internal_consumption_share", "internal consumption: share of all money persons paid that "
  "they paid as participants", "内部自购占比:参与者身份期间的支出占全部支出", SHARE,
  lambda x: ratio(x["participant_spend"], x["participant_spend"] + x["sales_to_non_participants"]))
m("non_participant_sales_share", "share of all money persons paid that non-participants paid",
  "非参与者支出占全部支出的比例", SHARE,
  lambda x: ratio(x["sales_to_non_participants"], x["participant_spend"] + x["sales_to_non_participants"]))
m("end_user_share", "end-user share: non-participants' purchases and participants' own "
  "consumption at fair value, of all money paid", "终端用户销售占比(非参与者消费加参与者按公允价值的自用)",
  SHARE, lambda x: ratio(x["sales_to_non_participants"] + min(
      float(x.people["value_received_as_participant"].sum()), x["participant_spend"]),
      x["participant_spend"] + x["sales_to_non_participants"]))
m("own_sales_to_consumers", "own sales to consumers (what the customers each participant "
  "brought in paid while customers)", "本人直接向消费者的销售额(其带来的顾客在非参与者期间的支出)",
  YUAN, lambda x: float(x.people["own_sales"].sum()), over=EVER)
m("organisation_outside_share", "share of organisations' revenue from non-participants (all "
  "participants' own purchases and their customers' together)", "组织销售收入中来自非参与者的占比",
  SHARE, lambda x: ratio(x["own_sales_to_consumers"], x["own_sales_to_consumers"] + x["participant_spend"]))

# Rewards by what triggered them and whom they pay
m("reward_share_recruitment", "share of rewards triggered by someone joining", "因他人加入而触发的奖励占比",
  SHARE, lambda x: x.reward_share("join"))
m("rewards_on_joins", "rewards triggered by someone joining", "因他人加入而触发的奖励", YUAN,
  lambda x: x.reward_total(x.flow_masks["join"]))
m("reward_share_join_funded", "share of rewards triggered by joins that newcomers' payments to "
  "qualify fund", "由新成员加入触发、且可由其入门付款支付的奖励占比", SHARE,
  lambda x: ratio(min(x["rewards_on_joins"], x["entry_fees_collected"]), x["rewards"]),
  doc="compensation derived from the introduction of others: triggered by joins and funded by the "
      "newcomers' contributions (C-515/12), an indirect link sufficing (C-667/15)")
m("reward_share_team", "share of rewards that are team pay (depth ≥ 2, a participant recruit's "
  "purchases, or a rank set by team volume)", "团队计酬占比(两层及以上、参与者下线的消费、按团队业绩定级)",
  SHARE, lambda x: x.reward_share("team"))
m("team_rewards", "team pay (团队计酬)", "团队计酬", YUAN, lambda x: x.reward_total(x.flow_masks["team"]))
m("share_rewards_depth_ge_2", "share of rewards paid two or more sponsor links above the trigger",
  "支付给触发者两层及以上上线的奖励占比", SHARE, lambda x: x.reward_share("deep"))
m("reward_share_end_user_sales", "share of rewards on non-participants' purchases (depth ≥ 1)",
  "按非参与者消费计酬的奖励占比", SHARE, lambda x: x.reward_share("sale", negate=("internal", "depth0")))
m("reward_share_internal_sales", "share of rewards on participants' purchases (depth ≥ 1)",
  "按参与者消费计酬的奖励占比", SHARE, lambda x: x.reward_share("sale", "internal", negate=("depth0",)))
m("reward_share_own_purchase", "share of rewards on the payee's own purchases (rebates, points)",
  "按本人消费返还的奖励占比", SHARE, lambda x: x.reward_share("depth0"))
m("reward_share_direct_consumer_sales", "share of rewards on one's own customers' purchases",
  "按本人顾客消费计酬的奖励占比", SHARE, lambda x: x.reward_share("own_sale"))
m("seller_rewards", "pay to recruited sellers (rules paying participants only)",
  "支付给被招募销售人员的报酬", YUAN, lambda x: x.reward_total(x.flow_masks["seller"]))
m("seller_rewards_on_own_sales", "sellers' pay on their own sales to consumers",
  "按本人向消费者销售计算的报酬", YUAN,
  lambda x: x.reward_total(x.flow_masks["seller"] & x.flow_masks["own_sale"]))
m("seller_rewards_off_own_sales", "sellers' pay not on their own sales to consumers",
  "并非按本人向消费者销售计算的报酬", YUAN, lambda x: x["seller_rewards"] - x["seller_rewards_on_own_sales"])
m("appointed_rewards", "paid to hosts and leaders the platform appoints", "支付给平台签约主播或团长", YUAN,
  lambda x: x.reward_total(x.flow_masks["appointed"]))
m("customer_rewards", "paid to every customer alike on their own purchases (points, rebates)",
  "按顾客本人消费一律支付的积分或返利", YUAN, lambda x: x.reward_total(x.flow_masks["customer"]))
m("internal_reward_share", "share of sellers' pay triggered by participants' own purchases "
  "(packages included)", "由参与者自身购买(含礼包)触发的销售人员报酬占比", SHARE,
  lambda x: ratio(x.reward_total(x.flow_masks["seller"] & x.flow_masks["internal"]), x["seller_rewards"]))
m("pay_to_own_sales", "sellers' pay ÷ their own sales to consumers (all sellers together)",
  "销售人员报酬 ÷ 其本人向消费者的销售额(合计)", RATIO,
  lambda x: x["seller_rewards"] / x["own_sales_to_consumers"] if x["own_sales_to_consumers"]
  else (math.inf if x["seller_rewards"] > HALF_CENT else 0.0))
m("salespersons", "salespersons: persons paid as recruited sellers", "获得报酬的销售人员", PERSONS,
  lambda x: int(x.salesperson.sum()), over=EVER)

# Chains and the organisation (everyone who ever took part)
m("max_paid_depth", "deepest paid depth", "最深计酬层级", LEVELS,
  lambda x: int(x.flows["depth"].max()) if len(x.flows) else 0)
m("org_levels", "organisation levels (organiser = 1, everyone who ever took part)",
  "组织层级(组织者为第一级,含所有曾参与者)", LEVELS,
  lambda x: int(x.column("level").max(initial=0)), over=EVER)
m("org_levels_active", "organisation levels among participants active at the end",
  "期末在册参与者的组织层级", LEVELS, lambda x: int(organisation_levels(
      np.where(x.sponsor_row >= 0, x.sponsor_row, -1), x.active_participant).max(initial=0)),
  over=ACTIVE_END)
m("largest_organisation", "participants in the largest organisation", "最大组织的参与者人数", PERSONS,
  lambda x: int(x.organisations[0].max(initial=0)), over=EVER)
m("rewards_by_depth", "rewards by paid depth", "各计酬层级的奖励", TABLE,
  lambda x: x.flows.groupby("depth", as_index=False).agg(amount=("amount", "sum"), count=("count", "sum")))

# Entry: what it costs to become able to earn
m("entry_fee", "price of qualifying once", "取得计酬资格的一次性价格", YUAN,
  lambda x: float(x.qualifier.entry_fee) if x.qualifier else 0.0)
m("entry_goods_value", "goods' fair value in the price of qualifying", "资格价格所含商品的公允价值", YUAN,
  lambda x: float(getattr(x.result.scenario.qualifier, "goods_value", 0.0)) if x.qualifier else 0.0)
m("entry_fee_above_goods_value", "price of qualifying beyond the goods' value", "资格价格超出商品价值部分",
  YUAN, lambda x: max(x["entry_fee"] - x["entry_goods_value"], 0.0))
m("entry_buys_right_to_earn", "paying to qualify is what gives the right to be paid",
  "付费取得资格即取得计酬权", FLAG,
  lambda x: bool(x.qualifier and x.qualifier.purchase_required_to_earn and x.kinds(SELLER)),
  doc="a rule pays participants only, and qualifying costs a purchase or a fee")
m("payment_for_right_to_earn", "payment for the right to earn (entry fee, 0 if it buys no such right)",
  "为取得计酬权支付的费用(不取得计酬权则为 0)", YUAN,
  lambda x: x["entry_fee"] if x["entry_buys_right_to_earn"] else 0.0)
m("entry_goods_cost", "what the goods supplied on qualifying cost the platform", "资格所附商品的平台成本",
  YUAN, lambda x: float(getattr(x.result.scenario.qualifier, "goods_cost", 0.0)) if x.qualifier else 0.0)
m("payment_to_company", "payment to the company for the right to earn: the price of qualifying "
  "beyond what its goods cost the company (0 if it buys no right to be paid)",
  "为取得计酬权付给公司的款项:资格价格超出所附商品成本的部分(不取得计酬权则为 0)", YUAN,
  lambda x: max(x["payment_for_right_to_earn"] - x["entry_goods_cost"], 0.0),
  doc="Koscot's first prong: a starter kit sold at cost pays the company nothing (In re Amway, 1979); "
      "a required purchase it profits on does (Webster v. Omnitrition, 1996)")
m("entry_fee_payers", "persons who paid to qualify", "付费取得资格的人数", PERSONS,
  lambda x: int((x.column("entry_paid") > 0).sum()), over=EVER)
m("entry_fees_collected", "money paid to qualify (packages and fees, renewals included)",
  "取得资格所付金额(礼包与会费,含续费)", YUAN, lambda x: float(x.people["entry_paid"].sum()), over=EVER)

# Participants' results (everyone who ever took part)
m("share_losing_money", "participants losing money", "亏损参与者占比", SHARE,
  lambda x: float((x.net < 0).mean()) if len(x.net) else 0.0, over=EVER)
m("share_broke_even", "participants breaking even", "持平参与者占比", SHARE,
  lambda x: float((x.net == 0).mean()) if len(x.net) else 0.0, over=EVER)
m("share_profited", "participants in profit", "盈利参与者占比", SHARE,
  lambda x: float((x.net > 0).mean()) if len(x.net) else 0.0, over=EVER)


def _losing_third(x: Measured, late: bool) -> float:
    day = x.people.loc[x.participant, "participant_day"].to_numpy()
    order = np.argsort(day, kind="stable")
    third = len(order) // 3
    ids = order[len(order) - third:] if late else order[:third]
    return float((x.net[ids] < 0).mean()) if len(ids) else 0.0


m("share_losing_early", "first third of participants (by day qualified) losing money",
  "最早三分之一参与者中亏损的比例", SHARE, lambda x: _losing_third(x, False), over=EVER)
m("share_losing_late", "last third of participants (by day qualified) losing money",
  "最晚三分之一参与者中亏损的比例", SHARE, lambda x: _losing_third(x, True), over=EVER)
m("participants_net_total", "participants' net results added up", "参与者净收益合计", YUAN,
  lambda x: float(x.net.sum()), over=EVER)
m("median_net", "participants' median net result", "参与者净收益中位数", YUAN,
  lambda x: float(np.median(x.net)) if len(x.net) else 0.0, over=EVER)
m("rewards_gini", "Gini coefficient of participants' rewards", "参与者奖励的基尼系数", COEFFICIENT,
  lambda x: gini(_participant_rewards(x)), over=EVER)


def _top1(x: Measured) -> float:
    r = np.sort(_participant_rewards(x))[::-1]
    return ratio(float(r[:max(1, len(r) // 100)].sum()), float(r.sum()))


m("top1_share_rewards", "top 1% of participants' share of participants' rewards",
  "前 1% 参与者获得的奖励占参与者奖励的比例", SHARE, _top1, over=EVER)


def _cohorts(x: Measured) -> pd.DataFrame:
    day = x.people.loc[x.participant, "participant_day"].to_numpy()
    frame = pd.DataFrame({"week": day // WEEK, "net": x.net})
    out = frame.groupby("week", as_index=False).agg(
        participants=("net", "size"), mean_net=("net", "mean"),
        share_losing=("net", lambda s: float((s < 0).mean())))
    return out.assign(start_day=out["week"] * WEEK)


m("net_by_cohort", "participants' net result by the week they qualified", "按取得资格周统计的参与者净收益",
  TABLE, _cohorts, over=EVER)


def _lorenz(x: Measured, points: int = 600) -> pd.DataFrame:
    r = np.sort(_participant_rewards(x))
    if not len(r) or r.sum() == 0:
        return pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]})
    curve = pd.DataFrame({"x": np.concatenate([[0], np.arange(1, len(r) + 1) / len(r)]),
                          "y": np.concatenate([[0], np.cumsum(r) / r.sum()])})
    if len(curve) > points:  # a few hundred points draw the same curve
        curve = curve.iloc[np.unique(np.linspace(0, len(curve) - 1, points).astype(int))]
    return curve.reset_index(drop=True)


m("rewards_lorenz", "Lorenz curve of participants' rewards", "参与者奖励的洛伦兹曲线", TABLE, _lorenz, over=EVER)


# The pyramid-risk index: each part scores one measure on 0..1 and carries a weight in points.
class Component(NamedTuple):
    key: str       # batch runs report the part's points as metric risk_<key>
    name_en: str
    name_zh: str
    weight: int
    measure: str   # the measure it scores
    how_en: str
    how_zh: str

    @property
    def metric(self) -> str:
        return f"risk_{self.key}"


COMPONENTS = (
    Component("recruitment", "Pay for recruitment", "拉人头报酬占比", 25, "reward_share_recruitment",
              "share of rewards triggered by someone joining", "因他人加入而触发的奖励占比"),
    Component("entry_fee", "Entry fee beyond goods", "入门费中超出商品价值部分", 15, "entry_fee_excess_share",
              "share of the payment for the right to earn not matched by goods at fair value (0 "
              "if qualifying is free or buys no right to be paid)",
              "为取得计酬权支付的费用中未被商品公允价值覆盖的比例(免费或不取得计酬权为 0)"),
    Component("team_pay", "Team pay", "团队计酬占比", 15, "reward_share_team",
              "share of rewards that are team pay (depth ≥ 2, a participant recruit's purchases, "
              "or a rank set by team volume)", "团队计酬占全部奖励的比例(两层及以上、参与者下线的消费、按团队业绩定级)"),
    Component("internal_consumption", "Internal consumption", "内部自购占比", 15, "internal_consumption_share",
              "share of all money persons paid that they paid as participants", "参与者身份期间的支出占全部支出的比例"),
    Component("losing_money", "Participants losing money", "亏损参与者占比", 15, "share_losing_money",
              "share of participants whose rewards plus goods' value fall short of what they paid",
              "奖励加所得商品价值低于其支出的参与者比例"),
    Component("concentration", "Concentration of rewards", "奖励集中度", 10, "rewards_gini",
              "Gini coefficient of rewards among participants", "参与者奖励的基尼系数"),
    Component("uncovered_promises", "Uncovered promises", "未覆盖的承诺", 5, "uncovered_promise_share",
              "share of everything owed and promised at the end that no account or platform cash backs",
              "期末所欠及承诺中既无账户留存、也无平台现金支持的比例"),
)

m("entry_fee_excess_share", "share of the payment for the right to earn beyond the goods' value",
  "计酬权费用中超出商品价值的比例", SHARE,
  lambda x: ratio(max(x["payment_for_right_to_earn"] - x["entry_goods_value"], 0.0), x["payment_for_right_to_earn"]))
for _c in COMPONENTS:
    m(_c.metric, f"risk: {_c.name_en.lower()}", f"风险分项:{_c.name_zh}", POINTS,
      lambda x, c=_c: c.weight * min(max(float(x[c.measure]), 0.0), 1.0))
m("risk_index", "pyramid-risk index (0–100, a screening score)", "传销风险指数(0–100,筛查分数)", POINTS,
  lambda x: sum(x[c.metric] for c in COMPONENTS))

# A verdict's working: named here, computed by the legal test whose thresholds it uses (or
# by the recruitment-stop stress test, over its window).
for _key, _en, _zh, _unit, _by in (
        ("salespersons_over_cap", "salespersons paid more than 30% of their own sales to consumers",
         "报酬超过本人向消费者销售额 30% 的销售人员", PERSONS, "cn.direct_selling.art24_pay_cap"),
        ("salespersons_paid_off_own_sales", "salespersons paid on anything but their own sales to consumers",
         "获得非按本人向消费者销售计算报酬的销售人员", PERSONS, "cn.direct_selling.art24_pay_cap"),
        ("worst_pay_to_own_sales", "highest one salesperson's pay ÷ own sales to consumers",
         "单个销售人员报酬 ÷ 本人销售额的最高值", RATIO, "cn.direct_selling.art24_pay_cap"),
        ("over_threshold", "at or over the prosecution threshold", "达到立案追诉标准", FLAG,
         "cn.criminal.art224_1_prosecution"),
        ("elements_met", "a price of admission and pay by recruitment both present",
         "同时具备入门费与按发展人员计酬", FLAG, "cn.criminal.art224_1_prosecution"),
        ("heads_over_threshold", "persons heading an organisation over the threshold",
         "所领导组织达到标准的人数", PERSONS, "cn.criminal.art224_1_prosecution"),
        ("payouts_before_stop", "mean daily rewards before the stop day", "停止日前日均奖励", YUAN,
         "stress_test"),
        ("payouts_after_stop", "mean daily rewards after the stop day", "停止日后日均奖励", YUAN,
         "stress_test"),
        ("payout_drop", "fall in mean daily rewards after the stop day", "停止日后日均奖励降幅", RATIO,
         "stress_test"),
        ("gmv_after_stop", "mean daily GMV after the stop day", "停止日后日均销售额", YUAN, "stress_test"),
        ("salespersons_below_half_outside", "paid salespersons whose organisation's revenue was "
         "not more than half from non-participants", "组织销售收入未过半来自非参与者的获酬销售人员",
         PERSONS, "us.ftc.vemma_2016"),
        ("pay_to_salespersons_below_half_outside", "share of sellers' pay that went to them",
         "其所获报酬占销售人员报酬的比例", SHARE, "us.ftc.vemma_2016")):
    m(_key, _en, _zh, _unit, by=_by)


# A choice between models (`sim choose`): figures about a set of runs, computed there.
for _key, _en, _zh, _unit, _doc in (
        ("objective_mix", "weighted mix of measures", "加权组合指标", SCORE,
         "each measure divided by its mean absolute value over the models' runs, then weighted"),
        ("choice_rank", "rank", "排名", COUNT, "by the objective's mean over the replicates (1: best)"),
        ("probability_best", "probability of being best", "最优概率", SHARE,
         "share of the common seeds on which the model beats every other (ties shared)"),
        ("robust_win_share", "share of sampled markets won", "取样市场中胜出的比例", SHARE,
         "share of the Latin-hypercube points over the market's uncertain parameters where it ranks first")):
    m(_key, _en, _zh, _unit, by="sim.choose", doc=_doc)


# -- daily series ----------------------------------------------------------------------------
def s(key: str, en: str, zh: str, unit_: str, formula: Callable | None = None) -> None:
    _declare(SERIES, key, en, zh, unit_, formula or (lambda d, c=key: d[c].to_numpy()))


def _per(d: pd.DataFrame, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros(len(d)), where=b > 0)


for _key, _en, _zh, _unit in (
        ("consumers", "customers active", "活跃顾客", PERSONS),
        ("distributors", "代理 active", "在册代理", PERSONS),
        ("leaders", "leaders active", "在册团长/老板", PERSONS),
        ("active", "active users", "活跃用户", PERSONS),
        ("adopted", "ever joined", "累计加入", PERSONS),
        ("new_customers", "new customers per day", "每日新顾客", PERSONS),
        ("new_participants", "new participants per day", "每日新增参与者", PERSONS),
        ("churned", "left per day", "每日流失", PERSONS),
        ("orders", "orders per day", "每日订单数", COUNT),
        ("gmv", "GMV per day", "每日销售额", YUAN),
        ("rewards", "rewards per day", "每日奖励", YUAN),
        ("platform_revenue", "platform revenue per day", "每日平台收入", YUAN),
        ("platform_net", "platform net per day", "每日平台净收入", YUAN),
        ("merchant_revenue", "merchant revenue per day", "每日商家收入", YUAN),
        ("merchant_profit", "merchant profit per day", "每日商家利润", YUAN),
        ("merchants_open", "merchants open", "营业商家数", COUNT),
        ("cash_held", "platform cash", "平台现金", YUAN),
        ("liabilities", "owed and held (wallets, points, pools, deposits)", "所欠且已留存(钱包、积分、资金池、押金)", YUAN),
        ("wallets_owed", "reward wallets", "奖励钱包余额", YUAN),
        ("points_liability", "points at their cash value", "积分(按现金价值)", YUAN),
        ("pool_liability", "pools", "资金池余额", YUAN),
        ("escrow_held", "deposits held", "托管押金", YUAN),
        ("capital_injected", "owners' capital injected per day", "每日股东注资", YUAN),
        ("cashed_out", "cashed out per day", "每日提现", YUAN),
        ("ledger_imbalance", "imbalance of the books", "账簿差额", YUAN),
        ("promised_offbook", "promised and not held", "已承诺但未留存", YUAN),
        ("refunds_overdue", "refunds due and unpaid", "到期未付的返还", YUAN),
        ("airdrop_remaining", "共享积分 still to be airdropped (value)", "尚未空投的共享积分(价值)", YUAN),
        ("loans_outstanding", "merchants' loans outstanding", "商家未偿贷款", YUAN),
        ("loan_written_off", "loans written off per day", "每日核销贷款", YUAN),
        ("rewards_forfeited", "rewards not paid to payees at their cap (出局) per day",
         "因出局封顶未发放的奖励(每日)", YUAN)):
    s(_key, _en, _zh, _unit)
s("participants", "participants (代理 + leaders)", "参与者(代理 + 团长)", PERSONS,
  lambda d: (d["distributors"] + d["leaders"]).to_numpy())
s("retained", "share of everyone who joined still active", "累计加入者中仍活跃的比例", SHARE,
  lambda d: _per(d, d["active"].to_numpy(float), d["adopted"].to_numpy(float)))
s("payout_ratio_to_date", "payout ratio to date (cumulative rewards ÷ GMV)", "累计奖励支出率(累计奖励 ÷ 累计销售额)",
  RATIO, lambda d: _per(d, d["rewards"].cumsum().to_numpy(float), d["gmv"].cumsum().to_numpy(float)))


def series(daily: pd.DataFrame, keys: Iterable[str]) -> pd.DataFrame:
    """Declared daily series of a run's daily table, with its ``day`` column."""
    return pd.DataFrame({"day": daily["day"].to_numpy(), **{k: SERIES[k].formula(daily) for k in keys}})


# Names of the flow types and reward kinds that head flow_<type> and reward_<kind> columns.
FLOW_NAMES: dict[str, tuple[str, str]] = {
    "sale": ("retail sales", "零售销售"), "platform_fee": ("platform fees", "平台佣金"),
    "rangli": ("merchants' 让利", "商家让利"), "cogs": ("cost of goods", "商品成本"),
    "merchant_overhead": ("merchants' fixed costs", "商家固定成本"), "fulfilment": ("delivery", "配送"),
    "package_sale": ("entry packages", "入门礼包"), "package_goods": ("package goods", "礼包商品"),
    "cash_out": ("cash-outs", "提现"), "cash_out_fee": ("cash-out fees", "提现手续费"),
    "repurchase": ("rewards spent on buying the package again", "奖励用于复购"),
    "capital_injection": ("capital injected", "股东注资"), "coupon_subsidy": ("coupon subsidies", "优惠券补贴"),
    "membership_fee": ("membership fees", "会员费"), "marketing": ("marketing", "营销"),
    "points_issued": ("points issued", "积分发放"), "points_expired": ("points expired", "积分过期"),
    "pool_funding": ("pool funding", "资金池注入"), "wallet_goods": ("goods bought from wallets", "钱包购物"),
    "deposit": ("deposits", "押金"), "refund": ("refunds", "退款"), "escrow_sale": ("settled group sales", "成团销售"),
    "loan": ("loans", "贷款"), "loan_repayment": ("loan repayments", "还款"), "loan_interest": ("loan interest", "贷款利息"),
    "placement_fee": ("placement fees", "推广费"), "airdrop_merchants": ("merchants' airdrops", "商家空投"),
}
REWARD_NAMES: dict[str, tuple[str, str]] = {
    "direct_referral": ("direct referral reward", "直推奖"),
    "referral_bonus": ("free referral bonus per new user", "拉新奖"),
    "multi_level_commission": ("multi-level commission", "多级分销佣金"),
    "geometric_commission": ("geometric multi-level commission", "几何递减多级佣金"),
    "differential": ("rank-differential bonus", "级差奖"),
    "jiandian": ("per-head bonus on each new team member", "见点奖"),
    "pingji": ("same-rank bonus", "平级奖"),
    "leader_commission": ("group-buy leader's commission", "团长佣金"),
    "creator_commission": ("creator's commission", "达人佣金"),
    "creator_ad_share": ("creator's share of ad revenue", "达人广告分成"),
    "streamer_commission": ("streamer's commission", "主播佣金"),
    "slot_fee": ("live-stream slot fee", "坑位费"),
    "leaderboard_prize": ("leaderboard prize", "排行榜奖励"),
    "points_redeemed": ("points redeemed for goods", "积分兑换"),
    "points_pool": ("points-pool appreciation paid out", "积分池增值兑付"),
    "share_points": ("points for sharing", "分享奖励积分"),
    "shared_points": ("shared-purchase airdrop points", "共享购空投积分"),
    "dividend": ("dividend from the contribution pool", "贡献值分红"),
    "tier_refund": ("让利-tier refund", "让利分档返还"),
    "consumption_refund": ("consumption-rebate refund", "消费全返返还"),
}
assert set(FLOW_NAMES) == set(FLOWS), "every ledger flow type needs a name"


def markdown() -> str:
    """The vocabulary as a Markdown page (docs/measures.md is this, and a test keeps it so)."""
    over = {EVER: "everyone who ever took part", ACTIVE_END: "active at the end", "": ""}
    lines = ["# Measures / 指标",
             "",
             "Every figure Scheme Lab shows or stores, declared once in `sim/measures.py`: its key, its",
             "names, its unit and whom it covers. Shares and coefficients are always within 0–1;",
             "ratios (payout ratios, pay ÷ own sales) are written as percentages and can exceed 100%.",
             "Generated by `sim measures > docs/measures.md`; a test keeps it in step with the code.",
             "",
             "## Run measures",
             "",
             "| key | name | 名称 | unit | covers | note |",
             "|---|---|---|---|---|---|"]
    for k, m in MEASURES.items():
        note = f"computed by the legal test `{m.by}`" if m.by else m.doc
        lines.append(f"| `{k}` | {m.en} | {m.zh} | {m.unit} | {over[m.over]} | {note} |")
    lines += ["", "## How figures are written / 数值写法", "",
              "One rule per unit, the same in the CLI, the HTML report and the dashboard's tables",
              "(`format_value`, `column_format`). A value is rounded first, then signed: a figure that",
              "rounds to zero has no sign (0.0%, ¥0, 0.0 pp). The minus sign is ASCII '-', in front of",
              "the currency sign (-¥5,619), as the browser writes the dashboard's tables. A statistic over",
              "runs (a mean, median or interval bound) keeps one decimal for counts; a change in a share",
              "or ratio is in percentage points (pp); a sweep's cell is its mean ± the half-width of its",
              "95% confidence interval, both in the unit. An audit's evidence (one person's or one",
              "event's ledger amounts) is not a measure and keeps the cents: -¥38.50.",
              "",
              "| unit | rule | 写法 | examples (value → as written) |", "|---|---|---|---|"]
    for kind, style in STYLES.items():
        shown = [f"{'mean ' if mean else ''}{v!r} → {format_value(kind, v, mean=mean)}"
                 for v, mean in STYLE_EXAMPLES[kind]]
        lines.append(f"| {kind} | {style.en} | {style.zh} | {'; '.join(shown)} |")
    lines += ["", "## Daily series (columns of `result.daily`)", "",
              "| key | name | 名称 | unit |", "|---|---|---|---|"]
    lines += [f"| `{k}` | {m.en} | {m.zh} | {m.unit} |" for k, m in SERIES.items()]
    lines += ["", "Also `flow_<type>` (money moved per day by each ledger flow type) and `reward_<kind>`",
              "(rewards paid per day by each reward kind), named after the flow or the reward:", "",
              "| flow type | name | 名称 |", "|---|---|---|"]
    lines += [f"| `{k}` | {en} | {zh} |" for k, (en, zh) in FLOW_NAMES.items()]
    lines += ["", "| reward kind | name | 名称 |", "|---|---|---|"]
    lines += [f"| `{k}` | {en} | {zh} |" for k, (en, zh) in REWARD_NAMES.items()]
    return "\n".join(lines) + "\n"
