"""Every message the loader can give has a Chinese text, for the dashboard's Chinese page.

``str(err)`` and the command line stay English (tests/test_bad_input.py checks both languages on
its bad files); here: what each parameter type allows, in Chinese, and every cross-field problem
of every section and rule, triggered one by one and checked in the source, so that a new problem
written in English only fails a test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sim
from sim.rules import REGISTRY
from sim.schema import ParamSpec, build
from sim.sections import Case, Churn, Market, Meta, Retail

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = {"scenario": Meta, "market": Market, "retail": Retail, "churn": Churn}


def chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


# (type, lo, hi, choices): (English, Chinese)
ALLOWED = {
    ("float", 0, 1, None): ("a number from 0 to 1", "0 到 1 之间的数"),
    ("float", 0.01, 1_000_000, None): ("a number from 0.01 to 1,000,000", "0.01 到 1,000,000 之间的数"),
    ("int", 1, 3_650, None): ("a whole number from 1 to 3,650", "1 到 3,650 之间的整数"),
    ("float", 0, None, None): ("a number >= 0", "≥ 0 的数"),
    ("int", None, 10, None): ("a whole number <= 10", "≤ 10 的整数"),
    ("float", None, None, None): ("a number", "数字"),
    ("int", None, None, None): ("a whole number", "整数"),
    ("floats", 0, 1, None): ("a list of numbers from 0 to 1", "一组 0 到 1 之间的数"),
    ("floats", 2, None, None): ("a list of numbers >= 2", "一组 ≥ 2 的数"),
    ("floats", None, None, None): ("a list of numbers", "一组数字"),
    ("bool", None, None, None): ("true or false", "true 或 false"),
    ("str", None, None, ("a", "b")): ("one of 'a', 'b'", "以下之一:'a', 'b'"),
    ("str", None, None, None): ("a string", "文本"),
}


@pytest.mark.parametrize("kind", ALLOWED, ids=str)
def test_allowed_in_both_languages(kind):
    type_, lo, hi, choices = kind
    spec = ParamSpec("k", type_, None, lo, hi, "", "", "", choices)
    assert (spec.allowed(), spec.allowed("en"), spec.allowed("zh")) == (ALLOWED[kind][0], *ALLOWED[kind])


# One row per problem a section or rule can report: (section or rule key, values, key named).
# A complete [case] table; each row below breaks one thing in it.
_CASE = {"authority": "某局", "date": "2017", "summary_en": "Fined.", "summary_zh": "罚款。", "quote": "认定……",
         "sources": "t | https://example.org/a | read 2026-01-01", "recruitment": "found",
         "entry_fee": "found", "team_pay": "found", "criminal_threshold": "not_examined"}
PROBLEMS = [
    ("scenario", {}, "id"),
    ("scenario", {"id": "../x", "name_en": "x", "name_zh": "x", "source": "x"}, "id"),
    ("market", {"size": 20, "founders": 30}, "founders"),
    ("market", {"trust": 0.01, "trust_spread": 0.15}, "trust_spread"),
    ("retail", {"platform_fee": 0.5, "rangli": 0.6}, "rangli"),
    ("multi_level_commission", {"rates": [0.6, 0.5]}, "rates"),
    ("multi_level_commission", {"on_sales": False, "on_packages": False}, "on_sales"),
    ("differential", {"on_sales": False, "on_packages": False}, "on_sales"),
    ("payout_cap", {"multiple": 1.0, "repurchase_at": 2.0}, "repurchase_at"),
    ("bargain", {"cut_low": 0.3, "cut_high": 0.2}, "cut_low"),
    ("creators", {"commission": 0.0, "ad_price": 0.0}, "commission"),
    ("entry_package", {"price": 100.0, "goods_value": 200.0}, "goods_value"),
    ("group_buy", {"sizes": [5, 2], "prices": [0.8, 0.6]}, "sizes"),
    ("group_buy", {"sizes": [2, 5], "prices": [0.8]}, "prices"),
    ("group_buy", {"sizes": [2, 5], "prices": [0.6, 0.8]}, "prices"),
    ("live_sessions", {"host": "brand", "commission": 0.2}, "commission"),
    ("live_sessions", {"host": "streamer", "commission": 0.0, "slot_fee": 0.0}, "commission"),
    ("live_sessions", {"impulse_leave": 0.5, "session_reach": 0.0}, "impulse_leave"),
    ("member_tiers", {"spend": [1_000.0, 3_000.0], "recruits": [3.0]}, "recruits"),
    ("member_tiers", {"spend": [1_000.0], "recruits": [3.0], "discount_scale": [1.0]}, "discount_scale"),
    ("member_tiers", {"spend": [3_000.0, 1_000.0], "recruits": [3.0, 10.0]}, "spend"),
    ("points", {"tier_spend": [0.0, 100.0], "points_per_100": [10.0]}, "tier_spend"),
    ("points", {"tier_spend": [50.0], "points_per_100": [10.0]}, "tier_spend"),
    ("rangli_tier_pool", {"tiers": [0.2, 0.1], "tier_shares": [1.0]}, "tier_shares"),
    ("rangli_tier_pool", {"tiers": [0.2, 0.1], "tier_shares": [0.5, 0.6]}, "tier_shares"),
    ("rangli_tier_pool", {"tiers": [0.0, 0.0], "tier_shares": [0.5, 0.5]}, "tiers"),
    ("rank_promotion", {"recruits": [5.0, 10.0], "team_volume": [0.0]}, "team_volume"),
    ("shared_purchase", {"daily_airdrop": 0.001, "point_price": 1.0}, "daily_airdrop"),
    ("shared_purchase", {"total_issuance": 1e15, "point_price": 1_000.0}, "total_issuance"),
    ("product_offer", {"cancel": 0.1, "lead_days": 0}, "cancel"),
    ("case", {**_CASE, "quote": ""}, "quote"),
    ("case", {**_CASE, "date": "2017-7"}, "date"),
    ("case", {**_CASE, "summary_zh": "一\n二"}, "summary_zh"),
    ("case", {**_CASE, "sources": "a note | /home/x.txt | read 2026-01-01"}, "sources"),
    ("case", {**_CASE, "penalty": 5.0}, "currency"),
    ("case", {**_CASE, "team_pay": "maybe"}, "team_pay"),
    ("case", {**_CASE, "consideration": "found"}, "consideration"),
    ("case", {**_CASE, "audit_disagrees": "consideration"}, "audit_disagrees"),
    ("case", {**_CASE, "audit_disagrees": "team_pay", "not_simulable": ""}, "not_simulable"),
]


@pytest.mark.parametrize("owner, values, key", PROBLEMS, ids=lambda v: v if isinstance(v, str) else "")
def test_every_problem_has_a_chinese_message(owner, values, key):
    cls = Case if owner == "case" else SECTIONS.get(owner) or REGISTRY[owner]
    prefix = owner if owner in SECTIONS or owner == "case" else f"rules.{owner}"
    with pytest.raises(sim.ScenarioError) as err:
        build(cls, values, source="t.toml", prefix=prefix)
    e = err.value
    assert e.key == f"{prefix}.{key}"
    assert chinese(e.text("zh")) and not chinese(e.message), (e.message, e.text("zh"))
    assert str(e) == f"t.toml: {prefix}.{key}: {e.message}"


def _problem_tuples(path: Path) -> list[ast.Tuple]:
    """The problems each ``problems()`` in a module returns, as written in its source."""
    found = []
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(fn, ast.FunctionDef) and fn.name == "problems"):
            continue
        for ret in (n for n in ast.walk(fn) if isinstance(n, ast.Return)):
            assert isinstance(ret.value, (ast.List, ast.ListComp)), \
                f"{path.name}:{ret.lineno}: problems() should return a list literal"
            items = ret.value.elts if isinstance(ret.value, ast.List) else [ret.value.elt]
            for item in items:
                assert isinstance(item, ast.Tuple), f"{path.name}:{item.lineno}: not a tuple"
                found.append(item)
    return found


def test_every_problem_in_the_source_is_written_in_both_languages_and_triggered_above():
    tuples = []
    for path in [ROOT / "sim" / "sections.py", *sorted((ROOT / "sim" / "rules").glob("*.py"))]:
        for item in _problem_tuples(path):
            assert len(item.elts) == 3, f"{path.name}:{item.lineno}: want (key, English, Chinese)"
            words = "".join(n.value for n in ast.walk(item.elts[2])
                            if isinstance(n, ast.Constant) and isinstance(n.value, str))
            assert chinese(words), f"{path.name}:{item.lineno}: the third text is not Chinese"
            tuples.append(item)
    assert len(tuples) == len(PROBLEMS), "a problem was added or removed: add or remove its row"
