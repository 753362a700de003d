"""Membership, subscription, coupons, gamification and channel mechanisms: tables of scripted
orders with exact cents, the books they leave, and the calibrated +30% coupon repurchase."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import sim
from conftest import Script, closing, scenario_dict
from sim.ledger import ESCROW, POINTS
from sim.model import SchemeModel
from sim.people import CONSUMER, DISTRIBUTOR

UNIT_COST = 60.0  # retail_baseline's unit cost; no spread in these markets


def channel_market(rules: dict, *, size: int = 40, **retail) -> Script:
    """A market with no adverts, no word of mouth and no spontaneous purchases: every event
    is scripted. Persons 1.. arrive on day 1 (person 0 may be the founder)."""
    return Script(rules, price=None, size=size,
                  retail={"unit_cost_spread": 0.0, "merchants": 2, **retail})


@pytest.fixture
def market():
    yield from closing(channel_market)


# -- orders shaped by one mechanism: (rules, setup, expected per order in yuan) ------------
# setup(m, ids) prepares persons ids[0] (the one the mechanism applies to) and ids[1] (who it
# does not); both then order 2 units at 100 (list 200, cost of goods 120, delivery 8).
def _member(m, ids):
    m.scenario.rule("paid_membership").charge(m, ids[:1])


def _gold_member(m, ids):
    _member(m, ids)
    m.column("member_spend", np.int64)[ids] = 300_000  # 3,000 yuan bought: gold for a member


def _coupon(m, ids):
    m.scenario.rule("coupons").give(m, ids[:1])


def _near_store(m, ids):  # stores serve the first community (persons 0-99); move ids[1] away
    m.community[ids[1]] = 5


def _nothing(m, ids):
    pass


MEMBER = dict(fee=29.0, discount=0.2, conversion=0.0, conversion_daily=0.0)
ORDERS = {
    "member 20% off, platform-funded: merchant made whole": (
        {"paid_membership": {**MEMBER, "funded_by": "platform"}}, _member,
        [dict(paid=160, subsidy=40, list_price=200), dict(paid=200, subsidy=0, list_price=200)]),
    "member 20% off, merchant-funded": (
        {"paid_membership": {**MEMBER, "funded_by": "merchant"}}, _member,
        [dict(paid=160, subsidy=0), dict(paid=200, subsidy=0)]),
    "gold tier doubles a 10% member discount": (
        {"paid_membership": {**MEMBER, "discount": 0.1},
         "member_tiers": {"spend": [1000.0, 3000.0], "recruits": [3.0, 10.0],
                          "discount_scale": [1.0, 1.5, 2.0]}}, _gold_member,
        [dict(paid=160, subsidy=40), dict(paid=200, subsidy=0)]),
    "coupon: 10 off paid by the platform": (
        {"coupons": {"value": 10.0, "funded_by": "platform"}}, _coupon,
        [dict(paid=190, subsidy=10), dict(paid=200, subsidy=0)]),
    "coupon: 10 off paid by the merchant": (
        {"coupons": {"value": 10.0, "funded_by": "merchant"}}, _coupon,
        [dict(paid=190, subsidy=0), dict(paid=200, subsidy=0)]),
    "store: bigger basket near a store, same margin rate": (
        {"stores": {"stores": 1, "communities_per_store": 1, "basket_lift": 0.15}}, _near_store,
        [dict(paid=230, list_price=230, cogs=138), dict(paid=200, list_price=200, cogs=120)]),
    "pickup near a store: expected cost of half collected": (
        {"stores": {"stores": 1, "communities_per_store": 1},
         "pickup": {"pickup_share": 0.5, "pickup_cost": 2.0}}, _near_store,
        [dict(fulfilment=5), dict(fulfilment=8)]),
    "pickup everywhere without stores (lockers)": (
        {"pickup": {"pickup_share": 1.0, "pickup_cost": 2.0}}, _nothing,
        [dict(fulfilment=2), dict(fulfilment=2)]),
    "inventory optimisation cuts cost of goods": (
        {"inventory": {"cost_saving": 0.05}}, _nothing,
        [dict(cogs=114, paid=200), dict(cogs=114, paid=200)]),
    "limited edition: price and cost premium": (
        {"product_offer": {"share": 1.0, "price_premium": 0.3, "cost_premium": 0.15}}, _nothing,
        [dict(paid=260, list_price=260, cogs=138), dict(paid=260, list_price=260, cogs=138)]),
}


@pytest.mark.parametrize("name", ORDERS)
def test_orders_are_shaped_exactly(market, name):
    rules, setup, expected = ORDERS[name]
    s = market(rules, size=200)
    m = s.model
    ids = s.arrive(2)
    setup(m, ids)
    orders = s.order(ids, units=2)
    for i, want in enumerate(expected):
        got = {k: int(getattr(orders, k)[i]) / 100 for k in want}
        assert got == want, f"order {i}"
    s.book(orders)
    assert m.ledger.close_day()[1] == 0


def test_a_coupon_is_used_once_and_lapses(market):
    s = market({"coupons": {"value": 10.0, "valid_days": 3, "issue": "after_purchase", "reach": 1.0}})
    m = s.model
    a, b = s.arrive(2)
    coupons = m.scenario.rule("coupons")
    coupons.give(m, np.array([a, b]))
    orders = s.order(a, units=2)
    m.book_sales(orders)                       # used: and a new one comes with the order
    assert orders.paid[0] == 19_000 and coupons.holding(m, np.array([a]))[0]
    second = s.order(a, units=2)
    assert second.paid[0] == 19_000            # the coupon that came with the first order
    m.day += 3                                 # b's coupon (days 1-3) has lapsed
    assert not coupons.holding(m, np.array([b]))[0]
    assert s.order(b, units=2).paid[0] == 20_000


def test_coupons_in_the_group_go_to_members_every_drop(market):
    s = market({"coupons": {"issue": "community", "reach": 1.0, "every_days": 7, "valid_days": 7,
                            "lift": 0.5}})
    m = s.model
    a, b = s.arrive(2)
    m.book_sales(s.order(a, units=2))     # a's first purchase: joins the group
    coupons = m.scenario.rule("coupons")
    m.day = 7
    s.end_day()
    assert coupons.holding(m, np.array([a, b])).tolist() == [True, False]
    assert coupons.demand(m, np.array([a, b])).tolist() == [1.5, 1.0]


def test_subscription_delivers_every_cycle_exactly(market):
    s = market({"subscription": {"every_days": 10, "units": 2, "discount": 0.05, "conversion": 1.0,
                                 "conversion_daily": 0.0, "cancel": 0.0}})
    m = s.model
    a, b = s.arrive(2)
    s.run_to(2)                               # day 1: both subscribe, first box delivered
    m.people.state[b] = 2                      # b leaves the market: no more boxes
    s.run_to(26)
    assert m.people.purchases[a] == 3 and m.people.paid[a] == 3 * 19_000  # days 1, 11, 21
    assert m.people.purchases[b] == 1 and m.people.paid[b] == 19_000
    assert (pd.DataFrame(m.daily)["ledger_imbalance"] == 0).all()


def test_subscription_cancels_at_renewal_not_before_the_first_box(market):
    s = market({"subscription": {"every_days": 5, "conversion": 1.0, "conversion_daily": 0.0,
                                 "cancel": 1.0}})
    m = s.model
    (a,) = s.arrive(1)
    s.run_to(20)
    assert m.people.purchases[a] == 1


def test_membership_fee_is_charged_on_joining_and_each_renewal(market):
    s = market({"paid_membership": {**MEMBER, "conversion": 1.0, "period_days": 30,
                                    "renewal": 1.0}})
    m = s.model
    ids = s.arrive(3)
    s.run_to(62)                              # join on day 1, renew on days 30 and 60
    assert m.ledger.totals["membership_fee"] == 3 * 3 * 2900
    assert (m.people.paid[ids] == 3 * 2900).all()
    assert m.scenario.rule("paid_membership").members(m, ids).all()


def test_a_lapsed_distributor_member_stops_earning(market):
    s = market({"paid_membership": {**MEMBER, "fee": 100.0, "conversion": 1.0, "period_days": 10,
                                    "renewal": 0.0, "distributor": True},
                "direct_referral": {"join_reward": [30.0]}})
    m = s.model
    founder = int(m.founders[0])
    (b,) = s.arrive(1)
    m.enrol(np.array([b + 1]), np.array([b]), qualify=False)
    m._qualify(np.array([b]))                  # b buys membership: distributor, pays 100
    m._qualify(np.array([b + 1]))              # b's invitee buys: b earns the invite commission
    assert m.people.role[b] == DISTRIBUTOR and m.people.rewards[b] == 3000
    assert m.people.entry_paid[b] == 10_000
    assert m.people.role[founder] == DISTRIBUTOR
    s.run_to(10)                              # the founder's period (days 0-9) ends unrenewed
    assert m.people.role[founder] == CONSUMER and m.people.role[b] == DISTRIBUTOR
    s.run_to(11)                              # and b's (days 1-10)
    assert m.people.role[b] == CONSUMER and not m.people.can_earn(np.array([b]))[0]
    assert (pd.DataFrame(m.daily)["ledger_imbalance"] == 0).all()


def test_member_tiers_rank_distributors_by_spend_or_invites(market):
    s = market({"paid_membership": {**MEMBER, "distributor": True},
                "member_tiers": {"spend": [1000.0, 3000.0], "recruits": [3.0, 10.0],
                                 "discount_scale": [1.0, 1.5, 2.0]}})
    m = s.model
    ids = s.arrive(3, qualify=True)
    m.people.recruits[ids[1]] = 3              # silver by invitations
    tiers = m.scenario.rule("member_tiers")
    tiers.on_purchase(m, ids[2:], np.array([300_000], np.int64))  # gold by spend
    s.end_day()
    assert m.people.rank[ids].tolist() == [1, 2, 3]


def test_members_net_result_is_discounts_less_fees():
    """付费会员's economics in the books: what members gained is the discount the platform paid
    less the fees they paid, to the cent."""
    s = sim.load_scenario("paid_membership").with_market(size=3000, days=90)
    m = SchemeModel(s, seed=1)
    try:
        m.run_days(90)
        p, totals = m.people, m.ledger.totals
        assert int((p.value - p.paid).sum()) == totals["coupon_subsidy"] - totals["membership_fee"]
        members = m.column("member_until", np.int32) >= 0
        assert members.sum() > 30 and totals["membership_fee"] > 0
        # Frequent buyers come out ahead, occasional ones lose their fee: both exist.
        net = (p.value - p.paid)[members]
        assert (net > 0).any() and (net < 0).any()
    finally:
        m.release()


# -- gamification and community managers --------------------------------------------------
@pytest.mark.parametrize("paid_as, reward, marketing", [("reward", 5000, 0), ("marketing", 0, 2 * 5000)])
def test_leaderboard_prizes_go_to_the_top_scores(market, paid_as, reward, marketing):
    s = market({"gamification": {"take_up": 1.0, "winners": 2, "prize": 50.0, "period_days": 7,
                                 "prize_paid_as": paid_as}})
    m = s.model
    ids = s.arrive(4)
    m.column("game_score", np.float64)[ids] = [3.0, 9.0, 9.0, 1.0]
    m.day = 7
    s.end_day()
    winners, losers = ids[[1, 2]], ids[[0, 3]]  # tie at 9: both win
    assert (m.people.rewards[winners] == reward).all() and (m.people.rewards[losers] == 0).all()
    assert (m.people.value[winners] == (0 if reward else 5000)).all()
    assert m.ledger.today["marketing"] == marketing
    assert (m.column("game_score", np.float64) == 0).all()      # scores restart
    assert m.ledger.close_day()[1] == 0


def test_players_share_more_and_buy_more_on_task_days(market):
    s = market({"gamification": {"take_up": 1.0, "task_rate": 1.0, "purchase_lift": 0.3,
                                 "share_lift": 0.5, "task_points": 2.0}})
    m = s.model
    ids = s.arrive(3)
    s.end_day()
    assert m.people.share[ids].tolist() == [1.5, 1.5, 1.5]
    assert m.scenario.rule("gamification").demand(m, ids).tolist() == [1.3, 1.3, 1.3]
    assert m.column("game_score", np.float64)[ids].tolist() == [2.0, 2.0, 2.0]


def test_community_managers_cost_per_member_and_lift_their_groups(market):
    s = market({"community_managers": {"managed": 0.5, "cost_per_member": 0.15,
                                       "purchase_lift": 0.1, "share_lift": 0.3}}, size=200)
    m = s.model
    ids = s.arrive(4)
    m.community[ids] = [0, 0, 1, 1]            # two communities: the first is managed
    s.end_day()
    managed = m.community[m.people.active()] == 0
    assert m.ledger.today["marketing"] == 15 * int(managed.sum())
    assert m.people.share[ids].tolist() == [1.3, 1.3, 1.0, 1.0]
    assert m.scenario.rule("community_managers").demand(m, ids).tolist() == [1.1, 1.1, 1.0, 1.0]


# -- channel levers: each moves its own lever, exactly ------------------------------------
def test_reach_levers_scale_advert_hazard(market):
    plain = market({}).model
    base = plain.ad_hazard.copy()
    targeted = market({"targeting": {"reach_scale": 1.5}, "shared_audience": {"reach_lift": 1.0}}).model
    assert np.allclose(targeted.ad_hazard, base * 1.5 * 2.0)
    stores = market({"stores": {"stores": 1, "communities_per_store": 1, "reach_lift": 0.5}}, size=200).model
    near = stores.community == 0
    assert np.allclose(stores.ad_hazard[near], plain.ad_hazard[0] * 1.5)
    assert np.allclose(stores.ad_hazard[~near], plain.ad_hazard[0])


def test_stores_cut_churn_near_them():
    d = scenario_dict("retail_baseline")
    d["market"]["size"] = 300
    plain = SchemeModel(sim.load_scenario(d), seed=0)
    d["rules"] = {"stores": {"stores": 1, "communities_per_store": 1, "churn_cut": 0.5}}
    stores = SchemeModel(sim.load_scenario(d), seed=0)
    near = stores.community == 0
    hazard = -np.log1p(-stores.customer_leave)
    assert np.allclose(hazard[near], -np.log1p(-plain.customer_leave[near]) * 0.5)
    assert np.allclose(stores.customer_leave[~near], plain.customer_leave[~near])
    plain.release()
    stores.release()


def test_recommendation_lift_grows_with_history(market):
    s = market({"recommendation": {"max_lift": 0.2, "learn_orders": 3.0}})
    m = s.model
    ids = s.arrive(3)
    m.people.purchases[ids] = [0, 3, 300]
    lift = m.scenario.rule("recommendation").demand(m, ids)
    assert lift == pytest.approx([1.0, 1 + 0.2 * (1 - np.exp(-1)), 1.2])


def test_peer_listings_match_falls_as_hosts_delist(market):
    s = market({"peer_listings": {"match_listings": 2.0}})
    m = s.model
    ids = s.arrive(1)
    rule = m.scenario.rule("peer_listings")
    assert rule.demand(m, ids)[0] == pytest.approx(1 - np.exp(-1.0))  # 2 open merchants
    m.merchants[0].active = False
    assert rule.demand(m, ids)[0] == pytest.approx(1 - np.exp(-0.5))


@pytest.mark.parametrize("cancel, booked, refunded", [(0.0, 2, 0), (1.0, 0, 2)])
def test_made_to_order_waits_in_escrow_then_books_or_refunds(market, cancel, booked, refunded):
    s = market({"product_offer": {"price_premium": 0.4, "cost_premium": 0.2, "lead_days": 14,
                                  "cancel": cancel}})
    m = s.model
    ids = s.arrive(2)
    orders = s.order(ids, units=2)
    assert orders.held.all() and len(orders.open) == 0
    assert m.ledger.balance[ESCROW] == 2 * 28_000 and (m.people.paid[ids] == 28_000).all()
    for day in range(2, 16):
        m.day = day
        s.end_day()
    assert m.ledger.balance[ESCROW] == 0
    assert (m.people.purchases[ids] == (1 if booked else 0)).all()
    assert m.ledger.today.get("escrow_sale", 0) == booked * 28_000
    assert m.ledger.today.get("refund", 0) == refunded * 28_000
    assert (m.people.paid[ids] == (28_000 if booked else 0)).all()
    assert m.ledger.close_day()[1] == 0


@pytest.mark.parametrize("stem, lever", [
    ("o2o", "fulfilment per order"), ("omnichannel", "fulfilment per order"),
    ("data_driven_retail", "cost of goods per yuan sold"), ("customization", "gmv per order")])
def test_channel_scenarios_move_their_lever_against_the_baseline(stem, lever):
    def measure(name):
        r = sim.run(name, seed=0, market_size=3000, days=60)
        d = r.daily
        orders = int(r.people["purchases"].sum())
        return {"fulfilment per order": d["flow_fulfilment"].sum() / orders,
                "cost of goods per yuan sold": d["flow_cogs"].sum() / d["gmv"].sum(),
                "gmv per order": d["gmv"].sum() / orders}[lever]
    assert measure(stem) < measure("retail_baseline") if lever != "gmv per order" else \
        measure(stem) > measure("retail_baseline")


def test_nothing_here_is_owed_as_points():
    """Coupons are conditional discounts and game scores have no cash value: no liabilities."""
    for stem in ("private_domain_coupons", "gamification"):
        m = SchemeModel(sim.load_scenario(stem).with_market(size=2000, days=30), seed=0)
        try:
            m.run_days(30)
            assert m.ledger.balance[POINTS] == 0 and m.ledger.owed() == 0
        finally:
            m.release()


# -- calibration: S2 「品牌通过社群发放优惠券,复购率提升30%」 ------------------------------------
def _repeat_orders_per_buyer(scenario: dict, seed: int) -> float:
    n = sim.run(scenario, seed=seed).people["purchases"].to_numpy()
    return float((n[n >= 1] - 1).sum() / (n >= 1).sum())


@pytest.mark.slow
def test_coupons_lift_repurchase_by_30_percent():
    with_coupons = scenario_dict("private_domain_coupons")
    without = copy.deepcopy(with_coupons)
    del without["rules"]["coupons"]
    seeds = range(8)
    a = np.array([_repeat_orders_per_buyer(without, s) for s in seeds])
    c = np.array([_repeat_orders_per_buyer(with_coupons, s) for s in seeds])
    ratio = c.mean() / a.mean()
    se = ratio * np.sqrt(c.var(ddof=1) / c.mean() ** 2 / len(c) + a.var(ddof=1) / a.mean() ** 2 / len(a))
    assert abs(ratio - 1.30) < 3 * se, f"repeat orders ×{ratio:.3f} (SE {se:.3f}); S2 says ×1.30"
