"""Sensitivity with SALib: a parameter that cannot matter ranks last with zero effect."""

from __future__ import annotations

import numpy as np
import pytest

from sim.sensitivity import sensitivity

# Merchants cannot leave before their runway, which is longer than these 30 days: a key with no
# effect at all, beside one (the 见点奖) that moves the payout ratio directly.
VARY = {"retail.merchant_runway": (40, 90), "rules.liandong.jiandian": (20.0, 120.0)}
SMALL = {"days": 30, "market_size": 800, "store": False}


@pytest.mark.parametrize("method, samples, top, index", [("morris", 4, "mu_star", "mu_star"),
                                                         ("sobol", 8, "ST", "ST")])
def test_the_parameter_that_matters_ranks_first_and_the_inert_one_scores_zero(method, samples, top, index):
    res = sensitivity("liandong_2plus1", vary=VARY, metric="payout_ratio", method=method,
                      samples=samples, seeds=2, **SMALL)
    assert res.table["parameter"].tolist() == ["rules.liandong.jiandian", "retail.merchant_runway"]
    assert res.table.loc[0, index] > 0.05 and res.table.loc[1, index] == pytest.approx(0, abs=1e-12)
    assert list(res.table[["low", "high"]].iloc[0]) == [20.0, 120.0]
    # whole-number keys are rounded; every point ran on the same seeds (common random numbers)
    assert np.array_equal(res.x[:, 0], np.round(res.x[:, 0]))
    assert res.batch.runs.groupby(list(VARY))["seed"].apply(list).map(tuple).unique().tolist() == [(0, 1)]
    # y is the seed-averaged metric at each sample row
    row = res.x[3]
    runs = res.batch.runs
    at = runs[(runs["retail.merchant_runway"] == int(row[0])) & (runs["rules.liandong.jiandian"] == row[1])]
    assert res.y[3] == pytest.approx(at["payout_ratio"].mean())


def test_the_risk_index_can_be_explained():
    res = sensitivity("liandong_2plus1", vary=VARY, metric="risk_index", method="morris",
                      samples=2, seeds=1, **SMALL)
    runs = res.batch.runs
    assert res.metric == "risk_index" and set(res.y) <= set(runs["risk_index"])
    assert res.table["parameter"].tolist() == ["rules.liandong.jiandian", "retail.merchant_runway"]
    assert res.table.loc[0, "mu_star"] > 0 and res.table.loc[1, "mu_star"] == pytest.approx(0, abs=1e-12)


def test_plot_is_written(tmp_path):
    res = sensitivity("liandong_2plus1", vary=VARY, metric="payout_ratio", method="morris",
                      samples=2, seeds=1, **SMALL)
    path = res.plot(tmp_path / "charts" / "s.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["s.png"]


@pytest.mark.parametrize("kw, message", [
    ({"metric": "nope"}, "unknown metric 'nope'; metrics: .*risk_index, risk_recruitment"),
    ({"method": "fast"}, "method must be one of sobol, morris"),
    ({"samples": 6}, "power of 2"),
    ({"vary": {"retail.price": (120.0, 80.0)}}, "LOW < HIGH"),
    ({"vary": {"rules.liandong.passups": (1.2, 1.4)}}, "two whole numbers"),
    ({"vary": {"market.network": (0, 1)}}, "only single numbers can be varied"),
    ({"vary": {"market.word_of_mouth": (0.0, 50.0)}}, "must be a number from 0 to 10"),
    ({"vary": {}}, "at least one"),
])
def test_bad_requests_are_refused_before_running(kw, message):
    args = {"vary": VARY, "metric": "payout_ratio", "method": "sobol", "samples": 8, **kw}
    with pytest.raises(ValueError, match=message):
        sensitivity("liandong_2plus1", seeds=1, **SMALL, **args)
