"""Content creators and live sessions: each component as a small table of scripted cases, and
each content/live scenario's defining behaviour (S2's figures, docs/sources.md: brand
self-streaming +25%, live-commerce next-day retention under 20%)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import sim
from conftest import Script, scenario_dict
from sim.model import SchemeModel
from sim.people import ACTIVE, CHURNED, LEADER
from sim.rules.content import audience_of

PRICE, COST = 10_000, 6_000  # cents: the validation market's ¥100 unit and its ¥60 cost


def market(key: str, params: dict, *, size: int = 300) -> Script:
    """A quiet market (no adoption, churn or random purchases) holding one component."""
    return Script({key: params}, price=None, size=size, market={"propensity": 0.02},
                  retail={"platform_fee": 0.1, "merchants": 2, "unit_cost_spread": 0.0})


def follow(m: SchemeModel, key: str, fans: dict[int, list[int]]) -> dict[int, np.ndarray]:
    """Set exactly who follows which channel (channel -> how many fans); returns their ids,
    enrolled as active customers."""
    aud = audience_of(m, key)
    aud.follows[:] = -1
    free = iter(np.flatnonzero(m.people.state == 0))
    out = {}
    for ch, n in fans.items():
        ids = np.array([next(free) for _ in range(n)], np.int64)
        m.enrol(ids, np.full(n, -1), qualify=False)
        aud.follows[ids] = ch
        out[ch] = ids
    return out


def rewards(s: Script, ids) -> list[float]:
    return [s.rewards(i) for i in ids]


# -- content creators ------------------------------------------------------------------

CREATORS = dict(creators=2, audience=0.5, post_reach=0.0, purchase_lift=0.2, commission=0.1)

# (params, fans per creator, purchases as (creator, fan index, units), creator churned first,
#  expected rewards of creator 0 and 1 in yuan)
CONTENT_CASES = {
    "10% of what a follower buys": (
        {}, {0: 1}, [(0, 0, 2)], False, [20.0, 0.0]),
    "each follower pays their own creator": (
        {"commission": 0.15}, {0: 1, 1: 1}, [(0, 0, 1), (1, 0, 3)], False, [15.0, 45.0]),
    "nothing on non-followers' purchases": (
        {}, {0: 1}, [(None, 0, 5)], False, [0.0, 0.0]),
    "a creator who left is not paid": (
        {}, {0: 2}, [(0, 0, 1), (0, 1, 1)], True, [0.0, 0.0]),
}


@pytest.mark.parametrize("name", CONTENT_CASES)
def test_creator_commission_on_followers_purchases(name):
    params, fans, purchases, churned, expected = CONTENT_CASES[name]
    s = market("creators", {**CREATORS, **params})
    m = s.model
    ids = follow(m, "creators", fans)
    hosts = audience_of(m, "creators").hosts
    stranger = int(np.flatnonzero(m.people.state == 0)[0])
    m.enrol(np.array([stranger]), np.array([-1]), qualify=False)
    if churned:
        m.people.state[hosts[0]] = CHURNED
        m.rules[0].on_day_end(m)
    for ch, i, units in purchases:
        s.buy(stranger if ch is None else ids[ch][i], units=units)
    assert rewards(s, hosts) == pytest.approx(expected)
    # The merchant of the order funds it through the platform (a placement fee).
    assert m.ledger.today.get("placement_fee", 0) == round(sum(expected) * 100)
    # Its balance: receipts less the 10% platform fee, the goods (¥60 a unit) and commission.
    assert m.ledger.merchant[0] == sum(u * (PRICE * 90 // 100 - COST) for *_, u in purchases) \
        - round(sum(expected) * 100)
    assert m.ledger.close_day()[1] == 0


def test_creators_are_leaders_and_facts_declare_depth_one():
    s = market("creators", CREATORS)
    m = s.model
    hosts = audience_of(m, "creators").hosts
    assert len(hosts) == 2
    assert (m.people.role[hosts] == LEADER).all() and (m.people.state[hosts] == ACTIVE).all()
    assert (audience_of(m, "creators").follows[hosts] == -1).all()  # never their own follower
    f = m.rules[0].facts()
    assert f.appoints_payees and f.levels_paid == 1 and f.reward_kinds == ("creator_commission",)


def test_content_lifts_followers_purchase_chance():
    s = market("creators", CREATORS)
    m = s.model
    ids = follow(m, "creators", {0: 3})[0]
    stranger = int(np.flatnonzero(m.people.state == 0)[0])
    m.enrol(np.array([stranger]), np.array([-1]), qualify=False)
    active = np.sort(np.r_[ids, stranger])
    assert m.rules[0].demand(m, active).tolist() == [1.2 if i in ids else 1.0 for i in active]
    m.people.state[audience_of(m, "creators").hosts[0]] = CHURNED  # their creator leaves
    m.rules[0].on_day_end(m)
    assert m.rules[0].demand(m, active).tolist() == [1.0] * len(active)


def test_posts_reach_unregistered_followers_while_their_creator_posts():
    s = market("creators", {**CREATORS, "post_reach": 0.01})
    m = s.model
    aud = audience_of(m, "creators")
    fans, others = np.flatnonzero(aud.follows >= 0), np.flatnonzero(aud.follows < 0)
    # Posts raise the advert hazard of unregistered followers, and only theirs.
    assert np.allclose(m.ad_hazard[fans], 0.01 * m.reach[fans])
    assert np.allclose(m.ad_hazard[others], 0.0)
    m.people.state[aud.hosts[0]] = CHURNED
    m.rules[0].on_day_end(m)
    left, stay = fans[aud.follows[fans] == 0], fans[aud.follows[fans] == 1]
    assert len(left) and len(stay)
    assert np.allclose(m.ad_hazard[left], 0.0)
    assert np.allclose(m.ad_hazard[stay], 0.01 * m.reach[stay])


def test_ad_share_per_thousand_followers_reached():
    s = market("creators", {**CREATORS, "commission": 0.0, "ad_price": 10.0, "ad_share": 0.6})
    m = s.model
    follow(m, "creators", {0: 200, 1: 50})
    hosts = audience_of(m, "creators").hosts
    before = m.ledger.merchant.sum()
    m.rules[0].on_day_end(m)
    # ¥10 per 1,000 reached: 200 fans ¥2.00, 50 fans ¥0.50; creators keep 60%.
    assert rewards(s, hosts) == pytest.approx([1.2, 0.3])
    assert before - m.ledger.merchant.sum() == 250
    assert m.ledger.today["placement_fee"] == 250
    assert m.ledger.close_day()[1] == 0


# -- live sessions -----------------------------------------------------------------------

LIVE = dict(host="streamer", channels=1, audience=0.5, sessions_per_month=4.0, attendance=1.0,
            conversion=0.1, commission=0.2)


def live_market(**params) -> tuple[Script, dict[int, np.ndarray]]:
    s = market("live_sessions", {**LIVE, **params})
    m = s.model
    sch = audience_of(m, "live_sessions")
    sch.phase[:] = 0.0
    return s, follow(m, "live_sessions", {0: 4})


def session_days(m: SchemeModel, days=range(1, 61)) -> list[int]:
    sch = audience_of(m, "live_sessions")
    return [d for d in days if m.rules[0].session_days(sch.phase, d)[0]]


def test_sessions_per_month_are_evenly_spaced():
    s, _ = live_market()
    m = s.model
    assert session_days(m, range(1, 31)) == [8, 15, 23, 30]
    assert len(session_days(m, range(1, 361))) == 48
    s, _ = live_market(sessions_per_month=30.0)
    m = s.model
    assert session_days(m, range(1, 31)) == list(range(1, 31))


def test_session_lift_only_on_session_days_and_only_for_the_audience():
    s, fans = live_market()
    m = s.model
    stranger = int(np.flatnonzero(m.people.state == 0)[0])
    m.enrol(np.array([stranger]), np.array([-1]), qualify=False)
    active = np.sort(np.r_[fans[0], stranger])
    on = set(session_days(m, range(1, 31)))
    for day in range(1, 31):
        m.day = day
        lift = m.rules[0].demand(m, active)
        want = [1 + 0.1 / 0.02 if (day in on and i in fans[0]) else 1.0 for i in active]
        assert (lift is None and not any(w > 1 for w in want)) or lift == pytest.approx(want), day


# (params, fans who buy on a session day, on the day after, expected streamer reward, yuan)
LIVE_CASES = {
    "20% of session sales": ({}, 2, 0, 2 * 100 * 0.2),
    "nothing the day after the session": ({}, 0, 3, 0.0),
    "commission on the discounted price": ({"discount": 0.3}, 1, 0, 70 * 0.2),
    "slot fees from two merchants": ({"commission": 0.0, "slot_fee": 500.0, "slots": 2}, 1, 0, 1000.0),
}


@pytest.mark.parametrize("name", LIVE_CASES)
def test_streamer_pay(name):
    params, in_session, after, expected = LIVE_CASES[name]
    s, fans = live_market(**params)
    m = s.model
    host = audience_of(m, "live_sessions").hosts[0]
    m.day = 8  # a session day
    m.rules[0].demand(m, np.sort(fans[0]))
    s.buy(fans[0][:in_session], shape=True)
    m.rules[0].on_day_end(m)
    m.day = 9
    m.rules[0].demand(m, np.sort(fans[0]))
    s.buy(fans[0][:after], shape=True)
    m.rules[0].on_day_end(m)
    assert rewards(s, [host]) == pytest.approx([expected])
    assert m.ledger.close_day()[1] == 0


@pytest.mark.parametrize("platform_funds, paid, subsidy", [(0.0, 70, 0), (0.5, 70, 15), (1.0, 70, 30)])
def test_session_discount_funding(platform_funds, paid, subsidy):
    s, fans = live_market(discount=0.3, platform_funds=platform_funds, commission=0.0,
                          slot_fee=1.0)
    m = s.model
    m.day = 8
    m.rules[0].demand(m, np.sort(fans[0]))
    viewer, stranger = fans[0][0], int(np.flatnonzero(m.people.state == 0)[0])
    m.enrol(np.array([stranger]), np.array([-1]), qualify=False)
    orders = s.buy([viewer, stranger], shape=True)
    assert (orders.paid // 100).tolist() == [paid, 100]           # only the viewer gets it
    assert (orders.subsidy // 100).tolist() == [subsidy, 0]       # platform's coupon share
    assert m.ledger.today.get("coupon_subsidy", 0) == subsidy * 100
    # The merchant receives what the buyer paid plus the platform's part, less its 10% fee.
    assert m.ledger.merchant[0] == (paid + subsidy + 100) * 90 - 2 * COST
    assert m.people.value[viewer] == PRICE  # the viewer got goods worth the list price
    assert m.ledger.close_day()[1] == 0


def test_brand_self_streaming_pays_staff_not_streamers():
    s = market("live_sessions", {**LIVE, "host": "brand", "commission": 0.0, "session_cost": 5000.0})
    m = s.model
    sch = audience_of(m, "live_sessions")
    assert sch.hosts.tolist() == [-1] and not (m.people.role == LEADER).any()
    assert not m.rules[0].facts().appoints_payees and m.rules[0].facts().reward_kinds == ()
    sch.phase[:] = 0.0
    for day in (7, 8):  # 8 is a session day, 7 is not
        m.day = day
        m.rules[0].on_day_end(m)
    assert m.ledger.today["marketing"] == 500_000
    assert m.ledger.close_day()[1] == 0


def test_session_reach_only_on_session_days():
    s, _ = live_market(session_reach=0.05)
    m = s.model
    sch = audience_of(m, "live_sessions")
    unaware = np.flatnonzero((sch.follows >= 0) & (m.people.state == 0))
    for day in range(7, 10):  # on_day_end of day d prepares day d + 1; 8 is the session day
        m.day = day
        m.rules[0].on_day_end(m)
        want = 0.05 * m.reach[unaware] if day + 1 == 8 else 0.0
        assert np.allclose(m.ad_hazard[unaware], want), day


def test_brand_cannot_pay_commission():
    with pytest.raises(sim.ScenarioError, match="rules.live_sessions.commission"):
        market("live_sessions", {**LIVE, "host": "brand"})


# -- scenarios -----------------------------------------------------------------------------

@pytest.mark.slow
def test_brand_self_streaming_lifts_monthly_sales_25_percent():
    """S2: 「每月自播4次,带动月销增长25%」, against the same market without streaming."""
    d = scenario_dict("brand_self_streaming")
    base = copy.deepcopy(d)
    del base["rules"]
    lifts = np.array([sim.run(d, seed=s, market_size=10_000).metrics["gmv"]
                      / sim.run(base, seed=s, market_size=10_000).metrics["gmv"] - 1
                      for s in range(6)])
    se = lifts.std(ddof=1) / np.sqrt(len(lifts))
    assert abs(lifts.mean() - 0.25) < 2 * se, (lifts.mean(), se)
    assert se < 0.03


def test_live_streaming_next_day_retention_under_20_percent():
    """S2: 「社交电商和直播电商的次日留存率通常低于20%」."""
    r = sim.run("live_streaming", seed=0, market_size=5000, days=90)
    assert 0.12 < r.metrics["retention_d1"] < 0.20
    assert r.daily["reward_streamer_commission"].sum() > 0


# Who each scenario pays, and how much of it merchants fund through placement fees.
SCENARIO_PAY = {
    "content_commerce": {"creator_commission"},
    "content_kol_xiaohongshu": {"creator_commission", "creator_ad_share"},
    "live_streaming": {"streamer_commission"},
    "kol_streaming": {"streamer_commission", "slot_fee"},
    "social_live_content": {"direct_referral", "creator_commission", "streamer_commission"},
    "brand_self_streaming": set(),
    "live_community_ops": {"streamer_commission"},
}


@pytest.mark.parametrize("name", SCENARIO_PAY)
def test_each_scenario_pays_its_hosts_from_merchants(name):
    r = sim.run(name, seed=1, market_size=3000, days=90)
    paid = r.flows.groupby("kind")["amount"].sum()
    assert set(paid.index) == SCENARIO_PAY[name] and (paid > 0).all()
    total = lambda col: r.daily[col].sum() if col in r.daily else 0.0  # noqa: E731
    hosts_pay = sum(paid.get(k, 0.0) for k in ("creator_commission", "streamer_commission", "slot_fee"))
    ad_share = paid.get("creator_ad_share", 0.0)
    # Commissions and slot fees pass through in full; creators keep 90% of note ads.
    ads = round(total("flow_placement_fee") - hosts_pay, 2)
    assert ads >= 0 and ad_share == pytest.approx(0.9 * ads, rel=1e-3)
    if name == "kol_streaming":
        assert total("flow_coupon_subsidy") > 0  # the platform funds part of the deep discount
    if name == "live_community_ops":  # the community's group buys settle or are refunded
        assert total("flow_escrow_sale") > 0 and total("flow_refund") > 0
    if name == "brand_self_streaming":  # 12 sessions in 90 days at ¥5,000 each
        assert total("flow_marketing") == 12 * 5000
    assert (r.people.loc[r.people["role"] == "leader", "rewards"] > 0).any() == (name != "brand_self_streaming")
