"""One vocabulary of measures (sim.measures): every figure shown or stored is declared once,
named in both languages with a unit, computed by one formula, and a share stays a share."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest

import sim
from conftest import SCENARIOS
from sim.audit import INDICATORS
from sim.batch import BATCH_METRICS, run_metrics
from sim.measures import (COMPONENTS, MEASURES, SERIES, TABLE, UNIT_NAMES,
                          Measured, name, series_name, unit)
from sim.metrics import METRIC_KEYS, RUN_METRICS

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
UNITS = {"yuan", "share", "ratio", "persons", "levels", "count", "coefficient", "points", "flag", "table",
         "score"}


@pytest.fixture(scope="module")
def runs():
    """Every shipped scenario at a small size, three seeds."""
    return [sim.run(path, seed=seed, market_size=1500, days=60) for path in SCENARIOS for seed in (1, 2, 3)]


def test_every_measure_has_two_names_and_a_unit():
    for table in (MEASURES, SERIES):
        for key, m in table.items():
            assert m.key == key and m.unit in UNITS, key
            assert m.en.strip() and CJK.search(m.zh), (key, m.zh)
            assert (m.formula is None) == bool(m.by), key  # a verdict's working names its test
    assert set(UNIT_NAMES) <= UNITS


def test_shares_stay_within_0_and_1_on_every_shipped_scenario(runs):
    for r in runs:
        m = Measured(r)
        for key, measure in MEASURES.items():
            if measure.bounded and measure.formula is not None:
                assert 0.0 <= m[key] <= 1.0, (r.scenario.id, r.seed, key, m[key])


def test_every_figure_computed_in_two_places_agrees_with_its_one_formula(runs):
    """Metrics, indicators, batch metrics, the risk index, findings and the stress test all
    read the vocabulary: a key shown anywhere has the value its formula gives, so no second
    formula can drift from the first."""
    for r in runs[::3]:  # one seed of each scenario
        m = Measured(r)
        same = lambda k, v: pytest.approx(float(m[k]), nan_ok=True) == float(v)  # noqa: E731
        for k, v in r.metrics.items():
            assert same(k, v), (r.scenario.id, "metrics", k)
        for k, v in run_metrics(r).items():
            assert same(k, v), (r.scenario.id, "batch", k)
        for k, v in sim.indicators(r).items():
            if unit(k) != TABLE:
                assert same(k, v), (r.scenario.id, "indicators", k)
        for part in sim.risk_index(r).parts:
            assert same(part.metric, part.points) and same(part.component.measure, part.value)
        for f in sim.audit(r):
            for k, v in f.measured.items():
                assert k in MEASURES, (f.id, k)
                if MEASURES[k].formula is not None:
                    assert same(k, v), (r.scenario.id, f.id, k)


def test_every_key_shown_or_stored_is_in_the_vocabulary(runs):
    """The keys the CLI, the report, the dashboard and the store use are declared measures;
    the daily columns a run stores are declared series or flow and reward columns."""
    from dashboard import state
    from sim import cli_batch, report
    listed = {*METRIC_KEYS, *RUN_METRICS, *BATCH_METRICS, *INDICATORS,
              *cli_batch.SHOWN_METRICS, *report.SUMMARY, *report.REPLICATE_METRICS,
              *(c.measure for c in COMPONENTS), "payouts_before_stop", "payouts_after_stop",
              "gmv_after_stop", "payout_drop",
              *sim.audit.stress.COMPARED, *page_keys("compare", "KPIS"), *page_keys("lab", "DIFF_METRICS"),
              *page_keys("sweeps", "METRICS")}
    assert listed <= set(MEASURES), listed - set(MEASURES)
    for r in runs[::3]:
        for f in sim.audit(r):
            for k in (*f.measured, *f.thresholds):
                assert name(k) != k, (f.id, k)  # a threshold is named from its measure
        for column in r.daily.columns:
            if column != "day":
                assert series_name(column) != column, column
    assert set(state.CHART_SERIES) <= set(SERIES)


def page_keys(page: str, table: str) -> tuple[str, ...]:
    """A tuple of keys a dashboard page declares (pages are scripts: read, not imported)."""
    tree = ast.parse((ROOT / "dashboard" / "views" / f"{page}.py").read_text(encoding="utf-8"))
    return next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                and any(getattr(t, "id", "") == table for t in node.targets))


def test_dashboard_pages_name_figures_only_from_the_vocabulary():
    """Pages list the keys they show and take names from sim.measures: no page keeps its own
    table of metric names or percent keys beside the vocabulary."""
    for path in (ROOT / "dashboard").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'"(m|series)\.[a-z_0-9]+"', text), path.name
        assert "PERCENT" not in text, path.name


def test_payout_ratio_is_two_measures():
    """Rewards ÷ GMV, and rewards ÷ what was paid to qualify (what 链动 promoters quote)."""
    r = sim.run("liandong_2plus1", seed=1, market_size=3000, days=90)
    m = Measured(r)
    assert m["payout_ratio"] == pytest.approx(m["rewards"] / m["gmv"])
    assert m["payout_to_qualifying"] == pytest.approx(m["rewards"] / m["entry_fees_collected"])
    assert MEASURES["payout_ratio"].unit == MEASURES["payout_to_qualifying"].unit == "ratio"


def test_figures_are_written_in_their_units():
    f = sim.measures.figure
    assert f("reward_share_team", 0.25) == "25.0%" and f("entry_fee", 399.0, "zh") == "¥399"
    assert f("rewards_gini", 0.8321) == "0.832" and f("risk_index", 71.25) == "71.2"
    assert f("participants", 1234) == "1,234" and f("elements_met", 1.0, "zh") == "是"
    assert f("worst_pay_to_own_sales", math.inf) == "∞" and f("gmv", None) == "—"
    assert sim.measures.change("payout_ratio", 0.1784, 0.1784) == "0.0 pp"
    assert sim.measures.change("payout_ratio", 0.10, 0.125) == "+2.5 pp"
    assert sim.measures.change("gmv", 1_000.0, 800.0) == "-¥200"
    assert sim.measures.change("participants", 10, 10) == "0"  # tests/test_formatting.py: every unit


def test_levels_over_everyone_who_ever_took_part_never_fall_below_the_active_ones(runs):
    for r in runs:
        assert r.metrics["org_levels"] >= r.metrics["org_levels_active"]
        assert r.metrics["participants"] >= r.metrics["participants_active"]


def test_cohorts_and_the_lorenz_curve_have_one_definition(runs):
    """The Audit page, the Learn page and the report draw the same net-by-cohort table and
    Lorenz curve: the measures', by the week each participant qualified."""
    r = next(r for r in runs if r.scenario.id == "liandong_2plus1")
    m = Measured(r)
    cohorts = m["net_by_cohort"]
    part = r.people[r.people["participant_day"] >= 0]
    assert cohorts["participants"].sum() == len(part)
    week0 = part[part["participant_day"] // 7 == cohorts["week"].iloc[0]]
    assert cohorts["mean_net"].iloc[0] == pytest.approx(week0["net"].mean())
    curve = m["rewards_lorenz"]
    assert curve["x"].iloc[0] == 0 and curve["y"].iloc[-1] == pytest.approx(1.0)
    assert np.all(np.diff(curve["y"]) >= -1e-12)


def test_the_docs_list_every_measure_and_every_finding():
    """docs/measures.md is the vocabulary as `sim measures` prints it; docs/audit.md has a row
    for every legal test; the README links both."""
    assert (ROOT / "docs" / "measures.md").read_text(encoding="utf-8") == sim.measures.markdown()
    audit_doc = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    for pack in sim.audit.PACKS.values():
        for test in pack.TESTS:
            assert f"| `{test.id}` |" in audit_doc, test.id
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/audit.md" in readme and "docs/measures.md" in readme


def test_platform_net_parts_account_for_every_flow_of_the_platform(runs):
    """The parts of platform net come from the ledger's flows; the last is the rest. Where no
    points or pools are funded, the rest is exactly the rewards, all paid from the platform's
    cash: a platform flow left out of the named parts would show here."""
    checked = 0
    for r in runs[::3]:
        m = Measured(r)
        if any(m.total(f"flow_{k}") for k in ("points_issued", "points_expired", "pool_funding")):
            continue
        assert m["platform_net_rewards"] == pytest.approx(-m["rewards"], abs=0.02), r.scenario.id
        assert m["platform_net_subsidies"] <= 0 and m["platform_net_delivery"] <= 0
        checked += 1
    assert checked >= 20
