"""The audit: thresholds exactly at and around their boundaries (pure functions of measured
values), the same boundaries through scripted sponsor trees, and verdicts on shipped models."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import sim
from conftest import SCENARIOS
from sim.audit import labels
from sim.audit import rules_cn as cn
from sim.audit import rules_eu as eu
from sim.audit import rules_us as us
from sim.audit.findings import BREACH, NOT_APPLICABLE, NOT_TRIGGERED, WARNING
from sim.people import ROLE_NAMES
from sim.runner import collect
from sim.rules import REGISTRY, Facts

SMALL = dict(seed=1, days=120, market_size=3000)
PER_HEAD_TEAM = {"direct_referral": {"join_reward": [20.0]},
                 "multi_level_commission": {"rates": [0.10, 0.05, 0.03], "on_sales": False,
                                            "on_packages": True}}


def by_id(findings):
    return {f.id: f for f in findings}


def finish(s):
    """Close the scripted day and collect a plain result."""
    s.model.step()
    return collect(s.model)


def tree(script, *, second: int, third: int):
    """Organiser A; ``second`` recruits under A (level 2); ``third`` under the first of them."""
    s = script(PER_HEAD_TEAM, price=100.0, size=second + third + 5)
    for k in range(second):
        s.join(f"B{k}", "A")
    for k in range(third):
        s.join(f"C{k}", "B0")
    return s


# -- pure threshold functions -------------------------------------------------------------
@pytest.mark.parametrize("participants, levels, over", [(29, 3, False), (30, 3, True), (30, 2, False),
                                                        (31, 4, True), (1000, 2, False)])
def test_prosecution_threshold_is_inclusive(participants, levels, over):
    assert cn.over_prosecution_threshold(participants, levels) is over
    assert cn.decide_prosecution(participants, levels, True) == (BREACH if over else WARNING)
    assert cn.decide_prosecution(participants, levels, False) == NOT_TRIGGERED


@pytest.mark.parametrize("participants, collected, hit", [(119, 2_499_999.99, False), (120, 0.0, True),
                                                          (0, 2_500_000.0, True)])
def test_serious_markers(participants, collected, hit):
    assert cn.serious(participants, collected) is hit
    assert cn.decide_serious(participants, collected, True) == (BREACH if hit else NOT_TRIGGERED)


@pytest.mark.parametrize("pay, own_sales, off, verdict", [
    (30.0, 100.0, 0.0, NOT_TRIGGERED),  # exactly 30%: "不得超过" allows it
    (29.99, 100.0, 0.0, NOT_TRIGGERED),
    (30.01, 100.0, 0.0, BREACH),
    (10.0, 100.0, 0.01, BREACH),        # any pay not on one's own sales to consumers
    (5.0, 0.0, 0.0, BREACH),            # pay with no own sales at all
    (0.0, 0.0, 0.0, NOT_TRIGGERED),
])
def test_direct_selling_30_percent_cap_per_salesperson(pay, own_sales, off, verdict):
    assert cn.decide_art24(pay, own_sales, off) == verdict
    over, off_own = cn.salespersons_over(np.array([pay]), np.array([own_sales]), np.array([off]))
    assert bool(over[0] or off_own[0]) is (verdict == BREACH)


@pytest.mark.parametrize("share, verdict", [(0.5, WARNING), (0.4999, WARNING), (0.5001, NOT_TRIGGERED)])
def test_vemma_needs_more_than_half_from_outside(share, verdict):
    assert us.decide_vemma(share) == verdict


@pytest.mark.parametrize("end_user, internal, verdict", [
    (0.8, 1 / 3, NOT_TRIGGERED), (0.7999, 0.2, WARNING), (0.95, 0.3334, WARNING), (0.8001, 0.3333, NOT_TRIGGERED)])
def test_herbalife_80_percent_and_one_third(end_user, internal, verdict):
    assert us.decide_herbalife(end_user, internal) == verdict


@pytest.mark.parametrize("share, verdict", [(0.7, NOT_TRIGGERED), (0.6999, WARNING)])
def test_amway_omnitrition_70_percent(share, verdict):
    assert us.decide_amway(share) == verdict


@pytest.mark.parametrize("fee, share, koscot, ucpd", [
    (399.0, 0.5001, BREACH, BREACH), (399.0, 0.5, WARNING, WARNING), (399.0, 0.0, NOT_TRIGGERED, NOT_TRIGGERED),
    (0.0, 1.0, NOT_TRIGGERED, NOT_TRIGGERED)])     # no payment: neither test's first element
def test_koscot_and_ucpd_primarily_means_more_than_half(fee, share, koscot, ucpd):
    assert us.decide_koscot(fee, share) == koscot
    assert eu.decide_ucpd14(fee, share) == ucpd


def test_art7_elements_decide_on_any_realised_pay():
    assert cn.decide_art7_1(0.0, False) == NOT_TRIGGERED and cn.decide_art7_1(0.0, True) == WARNING
    assert cn.decide_art7_1(1e-9, False) == BREACH
    assert cn.decide_art7_2(0.01, True) == BREACH and cn.decide_art7_2(399.0, False) == NOT_TRIGGERED
    assert cn.decide_art7_3(0.0, True) == WARNING and cn.decide_art7_3(0.01, False) == BREACH


# -- the same boundaries through scripted sponsor trees --------------------------------------
@pytest.mark.parametrize("second, third, participants, levels, verdict", [
    (1, 27, 29, 3, WARNING), (1, 28, 30, 3, BREACH), (29, 0, 30, 2, WARNING)])
def test_prosecution_threshold_on_real_trees(script, second, third, participants, levels, verdict):
    f = by_id(sim.audit(finish(tree(script, second=second, third=third)), "cn"))
    crime = f["cn.criminal.art224_1_prosecution"]
    assert (crime.measured["participants"], crime.measured["org_levels"]) == (participants, levels)
    assert crime.measured["elements_met"] == 1.0
    assert crime.verdict == verdict
    assert crime.thresholds == {"participants_at_least": 30, "org_levels_at_least": 3}


def test_entry_package_per_head_and_team_pay_breach_all_three_art7_elements(script):
    s = tree(script, second=2, third=1)
    a, b0, c0 = s.names["A"], s.names["B0"], s.names["C0"]
    f = by_id(sim.audit(finish(s), "cn"))
    art1, art2, art3 = (f[f"cn.ban_pyramid.art7_{k}"] for k in ("1_recruitment", "2_entry_fee", "3_team_pay"))
    assert art1.verdict == art2.verdict == art3.verdict == BREACH
    assert art1.citation == "禁止传销条例 第七条第(一)项"
    assert art2.citation == "禁止传销条例 第七条第(二)项"
    # Static evidence: the components whose declared facts trigger each element.
    assert ("direct_referral", "per_head", True) in art1.evidence.static
    assert ("entry_package", "entry_fee", 100.0) in art2.evidence.static
    assert ("multi_level_commission", "team_pay", True) in art3.evidence.static
    assert ("multi_level_commission", "levels_paid", 3) in art3.evidence.static
    # Every reward was triggered by a join: 3 joins x (20 + 10) at depth 1, plus 5% to A for C0.
    assert art1.measured["reward_share_recruitment"] == 1.0
    assert art1.measured["rewards_on_joins"] == pytest.approx(95.0)
    assert art2.measured["entry_fee"] == 100.0 and art2.measured["entry_fee_payers"] == 4
    assert art3.measured["reward_share_team"] == pytest.approx(5 / 95)
    # Dynamic evidence: the real chain C0 -> B0 -> A with what each was paid at each depth.
    chain = art3.evidence.dynamic[0]
    assert [(r[0], r[1], r[5]) for r in chain.rows] == [(0, c0, 0.0), (1, b0, 30.0), (2, a, 5.0)]
    entry = art2.evidence.dynamic[0]
    assert {r[1] for r in entry.rows} <= {a, b0, s.names["B1"], c0}


@pytest.mark.parametrize("rate, verdict", [(0.30, NOT_TRIGGERED), (0.31, BREACH)])
def test_direct_selling_cap_through_real_sales(script, rate, verdict):
    s = script({"direct_referral": {"sales_rate": [rate]}}, price=0.0, size=12)
    m = s.model
    consumers = np.array([i for i in range(12) if i != s.names["A"]][:4])
    m.enrol(consumers, np.full(4, s.names["A"]), qualify=False)  # customers, not participants
    m.book_sales(m.new_orders(consumers, np.ones(4, np.int64), np.zeros(4, np.int64)))
    f = by_id(sim.audit(finish(s), "cn"))["cn.direct_selling.art24_pay_cap"]
    assert f.measured["own_sales_to_consumers"] == 400.0
    assert f.measured["pay_to_own_sales"] == pytest.approx(rate)
    assert f.measured["worst_pay_to_own_sales"] == pytest.approx(rate)
    assert f.measured["seller_rewards_off_own_sales"] == 0.0
    assert f.measured["salespersons"] == 1
    assert f.measured["salespersons_over_cap"] == (verdict == BREACH)
    assert f.verdict == verdict


# -- shipped scenarios --------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped():
    return {name: sim.run(name, **SMALL) for name in ("retail_baseline", "fission_distribution",
                                                       "liandong_2plus1")}


def test_plain_retail_gets_no_china_or_eu_breach(shipped):
    findings = sim.audit(shipped["retail_baseline"])
    assert {f.jurisdiction for f in findings} == {"cn", "us", "eu"}
    assert all(f.verdict == NOT_APPLICABLE for f in findings)
    assert sim.risk_index(shipped["retail_baseline"]).total == 0.0


def test_verdicts_on_the_shipped_models(shipped):
    fission = {f.id: f.verdict for f in sim.audit(shipped["fission_distribution"])}
    liandong = {f.id: f.verdict for f in sim.audit(shipped["liandong_2plus1"])}
    # Free sign-up, 3 levels of pay on purchases: team pay, but no entry fee and no 拉人头, so
    # not criminal (2013 opinion, Art. 5) and not a UCPD pyramid.
    assert fission["cn.ban_pyramid.art7_1_recruitment"] == NOT_TRIGGERED
    assert fission["cn.ban_pyramid.art7_2_entry_fee"] == NOT_TRIGGERED
    assert fission["cn.ban_pyramid.art7_3_team_pay"] == BREACH
    assert fission["cn.direct_selling.art24_pay_cap"] == BREACH
    assert fission["cn.criminal.art224_1_prosecution"] == NOT_TRIGGERED
    assert fission["us.ftc.koscot"] == NOT_TRIGGERED and fission["eu.ucpd.annex1_14"] == NOT_TRIGGERED
    # 链动2+1 breaches every Chinese test, Koscot and the UCPD blacklist.
    assert all(v == BREACH for k, v in liandong.items() if k.startswith("cn."))
    assert liandong["us.ftc.koscot"] == BREACH and liandong["eu.ucpd.annex1_14"] == BREACH


def test_indicators_read_the_run(shipped):
    r = shipped["liandong_2plus1"]
    i = sim.indicators(r)
    assert i["participants"] == r.metrics["participants"]
    assert i["org_levels"] == r.metrics["org_levels"] >= 3
    assert i["max_paid_depth"] == r.metrics["max_paid_depth"]
    assert i["rewards_by_depth"]["amount"].sum() == pytest.approx(i["rewards"])
    assert i["reward_share_recruitment"] == pytest.approx(r.metrics["reward_share_recruitment"])
    assert i["share_losing_money"] == pytest.approx(r.metrics["share_losing_money"])
    assert i["share_losing_money"] + i["share_broke_even"] + i["share_profited"] == pytest.approx(1.0)
    assert i["share_losing_late"] > i["share_losing_early"]  # late joiners lose
    assert i["net_by_cohort"]["participants"].sum() == i["participants"]
    assert i["entry_fee"] == 399.0 and i["entry_fee_above_goods_value"] == 249.0
    assert i["entry_fees_collected"] == pytest.approx(399.0 * i["participants"])
    assert i["payout_to_qualifying"] == pytest.approx(i["rewards"] / i["entry_fees_collected"])
    assert i["rewards_gini"] == pytest.approx(r.metrics["rewards_gini"])


def test_risk_index_is_its_weighted_parts(shipped):
    totals = {}
    for name, r in shipped.items():
        ri = sim.risk_index(r)
        assert sum(p.weight for p in ri.parts) == 100
        assert all(0.0 <= p.score <= 1.0 for p in ri.parts)
        assert ri.total == pytest.approx(sum(p.weight * p.score for p in ri.parts))
        totals[name] = ri.total
    assert totals["retail_baseline"] == 0 < totals["fission_distribution"] < totals["liandong_2plus1"]
    parts = {p.name_en: p for p in sim.risk_index(shipped["liandong_2plus1"]).parts}
    assert parts["Pay for recruitment"].score == 1.0
    assert parts["Entry fee beyond goods"].score == pytest.approx(249 / 399)


def test_findings_are_plain_data(shipped):
    findings = sim.audit(shipped["liandong_2plus1"], jurisdiction="us")
    assert {f.jurisdiction for f in findings} == {"us"}
    data = json.loads(json.dumps([f.to_dict() for f in sim.audit(shipped["liandong_2plus1"])],
                                 ensure_ascii=False))
    assert all(d["verdict"] in ("not_triggered", "warning", "breach", "not_applicable") for d in data)
    assert all(d["citation"] and d["title_zh"] and d["explanation_zh"] for d in data)
    assert sim.audit(shipped["liandong_2plus1"])[0].id == "cn.ban_pyramid.art7_1_recruitment"
    with pytest.raises(ValueError, match="jurisdiction"):
        sim.audit(shipped["retail_baseline"], jurisdiction="uk")


# -- the recruitment-stop stress test -----------------------------------------------------------
def test_recruitment_stop_collapses_liandong_not_retail(shipped):
    stop = 60
    liandong = sim.stress_test("liandong_2plus1", stop_day=stop, **SMALL)
    base, stopped = liandong.baseline.daily, liandong.stopped.daily
    # Same seed: identical until the stop day, then no one new becomes a participant.
    assert base[base["day"] < stop].equals(stopped[stopped["day"] < stop])
    assert stopped.loc[stopped["day"] >= stop, "new_participants"].sum() == 0
    assert base.loc[base["day"] >= stop, "new_participants"].sum() > 0
    assert liandong.payouts_before > 0 and liandong.payouts_after == 0.0  # all pay came from joins
    assert liandong.collapse and liandong.payout_drop == 1.0
    rows = {k: (b, s) for k, b, s in liandong.rows()}
    assert rows["participants"][1] < rows["participants"][0]

    retail = sim.stress_test("retail_baseline", stop_day=stop, **SMALL)
    assert not retail.collapse
    assert retail.baseline.daily.equals(retail.stopped.daily)  # no one was recruiting anyway
    fission = sim.stress_test("fission_distribution", stop_day=stop, **SMALL,
                              baseline=shipped["fission_distribution"])
    assert not fission.collapse  # pay on purchases goes on while customers buy


def test_stress_test_rejects_a_stop_outside_the_run():
    with pytest.raises(ValueError, match="stop_day"):
        sim.stress_test("retail_baseline", seed=0, stop_day=120, days=120, market_size=500)


def test_breakaway_does_not_cut_the_level_count(script):
    """链动2+1: B breaks away from A's team as a 老板, yet A→B→E still counts 3 levels, and
    A is still paid for E's join (the 2013 opinion counts such levels for A)."""
    s = script({"liandong": {"passups": 2, "jiandian": 8.0, "pingji": 2.0}})
    for name, sponsor in (("B", "A"), ("C", "B"), ("D", "B"), ("E", "B")):
        s.join(name, sponsor)
    p, n = s.model.people, s.names
    assert p.team_owner[n["B"]] == n["B"] and p.team_owner[n["E"]] == n["B"]  # broken away
    crime = by_id(sim.audit(finish(s), "cn"))["cn.criminal.art224_1_prosecution"]
    assert crime.measured["org_levels"] == 3 and crime.measured["participants"] == 5
    chain = crime.evidence.dynamic[0]
    # C and D were passed up to A's team, E stayed in B's: all three are level 3 under B.
    assert [r[1] for r in chain.rows][:2] == [n["A"], n["B"]] and chain.rows[2][1] in {n[x] for x in "CDE"}
    assert s.rewards("A") == 8.0 * 3 + 2.0  # 见点奖 for B, C, D and 平级奖 for E


def test_evidence_without_a_journal_falls_back_to_the_flows():
    r = sim.run("liandong_2plus1", journal=False, **SMALL)
    assert r.journal is None
    art3 = by_id(sim.audit(r, "cn"))["cn.ban_pyramid.art7_3_team_pay"]
    assert art3.verdict == BREACH
    table = art3.evidence.dynamic[0]
    assert table.title_en == "Rewards by paid depth, whole run"
    assert sum(row[2] for row in table.rows) == pytest.approx(sim.indicators(r)["rewards"])


@pytest.mark.parametrize("scenario, payee", [("live_streaming", "appointed_rewards"),
                                             ("community_group_buying", "appointed_rewards"),
                                             ("points_mall", "customer_rewards")])
def test_no_recruited_sales_force_means_no_direct_selling_or_retail_share_test(scenario, payee):
    """Streamers and 团长 the platform appoints are paid on the sales they make, and customers'
    points are a rebate on their own purchases: neither is a distributor organisation's pay,
    so Art. 24 and the US retail-share tests do not apply, and each finding says why in figures."""
    r = sim.run(scenario, seed=1, market_size=3000, days=90)
    assert r.metrics["rewards"] > 0
    ids = {"cn.direct_selling.art24_pay_cap", "us.ftc.amway_omnitrition_70", "us.ftc.herbalife_2016",
           "us.ftc.vemma_2016"}
    found = {f.id: f for f in sim.audit(r) if f.id in ids}
    assert set(found) == ids
    for f in found.values():
        assert f.verdict == NOT_APPLICABLE, f.id
        assert f.measured[payee] == pytest.approx(r.metrics["rewards"], abs=0.01)


def test_promises_beyond_the_books_count_against_cash():
    """永倍达-style refunds promise every yuan back; what the pool does not hold is promised
    and held nowhere, and only the part the platform's cash cannot cover is uncovered."""
    r = sim.run("consumption_rebate_refund", seed=1, market_size=3000, days=150)
    i = sim.indicators(r)
    d = r.daily.iloc[-1]
    assert i["promised_offbook_end"] == pytest.approx(d["promised_offbook"]) and i["promised_offbook_end"] > 0
    assert i["liabilities_end"] == pytest.approx(d["wallets_owed"] + d["points_liability"]
                                                 + d["pool_liability"] + d["escrow_held"])
    assert i["promised_uncovered_end"] == pytest.approx(max(d["promised_offbook"] - max(d["cash_held"], 0), 0))
    assert i["uncovered_promise_share"] == pytest.approx(
        i["promised_uncovered_end"] / (i["liabilities_end"] + i["promised_offbook_end"]))


# -- names of the figures ------------------------------------------------------------------
def test_every_figure_a_finding_reports_has_a_chinese_and_an_english_name(script):
    """Findings key their figures by identifier (kept in JSON); the report and the dashboard
    show each by its name, so a key a finding emits without one fails here, on every shipped
    scenario and a scripted per-head, team-pay tree."""
    results = [sim.run(path, seed=1, market_size=2000, days=60) for path in SCENARIOS]
    results.append(finish(tree(script, second=2, third=1)))
    keys = {k for r in results for f in sim.audit(r) for k in (*f.measured, *f.thresholds)}
    for key in sorted(keys):
        en, zh = sim.audit.label(key, "en"), sim.audit.label(key, "zh")
        assert en.strip() and labels.unit(key), key
        assert any("\u4e00" <= c <= "\u9fff" for c in zh), (key, zh)
    assert sim.audit.label("participants_at_least", "zh", with_unit=True) == "参与者(曾取得计酬资格) ≥(人)"
    assert sim.audit.label("no_such_key", "zh") == "no_such_key"


def test_every_declared_fact_and_reward_kind_has_a_chinese_and_an_english_name():
    """Evidence names mechanisms, declared facts, reward kinds and roles (labels.term); a Facts
    field, or a reward kind a registered rule declares (with its defaults or in a shipped
    scenario) or pays in a run, without both names fails here."""
    kinds = {k for rule in REGISTRY.values() for k in rule().facts().reward_kinds}
    kinds |= {k for path in SCENARIOS for rule in sim.load_scenario(path).rules for k in rule.facts().reward_kinds}
    paid = {k for path in SCENARIOS for k in sim.run(path, seed=1, market_size=1000, days=30).flows["kind"]}
    assert paid <= kinds
    facts = [f.name for f in dataclasses.fields(Facts)]
    for vocabulary, names in (("fact", facts), ("reward", kinds), ("rule", REGISTRY),
                              ("role", ROLE_NAMES.values())):
        for name in names:
            assert name in labels.TERMS[vocabulary], (vocabulary, name)
            en, zh = labels.term(vocabulary, name, "en"), labels.term(vocabulary, name, "zh")
            assert en.strip(), (vocabulary, name)
            assert any("\u4e00" <= c <= "\u9fff" for c in zh), (vocabulary, name, zh)
    assert set(labels.FACTS) == set(facts) and set(labels.REWARDS) == kinds  # no stale names
    assert labels.term("reward", ("jiandian", "pingji"), "zh") == "见点奖、平级奖"
    assert labels.term("reward", (), "zh") == "—" and labels.term("reward", "no_such_kind", "zh") == "no_such_kind"
    assert labels.fact_value("levels_paid", "unbounded", "zh") == "不限"
    assert labels.fact_value("levels_paid", 3, "en") == "3"
    assert labels.fact_value("entry_fee", 399.0, "en") == "¥399"
    assert labels.fact_value("per_head", True, "zh") == "是"


def test_evidence_is_shown_in_words_and_kept_as_identifiers(script):
    """The scripted per-head, team-pay tree: its declared facts and its sponsor chain read in
    Chinese (入门礼包 · 入门费 · ¥100; 直推奖、多级分销佣金), while the findings keep the
    identifiers for JSON."""
    s = tree(script, second=2, third=1)
    f = by_id(sim.audit(finish(s), "cn"))
    art2, art3 = f["cn.ban_pyramid.art7_2_entry_fee"], f["cn.ban_pyramid.art7_3_team_pay"]
    assert ("入门礼包", "入门费", "¥100") in art2.evidence.declared("zh")
    assert ("Entry package", "entry fee", "¥100") in art2.evidence.declared("en")
    assert ("多级分销佣金", "可计酬的最深层级", "3") in art3.evidence.declared("zh")
    chain = art3.evidence.dynamic[0]
    assert chain.header("zh")[3:5] == ["角色", "奖励类型"]
    cells = chain.cells("zh")
    assert [row[4] for row in cells] == ["—", "直推奖、多级分销佣金", "多级分销佣金"]
    assert {row[3] for row in cells} <= set(labels.ROLES[r][1] for r in labels.ROLES)
    assert [row[4] for row in chain.cells("en")][1] == "direct referral reward, multi-level commission"
    data = json.loads(json.dumps(art3.to_dict()))["evidence"]
    assert ["multi_level_commission", "levels_paid", 3] in data["static"]
    assert data["dynamic"][0]["rows"][1][4] == ["direct_referral", "multi_level_commission"]
