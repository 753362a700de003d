"""Chart colours and layout that need no browser: a scenario's colour in the report's charts
(sim/charts.py) and on the dashboard's (dashboard/charts.py), from the one function in
sim/palette.py; and the risk profile's labels, sized to be drawn whole."""

from __future__ import annotations

import itertools
import json
import zlib

import pandas as pd
import pytest
from matplotlib.colors import to_hex

import sim
from sim import charts as report

KEYS = ("retail_baseline", "fission_distribution", "liandong_2plus1")


@pytest.fixture(scope="module")
def results() -> dict[str, sim.RunResult]:
    return {k: sim.run(k, seed=0, days=40, market_size=600) for k in KEYS}


def line_colours(fig) -> dict[str, str]:
    return {line.get_label(): to_hex(line.get_color()) for ax in fig.axes for line in ax.get_lines()}


def bar_colours(fig) -> dict[str, str]:
    return {c.get_label(): to_hex(c.patches[0].get_facecolor()) for ax in fig.axes for c in ax.containers}


@pytest.mark.parametrize("draw", [report.growth, report.payout_ratio, report.lorenz, report.cohorts])
def test_report_lines_keep_each_scenarios_colour_whatever_the_order(results, draw):
    ordered = [results[k] for k in KEYS]
    one, other = line_colours(draw(ordered, "en")), line_colours(draw(ordered[::-1], "en"))
    assert one == other
    # A scenario's lines (a label may add its Gini) share its colour; no two scenarios share one.
    by_name = {n: {c for label, c in one.items() if label.startswith(n)}
               for n in (r.scenario.meta.name_en for r in ordered)}
    drawn = {n: c for n, c in by_name.items() if c}
    assert all(len(c) == 1 for c in drawn.values()) and len(set.union(*drawn.values())) == len(drawn) >= 2


def test_report_bars_keep_each_scenarios_colour_whatever_the_order(results):
    ordered = [results[k] for k in KEYS]
    assert bar_colours(report.retention(ordered, "zh")) == bar_colours(report.retention(ordered[::-1], "zh"))


def test_report_and_dashboard_give_a_scenario_the_colour_sim_palette_gives_it(results):
    from dashboard import charts
    from sim.palette import colours
    ordered = [results[k] for k in KEYS]
    expected = dict(zip((r.scenario.meta.name_en for r in ordered), colours(list(KEYS))))
    drawn = line_colours(report.growth(ordered[::-1], "en"))
    assert {name: drawn[name] for name in expected} == expected
    data = pd.DataFrame({"x": 0, "series": list(expected), "lo": 0.0, "mid": 1.0, "hi": 2.0})
    spec = charts.banded_lines(data, x_title="day", y_title="n", legend="", bands=False,
                               order=list(expected), colours=list(expected.values())).to_dict()
    scale = next(layer["encoding"]["color"]["scale"] for layer in spec["layer"] if "color" in layer["encoding"])
    assert dict(zip(scale["domain"], scale["range"])) == expected


# ------------------------------------------------------------------------------- sim.palette
def test_a_colour_follows_the_id_not_the_order_or_the_company():
    from sim.palette import PALETTE, colours, preferred
    ids = [p.stem for p in sim.scenario_paths()][:12]
    for trio in itertools.combinations(ids[:6], 3):
        given = dict(zip(trio, colours(list(trio))))
        for order in itertools.permutations(trio):
            assert dict(zip(order, colours(list(order)))) == given
        assert len(set(given.values())) == 3
    assert preferred("liandong_2plus1") == PALETTE[zlib.crc32(b"liandong_2plus1") % len(PALETTE)]
    assert len(set(colours(ids))) == len(PALETTE)  # more scenarios than colours: all ten in use


def test_two_scenarios_wanting_one_colour_the_first_id_keeps_it():
    from sim.palette import colours, preferred
    a, b = next((x, y) for x, y in itertools.combinations(sorted(p.stem for p in sim.scenario_paths()), 2)
                if preferred(x) == preferred(y))
    assert colours([b, a]) == colours([a, b])[::-1]
    assert colours([b, a])[1] == preferred(a) != colours([b, a])[0]
    assert len(set(colours([a, a]))) == 2  # a saved copy beside its original


# ------------------------------------------------------------------------------- risk profile
def test_risk_profile_wraps_long_names_and_never_cuts_a_part_name():
    from dashboard import charts
    names = ["Link-and-Move 2+1", sim.load_scenario("cn_2019_juxian_guangzhou_court").meta.name_en,
             sim.load_scenario("cn_2019_juxian_guangzhou_court").meta.name_zh]
    parts = [c.name_en for c in sim.measures.COMPONENTS]
    data = pd.DataFrame([{"series": n, "part": p, "points": 5.0, "value": 0.5} for n in names for p in parts])
    spec = charts.stacked_risk(data, x_title="points", y_title="scenario", part_title="part",
                               value_title="value", order=names).to_dict()
    legend = spec["encoding"]["color"]["legend"]
    assert legend["labelLimit"] == 0 and legend["columns"] == 1  # whole names, one under another
    axis = spec["encoding"]["y"]["axis"]
    assert axis["labelLimit"] == 0
    for name in names[1:]:
        lines = charts.wrap(name)
        assert len(lines) > 1 and all(charts._columns(line) <= charts.WRAP_AT for line in lines)
        assert "".join(lines).replace(" ", "") == name.replace(" ", "")
        assert json.dumps(lines, ensure_ascii=False) in axis["labelExpr"]
    assert spec["height"] >= 3 * len(charts.wrap(names[1])) * charts.LINE_PX
