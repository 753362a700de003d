"""选型 (sim/choose.py, `sim choose`): a ranked choice under uncertainty, checked against runs
made here with the same seeds in the same market."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.choose import choose, parse_objective, wilson
from sim.cli import main
from sim.markets import in_market, load_profile
from sim.measures import PLATFORM_NET_PARTS

ROOT = Path(__file__).resolve().parent.parent
SIM = str(Path(sys.executable).parent / "sim")
MODELS = ["retail_baseline", "fission_distribution", "liandong_2plus1"]
SIZE, DAYS, SEEDS = 1200, 30, [4, 5, 6]


@pytest.fixture(scope="module")
def choice():
    return choose(MODELS, objective="platform_net", market="wechat_community", seeds=SEEDS, days=DAYS,
                  market_size=SIZE, points=3, robust_seeds=2)


def test_every_model_runs_in_one_market_with_the_same_seeds(choice):
    """Common random numbers: each row of the runs is sim.run of that model, in the chosen
    profile, with that seed; every model has every seed."""
    profile = load_profile("wechat_community")
    assert set(choice.runs.groupby("scenario")["seed"].apply(tuple)) == {tuple(SEEDS)}
    for sid in ("retail_baseline", "liandong_2plus1"):
        s = in_market(sim.load_scenario(sid), profile)
        for seed in SEEDS:
            r = sim.run(s, seed=seed, days=DAYS, market_size=SIZE)
            row = choice.runs[(choice.runs["scenario"] == sid) & (choice.runs["seed"] == seed)].iloc[0]
            assert row["platform_net"] == pytest.approx(r.metrics["platform_net"])
            worst = min((f.verdict for f in sim.audit(r, "cn")), key=sim.audit.VERDICTS.index)
            assert row["verdict_cn"] == worst


def test_ranking_means_intervals_and_the_probability_of_being_best(choice):
    wide = choice.runs.pivot(index="seed", columns="scenario", values="platform_net")
    r = choice.ranking.set_index("scenario")
    assert list(choice.ranking["scenario"]) == list(wide.mean().sort_values(ascending=False).index)
    assert list(choice.ranking["choice_rank"]) == [1, 2, 3]
    for sid in MODELS:
        v = wide[sid]
        half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
        assert r.at[sid, "mean"] == pytest.approx(v.mean())
        assert (r.at[sid, "ci_low"], r.at[sid, "ci_high"]) == pytest.approx((v.mean() - half, v.mean() + half))
        won = (wide.idxmax(axis=1) == sid).mean()  # no ties in money to the cent here
        assert r.at[sid, "probability_best"] == pytest.approx(won)
        assert (r.at[sid, "p_best_low"], r.at[sid, "p_best_high"]) == pytest.approx(wilson(won * len(v), len(v)))
    leader = choice.ranking["scenario"].iloc[0]
    second = choice.ranking["scenario"].iloc[1]
    gap = wide[second] - wide[leader]  # paired over the seeds
    assert r.at[second, "gap"] == pytest.approx(gap.mean())
    assert r.at[second, "gap_high"] - r.at[second, "gap"] == pytest.approx(
        stats.t.ppf(0.975, 2) * gap.std(ddof=1) / np.sqrt(3))


def test_a_model_with_a_breach_is_not_launchable_under_that_law(choice):
    r = choice.ranking.set_index("scenario")
    assert r.at["liandong_2plus1", "verdict_cn"] == "breach"
    assert r.at["retail_baseline", "verdict_cn"] == "not_applicable"
    launchable = choice.best_launchable("cn")
    assert launchable is not None and r.at[launchable, "verdict_cn"] != "breach"
    better = choice.ranking[choice.ranking["choice_rank"] < r.at[launchable, "choice_rank"]]
    assert (better["verdict_cn"] == "breach").all()


def test_robustness_ranks_again_at_latin_hypercube_points(choice):
    rob = choice.robustness
    profile = load_profile("wechat_community")
    assert rob.ranges == profile.uncertain and len(rob.points) == 3 and rob.seeds == SEEDS[:2]
    for _, row in rob.points.iterrows():
        assert row["winner"] == max(MODELS, key=lambda k: row[k])
        for key, (low, high) in rob.ranges.items():
            assert low <= row[key] <= high
    # One point, rerun by hand: the same market values, the first two seeds, averaged.
    point = rob.points.iloc[0]
    values = {**profile.values, **{k: point[k] for k in rob.ranges}}
    at = sim.markets.Profile(profile.meta, values, {})
    s = in_market(sim.load_scenario("liandong_2plus1"), at)
    mean = np.mean([sim.run(s, seed=seed, days=DAYS, market_size=SIZE).metrics["platform_net"] for seed in SEEDS[:2]])
    assert point["liandong_2plus1"] == pytest.approx(mean)
    assert choice.ranking.set_index("scenario")["robust_win_share"].to_dict() == pytest.approx(
        {k: (rob.points["winner"] == k).mean() for k in MODELS})


def test_why_the_first_beats_the_second_adds_up_from_the_ledger(choice):
    why = choice.why("en")
    first, second = choice.ranking["scenario"].iloc[:2]
    assert (why.first, why.second) == (first, second)
    assert set(why.table["measure"]) == set(PLATFORM_NET_PARTS)
    # The parts add up to platform net, so their differences add up to the gap.
    assert why.table["difference"].sum() == pytest.approx(-choice.ranking["gap"].iloc[1], abs=0.05)
    assert why.text.startswith("Link-and-Move 2+1 beats") and "In the ledger" in why.text
    assert choice.why("zh").text.startswith("链动2+1的平台净收入")


def test_a_weighted_mix_scales_each_measure_by_its_typical_size():
    objective = parse_objective("gmv:0.5,retention_d7:0.5")
    c = choose(MODELS[:2], objective=objective, market="wechat_community", seeds=[0, 1], days=20,
               market_size=800, points=0)
    runs = c.runs
    scale = {k: runs[k].abs().mean() for k in ("gmv", "retention_d7")}
    score = 0.5 * runs["gmv"] / scale["gmv"] + 0.5 * runs["retention_d7"] / scale["retention_d7"]
    assert runs["objective_mix"].to_numpy() == pytest.approx(score.to_numpy())
    assert c.robustness is None and "robust_win_share" not in c.ranking
    assert objective.name("en") == "0.5 × GMV + 0.5 × D7 retention (active 7 days after joining) (weighted mix)"


@pytest.mark.parametrize("text, says", [
    ("nope", "unknown measure 'nope'"), ("gmv:x", "gmv: the weight must be a number"),
    ("gmv:0", "gmv: the weight must be a non-zero number"), ("gmv,gmv:2", "gmv: given twice"),
    ("net_by_cohort", "unknown measure 'net_by_cohort'"),  # a table, not a number
])
def test_a_bad_objective_says_what_is_allowed(text, says):
    with pytest.raises(ValueError, match=says):
        parse_objective(text)


def _main(capsys, *args: str) -> tuple[int, str, str]:
    """`sim choose` in this process: (exit status, stdout, stderr)."""
    status = main(["choose", *args])
    out = capsys.readouterr()
    return status, out.out, out.err


TINY = ["--market-size", "800", "--days", "20", "--replicates", "2", "--points", "2", "--robust-seeds", "1",
        "--workers", "1", "--quiet"]


def test_the_command_prints_the_choice_as_json_and_as_text(capsys):
    status, printed, err = _main(capsys, "retail_baseline", "liandong_2plus1", *TINY, "--json")
    assert status == 0, err
    out = json.loads(printed)
    assert out["market"] == "wechat_community" and out["objective"] == "platform_net" and out["seeds"] == [0, 1]
    ranking = pd.DataFrame(out["ranking"])
    assert set(ranking["scenario"]) == {"retail_baseline", "liandong_2plus1"}
    assert out["not_launchable"]["cn"] == ["liandong_2plus1"] and out["best_launchable"]["cn"] == "retail_baseline"
    assert len(out["robustness"]["points"]) == 2 and out["why"]["text_zh"]
    text = subprocess.run([SIM, "choose", "retail_baseline", "liandong_2plus1", *TINY, "--lang", "zh"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300).stdout
    assert text.startswith("选型:目标 平台净收入(现金口径);市场 wechat_community") and "原因:" in text
    assert "中国:存在违反、不可上线:liandong_2plus1" in text


@pytest.mark.parametrize("args, says", [
    (["retail_baseline"], "choose: give at least two scenarios"),
    (["retail_baseline", "liandong_2plus1", "--objective", "happiness"], "--objective: unknown measure 'happiness'"),
    (["retail_baseline", "liandong_2plus1", "--objective", "retention_d90"],
     "choose: retention_d90 needs a horizon longer than 90 days; the runs last 20"),
    (["retail_baseline", "liandong_2plus1", "--vary", "market.founders=1:5"], "--vary market.founders: not a market key"),
    (["retail_baseline", "liandong_2plus1", "--vary", "market.trust=0.2:1.5"], "--vary market.trust=0.2:1.5: must be a number from 0.01 to 0.99, got 1.5"),
    (["retail_baseline", "liandong_2plus1", "--market", "mars"], "--market: mars: no such market profile"),
])
def test_bad_input_gets_one_line_and_exit_2(capsys, args, says):
    status, out, err = _main(capsys, *args, *TINY)
    assert status == 2 and out == ""
    assert err.startswith(f"sim: error: {says}"), err
    assert len(err.strip().splitlines()) == 1


def test_replicates_must_allow_an_interval(capsys):
    status, _, err = _main(capsys, "retail_baseline", "liandong_2plus1", "--replicates", "1", "--quiet")
    assert status == 2 and "--replicates: must be at least 2" in err
