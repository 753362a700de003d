"""Group buying family: 拼团, 砍价, presale / crowdfunding, 社区团购 leaders and supply-chain
finance, each as a small table of scripted cases, plus what each scenario is for: a failed
group refunds in full, a presale below threshold makes nothing, pickup brings logistics under
S2's 30% (docs/sources.md), and finance interest and defaults reach the books."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import sim
from conftest import Script, closing, scenario_dict
from sim.errors import ScenarioError
from sim.ledger import ESCROW, LENDERS
from sim.people import CONSUMER, LEADER

PRICE = 10_000  # the regular price in cents (¥100, validation_market's retail price)


def group_market(rules: dict, *, size: int = 40, community_size: int = 10,
                 retail: dict | None = None) -> Script:
    """A small well-mixed market where everyone is a customer and nothing happens unless
    scripted: each community of ``community_size`` is everyone's contact list (the group chat)."""
    return Script(rules, price=None, size=size, everyone=True, retail=retail,
                  market={"community_size": community_size, "basket": 1.0})


@pytest.fixture
def market():
    yield from closing(group_market)


# -- 拼团 ----------------------------------------------------------------------------------
# (group_buy params, community size, expected group size, expected price paid per member in
# yuan or None for a failed group). Everyone in the initiator's community is free to join, so
# join_chance 1 fills the group to the community or the top step, whichever is smaller.
GROUP_CASES = {
    "no one joins: refunded": ({"join_chance": 0.0}, 10, 1, None),
    "top step reached: ¥100 -> ¥50 (003)": ({"join_chance": 1.0}, 10, 10, 50),
    "middle step: the price of the largest step reached": ({"join_chance": 1.0}, 7, 7, 65),
    "first step only": ({"join_chance": 1.0, "sizes": [3, 5, 10]}, 4, 4, 80),
    "three members short of a 5-person minimum: refunded": (
        {"join_chance": 1.0, "sizes": [5, 8], "prices": [0.7, 0.6]}, 3, 3, None),
}


@pytest.mark.parametrize("name", GROUP_CASES)
def test_group_buy_settles_at_the_ladder_price(market, name):
    params, community, size, price = GROUP_CASES[name]
    rule = {"take_up": 1.0, "sizes": [2, 5, 10], "prices": [0.8, 0.65, 0.5], "time_limit": 2,
            "platform_pays": 0.0, "share_factor": 1.0, **params}
    mk = market({"group_buy": rule}, size=40, community_size=community)
    m = mk.model
    opener = 0 if community > 1 else 1
    mk.day([opener])
    mk.day()                                   # time runs out at the end of the second day
    st = m.rule_state("group_buy")
    assert st.size.tolist() == [size] and not st.live.any()
    first = round(rule["prices"][0] * PRICE)
    flows = mk.flows()
    assert flows["deposit"] == size * first    # everyone paid the first step into escrow
    assert m.ledger.balance[ESCROW] == 0
    if price is None:                          # a failed 拼团 refunds in full and sells nothing
        assert flows["refund"] == size * first
        assert "escrow_sale" not in flows and "cogs" not in flows
        assert m.people.paid.sum() == 0 and m.ledger.merchant.sum() == 0
    else:
        assert flows["escrow_sale"] == size * price * 100
        assert flows.get("refund", 0) == size * (first - price * 100)   # 阶梯团: difference back
        assert m.people.paid.sum() == size * price * 100
        assert m.people.value.sum() == size * PRICE                     # goods worth ¥100 each


def test_group_members_come_from_the_initiators_contacts(market):
    mk = market({"group_buy": {"take_up": 1.0, "join_chance": 1.0, "sizes": [2, 50],
                               "prices": [0.8, 0.5], "share_factor": 1.0}}, size=40, community_size=10)
    mk.day([13])
    members = mk.model.rule_state("group_buy").pending.buyers
    assert sorted(members.tolist()) == list(range(10, 20))   # 13's community, nobody else


def test_platform_pays_its_share_of_the_group_discount(market):
    mk = market({"group_buy": {"take_up": 1.0, "join_chance": 1.0, "platform_pays": 0.5,
                               "share_factor": 1.0}}, size=20, community_size=10)
    mk.day([0])                                # fills to 10 at once: closes the same day
    flows = mk.flows()
    assert flows["escrow_sale"] == 10 * 5_000
    assert flows["coupon_subsidy"] == 10 * 2_500       # half the ¥50 discount
    assert mk.model.ledger.merchant[0] > 0


def test_a_group_whose_merchant_closes_is_refunded(market):
    mk = market({"group_buy": {"take_up": 1.0, "join_chance": 1.0, "sizes": [2, 50],
                               "prices": [0.8, 0.5], "time_limit": 3, "share_factor": 1.0}},
                size=20, community_size=10)
    mk.day([0])
    mk.model.merchants[0].active = False
    mk.day()
    flows = mk.flows()
    assert flows["refund"] == flows["deposit"] == 10 * 8_000 and "escrow_sale" not in flows


def test_group_buy_problems_are_refused():
    d = scenario_dict("pinduoduo_group_buy")
    for change, key in (({"sizes": [5, 2]}, "sizes"), ({"prices": [0.8, 0.5]}, "prices"),
                        ({"prices": [0.5, 0.6, 0.7]}, "prices")):
        bad = copy.deepcopy(d)
        bad["rules"]["group_buy"].update(change)
        with pytest.raises(ScenarioError, match=f"rules.group_buy.{key}"):
            sim.load_scenario(bad)


# -- 砍价 ----------------------------------------------------------------------------------
# (bargain params, community size -> helpers = size - 1, expected paid, subsidy, merchant
# receives; None: no sale)
BARGAIN_CASES = {
    "4 of 10 helps, half-price floor": ({}, 5, 8_000, 2_000, 10_000),
    "floor reached, free (砍到0元)": ({"floor": 0.0, "helps_needed": 4}, 10, 0, 10_000, 10_000),
    "merchant pays the cut": ({"platform_pays": 0.0}, 5, 8_000, 0, 8_000),
    "short of the floor, buy only at the floor: walks away": ({"buy_at_reached": False}, 5, None, None, None),
    "floor reached, buy only at the floor": ({"buy_at_reached": False, "helps_needed": 4}, 5, 5_000, 5_000, 10_000),
}


@pytest.mark.parametrize("name", BARGAIN_CASES)
def test_bargain_cuts_the_price_by_helps(market, name):
    params, community, paid, subsidy, receipts = BARGAIN_CASES[name]
    rule = {"take_up": 1.0, "helps_needed": 10, "floor": 0.5, "time_limit": 1, "help_chance": 1.0,
            "buy_at_reached": True, "platform_pays": 1.0, "share_factor": 1.0, **params}
    mk = market({"bargain": rule}, size=20, community_size=community)
    mk.day([0])
    flows = mk.flows()
    if paid is None:
        assert "sale" not in flows and "cogs" not in flows and mk.model.people.paid.sum() == 0
        return
    assert flows.get("sale", 0) == paid and flows.get("coupon_subsidy", 0) == subsidy
    assert mk.model.people.value[0] == PRICE       # the inviter gets ¥100 of goods
    assert flows["cogs"] > 0 and mk.model.people.paid[1:].sum() == 0  # helpers pay nothing
    fee = receipts // 10                          # 10% platform fee on what the merchant is paid
    assert mk.model.merchant_profit_today[0] == receipts - fee - flows["cogs"]


# Shrinking cuts (砍一刀): each help a share of what is left, at least a cent. With the share
# fixed at a half the arithmetic is exact: the ¥50 cut goes 2500, 1250, 625, 312, 156, 78, 39,
# 20, 10, 5, 2, 1, 1, 1 cents: the last yuan takes seven of the fourteen helps.
# (helpers, price paid in cents)
SHRINKING_CASES = {"4 helps": (4, 10_000 - 4_687), "13 helps: a cent short": (13, 5_001),
                   "14 helps reach the floor": (14, 5_000), "15 contacts, 14 helps": (15, 5_000)}


@pytest.mark.parametrize("name", SHRINKING_CASES)
def test_shrinking_cuts_halve_what_is_left(market, name):
    helpers, paid = SHRINKING_CASES[name]
    rule = {"take_up": 1.0, "cuts": "shrinking", "cut_low": 0.5, "cut_high": 0.5, "floor": 0.5,
            "time_limit": 1, "help_chance": 1.0, "share_factor": 1.0}
    mk = market({"bargain": rule}, size=40, community_size=helpers + 1)
    mk.day([0])
    assert mk.flows()["sale"] == paid
    assert mk.model.rule_state("bargain").helps.tolist() == [min(helpers, 14)]


def test_the_last_yuan_takes_many_helpers():
    """Random shrinking cuts of 5-20% of what is left: a ¥50 cut takes dozens of helps, and
    the last yuan a large share of them, where equal cuts spend a fifth of one help on it."""
    rule = sim.load_scenario({**scenario_dict("bargain_kanjia"),
                              "rules": {"bargain": {"cuts": "shrinking"}}}).rule("bargain")
    rng = np.random.default_rng(0)
    helps, last_yuan = [], []
    for _ in range(200):
        left, n, late = np.array([5_000]), 0, 0
        while left[0] > 0:
            late += left[0] <= 100
            left = left - rule.cut(left, rng.random(1))
            n += 1
        helps.append(n)
        last_yuan.append(late)
    assert 40 < np.mean(helps) < 80 and np.mean(last_yuan) / np.mean(helps) > 0.3


def test_a_contact_helps_a_bargain_once(market):
    mk = market({"bargain": {"take_up": 1.0, "helps_needed": 10, "time_limit": 3,
                             "help_chance": 1.0, "share_factor": 1.0}}, size=20, community_size=4)
    mk.day([0])
    mk.day()
    mk.day()
    assert mk.flows()["sale"] == 10_000 - 5_000 * 3 // 10   # 3 helpers, once each


# -- presale / crowdfunding ------------------------------------------------------------------
# (presale params, buyers ordering within the window, expected outcome)
PRESALE = {"take_up": 1.0, "price_factor": 0.9, "cost_factor": 0.5, "deposit": 0.2, "window": 2,
           "threshold": 3, "lead_days": 2}


def test_a_presale_below_threshold_makes_nothing_and_refunds_deposits(market):
    mk = market({"presale": PRESALE}, size=20)
    m = mk.model
    mk.day([1, 2])                   # day 1: two orders
    assert m.ledger.balance[ESCROW] == 2 * 1_800            # 20% of ¥90
    assert m.people.paid[[1, 2]].tolist() == [1_800, 1_800]
    mk.day()                         # day 2: the window closes with 2 < 3
    for _ in range(4):
        mk.day()
    flows = mk.flows()
    assert flows == {"deposit": 3_600, "refund": 3_600}     # no sale, no goods, no fees
    assert m.ledger.balance[ESCROW] == 0 and m.people.paid.sum() == 0
    assert m.ledger.merchant.sum() == 0


def test_a_presale_at_threshold_is_made_and_delivered_after_lead_days(market):
    mk = market({"presale": PRESALE}, size=20)
    m = mk.model
    mk.day([1, 2])
    mk.day([3])                      # window closes (day 2) with 3 orders: balance paid
    assert m.ledger.balance[ESCROW] == 3 * 9_000
    mk.day()                         # day 3
    assert "escrow_sale" not in mk.flows()
    mk.day()                         # day 4 = 2 + lead_days: delivered and paid to the merchant
    flows = mk.flows()
    assert flows["deposit"] == 3 * 9_000 and flows["escrow_sale"] == 3 * 9_000
    assert "refund" not in flows and m.ledger.balance[ESCROW] == 0
    assert flows["cogs"] == 3 * (m.merchant_unit_cost[0] // 2)   # made at cost_factor 0.5
    assert m.people.value[[1, 2, 3]].tolist() == [PRICE] * 3  # a discount: goods worth ¥100


def test_a_made_to_order_premium_is_paid_and_valued(market):
    mk = market({"presale": {**PRESALE, "price_factor": 1.3, "deposit": 1.0, "threshold": 1,
                             "lead_days": 0}}, size=20)
    mk.day([1])
    mk.day()
    assert mk.flows()["escrow_sale"] == 13_000 and mk.model.people.value[1] == 13_000


# -- 社区团购 leaders ------------------------------------------------------------------------
LEADERS = {"commission": 0.1, "territory": 1, "recruit_rate": 1.0, "pickup_fulfilment": 1.5,
           "stop_cost": 10.0, "demand_lift": 1.0}

# (commission, residents' orders of ¥100 in the leader's community, expected leader pay yuan)
COMMISSION_CASES = {"5%": (0.05, 3, 15.0), "10%": (0.10, 3, 30.0), "20%": (0.20, 2, 40.0)}


@pytest.mark.parametrize("name", COMMISSION_CASES)
def test_leader_commission_is_exact_on_residents_orders(market, name):
    rate, orders, pay = COMMISSION_CASES[name]
    mk = market({"community_leaders": {**LEADERS, "commission": rate}}, size=20)
    m = mk.model
    mk.day([5])                      # the only resident who has ordered: appointed at day end
    assert m.people.role[5] == LEADER and (m.people.role == LEADER).sum() == 1
    mk.day([5, *range(6, 6 + orders), 12])   # own order, and community 1's, earn nothing
    assert m.people.rewards[5] == pay * 100 and m.people.rewards.sum() == pay * 100
    assert mk.flows()["reward:leader_commission"] == m.ledger.wallet[5] == pay * 100


def test_residents_of_a_led_community_collect_at_the_pickup_point(market):
    mk = market({"community_leaders": LEADERS}, size=20, retail={"fulfilment_cost": 10.0})
    mk.day([5])                      # no leader yet: home delivery
    assert mk.flows()["fulfilment"] == 1_000
    mk.day([6, 7, 15])               # 6 and 7 collect from leader 5 (one stop); 15 has none
    assert mk.flows()["fulfilment"] == 1_000 + (150 + 150 + 1_000) + 1_000


@pytest.mark.parametrize("rate", [0.04, 0.21])
def test_leader_commission_is_bounded_to_the_seed_range(rate):
    d = scenario_dict("community_group_buying")
    d["rules"]["community_leaders"]["commission"] = rate
    with pytest.raises(ScenarioError, match="rules.community_leaders.commission"):
        sim.load_scenario(d)


def test_a_leader_earning_too_little_gives_up(market):
    mk = market({"community_leaders": {**LEADERS, "reservation_wage": 2.0, "review_days": 2,
                                       "recruit_rate": 0.0, "founders_lead": True}}, size=20)
    m = mk.model
    founder = int(m.founders[0])
    resident = founder + 1 if founder % 10 < 9 else founder - 1
    mk.day()                         # day 1: the organiser leads (founders_lead)
    mk.day([resident])               # day 2: ¥10 commission
    for _ in range(4):               # to day 6: ¥10 >= ¥2 × 5 days since appointment
        mk.day()
    assert m.people.role[founder] == LEADER
    mk.day()                         # day 7: ¥10 < ¥2 × 6 days: gives up the role
    st = m.rule_state("community_leaders")
    assert m.people.role[founder] == CONSUMER and st.quit[founder]
    mk.day()
    assert (st.leader < 0).all()     # vacant, and recruit_rate 0 appoints no one


def test_founders_lead_one_territory_each(market):
    mk = market({"community_leaders": {**LEADERS, "founders_lead": True, "recruit_rate": 0.0,
                                       "territory": 2}}, size=60, community_size=10)
    mk.day()
    st = mk.model.rule_state("community_leaders")
    assert (st.leader >= 0).sum() == 1 and mk.model.people.role[mk.model.founders[0]] == LEADER


# -- supply-chain finance -------------------------------------------------------------------
FINANCE = {"advance_rate": 0.5, "daily_rate": 0.001, "term_days": 10, "recovery": 0.2}


def test_loan_interest_is_a_merchant_cost_and_the_lenders_income(market):
    mk = market({"supply_chain_finance": FINANCE}, size=20)
    m = mk.model
    mk.day([1, 2, 3, 4])             # ¥400 of orders at merchant 0: ¥200 lent, due day 11
    assert m.ledger.balance[LENDERS] == -20_000 and m.ledger.merchant[0] > 0
    for _ in range(9):
        mk.day()
    assert m.day == 11
    profit_before = m.ledger.merchant[0] - 20_000
    mk.day()                         # repaid with 10 days × 0.1% = ¥2 interest
    flows = mk.flows()
    assert (flows["loan"], flows["loan_repayment"], flows["loan_interest"]) == (20_000, 20_000, 200)
    assert m.merchant_profit_today[0] == -200
    assert m.ledger.balance[LENDERS] == 200
    assert m.ledger.merchant[0] == profit_before - 200


def test_a_closing_merchant_defaults_and_the_lender_writes_off(market):
    mk = market({"supply_chain_finance": FINANCE}, size=20)
    m = mk.model
    mk.day([1, 2, 3, 4], shop=1)     # ¥200 lent to merchant 1
    balance = int(m.ledger.merchant[1])
    m.merchants[1].active = False    # closes before the loan is due
    mk.day()
    rule = m.scenario.rule("supply_chain_finance")
    assert rule.daily_figures(m) == {"loans_outstanding": 0, "loan_written_off": 16_000}
    flows = mk.flows()
    assert flows["loan_repayment"] == 4_000 and "loan_interest" not in flows  # 20% recovered
    assert m.ledger.balance[LENDERS] == -16_000                               # the lender's loss
    assert m.ledger.merchant[1] == balance - 4_000


def test_only_held_orders_are_pledged_when_asked(market):
    mk = market({"group_buy": {"take_up": 0.5, "join_chance": 0.0, "share_factor": 1.0},
                 "supply_chain_finance": {**FINANCE, "orders": "held"}}, size=20)
    m = mk.model
    mk.day(list(range(10)))
    st = m.rule_state("group_buy")
    held = int(st.pending.paid.sum())
    assert 0 < held < 10 * 8_000 and mk.flows()["loan"] == held // 2


# -- the scenarios --------------------------------------------------------------------------
def test_pickup_brings_logistics_under_a_third_of_cost():
    """S2: 「高频配送模式下,物流成本占比可能超30%」. Home delivery of small grocery orders is over
    30% of goods-plus-delivery; once leaders serve the neighbourhoods (the last month of five)
    pickup brings it well under."""
    def share(recruit_rate: float) -> float:
        d = scenario_dict("community_group_buying")
        d["rules"]["community_leaders"]["recruit_rate"] = recruit_rate
        last = sim.run(d, seed=1, market_size=5000, days=150).daily.iloc[-30:]
        return last["flow_fulfilment"].sum() / (last["flow_cogs"].sum() + last["flow_fulfilment"].sum())
    assert share(0.0) > 0.33 and share(0.05) < 0.27


def test_failed_groups_are_refunded_in_the_pinduoduo_scenario():
    r = sim.run("pinduoduo_group_buy", seed=2, market_size=3000, days=60)
    d = r.daily
    assert d["flow_refund"].sum() > 0 and d["flow_escrow_sale"].sum() > 0
    assert d["escrow_held"].iloc[-1] == pytest.approx(
        d["flow_deposit"].sum() - d["flow_refund"].sum() - d["flow_escrow_sale"].sum())


def test_finance_scenario_shows_interest_and_defaults():
    r = sim.run("group_buy_supply_chain_finance", seed=0, market_size=5000, days=180)
    d = r.daily
    assert d["flow_loan_interest"].sum() > 0 and d["loan_written_off"].sum() > 0
    # Outstanding = lent - repaid on time - defaulted (recovered part + written off).
    outstanding = d["flow_loan"].sum() - d["flow_loan_repayment"].sum() - d["loan_written_off"].sum()
    assert round(d["loans_outstanding"].iloc[-1] * 100) == round(outstanding * 100)


def test_the_start_up_launches_on_ten_big_leaders():
    """S4: 「起盘期合伙人级别的大团长……只需要10个」. The ten organisers lead a tenth of the
    market each, nobody else is appointed, and the platform pays its team every day."""
    r = sim.run("community_group_buy_startup", seed=0, market_size=20_000, days=20)
    leaders = r.people[r.people["role"] == "leader"]
    assert len(leaders) == 10 and leaders["founder"].all()
    assert (r.daily["leaders"].iloc[2:] == 10).all()
    assert r.daily["flow_marketing"].sum() == 2_500 * 20
    assert r.daily["reward_leader_commission"].sum() > 0
