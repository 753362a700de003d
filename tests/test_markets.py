"""Market profiles (sim/markets.py, scenarios/markets/): like-for-like comparison.

The market (persons, network, adverts, word of mouth, propensity, baseline churn, trust) is a
named profile; a business model is the rest. Compared in one profile, two models meet the same
persons on the same network with the same seeds; compared in their own markets, the
differences are listed.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import sim
from conftest import MODELS, scenario_dict
from sim.markets import DOTTED, declared, differences, in_market, load_profile, own_market, profile_ids
from sim.cli import main
from sim.model import SchemeModel

SMALL = ["--market-size", "1500", "--days", "20", "--quiet"]


@pytest.mark.parametrize("key", profile_ids())
def test_every_profile_names_its_sources_and_ranges_its_uncertainty(key):
    p = load_profile(key)
    assert p.id == key and p.name("en") and any("\u4e00" <= c <= "\u9fff" for c in p.name("zh"))
    assert p.meta.source_lines() and all(s["address"].startswith("http") for s in p.meta.source_lines())
    assert set(p.values) == set(DOTTED) and p.uncertain
    for k, (low, high) in p.uncertain.items():
        assert low < p.values[k] <= high or low <= p.values[k] < high, k  # the figure lies inside its range


def test_shipped_models_name_a_profile_and_override_none_of_it():
    """Every shipped business model's market is its profile, key for key: a comparison in any
    one profile changes only what the profile says."""
    for path in MODELS:
        s = sim.load_scenario(path)
        assert s.meta.market_profile in profile_ids(), s.id
        assert own_market(s).id == s.meta.market_profile, s.id
        assert declared(s) == load_profile(s.meta.market_profile).values, s.id


def _market_of(model: SchemeModel) -> dict[str, np.ndarray]:
    p, n = model.people, model.network
    return {"propensity": p.propensity, "trust": p.trust, "basket": p.basket, "indptr": n.indptr,
            "indices": n.indices, "community": n.community, "founders": model.founders}


def test_two_models_in_one_profile_meet_the_same_persons_network_and_seeds():
    profile = load_profile("neighbourhood_grocery")
    a, b = (in_market(sim.load_scenario(k), profile).with_market(size=2_000)
            for k in ("retail_baseline", "liandong_2plus1"))
    assert declared(a) == declared(b) and not differences([a, b])
    ma, mb = SchemeModel(a, seed=3), SchemeModel(b, seed=3)
    for name, column in _market_of(ma).items():
        assert np.array_equal(column, _market_of(mb)[name]), name
    assert ma.seed == mb.seed == 3
    # In their own markets the persons differ: the shipped files name different profiles.
    own = SchemeModel(sim.load_scenario("liandong_2plus1").with_market(size=2_000), seed=3)
    assert not np.array_equal(own.people.propensity, ma.people.propensity)
    for m in (ma, mb, own):
        m.release()


def test_a_file_overrides_its_profile_and_one_profile_overrides_the_file():
    d = scenario_dict("retail_baseline")
    d["market"]["word_of_mouth"] = 0.09
    s = sim.load_scenario(d)
    assert s.market.word_of_mouth == 0.09 and s.market.trust == load_profile("wechat_community").values["market.trust"]
    assert own_market(s).id.endswith(":own")  # its declared market is no longer the profile
    placed = in_market(s, load_profile("wechat_community"))
    assert placed.market.word_of_mouth == 0.04 and placed.meta.market_profile == "wechat_community"
    assert placed.retail == s.retail and placed.rules == s.rules and placed.market.days == s.market.days
    assert differences([s, placed]) == {"market.word_of_mouth": [0.09, 0.04]}


@pytest.mark.parametrize("table, key, says", [
    ({"market": {"founders": 3}}, "market.founders", "belongs to the business model"),
    ({"market": {"trust": 1.5}}, "market.trust", "from 0.01 to 0.99"),
    ({"uncertain": {"market.trust": [0.7, 0.5]}}, "uncertain.market.trust", "LOW < HIGH"),
    ({"uncertain": {"market.network": [0, 1]}}, "uncertain.market.network", "only numbers"),
    ({"uncertain": {"retail.price": [50, 80]}}, "uncertain.retail.price", "not a market key"),
])
def test_a_bad_profile_is_refused_naming_the_key(table, key, says):
    meta = {k: f"x {k}" for k in ("id", "name_en", "description_en", "description_zh")}
    meta |= {"name_zh": "测试", "sources": "A title | https://example.org/a | read 2026-12-01"}
    with pytest.raises(sim.ScenarioError) as err:
        load_profile({"profile": meta, **table})
    assert err.value.key == key and says in err.value.message


def test_a_scenario_naming_no_such_profile_is_refused():
    d = scenario_dict("retail_baseline")
    d["scenario"]["market_profile"] = "atlantis"
    with pytest.raises(sim.ScenarioError, match="scenario.market_profile: unknown market profile 'atlantis'"):
        sim.load_scenario(d)


def _sim(capsys, *args: str) -> tuple[int, str, str]:
    """`sim` in this process: (exit status, stdout, stderr)."""
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_compare_runs_every_model_in_one_market_by_default(capsys):
    status, printed, err = _sim(capsys, "compare", "retail_baseline", "membership_distribution", *SMALL, "--json")
    assert status == 0, err
    out = json.loads(printed)
    assert out["market"] == "wechat_community" and out["market_differences"] == {}
    member = in_market(sim.load_scenario("membership_distribution"), load_profile("wechat_community"))
    r = sim.run(member, seed=0, days=20, market_size=1500)
    assert out["scenarios"]["membership_distribution"]["gmv"] == r.metrics["gmv"]

    chosen = json.loads(_sim(capsys, "compare", "retail_baseline", "membership_distribution", *SMALL,
                             "--market", "live_audience", "--json")[1])
    assert chosen["market"] == "live_audience"
    assert chosen["scenarios"]["retail_baseline"]["retention_d1"] < out["scenarios"]["retail_baseline"]["retention_d1"]


def test_compare_in_their_own_markets_lists_what_differs(capsys):
    out = json.loads(_sim(capsys, "compare", "retail_baseline", "membership_distribution", *SMALL, "--own-markets",
                          "--json")[1])
    assert out["market"] is None
    assert out["market_differences"] == {"churn.first_day": {"retail_baseline": 0.0, "membership_distribution": 0.85}}
    text = _sim(capsys, "compare", "retail_baseline", "membership_distribution", *SMALL, "--own-markets")[1]
    assert "markets: each scenario's own; they differ in:" in text and "churn.first_day" in text
    one = _sim(capsys, "compare", "retail_baseline", "membership_distribution", *SMALL)[1]
    assert one.startswith("market: wechat_community (微信熟人社群市场 / WeChat community market)")


@pytest.mark.parametrize("args, says", [
    (["--market", "atlantis"], "sim: error: --market: atlantis: no such market profile; profiles: live_audience"),
    (["--market", "live_audience", "--own-markets"], "sim: error: --market: not with --own-markets"),
])
def test_compare_refuses_a_bad_market_in_one_line(capsys, args, says):
    status, out, err = _sim(capsys, "compare", "retail_baseline", "liandong_2plus1", *SMALL, *args)
    assert status == 2 and out == ""
    assert err.startswith(says) and len(err.strip().splitlines()) == 1


def test_live_room_impulse_buyers_follow_the_model_into_any_market():
    """S2: 「社交电商和直播电商的次日留存率通常低于20%」. The live room's impulse buyers are the
    mechanism's (rules.live_sessions.impulse_leave): in the WeChat community market, where
    newcomers otherwise return, they still lower its next-day retention."""
    wechat = load_profile("wechat_community")
    live = in_market(sim.load_scenario("live_streaming"), wechat)
    calm = sim.batch.apply_params(live, {"rules.live_sessions.impulse_leave": 0.0})
    d1 = [sim.run(s, seed=2, market_size=4000, days=40).metrics["retention_d1"] for s in (live, calm)]
    assert d1[0] < d1[1] - 0.1
    d = scenario_dict("live_streaming")
    d["rules"]["live_sessions"]["session_reach"] = 0.0
    with pytest.raises(sim.ScenarioError, match="rules.live_sessions.impulse_leave"):
        sim.load_scenario(d)
