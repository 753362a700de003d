"""The Calibrate page with Streamlit's AppTest: the shipped example's data, a fit whose table,
chart and saved scenario are what ``sim.calibrate`` gives for the same settings, in both
languages. (Uploading a file is driven in a real browser: tests/test_browser.py.)"""

from __future__ import annotations

import json
import os
import tomllib
from datetime import date

import pyarrow as pa

os.environ["SCHEME_LAB_FAST"] = "1"

import sim  # noqa: E402
from dashboard import state  # noqa: E402
from sim.calibrate import EXAMPLE, EXAMPLE_SETTINGS, calibrate  # noqa: E402
from sim.observations import read  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.test_dashboard import APP  # noqa: E402

SIZE = 400  # persons simulated: the example's 2,300 days stay quick at this size


def page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("views/calibrate.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_page_asks_for_data_then_shows_the_example_in_both_languages():
    at = page()
    assert at.title[0].value == "Calibrate the market to a pilot"
    assert "Upload a CSV to start" in at.info[0].value
    at.radio(key="cal_source.en").set_value("example").run()
    assert not at.exception
    data = at.dataframe[0].value
    assert len(data) == len(read(EXAMPLE).dates) and data.columns.tolist() == ["Period ending", "active users"]
    assert at.multiselect(key="cal_fit_example.en").value == EXAMPLE_SETTINGS["fit"]
    at.session_state["lang"] = "zh"
    at.run()
    assert at.title[0].value == "用试点数据校准市场"
    assert at.dataframe[0].value.columns.tolist() == ["期末日期", "活跃用户"]


def test_a_fit_on_the_page_is_sim_calibrate_and_saves_a_scenario(monkeypatch, tmp_path):
    monkeypatch.setattr(state, "USER_DIR", tmp_path)
    at = page()
    at.radio(key="cal_source.en").set_value("example").run()
    at.multiselect(key="cal_fit_example.en").set_value(["population"]).run()
    at.number_input(key="cal_size_example.en").set_value(SIZE).run()
    at.button(key="cal_run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    fit = calibrate("retail_baseline", read(EXAMPLE), fit=["population"], fixed=EXAMPLE_SETTINGS["fixed"],
                    launch=date(2015, 9, 1), market_size=SIZE, seed=0,
                    ranges=EXAMPLE_SETTINGS["ranges"])
    table = at.dataframe[1].value
    (e,) = fit.estimates
    assert table["Key"].tolist() == ["population"]
    assert (table["Estimate"].iloc[0], table["95% interval, low"].iloc[0],
            table["95% interval, high"].iloc[0]) == (e.value, e.low, e.high)
    (chart,) = at.get("vega_lite_chart")
    json.loads(chart.proto.spec)
    drawn = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_pandas()
    assert drawn["observed"].tolist() == read(EXAMPLE).values["active"].tolist()
    at.button(key="cal_save").click().run()
    saved = tmp_path / "retail_baseline_calibrated.toml"
    assert sim.load_scenario(saved).to_dict() == fit.scenario.to_dict()
    text = saved.read_text(encoding="utf-8")
    assert "95% intervals" in text and tomllib.loads(text)["scenario"]["id"] == "retail_baseline_calibrated"
    at.session_state["lang"] = "zh"
    at.run()
    assert at.dataframe[1].value.columns[0] == "参数"
