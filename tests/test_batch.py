"""sim.run_many and Batch: executors agree, seeds are explicit, statistics are right."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.audit.risk import COMPONENTS
from sim.batch import RISK_METRICS, Batch, apply_params, mean_risk_index

SMALL = {"days": 30, "market_size": 1000}
GRID = {"market.word_of_mouth": [0.02, 0.06]}


def _same(a: Batch, b: Batch) -> None:
    """Equal tables apart from run ids (each sweep has its own)."""
    pd.testing.assert_frame_equal(a.runs.drop(columns="run_id"), b.runs.drop(columns="run_id"))
    pd.testing.assert_frame_equal(a.daily.drop(columns="run_id"), b.daily.drop(columns="run_id"))


@pytest.fixture(scope="module")
def serial() -> Batch:
    return sim.run_many("liandong_2plus1", grid=GRID, seeds=3, store=False, **SMALL)


def test_serial_local_processes_and_dask_give_identical_results(serial):
    distributed = pytest.importorskip("distributed")
    on_processes = sim.run_many("liandong_2plus1", grid=GRID, seeds=3, store=False, workers=2, **SMALL)
    _same(serial, on_processes)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = sim.run_many("liandong_2plus1", grid=GRID, seeds=3, store=False,
                               scheduler=cluster.scheduler_address, **SMALL)
        with distributed.Client(cluster) as client:  # a Client of the caller's is used, not closed
            with_client = sim.run_many("liandong_2plus1", grid=GRID, seeds=[1], store=False,
                                       scheduler=client, **SMALL)
            assert client.status == "running"
    _same(serial, on_dask)
    _same(with_client,
          sim.run_many("liandong_2plus1", grid=GRID, seeds=[1], store=False, **SMALL))


def test_runs_table_has_one_row_per_run_with_grid_values_and_every_metric(serial):
    runs = serial.runs
    assert len(serial) == 6
    assert list(runs.columns[:6]) == ["run_id", "scenario", "scenario_hash",
                                      "market.word_of_mouth", "seed", "participants"]
    assert runs["run_id"].is_unique and runs["run_id"].str.startswith(serial.sweep_id).all()
    # every grid point gets the same seeds (common random numbers), in order
    assert runs.groupby("market.word_of_mouth")["seed"].apply(list).tolist() == [[0, 1, 2]] * 2
    assert set(sim.METRIC_KEYS) <= set(serial.metrics)
    assert runs["scenario_hash"].nunique() == 2
    assert len(serial.daily) == 6 * 31 and list(serial.daily.columns[:5]) == \
        ["run_id", "scenario", "market.word_of_mouth", "seed", "day"]


def test_each_run_is_sim_run_with_the_same_parameters_and_seed(serial):
    row = serial.runs.iloc[4]  # word_of_mouth 0.06, seed 1
    base = sim.load_scenario("liandong_2plus1").with_market(days=30, size=1000)
    alone = sim.run(apply_params(base, {"market.word_of_mouth": 0.06}), seed=1)
    assert (row["market.word_of_mouth"], row["seed"]) == (0.06, 1)
    assert {k: row[k] for k in alone.metrics} == alone.metrics
    daily = serial.daily[serial.daily["run_id"] == row["run_id"]]
    for column in ("gmv", "active", "rewards", "liabilities"):
        assert daily[column].tolist() == alone.daily[column].astype(float).tolist()


def test_each_run_carries_the_risk_index_of_sim_run_and_its_parts(serial):
    row = serial.runs.iloc[4]  # word_of_mouth 0.06, seed 1
    base = sim.load_scenario("liandong_2plus1").with_market(days=30, size=1000)
    index = sim.risk_index(sim.run(apply_params(base, {"market.word_of_mouth": 0.06}), seed=1))
    assert row["risk_index"] == index.total and 0 < index.total < 100
    assert {k: row[k] for k in RISK_METRICS.values()} == \
        {p.metric: p.points for p in index.parts}
    assert {"risk_index", *RISK_METRICS.values()} <= set(serial.metrics)
    s = serial.summary("risk_index")
    assert list(s["n"]) == [3, 3] and s["mean"].tolist() == pytest.approx(
        serial.runs.groupby("market.word_of_mouth")["risk_index"].mean().tolist())


def test_every_part_of_the_risk_index_has_its_own_metric():
    assert list(RISK_METRICS) == [c.key for c in COMPONENTS]
    assert len(set(RISK_METRICS.values())) == len(COMPONENTS)
    assert all(k.startswith("risk_") and k != "risk_index" for k in RISK_METRICS.values())


def test_mean_risk_index_averages_each_part_over_runs(serial):
    runs = serial.runs[serial.runs["market.word_of_mouth"] == 0.02]
    mean = mean_risk_index(runs)
    assert [p.key for p in mean.parts] == [c.key for c in COMPONENTS]
    assert [p.points for p in mean.parts] == pytest.approx(
        [runs[k].mean() for k in RISK_METRICS.values()])
    assert mean.total == pytest.approx(runs["risk_index"].mean())


def test_seeds_are_explicit():
    b = sim.run_many("retail_baseline", seeds=[5, 7], store=False, days=5, market_size=300)
    assert b.runs["seed"].tolist() == [5, 7]
    assert b.params == [] and b.runs["scenario"].tolist() == ["retail_baseline"] * 2
    for bad in (0, -1, [1, 1], [-2], True, []):
        with pytest.raises(ValueError, match="seeds"):
            sim.run_many("retail_baseline", seeds=bad, store=False, days=5, market_size=300)


def test_summary_is_mean_std_and_t_interval_per_grid_point(serial):
    s = serial.summary("payout_ratio")
    assert list(s.columns) == ["scenario", "market.word_of_mouth", "metric", "n", "mean", "std",
                               "ci_low", "ci_high"]
    for _, row in s.iterrows():
        values = serial.runs.loc[serial.runs["market.word_of_mouth"] == row["market.word_of_mouth"],
                                 "payout_ratio"].to_numpy()
        half = stats.t.ppf(0.975, 2) * values.std(ddof=1) / np.sqrt(3)
        assert row["n"] == 3 and row["mean"] == pytest.approx(values.mean())
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((values.mean() - half, values.mean() + half))
    assert set(serial.summary()["metric"]) == set(serial.metrics)
    with pytest.raises(ValueError, match="unknown metric 'nope'; metrics: participants"):
        serial.summary("nope")


def test_bands_are_per_day_quantiles_and_intervals(serial):
    b = serial.bands("gmv", q=(0.1, 0.5, 0.9))
    assert list(b.columns) == ["scenario", "market.word_of_mouth", "day", "n", "mean", "ci_low",
                               "ci_high", "q0.1", "q0.5", "q0.9"]
    assert len(b) == 2 * 31
    row = b[(b["market.word_of_mouth"] == 0.06) & (b["day"] == 20)].iloc[0]
    d = serial.daily
    values = d.loc[(d["market.word_of_mouth"] == 0.06) & (d["day"] == 20), "gmv"].to_numpy()
    assert row["q0.1"] == pytest.approx(np.quantile(values, 0.1))
    assert row["q0.9"] == pytest.approx(np.quantile(values, 0.9))
    assert row["mean"] == pytest.approx(values.mean()) and row["ci_low"] <= row["mean"] <= row["ci_high"]
    with pytest.raises(ValueError, match="unknown daily column"):
        serial.bands("nope")
    with pytest.raises(ValueError, match="quantiles"):
        serial.bands("gmv", q=(1.5,))


def test_list_valued_parameters_and_several_scenarios():
    grid = {"rules.multi_level_commission.rates": [[0.1, 0.05], [0.2, 0.1, 0.05]]}
    b = sim.run_many(["fission_distribution"], grid=grid, seeds=2, store=False, days=10, market_size=500)
    assert b.runs["rules.multi_level_commission.rates"].tolist() == [(0.1, 0.05)] * 2 + [(0.2, 0.1, 0.05)] * 2
    assert len(b.summary("payout_ratio")) == 2
    both = sim.run_many(["retail_baseline", "liandong_2plus1"], grid={"retail.price": [90.0, 110.0]},
                        seeds=1, store=False, days=5, market_size=300)
    assert both.runs[["scenario", "retail.price"]].values.tolist() == [
        ["retail_baseline", 90.0], ["retail_baseline", 110.0],
        ["liandong_2plus1", 90.0], ["liandong_2plus1", 110.0]]


@pytest.mark.parametrize("grid, key, message", [
    ({"market.word_of_mouth": [20.0]}, "market.word_of_mouth", "must be a number from 0 to 10"),
    ({"market.nope": [1]}, "market.nope", "unknown key; allowed keys: size"),
    ({"rules.liandong.jiandian": [10]}, "rules.liandong", "retail_baseline has no such rule"),
    ({"scenario.id": ["x"]}, "scenario.id", "not a parameter key"),
    ({"word_of_mouth": [0.1]}, "word_of_mouth", "not a parameter key"),
])
def test_bad_grid_keys_and_values_name_the_key(grid, key, message):
    with pytest.raises(sim.ScenarioError, match=message) as err:
        sim.run_many("retail_baseline", grid=grid, seeds=1, store=False, days=5, market_size=300)
    assert err.value.key == key


def test_bad_grid_shapes_and_executor_options():
    kw = {"seeds": 1, "store": False, "days": 5, "market_size": 300}
    with pytest.raises(ValueError, match="non-empty list"):
        sim.run_many("retail_baseline", grid={"retail.price": 90.0}, **kw)
    with pytest.raises(ValueError, match="values repeat"):
        sim.run_many("retail_baseline", grid={"retail.price": [90.0, 90.0]}, **kw)
    with pytest.raises(ValueError, match="workers"):
        sim.run_many("retail_baseline", workers=0, **kw)
    with pytest.raises(ValueError, match="not both"):
        sim.run_many("retail_baseline", workers=2, scheduler="tcp://127.0.0.1:1", **kw)
