"""Each mechanism as a small table of cases, and its declared facts checked against what the
ledger shows."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from conftest import ROOT, SCENARIOS, Script, scenario_dict, validation_market
from sim.audit.findings import BREACH, NOT_TRIGGERED
from sim.ledger import CUSTOMER, SELLER
from sim.model import SchemeModel
from sim.rules import REGISTRY, Facts
from sim.rules.base import MODEL_SURFACE
from sim.rules.content import audience_of
from sim.rules.liandong import TOP_ACCOUNT
from sim.runner import collect

# Ranks by direct recruits (rank 2 at one, rank 3 at three), and a tree where A reaches rank 3
# and B, C rank 2 while D buys: A has B, X, Y; B has C; C has D.
RANKS_BY_RECRUITS = {"recruits": [1.0, 3.0], "team_volume": [0.0, 0.0]}
THREE_LEVELS = [("join", "B", "A"), ("join", "X", "A"), ("join", "Y", "A"), ("join", "C", "B"),
                ("join", "D", "C"), ("day_end",)]

# (rules, events, expected rewards in yuan); events as Script.play reads them. A is the
# founder. Entry package price 100.
CASES = {
    "direct referral per join": (
        {"direct_referral": {"join_reward": [30.0]}},
        [("join", "B", "A"), ("join", "C", "B"), ("join", "D", "B")],
        {"A": 30, "B": 60, "C": 0}),
    "direct referral share of sales": (
        {"direct_referral": {"sales_rate": [0.1]}},
        [("join", "B", "A"), ("buy", "B", 200)],
        {"A": 20, "B": 0}),
    "higher rank earns the higher rate": (
        {"direct_referral": {"join_reward": [10.0, 25.0]}, "rank_promotion": {"recruits": [2], "team_volume": [0]}},
        [("join", "B", "A"), ("join", "C", "A"), ("day_end",), ("join", "D", "A")],
        {"A": 10 + 10 + 25}),
    "three levels on packages, not a fourth": (
        {"multi_level_commission": {"rates": [0.1, 0.05, 0.03], "on_sales": False, "on_packages": True}},
        [("join", "B", "A"), ("join", "C", "B"), ("join", "D", "C"), ("join", "E", "D")],
        {"A": 10 + 5 + 3, "B": 10 + 5 + 3, "C": 10 + 5, "D": 10, "E": 0}),
    "three levels on sales": (
        {"multi_level_commission": {"rates": [0.1, 0.05, 0.03]}},
        [("join", "B", "A"), ("join", "C", "B"), ("buy", "C", 100)],
        {"A": 5, "B": 10, "C": 0}),
    "a churned sponsor is not paid": (
        {"direct_referral": {"join_reward": [30.0]}},
        [("join", "B", "A"), ("churn", "B"), ("join", "C", "B")],
        {"A": 30, "B": 0}),
    "平级奖 to the boss the owner broke away from": (
        {"liandong": {"jiandian": 8.0, "pingji": 2.0}},
        [("join", "B", "A"), ("join", "C", "B"), ("join", "D", "B"), ("join", "E", "B")],
        {"A": 24 + 2, "B": 8}),
    "a boss's recruits stay in the boss's team": (
        {"liandong": {"jiandian": 8.0}},
        [("join", "B", "A"), ("join", "C", "A"), ("join", "D", "C"), ("join", "E", "C"), ("join", "F", "C")],
        {"A": 8 * 4, "C": 8}),
    # 链动 placement: the inviter is bound at registration, so an agent a customer invited sits
    # in the team of the nearest boss above; "sponsor_team" (the placement before) in none.
    "an agent a customer invited joins the nearest boss's team": (
        {"liandong": {"jiandian": 8.0}},
        [("customer", "B", "A"), ("customer", "C", "B"), ("join", "D", "C")],
        {"A": 8}),
    "sponsor_team: an agent a customer invited is in no team": (
        {"liandong": {"jiandian": 8.0, "placement": "sponsor_team"}},
        [("customer", "B", "A"), ("join", "C", "B"), ("join", "D", "C"), ("join", "E", "D")],
        {"A": 0, "C": 0}),
    "a chain that reaches no boss is the platform's top account's: its pay stays": (
        {"liandong": {"jiandian": 8.0}},
        [("customer", "B"), ("join", "C", "B"), ("join", "D", "C")],
        {"A": 0, "C": 0}),
    # 级差: rank 1 0%, rank 2 5%, rank 3 10% (ranks here by direct recruits: 1, then 3).
    "级差: each upline earns its rate less what was paid below": (
        {"differential": {"rates": [0.0, 0.05, 0.10]}, "rank_promotion": RANKS_BY_RECRUITS},
        [*THREE_LEVELS, ("buy", "D", 100)],
        {"A": 10 - 5, "B": 0, "C": 5, "D": 0}),
    "级差: an upline who left is skipped, the next earns the difference": (
        {"differential": {"rates": [0.0, 0.05, 0.10]}, "rank_promotion": RANKS_BY_RECRUITS},
        [*THREE_LEVELS, ("churn", "C"), ("buy", "D", 100)],
        {"A": 10 - 5, "B": 5, "C": 0}),
    "级差 on packages": (
        {"differential": {"rates": [0.0, 0.05, 0.10], "on_sales": False, "on_packages": True},
         "rank_promotion": RANKS_BY_RECRUITS},
        [*THREE_LEVELS, ("join", "E", "D")],
        {"A": 10 - 5, "B": 0, "C": 5, "D": 0}),
    # 出局: pay per ¥100 package capped at a multiple of it; 复购 renews the cap.
    "出局 at 100% of the package": (
        {"direct_referral": {"join_reward": [60.0]}, "payout_cap": {"multiple": 1.0}},
        [("join", "B", "A"), ("join", "C", "A"), ("join", "D", "A"), ("join", "E", "B")],
        {"A": 100, "B": 60}),
    "出局 at 3× the package": (
        {"direct_referral": {"join_reward": [60.0]}, "payout_cap": {"multiple": 3.0}},
        [("join", f"B{k}", "A") for k in range(6)],
        {"A": 300}),
    "复购 at the cap buys the package out of the wallet and renews it": (
        {"direct_referral": {"join_reward": [60.0]}, "payout_cap": {"multiple": 1.0, "repurchase_at": 1.0}},
        [("join", "B", "A"), ("join", "C", "A"), ("day_end",), ("join", "D", "A"), ("join", "E", "A")],
        {"A": 200}),
    "no 复购 when the wallet was cashed out first": (
        {"direct_referral": {"join_reward": [60.0]}, "cash_out": {"minimum": 1.0, "fee": 0.0, "every_days": 1},
         "payout_cap": {"multiple": 1.0, "repurchase_at": 1.0}},
        [("join", "B", "A"), ("join", "C", "A"), ("day_end",), ("join", "D", "A")],
        {"A": 100}),
    # 拉新奖: a fixed sum per new user who registers, no package needed.
    "拉新奖 to every user who invites": (
        {"referral_bonus": {"amount": 5.0}},
        [("customer", "B", "A"), ("customer", "C", "B"), ("join", "D", "C"), ("customer", "E")],
        {"A": 5, "B": 5, "C": 5, "D": 0}),
    "拉新奖 to participants only": (
        {"referral_bonus": {"amount": 5.0, "payees": "participants"}},
        [("customer", "B", "A"), ("customer", "C", "B"), ("join", "D", "C"), ("customer", "E", "D")],
        {"A": 5, "B": 0, "C": 0, "D": 5}),
    "拉新奖 is not paid to an inviter who left": (
        {"referral_bonus": {"amount": 5.0}},
        [("customer", "B", "A"), ("churn", "B"), ("customer", "C", "B")],
        {"A": 5, "B": 0}),
    # 平级奖 up the bosses: B breaks away from A (passups 1), D from B; F joins D's team.
    "平级奖 to one upline boss": (
        {"liandong": {"passups": 1, "jiandian": 8.0, "pingji": 2.0}},
        [("join", "B", "A"), ("join", "C", "B"), ("join", "D", "B"), ("join", "E", "D"), ("join", "F", "D")],
        {"A": 8 + 8 + 2 + 2, "B": 8 + 8 + 2, "D": 8}),
    "平级奖 to two upline bosses": (
        {"liandong": {"passups": 1, "jiandian": 8.0, "pingji": 2.0, "pingji_levels": 2}},
        [("join", "B", "A"), ("join", "C", "B"), ("join", "D", "B"), ("join", "E", "D"), ("join", "F", "D")],
        {"A": 8 + 8 + 2 + 2 + 2, "B": 8 + 8 + 2, "D": 8}),
}


@pytest.mark.parametrize("name", CASES)
def test_mechanism_pays_as_specified(script, name):
    rules, events, expected = CASES[name]
    s = script(rules)
    s.play(events)
    assert {who: s.rewards(who) for who in expected} == pytest.approx(expected)
    assert s.model.ledger.close_day()[1] == 0


def test_the_top_account_owns_the_teams_of_chains_that_reach_no_boss(script):
    s = script({"liandong": {"jiandian": 8.0, "pingji": 2.0}})
    s.play([("customer", "B"), ("join", "C", "B"), ("join", "D", "C"), ("join", "E", "C"),
            ("join", "F", "C")])
    owner = s.model.people.team_owner[s.ids(["C", "D", "E", "F"])]
    c = s.names["C"]
    assert owner.tolist() == [c, TOP_ACCOUNT, TOP_ACCOUNT, c]  # D, E passed up; C broke away
    assert s.rewards("C") == 8 and s.model.people.rewards.sum() == 800  # no 平级奖 to the top


@pytest.mark.parametrize("placement, unowned", [("nearest_boss", False), ("sponsor_team", True)])
def test_every_agent_has_a_team_owner_and_every_join_pays_its_boss(placement, unowned):
    """The shipped 链动2+1 with nobody leaving: under the default placement every agent sits in
    a boss's team and every join pays 见点奖; the placement before leaves agents in none."""
    d = scenario_dict("liandong_2plus1")
    d["rules"]["liandong"]["placement"] = placement
    d["churn"].update(customer=0.0, participant=0.0)
    r = sim.run(d, seed=1, market_size=4000, days=60)
    agents = r.people[(r.people["participant_day"] >= 0) & ~r.people["founder"]]
    paid = set(r.journal.loc[r.journal["kind"] == "jiandian", "trigger"])
    # Joins in the top account's team (it is the platform's) pay no one; every other join does
    # (those who broke away since own their team: the boss they joined under is not kept).
    owner = agents["team_owner"]
    under_a_boss = agents[(owner != TOP_ACCOUNT) & (owner != agents["id"])]
    assert bool((agents["team_owner"] == -1).mean() > 0.2) == unowned
    assert (set(under_a_boss["id"]) <= paid) != unowned


@pytest.mark.parametrize("payees", ["everyone", "participants"])
def test_a_free_referral_bonus_is_pay_for_recruitment(script, payees):
    """拉新奖 with free sign-up (no package): the platform's marketing pays it, so the entry
    package does not bound it, and the audit finds 拉人头 (Art. 7(1)) but no entry fee."""
    s = script({"referral_bonus": {"amount": 20.0, "payees": payees}}, price=0.0)
    s.play([("join", "B", "A"), ("customer", "C", "B"), ("customer", "D", "C")])
    found = {f.id: f.verdict for f in sim.audit(s.result(), "cn")}
    assert found["cn.ban_pyramid.art7_1_recruitment"] == BREACH
    assert found["cn.ban_pyramid.art7_2_entry_fee"] == NOT_TRIGGERED
    assert s.model.scenario.rule("referral_bonus").facts().payees == (CUSTOMER if payees == "everyone" else SELLER)


# The 永倍达-style ladder as reported: 12 ranks above the entry rank, each at double the team
# sales of the one below from ¥10,400, each 2.5% more up to 30%. (Our search found no public
# text of that plan's terms; the doubling shape is documented for other ladders, see
# DifferentialBonus.) Team sales count everyone below, packages included.
LADDER = {"rank_promotion": {"recruits": [0.0] * 12, "team_volume": [10_400.0 * 2**k for k in range(12)]},
          "differential": {"rates": [0.025 * k for k in range(13)]}}


@pytest.mark.parametrize("team_sales, rank", [(10_300, 1), (10_400, 2), (20_799, 2), (20_800, 3),
                                               (10_400 * 2**11, 13)])
def test_a_doubling_team_volume_ladder_sets_the_differential_rate(script, team_sales, rank):
    """A's recruit B joins (¥100 package) and buys to bring A's team sales to ``team_sales``;
    once A is promoted, B's next ¥100 pays A its rank's rate: 2.5% a rank, 30% at the top."""
    s = script(LADDER)
    s.join("B", "A")
    s.buy("B", units=team_sales // 100 - 1)
    s.model.people.rewards[:] = 0          # what was paid before the promotion does not count
    s.end_day()
    assert s.model.people.rank[s.names["A"]] == rank
    s.buy("B", 100)
    assert s.rewards("A") == pytest.approx(2.5 * (rank - 1))


def test_a_repurchase_is_money_paid_to_qualify_out_of_the_wallet(script):
    """A (package ¥100) is out at ¥100 of pay and buys again from the wallet: ¥100 leaves the
    wallet as a repurchase, the platform sells a package, A has paid ¥200 to qualify, and
    what the cap held back is a daily figure."""
    s = script({"direct_referral": {"join_reward": [60.0]},
                "payout_cap": {"multiple": 1.0, "repurchase_at": 1.0}})
    s.play([("join", "B", "A"), ("join", "C", "A"), ("join", "D", "A"), ("day_end",)])
    a, flows = s.names["A"], s.flows()
    assert s.model.people.entry_paid[a] == 200_00 and s.model.ledger.wallet[a] == 0
    assert flows["repurchase"] == 100_00 and flows["package_sale"] == 5 * 100_00
    r = s.result()
    assert r.daily["rewards_forfeited"].sum() == 60 + 20   # D's ¥60 and C's last ¥20


def test_payout_cap_needs_a_way_to_qualify():
    d = validation_market(10)
    d["rules"] = {"payout_cap": {}}
    with pytest.raises(ValueError, match=r"rules\.entry_package"):
        SchemeModel(sim.load_scenario(d), seed=0)


def test_cash_out_withdraws_less_fee(script):
    s = script({"direct_referral": {"join_reward": [50.0]},
                "cash_out": {"minimum": 40.0, "fee": 0.02, "every_days": 1}})
    s.join("B", "A")
    s.model.scenario.rule("cash_out").on_day_end(s.model)
    a = s.names["A"]
    assert s.model.people.cashed_out[a] == 4900 and s.model.ledger.wallet[a] == 0
    assert s.model.ledger.close_day()[1] == 0


def test_leavers_balances_stay_owed(script):
    s = script({"direct_referral": {"join_reward": [50.0]},
                "cash_out": {"minimum": 40.0, "fee": 0.0, "every_days": 1}})
    s.join("B", "A")
    s.join("C", "B")
    s.model.people.state[s.names["B"]] = 2  # B leaves with 50 in the wallet
    s.model.scenario.rule("cash_out").on_day_end(s.model)
    assert s.model.ledger.wallet[s.names["B"]] == 5000
    assert s.model.people.cashed_out[s.names["A"]] == 5000


def test_every_registered_rule_is_used_by_a_test_or_scenario():
    used = {key for rules, _, _ in CASES.values() for key in rules}
    used |= {r.key for path in SCENARIOS for r in sim.load_scenario(path).rules}
    used |= {"geometric_commission", "entry_package"}  # test_validation.py
    assert set(REGISTRY) <= used


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_declared_facts_match_the_ledger(path):
    r = sim.run(path, seed=3, market_size=5000, days=150)
    flows = r.flows
    for rule in r.scenario.rules:
        facts = rule.facts()
        mine = flows[flows["kind"].isin(facts.reward_kinds)]
        if not facts.reward_kinds:
            continue
        assert len(mine), f"{rule.key} declared {facts.reward_kinds} but paid nothing"
        if facts.levels_paid is not None:
            # It pays at its deepest declared level and never deeper.
            assert mine["depth"].max() == facts.levels_paid, rule.key
        if not facts.pays_on_recruitment:
            assert not (mine["basis"] == "join").any(), rule.key
        if not facts.pays_on_sales:
            assert not (mine["basis"] == "sale").any(), rule.key
        if facts.per_head:
            assert (mine["basis"] == "join").any(), rule.key
        # 团队计酬 by mechanism: only a rule that declares it pays team pay, or pays by a rank
        # another rule sets on team volume; payees the platform appoints and customers never.
        by_team_rank = facts.pay_set_by_rank and any(o.facts().ranks_by_team_volume for o in r.scenario.rules)
        if not (facts.team_pay or by_team_rank) or facts.payees != SELLER:
            assert not mine["team"].any(), rule.key
        if facts.payees == SELLER and r.journal is not None:  # paid to participants only
            paid = r.journal[r.journal["kind"].isin(facts.reward_kinds)]
            qualified = r.people.set_index("id")["participant_day"].reindex(paid["payee"]).to_numpy()
            assert ((qualified >= 0) & (qualified <= paid["day"].to_numpy())).all(), rule.key


# A rule that declares team pay pays it: one scripted case each (A founder; recruits join
# with the package; ("buy", who, yuan)).
TEAM_PAY = {
    "direct_referral": ({"direct_referral": {"sales_rate": [0.1]}}, [("join", "B", "A"), ("buy", "B", 100)]),
    "multi_level_commission": ({"multi_level_commission": {"rates": [0.1, 0.05]}},
                               [("join", "B", "A"), ("join", "C", "B"), ("buy", "C", 100)]),
    "geometric_commission": ({"geometric_commission": {"a": 0.1, "b": 0.5, "levels": 3}},
                             [("join", "B", "A"), ("join", "C", "B"), ("buy", "C", 100)]),
    "liandong": ({"liandong": {"jiandian": 8.0}}, [("join", "B", "A"), ("join", "C", "B")]),
    # Depth 1 on A's own customer's purchase, at a rank A reached on team volume: the mask.
    "differential": ({"differential": {"rates": [0.0, 0.1]},
                      "rank_promotion": {"recruits": [0.0], "team_volume": [100.0]}},
                     [("join", "B", "A"), ("day_end",), ("customer", "C", "A"), ("buy", "C", 100)]),
}


def test_every_rule_declaring_team_pay_is_tested_for_it():
    declaring = {key for key, cls in REGISTRY.items() if cls().facts().team_pay}
    assert declaring <= set(TEAM_PAY)


@pytest.mark.parametrize("key", TEAM_PAY)
def test_a_rule_that_declares_team_pay_pays_it(script, key):
    rules, events = TEAM_PAY[key]
    s = script(rules)
    assert s.model.scenario.rule(key).facts().team_pay
    s.play(events)
    s.model.step()
    flows = collect(s.model).flows
    assert flows.loc[flows["kind"].isin(s.model.scenario.rule(key).facts().reward_kinds), "team"].any()


def _model_uses(tree: ast.AST):
    """(line, attribute, written) for every ``model.X`` a rule module names; written when it
    assigns to it (``model.X = ``, ``model.X[i] += ``) or reaches it by name (setattr/getattr)."""
    written = set()
    for node in ast.walk(tree):
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for t in targets:
            while isinstance(t, ast.Subscript):
                t = t.value
            written.add(id(t))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("setattr", "getattr") and node.args
                and isinstance(node.args[0], ast.Name) and node.args[0].id == "model"):
            yield node.lineno, f"{node.func.id}(model, ...)", True
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "model":
            yield node.lineno, node.attr, id(node) in written


@pytest.mark.parametrize("path", sorted((ROOT / "sim" / "rules").glob("*.py")), ids=lambda p: p.name)
def test_rules_touch_the_model_only_through_its_declared_surface(path):
    """Rules read and change the model through ``MODEL_SURFACE`` only: the person columns,
    the books and declared methods, never the engine's own arrays or attributes."""
    bad = [f"{path.name}:{line} model.{name}" + (" is written" if written else "")
           for line, name, written in _model_uses(ast.parse(path.read_text(encoding="utf-8")))
           if written or name not in MODEL_SURFACE]
    assert not bad, "outside sim.rules.base.MODEL_SURFACE: " + ", ".join(bad)


def test_every_declared_surface_name_exists_on_the_model(script):
    assert [name for name in MODEL_SURFACE if not hasattr(script({}).model, name)] == []


# A row of the README's mechanism table: | `key` | `Class` | 中文 | `file` | `test` | ...
README_ROW = re.compile(r"^\| `(\w+)` \| `(\w+)` \| [^|]+ \| `([^`]+)` \| `([^`]+)` \|", re.M)


def test_the_readme_finds_each_mechanism_and_its_test():
    """The mechanism table names every registered rule, the file that defines its class and
    the test file that scripts it: one hop from class to test."""
    rows = README_ROW.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert sorted(key for key, *_ in rows) == sorted(REGISTRY)
    for key, name, source, test in rows:
        cls = REGISTRY[key]
        assert (cls.__name__, Path(inspect.getsourcefile(cls))) == (name, ROOT / source), key
        assert f'"{key}"' in (ROOT / test).read_text(encoding="utf-8"), f"{test} never names {key}"


# -- every rule's declared facts, and what a small scripted market shows of each -----------
def F(kinds: tuple[str, ...] = (), levels: int | None = 0, *flags: str, entry_fee: float = 0.0) -> Facts:
    """A rule's facts in one line: the reward kinds, the deepest level paid (None: any), the
    names of the facts that hold, and the entry fee."""
    return Facts(reward_kinds=kinds, levels_paid=levels, entry_fee=entry_fee, **dict.fromkeys(flags, True))


def _follower_buys(key: str):
    """Two followers of channel 0 arrive and buy one unit each (a live session if ``key`` is
    live_sessions: its day 8, after the day's demand marks who is watching)."""
    def play(s: Script) -> None:
        m = s.model
        aud = audience_of(m, key)
        fans = np.flatnonzero((aud.follows == 0) & (m.people.state == 0))[:2]
        m.enrol(fans, np.full(len(fans), -1), qualify=False)
        if key == "live_sessions":
            aud.phase[:] = 0.0
            m.day = 8
            m.rules[0].demand(m, np.sort(fans))
        s.buy(fans, shape=True)
        s.end_day()
    return play


def _at_day(day: int):
    def play(s: Script) -> None:
        s.model.day = day
    return play


def _equal_scores(s: Script) -> None:
    ids = s.arrive(2)
    s.end_day()                                      # they start playing
    s.model.column("game_score", np.float64)[ids] = 9.0
    s.model.day = 7


QUIET = {"price": None}
GROUPS = {"price": None, "everyone": True, "size": 20, "market": {"community_size": 10, "basket": 1.0}}
AUDIENCE = {"price": None, "size": 300, "market": {"propensity": 0.02},
            "retail": {"platform_fee": 0.1, "merchants": 2, "unit_cost_spread": 0.0}}
CHAIN = [("join", "B", "A"), ("join", "C", "B"), ("join", "D", "C"), ("join", "E", "D")]
MEMBERSHIP = {"fee": 99.0, "distributor": True, "conversion": 0.0, "conversion_daily": 0.0}
POINTS = {"points_per_100": [10.0], "tier_spend": [0.0], "point_value": 0.1, "redeem_chance": 1.0}
SHOPPING = [("customer", "B"), ("day", ["B"]), ("step",)]
TWO_BUYERS = [("buy", "B", 100), ("buy", "C", 100), ("day_end",)]

# One row per rule configuration: (rules, Script options, events, the facts it declares).
# The rule is the row name's first word; Script(price=100) adds the entry package.
EXPECTED_FACTS = {
    "entry_package": (
        {"entry_package": {"price": 100.0, "goods_value": 0.0, "goods_cost": 0.0, "conversion": 1.0,
                           "conversion_daily": 0.0}}, {}, [("join", "B", "A")],
        F((), 0, "purchase_required_to_earn", "qualifies", entry_fee=100.0)),
    "entry_package, free sign-up": (
        {"entry_package": {"price": 0.0, "goods_value": 0.0, "goods_cost": 0.0}}, {}, [("join", "B", "A")],
        F((), 0, "qualifies")),
    "paid_membership, members are distributors": (
        {"paid_membership": MEMBERSHIP}, {}, [("join", "B", "A")],
        F((), 0, "purchase_required_to_earn", "qualifies", entry_fee=99.0)),
    "paid_membership, members only": (
        {"paid_membership": {**MEMBERSHIP, "distributor": False}}, {}, [("customer", "B", "A")], F()),
    "direct_referral per join, by rank": (
        {"direct_referral": {"join_reward": [10.0, 25.0]}, "rank_promotion": {"recruits": [2.0], "team_volume": [0.0]}},
        {}, [("join", "B", "A"), ("join", "C", "A"), ("day_end",), ("join", "D", "A"), ("join", "E", "B")],
        F(("direct_referral",), 1, "pays_on_recruitment", "per_head", "pay_set_by_rank")),
    "direct_referral on sales": (
        {"direct_referral": {"sales_rate": [0.1]}}, {},
        [("join", "B", "A"), ("customer", "C", "B"), ("buy", "C", 100), ("buy", "B", 100)],
        F(("direct_referral",), 1, "pays_on_sales", "team_pay")),
    "referral_bonus to everyone": (
        {"referral_bonus": {"amount": 5.0}}, {}, [("customer", "B", "A"), ("customer", "C", "B")],
        F(("referral_bonus",), 1, "pays_on_recruitment", "per_head", "pays_customers")),
    "referral_bonus to participants": (
        {"referral_bonus": {"amount": 5.0, "payees": "participants"}}, {},
        [("customer", "B", "A"), ("join", "C", "A"), ("customer", "D", "B")],
        F(("referral_bonus",), 1, "pays_on_recruitment", "per_head")),
    "multi_level_commission": (
        {"multi_level_commission": {}}, {}, [*CHAIN, ("buy", "E", 100)],
        F(("multi_level_commission",), 3, "pays_on_sales", "team_pay")),
    "multi_level_commission on packages": (
        {"multi_level_commission": {"rates": [0.1, 0.05], "on_sales": False, "on_packages": True}}, {}, CHAIN,
        F(("multi_level_commission",), 2, "pays_on_recruitment", "team_pay")),
    "geometric_commission": (
        {"geometric_commission": {"a": 0.1, "b": 0.5, "levels": 3}}, {}, [*CHAIN, ("buy", "E", 100)],
        F(("geometric_commission",), 3, "pays_on_sales", "team_pay")),
    "differential": (
        {"differential": {"rates": [0.0, 0.05, 0.10]}, "rank_promotion": RANKS_BY_RECRUITS}, {},
        [*THREE_LEVELS, ("buy", "D", 100), ("buy", "Y", 100)],
        F(("differential",), None, "pays_on_sales", "team_pay", "pay_set_by_rank")),
    "liandong": (
        {"liandong": {"jiandian": 8.0, "pingji": 2.0}}, {},
        [("join", "B", "A"), ("join", "C", "B"), ("join", "D", "B"), ("join", "E", "B")],
        F(("jiandian", "pingji"), None, "pays_on_recruitment", "per_head", "team_pay")),
    "rank_promotion on team volume": (
        {"rank_promotion": {"recruits": [0.0], "team_volume": [300.0]}}, {},
        [("join", "B", "A"), ("buy", "B", 300), ("day_end",)], F((), 0, "ranks_by_team_volume")),
    "rank_promotion on recruits": (
        {"rank_promotion": {"recruits": [1.0], "team_volume": [0.0]}}, {},
        [("join", "B", "A"), ("buy", "B", 300), ("day_end",)], F()),
    "member_tiers": (
        {"paid_membership": MEMBERSHIP, "member_tiers": {"spend": [200.0], "recruits": [5.0],
                                                         "discount_scale": [1.0, 1.5]}}, {},
        [("join", "B", "A"), ("buy", "B", 300), ("day_end",)], F()),
    "payout_cap": (
        {"direct_referral": {"join_reward": [60.0]}, "payout_cap": {"multiple": 1.0, "repurchase_at": 1.0}}, {},
        [("join", "B", "A"), ("join", "C", "A"), ("day_end",), ("join", "D", "A")], F()),
    "cash_out": (
        {"direct_referral": {"join_reward": [50.0]}, "cash_out": {"minimum": 10.0, "fee": 0.0}}, {},
        [("join", "B", "A"), ("day_end",)], F()),
    "community_leaders": (
        {"community_leaders": {"commission": 0.1, "territory": 1, "recruit_rate": 1.0}}, GROUPS,
        [("day", [5]), ("day", [5, 6, 7])], F(("leader_commission",), 1, "pays_on_sales", "appoints_payees")),
    "creators": (
        {"creators": {"creators": 2, "audience": 0.5, "commission": 0.1}}, AUDIENCE, [_follower_buys("creators")],
        F(("creator_commission",), 1, "pays_on_sales", "appoints_payees")),
    "live_sessions": (
        {"live_sessions": {"host": "streamer", "channels": 1, "audience": 0.5, "commission": 0.2}}, AUDIENCE,
        [_follower_buys("live_sessions")], F(("streamer_commission",), 1, "pays_on_sales", "appoints_payees")),
    "points": (
        {"points": {**POINTS, "redeem_at": 20}}, QUIET, [("buy", "B", 300), ("buy", "C", 300), ("day_end",)],
        F(("points_redeemed",), 0, "pays_on_sales", "pays_customers", "creates_liability")),
    "sign_in_points": (
        {"points": {**POINTS, "redeem_at": 5}, "sign_in_points": {"points": 5, "chance": 1.0}}, QUIET,
        [("customer", "B"), ("customer", "C"), ("step",), ("step",)], F((), 0, "pays_customers", "creates_liability")),
    "share_points": (
        {"share_points": {"points": 50, "point_value": 0.1}}, QUIET,
        [("customer", "B"), ("customer", "C", "B"), ("buy", "C", 100), ("buy", "B", 100)],
        F(("share_points",), 1, "pays_on_sales", "pays_customers", "creates_liability")),
    "points_pool": (
        {"points_pool": {"points_per_100": 100.0, "profit_share": 0.5, "redeem_at": 100, "redeem_chance": 1.0}},
        QUIET, TWO_BUYERS, F(("points_pool",), 0, "pays_on_sales", "pays_customers", "creates_liability")),
    "contribution_dividend": (
        {"contribution_dividend": {"threshold": 0.0, "pool_share": 0.1}}, QUIET, TWO_BUYERS,
        F(("dividend",), 0, "pays_on_sales", "pays_customers", "creates_liability")),
    "rangli_tier_pool": (
        {"rangli_tier_pool": {"tiers": [0.24], "tier_shares": [1.0], "pool_share": 1.0}}, QUIET, TWO_BUYERS,
        F(("tier_refund",), 0, "pays_on_sales", "pays_customers", "creates_liability")),
    "rebate_schedule": (
        {"rebate_schedule": {"pool_share": 1.0}}, QUIET, [*TWO_BUYERS[:2], _at_day(150), ("day_end",)],
        F(("consumption_refund",), 0, "pays_on_sales", "pays_customers", "creates_liability")),
    "shared_purchase": (
        {"shared_purchase": {"daily_airdrop": 40.0, "merchant_multiple": 0.0, "sell_chance": 1.0}},
        {**QUIET, "retail": {"rangli": 0.1}}, TWO_BUYERS,
        F(("shared_points",), 0, "pays_on_sales", "pays_customers", "creates_liability")),
    "gamification, prizes paid as rewards": (
        {"gamification": {"take_up": 1.0, "winners": 2, "prize": 50.0, "period_days": 7, "prize_paid_as": "reward"}},
        QUIET, [_equal_scores, ("day_end",)], F(("leaderboard_prize",), 0, "pays_on_sales", "pays_customers")),
    "gamification, prizes from marketing": (
        {"gamification": {"take_up": 1.0, "winners": 2, "prize": 50.0, "period_days": 7}}, QUIET,
        [_equal_scores, ("day_end",)], F()),
    "community_managers": ({"community_managers": {"managed": 1.0}}, QUIET, SHOPPING, F()),
    "coupons": ({"coupons": {"issue": "after_purchase", "reach": 1.0}}, QUIET,
                [("customer", "B"), ("day", ["B"]), ("day", ["B"])], F()),
    "group_buy": ({"group_buy": {"take_up": 1.0, "join_chance": 1.0, "share_factor": 1.0}}, GROUPS,
                  [("day", [0]), ("day",)], F()),
    "bargain": ({"bargain": {"take_up": 1.0, "help_chance": 1.0, "cuts": "shrinking"}}, GROUPS, [("day", [0])], F()),
    "presale": ({"presale": {"take_up": 1.0, "threshold": 2, "window": 1, "lead_days": 1}}, GROUPS,
                [("day", [1, 2]), ("day",), ("day",)], F()),
    "supply_chain_finance": ({"supply_chain_finance": {"term_days": 1}}, GROUPS, [("day", [1, 2]), ("day",), ("day",)], F()),
    **{f"{key}": ({key: params}, QUIET, SHOPPING, F()) for key, params in (
        ("product_offer", {"share": 1.0}), ("stores", {}), ("pickup", {}), ("inventory", {}), ("targeting", {}),
        ("shared_audience", {}), ("recommendation", {}), ("peer_listings", {}), ("subscription", {"conversion": 1.0}))},
}


def test_every_rule_declares_its_facts_in_the_table():
    assert {name.split()[0].rstrip(",") for name in EXPECTED_FACTS} == set(REGISTRY)


def _run(rules: dict, options: dict, events: list, *, price: float | None = None, buys: bool = True):
    """The events on a fresh quiet market: (script, plain result); the script is closed."""
    kw = {**options, **({"price": price} if price is not None else {})}
    s = Script(rules, **kw)
    try:
        s.play([e for e in events if buys or callable(e) or e[0] != "buy"])
        return s, s.result()
    finally:
        s.close()


def _shown(key: str, rules: dict, options: dict, events: list) -> tuple[Facts, dict]:
    """Rule ``key``'s declared facts, and what a run of the events shows of each of them."""
    s, r = _run(rules, options, events)
    m, declared = s.model, s.model.scenario.rule(key).facts()
    kinds = set(declared.reward_kinds)
    flows = r.flows[r.flows["kind"].isin(kinds)]
    j = r.journal[r.journal["kind"].isin(kinds)]
    people = r.people.set_index("id")
    # Whom it pays: its own rewards, or for a rule that pays through another (sign-in points
    # through points) whatever the run paid.
    payees = people.loc[(j if kinds else r.journal)["payee"].unique()]
    join = flows[flows["basis"] == "join"]
    per_head = False
    if len(join):  # a fixed sum per head whatever the package costs
        _, twice = _run(rules, options, events, price=2 * options.get("price", 100.0))
        again = twice.flows[twice.flows["kind"].isin(kinds) & (twice.flows["basis"] == "join")]
        per_head = join["amount"].sum() == again["amount"].sum()
    # Ranks that follow other persons' purchases: rerun without them.
    buyers = {s.id(e[1]) for e in events if not callable(e) and e[0] == "buy"}
    _, quiet = _run(rules, options, events, buys=False)
    ranks = people["rank"].sub(quiet.people.set_index("id")["rank"].reindex(people.index, fill_value=0))
    by_team = bool((ranks[~ranks.index.isin(buyers)] != 0).any())
    by_rank = any(g["amount"].nunique() > 1 for _, g in j.groupby(["kind", "basis", "depth"]))
    team_rank = declared.pay_set_by_rank and any(o.facts().ranks_by_team_volume for o in m.rules)
    joined = [s.names[e[1]] for e in events if not callable(e) and e[0] == "join"]
    fee = people.loc[joined, "entry_paid"].tolist() if m.qualifier is m.scenario.rule(key) else [0.0]
    held = sum(m.ledger.totals.get(k, 0) for k in ("points_issued", "pool_funding", "wallet_goods"))
    return declared, dict(
        reward_kinds=tuple(k for k in declared.reward_kinds if k in set(flows["kind"])),
        levels_paid=(None if declared.levels_paid is None and flows["depth"].max() >= 2
                     else int(flows["depth"].max()) if len(flows) else 0),
        pays_on_recruitment=bool(len(join)), pays_on_sales=bool((flows["basis"] == "sale").any()),
        per_head=per_head,
        team_pay=bool(flows["team"].any()) and not (team_rank and not declared.team_pay),
        pay_set_by_rank=by_rank, ranks_by_team_volume=by_team,
        purchase_required_to_earn=bool(fee) and min(fee) > 0, entry_fee=fee[0] if fee else 0.0,
        qualifies=bool(joined) and m.qualifier is m.scenario.rule(key)
        and bool((people.loc[joined, "participant_day"] >= 0).all()),
        appoints_payees=bool(((payees["participant_day"] >= 0) & (payees["entry_paid"] == 0)).any()),
        pays_customers=bool((payees["participant_day"] < 0).any()),
        creates_liability=held > 0 or r.daily.get("promised_offbook", pd.Series([0])).max() > 0)


@pytest.mark.parametrize("name", EXPECTED_FACTS)
def test_each_declared_fact_is_what_the_ledger_shows(name):
    """Every rule on a small scripted market: its facts are the table's, and what the books
    show agrees with each of them (no fact declared without the run showing it, nothing shown
    that is not declared)."""
    rules, options, events, expected = EXPECTED_FACTS[name]
    declared, shown = _shown(name.split()[0].rstrip(","), rules, options, events)
    assert declared == expected
    wrong = {f: (getattr(expected, f), v) for f, v in shown.items() if getattr(expected, f) != v}
    assert not wrong, f"declared vs shown: {wrong}"
