"""The audit read as a compliance reviewer reads it: seven ways it once gave a verdict or a
figure the law does not support, each scripted to the cent and argued from the article or
decision. Each test failed on the code before the audit counted per person, over everyone
who ever took part, by mechanism, and with one definition per figure."""

from __future__ import annotations

import numpy as np
import pytest

import sim
import sim.report
from sim.audit.findings import BREACH, NOT_APPLICABLE, NOT_TRIGGERED
from sim.ledger import POOLS, SALE
from sim.runner import collect


def by_id(result) -> dict:
    return {f.id: f for f in sim.audit(result)}


def close(s):
    """End the scripted day and take the plain result."""
    s.model.step()
    return collect(s.model)


# -- 1. 直销管理条例 Art. 24 is per salesperson ------------------------------------------------
def test_one_salesperson_over_30_percent_is_a_breach_whatever_the_organisation_averages(script):
    """Art. 24: "直销企业支付给直销员的报酬只能按照直销员本人直接向消费者销售产品的收入计算,
    报酬总额 … 不得超过直销员本人直接向消费者销售产品收入的30%". The cap is each salesperson's
    against their own sales. D0 (rank 2) is paid 40% of her customer's ¥100; the other four
    distributors 5% of their customers' ¥1,000 each: ¥240 on ¥4,100 is 5.9% for the
    organisation, under the cap, yet D0 is over it, so the article is breached."""
    s = script({"direct_referral": {"sales_rate": [0.05, 0.40]}}, price=0.0, size=40)
    for k in range(5):
        s.join(f"D{k}", "A")
    s.model.people.rank[s.names["D0"]] = 2          # a rank that pays 40%
    s.customer("c0", "D0")
    s.buy("c0", 100)
    for k in range(1, 5):
        for j in range(2):
            s.customer(f"c{k}{j}", f"D{k}")
            s.buy(f"c{k}{j}", 500)
    f = by_id(close(s))["cn.direct_selling.art24_pay_cap"]
    assert f.measured["seller_rewards"] == pytest.approx(40 + 4 * 0.05 * 1000)
    assert f.measured["pay_to_own_sales"] == pytest.approx(240 / 4100)  # the organisation: under 30%
    assert f.measured["salespersons_over_cap"] == 1
    assert f.measured["worst_pay_to_own_sales"] == pytest.approx(0.40)
    assert f.verdict == BREACH
    worst = f.evidence.dynamic[0].rows[0]
    assert worst[0] == s.names["D0"] and worst[-1] == "40%"


# -- 2. 刑法 224-1 counts everyone who ever took part ---------------------------------------------
def lapsing_membership(script):
    """A 30-day distributor membership nobody renews, paying ¥10 per recruit: organiser A, 28
    members under A and one under the first of them: 30 participants in 3 levels."""
    s = script({"paid_membership": {"fee": 99.0, "period_days": 30, "renewal": 0.0,
                                    "conversion": 1.0, "conversion_daily": 0.0, "discount": 0.0,
                                    "distributor": True},
                "direct_referral": {"join_reward": [10.0]}}, size=40)
    for k in range(28):
        s.join(f"B{k}", "A")
    s.join("C", "B0")
    return s


@pytest.mark.parametrize("day", [24, 34])
def test_lapsed_memberships_still_count_for_the_prosecution_threshold(script, day):
    """The 2013 opinion counts the organisation's participants and levels; it adds that a
    formal breakaway that goes on being paid still counts, and nothing makes a lapse undo a
    level. Before the memberships lapse (day 24) and after (day 34) the organisation is 30
    persons in 3 levels, so the threshold is met on both days; at the end of day 34 no one is
    a member any more, which the finding reports beside it."""
    s = lapsing_membership(script)
    while s.model.day < day:
        s.model.step()
    r = collect(s.model)
    crime = by_id(r)["cn.criminal.art224_1_prosecution"]
    assert (crime.measured["participants"], crime.measured["org_levels"]) == (30, 3)
    assert crime.verdict == BREACH
    lapsed = day > 30
    assert crime.measured["participants_active"] == (0 if lapsed else 30)
    assert crime.measured["org_levels_active"] == (0 if lapsed else 3)
    assert r.metrics["org_levels"] == 3 and r.metrics["org_levels_active"] == (0 if lapsed else 3)


# -- 3. 团队计酬 by mechanism, not only by depth ---------------------------------------------------
def test_pay_at_a_rank_reached_on_team_volume_is_team_pay(script):
    """禁止传销条例 Art. 7(3): pay "以下线的销售业绩为依据". A is promoted to rank 2 by her
    team's purchases (¥1,000 bought by B's customer), then paid 20% instead of 5% on her own
    customer's order. The purchase is one level down, but its rate was set by the downline's
    volume: a rank differential (级差) by team volume is team pay."""
    s = script({"direct_referral": {"sales_rate": [0.05, 0.20]},
                "rank_promotion": {"recruits": [0.0], "team_volume": [1000.0]}}, price=0.0)
    s.join("B", "A")
    s.customer("f", "B")
    s.buy("f", 1000)                        # B's own customer: 5% to B, ¥1,000 team volume for A
    for rule in s.model.rules:
        rule.on_day_end(s.model)            # A reaches rank 2 on that volume
    assert s.model.people.rank[s.names["A"]] == 2
    s.customer("e", "A")
    s.buy("e", 100)                         # A's own customer: 20% because of the team
    r = close(s)
    f = by_id(r)["cn.ban_pyramid.art7_3_team_pay"]
    assert f.verdict == BREACH
    assert f.measured["share_rewards_depth_ge_2"] == 0.0          # no depth >= 2 at all
    assert f.measured["reward_share_team"] == pytest.approx(20 / (50 + 20))
    assert ("rank_promotion", "ranks_by_team_volume", True) in f.evidence.static
    assert ("direct_referral", "pay_set_by_rank", True) in f.evidence.static


def test_a_commission_on_a_participant_recruits_own_purchases_is_team_pay(script):
    """A one-level commission on what a recruit buys while a participant is pay on a
    developed person's sales: 禁止传销条例 Art. 2 counts the sales of persons one developed
    "directly or indirectly", and in Chongqing in 2022 (巴南区市场监管局, 重庆宝月窖藏酒业) a
    two-level WeChat distribution was fined as 传销 for paying A 3% on sales her recruit B made.
    On her customer's purchase the same commission is her own sales and not team pay."""
    s = script({"direct_referral": {"sales_rate": [0.10]}}, price=0.0)
    s.join("B", "A")
    s.customer("c", "A")
    s.buy("c", 100)     # A's own customer
    s.buy("B", 100)     # A's recruit, a participant: the downline's sales
    r = close(s)
    f = by_id(r)["cn.ban_pyramid.art7_3_team_pay"]
    assert f.verdict == BREACH and f.measured["reward_share_team"] == pytest.approx(0.5)
    assert r.flows.loc[r.flows["team"], "internal"].all()


# -- 4. 入门费 needs a right to earn ----------------------------------------------------------------
def points_for_everyone(script):
    """A ¥399 package of goods at fair value, in a model whose only reward is points every
    customer earns on the same terms, bought by A, B and the customer c alike."""
    s = script({"points": {"points_per_100": [10.0], "point_value": 0.1, "redeem_at": 30,
                           "redeem_chance": 1.0}}, price=399.0, goods_value=399.0)
    s.join("B", "A")
    s.customer("c", "A")
    for who in ("A", "B", "c"):
        s.buy(who, 300)
    return close(s)


def test_a_package_that_buys_no_right_to_be_paid_is_not_an_entry_fee(script):
    """Art. 7(2) is about paying "取得加入或者发展其他人员加入的资格": a payment for the right
    to take part, recruit or be paid. Here the package buys goods worth what it costs and no
    right to anything customers do not get anyway (points on purchases), so it is not an
    entry fee; and with no recruited sales force paid, Art. 24 does not apply at all."""
    r = points_for_everyone(script)
    f = by_id(r)
    assert r.metrics["rewards"] == pytest.approx(3 * 3.0)     # ¥3 of points each, redeemed
    art7_2 = f["cn.ban_pyramid.art7_2_entry_fee"]
    assert art7_2.verdict == NOT_TRIGGERED
    assert art7_2.measured["entry_fee"] == 399.0 and art7_2.measured["entry_buys_right_to_earn"] == 0.0
    assert f["cn.direct_selling.art24_pay_cap"].verdict == NOT_APPLICABLE
    assert f["us.ftc.koscot"].measured["payment_to_company"] == 0.0
    assert sim.risk_index(r).parts[1].score == 0.0


def test_a_fair_value_package_that_buys_the_right_to_be_paid_is_still_an_entry_fee(script):
    """The same package, where it is what makes one a 代理 paid ¥20 per recruit: buying goods
    at their full value does not stop it being the condition of the right to earn (变相交纳),
    so Art. 7(2) is breached, and the excess over the goods (here none) is reported apart."""
    s = script({"direct_referral": {"join_reward": [20.0]}}, price=399.0, goods_value=399.0)
    s.join("B", "A")
    f = by_id(close(s))["cn.ban_pyramid.art7_2_entry_fee"]
    assert f.verdict == BREACH
    assert f.measured["entry_buys_right_to_earn"] == 1.0
    assert f.measured["entry_goods_value"] == 399.0 and f.measured["entry_fee_above_goods_value"] == 0.0
    assert "disguised fee" in f.explanation_en and "变相交纳" in f.explanation_zh


# -- 5. Figures with one definition ---------------------------------------------------------------
def test_the_entry_fee_is_the_price_of_qualifying_once(script):
    """A ¥398 yearly distributor membership renewed once: the entry fee is ¥398, what it costs
    to qualify; the ¥796 the organiser paid over two years is money collected, a different
    figure (the 'serious' marker of 224-1 counts it)."""
    s = script({"paid_membership": {"fee": 398.0, "period_days": 365, "renewal": 1.0,
                                    "conversion": 1.0, "conversion_daily": 0.0, "discount": 0.0,
                                    "distributor": True},
                "direct_referral": {"join_reward": [10.0]}}, size=10)
    s.model.run_days(400)
    r = collect(s.model)
    i = sim.indicators(r)
    assert i["entry_fee"] == 398.0
    assert i["entry_fees_collected"] == pytest.approx(796.0)


def test_internal_consumption_has_one_definition_and_stays_a_share():
    """Membership fees are paid but are not GMV, so dividing what participants paid by GMV
    gave 2.2172 for membership_distribution; the one definition divides by everything paid."""
    r = sim.run("membership_distribution", seed=1, market_size=3000, days=60)
    i = sim.indicators(r)
    assert r.metrics["internal_consumption_share"] == i["internal_consumption_share"]
    assert 0 < i["internal_consumption_share"] <= 1
    assert i["internal_consumption_share"] == pytest.approx(
        i["participant_spend"] / (i["participant_spend"] + i["sales_to_non_participants"]))


def test_money_held_in_wallets_is_not_an_uncovered_promise():
    """团长 commissions sit in wallets: money set aside in an account of its own, owed and held.
    Only a promise the books hold nowhere can be uncovered; community group buying makes none."""
    r = sim.run("community_group_buying", seed=1, market_size=3000, days=90)
    i = sim.indicators(r)
    assert i["liabilities_end"] > 0 and i["promised_offbook_end"] == 0
    assert i["uncovered_promise_share"] == 0.0
    part = next(p for p in sim.risk_index(r).parts if p.key == "uncovered_promises")
    assert part.score == 0.0


def test_shared_purchase_promises_include_the_merchants_share_value():
    """共享购 airdrops go to merchants' 共享值 as well as buyers': both are promised."""
    from sim.model import SchemeModel
    model = SchemeModel(sim.load_scenario("shared_purchase").with_market(size=2000, days=40), seed=1)
    model.run_days(40)
    rule = model.scenario.rule("shared_purchase")
    merchants = int(model.rule_state(rule.key).merchant_value.sum())
    buyers = int(model.column("share_value", np.int64).sum())
    assert merchants > 0
    assert model.daily[-1]["promised_offbook"] == buyers + merchants
    model.release()


# -- 6. Words that claim no more than the audit can ---------------------------------------------
def test_no_verdict_is_ever_called_compliant():
    """An audit of a simulation can say a test was not triggered (未触及), never that a scheme
    is compliant (合规): one table of verdict words, used by the report, the CLI and the page."""
    from dashboard import i18n
    from sim.audit.findings import VERDICT_NAMES
    assert VERDICT_NAMES[NOT_TRIGGERED] == ("not triggered", "未触及")
    words = " ".join(en + zh for en, zh in i18n.STRINGS.values())
    assert "合规" not in words.replace("合规边界", "") and "compliant" not in words.lower()
    r = sim.run("fission_distribution", seed=1, market_size=1500, days=60)
    html = sim.report.render([r], lang="zh") + sim.report.render([r], lang="en")
    assert "合规" not in html and "compliant" not in html.lower()
    assert "未触及" in html and sim.audit.RiskIndex.screening("zh") in html


# -- 7. Persons' money is never negative in the books ---------------------------------------------
def test_paying_out_of_an_empty_pool_unbalances_the_books(script):
    """Paying ¥10,000 from an empty pool once left the books 'balanced', the pool at −10,000
    and the liabilities at 0 (the negative pool cancelled the wallet). A pool, a wallet or a
    deposit may not go below zero, and the daily reconciliation now says so."""
    s = script({}, price=0.0)
    s.join("B", "A")
    b = np.array([s.names["B"]])
    s.model.ledger.reward("dividend", b, b, np.zeros(1, np.int64), np.array([1_000_000]),
                          basis=SALE, source=POOLS, pool="contribution_dividend")
    assert s.model.ledger.balance[POOLS] == -1_000_000
    _, imbalance = s.model.ledger.close_day()
    assert imbalance >= 2 * 1_000_000  # the pools account and the pool itself


def test_withdrawing_more_than_a_wallet_holds_unbalances_the_books(script):
    s = script({"direct_referral": {"join_reward": [10.0]}}, price=10.0)
    s.join("B", "A")
    a = np.array([s.names["A"]])
    s.model.ledger.withdraw(a, np.array([1_500]), np.zeros(1, np.int64))   # ¥15 from ¥10
    _, imbalance = s.model.ledger.close_day()
    assert imbalance == 2 * 500  # A's wallet and the wallets account, ¥5 below zero each


def test_every_shipped_scenario_balances_with_the_new_checks():
    """The non-negativity checks hold on every shipped scenario (the daily check is part of
    ledger_imbalance, which tests/test_books.py asserts is 0 every day)."""
    for path in sim.scenario_paths():
        r = sim.run(path, seed=2, market_size=1500, days=45)
        assert (r.daily["ledger_imbalance"] == 0).all(), path.stem
        owed = r.daily[["wallets_owed", "points_liability", "pool_liability", "escrow_held"]]
        assert (owed >= 0).all().all(), path.stem
