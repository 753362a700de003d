"""The Sweeps page with Streamlit's AppTest: a sweep stored by ``sim.run_many`` is read back
from the results store and shown with the numbers ``Batch.summary`` and ``Batch.bands`` give."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

os.environ["SCHEME_LAB_FAST"] = "1"

import sim  # noqa: E402
from dashboard import charts  # noqa: E402
from sim.batch import RISK_METRICS  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.test_dashboard import APP  # noqa: E402

GRID = {"market.word_of_mouth": [0.03, 0.05], "retail.price": [80, 120]}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "s.duckdb"
    batch = sim.run_many("liandong_2plus1", grid=GRID, seeds=3, store=path, market_size=500,
                         days=20)
    return path, batch


def sweeps_page(store, lang: str = "en") -> AppTest:
    """The Sweeps page of a server whose results folder is the store's, showing that store."""
    os.environ["SCHEME_LAB_STORE"] = str(store)  # the page reads it on every run
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("views/sweeps.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture(autouse=True)
def _default_store(monkeypatch):
    """Each test's results folder is its own: the environment is restored afterwards."""
    monkeypatch.delenv("SCHEME_LAB_STORE", raising=False)


def chart_data(el) -> list:
    json.loads(el.proto.spec)
    return [pa.ipc.open_stream(d.data.data).read_pandas() for d in el.proto.datasets]


def test_sweeps_page_shows_the_stored_summary_and_one_band_per_grid_point(stored):
    path, batch = stored
    at = sweeps_page(path)
    listing = at.dataframe[0].value
    assert list(listing["Sweep"]) == [batch.sweep_id]
    assert listing["Replicates"].iloc[0] == 3 and listing["Runs stored"].iloc[0] == "12/12"
    assert at.selectbox(key="swp_pick").value == batch.sweep_id

    for metric in ("gmv", "participants"):
        at.selectbox(key="swp_metric.en").set_value(metric).run()
        shown = at.dataframe[1].value
        expected = batch.summary(metric)
        assert len(shown) == 4
        assert list(shown["market.word_of_mouth"]) == list(expected["market.word_of_mouth"])
        assert list(shown["retail.price"]) == list(expected["retail.price"])
        assert list(shown["Runs (n)"]) == [3] * 4
        assert list(shown["Mean"]) == pytest.approx(list(expected["mean"]))
        assert list(shown["95% CI low"]) == pytest.approx(list(expected["ci_low"]), nan_ok=True)
        assert list(shown["95% CI high"]) == pytest.approx(list(expected["ci_high"]), nan_ok=True)

    at.selectbox(key="swp_daily.en").set_value("gmv").run()
    band_chart, *effects = at.get("vega_lite_chart")
    data = chart_data(band_chart)[0]
    assert data["series"].nunique() == 4  # one series per grid point
    expected = batch.bands("gmv")
    point = expected[(expected["market.word_of_mouth"] == 0.05) & (expected["retail.price"] == 120)]
    drawn = data[data["series"] == "market.word_of_mouth=0.05, retail.price=120"].sort_values("x")
    assert list(drawn["mid"]) == pytest.approx(list(point["q0.5"]))
    assert list(drawn["lo"]) == pytest.approx(list(point["q0.05"]))
    assert list(drawn["hi"]) == pytest.approx(list(point["q0.95"]))
    assert len(effects) == 2  # one per grid parameter
    effect = chart_data(effects[0])[0]
    assert sorted(effect["x"].unique()) == [0.03, 0.05]
    assert effect["series"].nunique() == 2  # the other parameter's two values


def test_sweeps_page_in_chinese(stored):
    path, batch = stored
    at = sweeps_page(path, lang="zh")
    assert at.title[0].value.startswith("参数扫描")
    assert "均值" in at.dataframe[1].value.columns
    assert at.dataframe[0].value["状态"].iloc[0] == "已完成"


def test_the_risk_index_and_its_parts_are_metrics_with_names_in_both_languages(stored):
    path, batch = stored
    at = sweeps_page(path, lang="zh")
    picker = at.selectbox(key="swp_metric.zh")
    # offered by their Chinese names (an unnamed metric would show its key)
    assert {sim.measures.name(k, "zh") for k in ("risk_index", *RISK_METRICS.values())} \
        <= set(picker.options)
    picker.set_value("risk_index").run()
    assert at.subheader[0].value == "各网格点的传销风险指数(0–100,筛查分数)"
    assert list(at.dataframe[1].value["均值"]) == pytest.approx(list(batch.summary("risk_index")["mean"]))


def test_the_default_store_comes_from_the_environment(stored, monkeypatch):
    path, batch = stored
    monkeypatch.setenv("SCHEME_LAB_STORE", str(path))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("views/sweeps.py").run()
    assert not at.exception
    assert at.selectbox(key="swp_store").value == path.name
    assert list(at.dataframe[0].value["Sweep"]) == [batch.sweep_id]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_missing_store_shows_a_message_not_an_error(tmp_path, lang):
    at = sweeps_page(tmp_path / "nowhere.duckdb", lang=lang)
    assert len(at.warning) == 1
    assert ("No results store in" if lang == "en" else "中没有结果库") in at.warning[0].value
    assert not at.get("vega_lite_chart")


def test_a_locked_or_foreign_store_shows_a_message(stored, tmp_path):
    path = tmp_path / "copy.duckdb"  # not read yet: nothing of it is cached
    shutil.copy(stored[0], path)
    # Another process writing (a sweep running): nobody else can open the file meanwhile.
    writer = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; "
                               f"c = duckdb.connect({str(path)!r}); print('open', flush=True); "
                               "sys.stdin.read()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        at = sweeps_page(path)
        assert "in use by another process" in at.warning[0].value
    finally:
        writer.communicate("", timeout=30)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()  # a DuckDB file, but not a results store
    at = sweeps_page(other, lang="zh")
    assert "不是本版本可读取的结果库" in at.warning[0].value
    at = sweeps_page(path)  # readable again once the writer has gone
    assert not at.warning and len(at.get("vega_lite_chart")) == 3


def test_long_grid_point_names_get_a_legend_line_each_uncut():
    def legend(names: list[str]) -> dict:
        data = pd.DataFrame({"x": 0, "series": names, "lo": 0.0, "mid": 0.0, "hi": 0.0})
        chart = charts.banded_lines(data, x_title="day", y_title="y", legend="point",
                                    bands=False, order=names).to_dict()
        return chart["layer"][0]["encoding"]["color"]["legend"]

    short = legend(["链动2+1", "Retail"])
    assert (short["columns"], short["labelLimit"]) == (2, 320)
    long = legend(["liandong_2plus1 · market.word_of_mouth=0.02, rules.liandong.jiandian=40", "b"])
    assert (long["columns"], long["labelLimit"]) == (1, 0)
