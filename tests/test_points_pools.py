"""Points, pools, refund schedules and the 共享购 airdrop: each mechanism as a table of cases,
plus the exact figures the design names (the 共享购 example, day 784, the refund timetable) and
the points-liability identity."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from conftest import Script, closing, scenario_dict, validation_market
from sim.ledger import POINTS, POOLS
from sim.model import SchemeModel
from sim.runner import collect
from sim.rules.pools import MONTH, pro_rata


def quiet_market(rules: dict, *, rangli: float = 0.0, size: int = 20) -> Script:
    """A quiet market with no way to qualify: everyone is a customer, paid as one."""
    return Script(rules, price=None, size=size, retail={"rangli": rangli})


@pytest.fixture
def market():
    yield from closing(quiet_market)


# (rules, market options, events, expected rewards in yuan); events as Script.play reads them.
# Price 100 yuan a unit.
CASES = {
    "dividends pro rata to 贡献值": (
        {"contribution_dividend": {"threshold": 0.0, "pool_share": 0.1}}, {},
        [("buy", "B", 300), ("buy", "C", 100), ("day_end",)],
        {"B": 30, "C": 10}),
    "an order below the threshold earns no 贡献值": (
        {"contribution_dividend": {"threshold": 200.0, "pool_share": 0.1}}, {},
        [("buy", "B", 100), ("buy", "C", 200), ("day_end",)],
        {"B": 0, "C": 30}),
    "lasting 贡献值 keeps its share of later dividends": (
        {"contribution_dividend": {"threshold": 0.0, "pool_share": 0.1}}, {},
        [("buy", "B", 100), ("day_end",), ("buy", "C", 100), ("day_end",)],
        {"B": 10 + 5, "C": 5}),
    "consumed 贡献值 caps the dividends": (
        {"contribution_dividend": {"threshold": 0.0, "contribution_rate": 0.1, "pool_share": 0.5,
                                   "consumed": True}}, {},
        [("buy", "B", 100), ("day_end",), ("day_end",)],
        {"B": 10}),
    "dividends wait for the cycle": (
        {"contribution_dividend": {"threshold": 0.0, "pool_share": 0.1, "every_days": 7}}, {},
        [("buy", "B", 100), ("day_end",)],
        {"B": 0}),
    "让利 tiers: entitlement by the merchant's tier, the pool shared pro rata": (
        {"rangli_tier_pool": {"tiers": [0.24, 0.06], "tier_shares": [0.5, 0.5], "pool_share": 1.0}}, {},
        [("buy", "B", 100, 0), ("buy", "C", 100, 19), ("day_end",)],
        {"B": 24, "C": 6}),
    "a tier entitlement is used up": (
        {"rangli_tier_pool": {"tiers": [0.24], "tier_shares": [1.0], "full_return": 0.1,
                              "pool_share": 1.0}}, {},
        [("buy", "B", 100), ("day_end",), ("day_end",)],
        {"B": 10}),
    "points redeemed in whole blocks": (
        {"points": {"points_per_100": [10.0], "tier_spend": [0.0], "point_value": 0.1,
                    "redeem_at": 20, "redeem_chance": 1.0}}, {},
        [("buy", "B", 300), ("day_end",)],
        {"B": 2}),
    "the higher tier earns 15 points per 100 yuan": (
        {"points": {"points_per_100": [10.0, 15.0], "tier_spend": [0.0, 200.0],
                    "point_value": 0.1, "redeem_at": 50, "redeem_chance": 1.0}}, {},
        [("buy", "B", 200), ("buy", "B", 200), ("day_end",)],
        {"B": 5}),
    "below the redemption threshold nothing is paid": (
        {"points": {"redeem_at": 200, "redeem_chance": 1.0}}, {},
        [("buy", "B", 1900), ("day_end",)],
        {"B": 0}),
    "a share that brings a first purchase earns the sharer": (
        {"share_points": {"points": 50, "point_value": 0.1}}, {},
        [("customer", "B"), ("customer", "C", "B"), ("buy", "C", 100), ("buy", "C", 100)],
        {"B": 5, "C": 0}),
    "a 共享购 airdrop goes pro rata to 共享值": (
        {"shared_purchase": {"daily_airdrop": 40.0, "merchant_multiple": 0.0, "sell_chance": 1.0}},
        {"rangli": 0.1},
        [("buy", "B", 300), ("buy", "C", 100), ("day_end",)],
        {"B": 30, "C": 10}),
}


@pytest.mark.parametrize("name", CASES)
def test_mechanism_pays_as_specified(market, name):
    rules, options, events, expected = CASES[name]
    m = market(rules, **options)
    m.play(events)
    assert {who: m.rewards(who) for who in expected} == pytest.approx(expected)
    assert m.model.ledger.close_day()[1] == 0


def test_pro_rata_splits_exactly():
    share = pro_rata(100, np.array([1, 1, 1]))
    assert share.sum() == 100 and sorted(share.tolist()) == [33, 33, 34]
    assert pro_rata(1000, np.array([300, 100, 0])).tolist() == [750, 250, 0]
    assert pro_rata(7, np.array([0, 0])).tolist() == [0, 0]
    big = pro_rata(10**12, np.array([3 * 10**9, 10**9]))  # past int64 products, still exact
    assert big.tolist() == [750_000_000_000, 250_000_000_000]


def test_dividend_is_exact_to_the_cent(market):
    m = market({"contribution_dividend": {"threshold": 0.0}})
    model, rule = m.model, m.model.scenario.rule("contribution_dividend")
    for who in "BCD":
        m.customer(who)
        model.column("contribution_value", np.int64)[m.names[who]] = 100
    model.ledger.fund_pool(rule.key, 100)  # one yuan among three equal holders
    m.end_day()
    assert sorted(int(model.people.rewards[m.names[w]]) for w in "BCD") == [33, 33, 34]
    assert model.ledger.pool(rule.key) == model.ledger.balance[POOLS] == 0
    assert model.ledger.close_day()[1] == 0


def test_share_points_are_cash_off_the_sharers_next_order(market):
    m = market({"share_points": {"points": 50, "point_value": 0.1}})
    m.customer("B")
    m.customer("C", "B")
    m.buy("C", 100)                       # B earns ¥5
    b, ledger, people = m.names["B"], m.model.ledger, m.model.people
    assert ledger.wallet[b] == 500
    m.buy("B", 100)                       # pays ¥100 and uses the ¥5: goods worth ¥105
    assert ledger.wallet[b] == 0 and people.value[b] == 105_00 and people.paid[b] == 105_00
    assert m.rewards("B") == 5 and ledger.close_day()[1] == 0


# -- 共享购 (docs/validation.md) ----------------------------------------------------------------
def test_shared_purchase_example_is_exact(market):
    """100 of 10,000 network 共享值 and 498 points a day: 4.98 points, 95.02 共享值 left."""
    m = market({"shared_purchase": {"daily_airdrop": 498.0, "point_price": 1.0, "sell_chance": 1.0}},
               rangli=0.1)
    model, rule = m.model, m.model.scenario.rule("shared_purchase")
    m.customer("B")
    m.customer("C")
    value = model.column("share_value", np.int64)
    value[m.names["B"]], value[m.names["C"]] = 100_00, 9_900_00
    ids, got = rule.airdrop(model)
    assert dict(zip(ids.tolist(), got.tolist()))[m.names["B"]] == 498  # 4.98 points at ¥1
    assert value[m.names["B"]] == 95_02
    assert value[m.names["C"]] == 9_900_00 - 49_302
    rule.on_day_end(model)  # the next airdrop (the same 1%: conversion kept shares), then B sells
    assert m.rewards("B") == 9.96  # 2 × 4.98 points at ¥1
    assert model.ledger.close_day()[1] == 0


def test_shared_purchase_value_is_spend_times_rangli_times_10():
    """共享值 is spend × 让利 × 10: a ¥1,000 order at 1% 让利 gives 100 共享值."""
    m = quiet_market({"shared_purchase": {"merchant_multiple": 2.0}}, rangli=0.01)
    m.buy("B", 1000, shop=3)
    st_value = m.model.column("share_value", np.int64)[m.names["B"]]
    assert st_value == 100_00
    rule = m.model.scenario.rule("shared_purchase")
    assert rule._state(m.model).merchant_value[3] == 20_00  # 让利 ¥10 × 2
    m.close()


def test_shared_purchase_issuance_lasts_to_day_784(market):
    """390,000 points at 498 a day: 783 full days (389,934) and the remaining 66 on day 784."""
    m = market({"shared_purchase": {"sell_chance": 0.0}}, rangli=0.1)
    model, rule = m.model, m.model.scenario.rule("shared_purchase")
    m.customer("B")
    model.column("share_value", np.int64)[m.names["B"]] = 10**6 * 100  # never the binding limit
    issued = {}
    for day in range(1, 800):
        model.day = day
        before = rule._state(model).remaining
        rule.on_day_end(model)
        issued[day] = (before - rule._state(model).remaining) / 100
    last = max(d for d, v in issued.items() if v > 0)
    assert last == 784 == -(-390_000 // 498)
    assert issued[784] == 66 and all(issued[d] == 498 for d in range(1, 784))
    assert sum(issued.values()) == 390_000
    assert model.ledger.balance[POINTS] == 390_000 * 100  # all held, none sold
    assert model.column("shared_points", np.int64).sum() == 390_000 * 100


# -- 消费全返 refund schedule ------------------------------------------------------------------
def _refund_timetable(market, rules: dict) -> tuple[Script, dict[str, dict[int, float]]]:
    m = market({"rebate_schedule": rules})
    model = m.model
    got: dict[str, dict[int, float]] = {"B": {}, "C": {}}
    for day in range(1, 40 * MONTH + 1):
        model.day = day
        if day == 1:
            m.buy("B", 100)         # month 1
        if day == MONTH:
            m.buy("C", 200)         # day 30 opens month 2
        before = {w: m.rewards(w) for w in got}
        model.scenario.rule("rebate_schedule").on_day_end(model)
        for w in got:
            if m.rewards(w) != before[w]:
                got[w][day] = round(m.rewards(w) - before[w], 2)
    return m, got


def test_refunds_start_in_month_6_at_3_percent_until_100(market):
    m, got = _refund_timetable(market, {"pool_share": 1.0})
    b, c = got["B"], got["C"]
    assert min(b) == 5 * MONTH == 150          # first day of month 6 of a month-1 purchase
    assert min(c) == 6 * MONTH                 # a month-2 purchase waits a month more
    assert sorted(b) == [150 + 30 * k for k in range(34)]
    assert [b[d] for d in sorted(b)] == [3.0] * 33 + [1.0]
    assert [c[d] for d in sorted(c)] == [6.0] * 33 + [2.0]
    assert m.rewards("B") == 100 and m.rewards("C") == 200
    st = m.model.scenario.rule("rebate_schedule")._state(m.model)
    assert st.promised == 0 and not st.cohorts
    assert m.model.ledger.close_day()[1] == 0


def test_a_short_pool_pays_everyone_the_same_share_and_the_rest_is_overdue(market):
    m = market({"rebate_schedule": {"pool_share": 0.01}})
    m.buy("B", 100)
    m.buy("C", 300)                        # pool: 4 yuan; promised 400
    rule, model = m.model.scenario.rule("rebate_schedule"), m.model
    model.day = 150
    rule.on_day_end(model)                 # due 3 + 9 = 12, pool 4: a third each
    assert (m.rewards("B"), m.rewards("C")) == (1.0, 3.0)
    figures = rule.daily_figures(model)
    assert figures["refunds_overdue"] == 800
    assert figures["promised_offbook"] == 400_00 - 400   # the pool is empty
    covered = market({"rebate_schedule": {"pool_share": 0.01, "platform_covers": True}})
    covered.buy("B", 100)
    covered.model.day = 150
    covered.model.scenario.rule("rebate_schedule").on_day_end(covered.model)
    assert covered.rewards("B") == 3.0 and covered.model.ledger.today["pool_funding"] == 300


# -- points liability: issued - redeemed - expired, through the ledger and the daily table ---
def test_points_liability_is_issued_less_redeemed_less_expired():
    d = scenario_dict("points_mall")
    d["market"].update(size=4000, days=120)
    d["rules"]["points"]["expiry_days"] = 20  # so some points lapse within the run
    model = SchemeModel(sim.load_scenario(d), seed=2)
    model.run_days(120)
    value = round(d["rules"]["points"]["point_value"] * 100)
    held = int(model.column("points_held", np.int64).sum())
    assert model.ledger.balance[POINTS] == held * value
    r = collect(model)
    model.release()
    daily = r.daily
    issued, expired = daily["flow_points_issued"].cumsum(), daily["flow_points_expired"].cumsum()
    redeemed = daily["reward_points_redeemed"].cumsum()
    assert expired.iloc[-1] > 0 and redeemed.iloc[-1] > 0
    in_cents = lambda s: (s * 100).round().astype(np.int64)  # noqa: E731
    assert (in_cents(issued) - in_cents(redeemed) - in_cents(expired)
            == in_cents(daily["points_liability"])).all()
    assert daily["points_liability"].iloc[-1] == pytest.approx(held * value / 100)
    # Redeemed points bought goods: what left the wallets is what was redeemed (plus share
    # rewards used as cash off an order).
    spent = daily["flow_wallet_goods"].sum()
    assert spent <= daily["rewards"].sum() + 0.005 and spent >= redeemed.iloc[-1]


def test_points_lapse_after_the_expiry_days(market):
    m = market({"points": {"expiry_days": 10, "redeem_chance": 0.0}})
    m.buy("B", 300)                        # day 1: 30 points
    for _ in range(10):                    # days 1 to 10
        m.end_day()
    assert m.model.column("points_held", np.int64)[m.names["B"]] == 30
    m.end_day()                            # day 11: ten days without earning
    assert m.model.column("points_held", np.int64)[m.names["B"]] == 0
    assert m.model.ledger.balance[POINTS] == 0


def test_sign_in_points_need_the_points_rule():
    d = validation_market(10)
    d["rules"] = {"sign_in_points": {}}
    with pytest.raises(ValueError, match=r"rules\.points"):
        SchemeModel(sim.load_scenario(d), seed=0)


# -- the scenarios' defining behaviour -------------------------------------------------------
@pytest.mark.parametrize("name", ["consumption_rebate_refund", "consumption_rebate_pool",
                                  "shared_purchase"])
def test_promises_outgrow_what_the_books_hold(name):
    r = sim.run(name, seed=0, market_size=3000, days=160)
    last = r.daily.iloc[-1]
    assert last["promised_offbook"] > 2 * (last["pool_liability"] + last["points_liability"])


def test_shared_purchase_promise_outruns_the_airdrop():
    r = sim.run("shared_purchase", seed=0, market_size=3000, days=120)
    promised = r.daily["promised_offbook"]
    # Converting what is held today at 498 a day takes longer than the scheme has run, and
    # the promise still grows: new 共享值 comes in faster than the airdrop converts it.
    assert promised.iloc[-1] / 498 > 120
    assert promised.iloc[-1] > promised.iloc[-31] > promised.iloc[-61]
    assert (r.daily["airdrop_remaining"].diff().dropna().between(-498, 0)).all()


def test_refund_scenario_pays_its_first_refunds_on_day_150():
    r = sim.run("consumption_rebate_refund", seed=0, market_size=3000, days=160)
    paid = r.daily.set_index("day")["reward_consumption_refund"]
    assert paid.loc[:149].sum() == 0 and paid.loc[150] > 0 and paid.loc[151:].sum() == 0


def test_appreciation_unit_value_follows_profit():
    d = scenario_dict("points_appreciation")
    d["market"].update(size=3000, days=90)
    model = SchemeModel(sim.load_scenario(d), seed=0)
    rule = model.scenario.rule("points_pool")
    model.run_days(90)
    pool = model.ledger.pool(rule.key)
    points = int(model.column("pool_points", np.int64).sum())
    assert pool == model.ledger.balance[POOLS] > 0
    assert rule.unit_value(model) == pytest.approx(pool / points / 100)
    # On a profitable day 30% of the profit goes in: funding = 0.3 × (what the platform kept + funding).
    days = [row for row in model.daily if row.get("flow_pool_funding", 0) > 0]
    assert len(days) > 30
    for row in days:
        profit = row["platform_net"] + row["flow_pool_funding"]
        assert row["flow_pool_funding"] == profit * 300_000 // 1_000_000
    model.release()
