"""Scenario files: TOML, parsed (never executed), validated against the declared schema.

A scenario is ``[scenario]`` (identity and provenance), ``[market]``, ``[retail]``,
``[churn]`` and one ``[rules.KEY]`` table per incentive mechanism it composes. Every problem
is reported as one line naming the file, the key and what is allowed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.rules import REGISTRY, Rule
from sim.ledger import SELLER
from sim.markets import market_tables
from sim.rules.base import MAX_CENTS, ROUNDING
from sim.schema import MAX_FILE_BYTES, build, check_sections, parse, read_text, read_toml
from sim.sections import ID_PATTERN, Case, Churn, Market, Meta, Retail

SECTIONS = {"scenario": Meta, "market": Market, "retail": Retail, "churn": Churn}
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
# Decided cases (family "cases"): public decisions encoded as scenarios, with a [case] table.
CASES_DIR = SCENARIO_DIR / "cases"


@dataclass(frozen=True)
class Scenario:
    """A business model ready to run: validated sections and the rules it composes."""
    meta: Meta
    market: Market
    retail: Retail
    churn: Churn
    rules: tuple[Rule, ...]
    source: str = "<dict>"
    case: Case | None = None    # the decision, for a scenario of family "cases"

    @property
    def id(self) -> str:
        return self.meta.id

    def rule(self, key: str) -> Rule | None:
        return next((r for r in self.rules if r.key == key), None)

    @property
    def qualifier(self) -> Rule | None:
        """The rule that decides who becomes a participant, if the model has participants."""
        return next((r for r in self.rules if r.facts().qualifies), None)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data; ``load_scenario(s.to_dict())`` gives it back."""
        out: dict[str, Any] = {name: _plain(getattr(self, attr)) for name, attr in
                               (("scenario", "meta"), ("market", "market"), ("retail", "retail"),
                                ("churn", "churn"))}
        out["rules"] = {r.key: _plain(r) for r in self.rules}
        if self.case is not None:
            out["case"] = _plain(self.case)
        return out

    def content_hash(self) -> str:
        """Stable hash of the parameters (not the file's comments or layout)."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_market(self, **changes: Any) -> Scenario:
        """A copy with market keys changed, validated like a file would be."""
        table = {**_plain(self.market), **changes}
        market = build(Market, table, source=self.source, prefix="market")
        changed = dataclasses.replace(self, market=market)
        _check_composition(changed)  # e.g. a bigger market must still keep its books exact
        return changed


def _plain(obj: Any) -> dict[str, Any]:
    return {f.name: (list(v) if isinstance(v := getattr(obj, f.name), tuple) else v)
            for f in dataclasses.fields(obj)}


def load_scenario(src: str | Path | dict | Scenario) -> Scenario:
    """Load and validate a scenario from a TOML path, a scenario id, or a parsed dict.

    Raises :class:`ScenarioError` naming the file, key and what is allowed.
    """
    if isinstance(src, Scenario):
        return src
    if isinstance(src, dict):
        return _from_table(src, "<dict>")
    path = Path(src)
    if ID_PATTERN.fullmatch(str(src)) and not _exists(path):
        path = next((d / f"{src}.toml" for d in (SCENARIO_DIR, CASES_DIR)
                     if (d / f"{src}.toml").is_file()), path)
    return _from_table(read_toml(path, what=("scenario", "场景")), str(path))


def _exists(path: Path) -> bool:
    try:
        os.stat(path)
    except (OSError, ValueError):  # a name too long or with a NUL byte names nothing
        return False
    return True


def _from_table(table: dict[str, Any], source: str) -> Scenario:
    check_sections(table, (*SECTIONS, "rules", "case"), source=source)
    if "scenario" not in table:
        raise ScenarioError(source, "scenario", "missing section (id, names and source are required)",
                            zh="缺少该配置段(id、名称和来源必填)")
    meta = build(Meta, table["scenario"], source=source, prefix="scenario")
    # A named market profile is where [market] and [churn] start; the file's own keys override it.
    base = market_tables(meta.market_profile, source)
    parts = {"scenario": meta, **{
        name: build(cls, {**base.get(name, {}), **body} if isinstance(body := table.get(name, {}), dict)
                    else body, source=source, prefix=name)
        for name, cls in SECTIONS.items() if name != "scenario"}}
    rules_table = table.get("rules", {})
    if not isinstance(rules_table, dict):
        raise ScenarioError(source, "rules", "must be a table of [rules.KEY] tables",
                            zh="必须是由 [rules.KEY] 表组成的表")
    rules = []
    for key, body in rules_table.items():
        if key not in REGISTRY:
            listed = ", ".join(REGISTRY)
            raise ScenarioError(source, f"rules.{key}", f"unknown rule; allowed: {listed}",
                                zh=f"未知的规则;允许:{listed}")
        rules.append(build(REGISTRY[key], body, source=source, prefix=f"rules.{key}"))
    case = build(Case, table["case"], source=source, prefix="case") if "case" in table else None
    if (case is None) == (parts["scenario"].family == "cases"):
        raise ScenarioError(source, "case" if case is None else "scenario.family",
                            "a decided case needs both family = \"cases\" and a [case] table",
                            zh="判例场景必须同时设置 family = \"cases\" 和 [case] 表")
    scenario = Scenario(parts["scenario"], parts["market"], parts["retail"], parts["churn"],
                        tuple(rules), source, case)
    _check_composition(scenario)
    return scenario


def _check_composition(s: Scenario) -> None:
    """Checks across rules: one way to qualify, someone to pay, and never more than 100%."""
    qualifiers = [r.key for r in s.rules if r.facts().qualifies]
    if len(qualifiers) > 1:
        raise ScenarioError(s.source, f"rules.{qualifiers[1]}",
                            f"only one rule may decide who becomes a participant; also {qualifiers[0]}",
                            zh=f"只能有一条规则决定谁成为参与者;另一条是 {qualifiers[0]}")
    payers = [r.key for r in s.rules if r.facts().reward_kinds and r.facts().payees == SELLER]
    if payers and not qualifiers:
        raise ScenarioError(s.source, f"rules.{payers[0]}",
                            "pays participants, but no rule makes anyone a participant; "
                            "add [rules.entry_package] (price = 0 for free sign-up)",
                            zh="向参与者发放奖励,但没有规则让任何人成为参与者;"
                               "请添加 [rules.entry_package](免费加入则设 price = 0)")
    signed = sum(r.hosts_signed() for r in s.rules)
    room = s.market.size - s.market.founders
    if signed > room:
        raise ScenarioError(s.source, _largest(s, lambda r: r.hosts_signed(), "hosts_key"),
                            f"signs {signed:,} hosts (creators, streamers) on day 0, but market.size "
                            f"leaves only {room:,} persons besides market.founders",
                            zh=f"第 0 天签约 {signed:,} 名主持人(达人、主播),但 market.size 除去 "
                               f"market.founders 只剩 {room:,} 人")
    # Everyone buying the largest basket every day: the scale of the money a run can move.
    scale = s.market.size * s.market.days * s.market.basket * s.retail.price * 100
    if scale > MAX_CENTS:
        raise ScenarioError(s.source, "retail.price",
                            f"market.size × market.days × market.basket × retail.price is "
                            f"¥{scale / 100:,.0f}, more than ¥{MAX_CENTS / 100:,.0f}, the most a "
                            f"run's books keep exact to the cent; make one of them smaller",
                            zh=f"market.size × market.days × market.basket × retail.price 为 "
                               f"¥{scale / 100:,.0f},超过账本能精确到分的上限 ¥{MAX_CENTS / 100:,.0f};"
                               f"请减小其中一项")
    on_sales = sum(r.reward_rate_on_sales() for r in s.rules)
    if on_sales > 1 + ROUNDING:
        raise ScenarioError(s.source, _largest(s, lambda r: r.reward_rate_on_sales(), "sales_amount_key"),
                            f"rewards on a sale add up to {on_sales:.0%} of its price; at most 100%",
                            zh=f"一笔销售的奖励合计为售价的 {on_sales:.0%};最多 100%")
    if qualifiers:
        price = s.qualifier.price  # type: ignore[union-attr]
        per_join = sum(r.reward_per_join(price) for r in s.rules)
        if per_join > price * (1 + ROUNDING):
            raise ScenarioError(
                s.source, _largest(s, lambda r: r.reward_per_join(price), "join_amount_key"),
                f"rewards per new participant add up to {per_join:g} yuan, more than the "
                f"{price:g} yuan entry package they are paid from (at most 100%)",
                zh=f"每名新参与者的奖励合计 {per_join:g} 元,超过了支付这些奖励的 "
                   f"{price:g} 元入门礼包(最多 100%)")


def _largest(s: Scenario, amount: Any, key_attr: str) -> str:
    """The key of the rule contributing most, e.g. ``rules.liandong.jiandian``."""
    rule = max(s.rules, key=amount)
    return f"rules.{rule.key}.{getattr(rule, key_attr)}"


def scenario_paths() -> list[Path]:
    """Every shipped scenario file: the business models sorted by name, then the decided
    cases under ``scenarios/cases/`` sorted by name."""
    return sorted(SCENARIO_DIR.glob("*.toml")) + sorted(CASES_DIR.glob("*.toml"))
