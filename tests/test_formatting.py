"""How figures are written (sim.measures): one rule per unit, the same in the CLI, the report
and the dashboard's tables, with a minus sign before the currency sign and no "-0.0"."""

from __future__ import annotations

import math
import re

import pytest

from sim.cli import main
from sim.measures import (COEFFICIENT, COUNT, FLAG, LEVELS, PERSONS, POINTS, RATIO, SCORE, SHARE,
                          STYLES, YUAN, change, column_format, format_value, interval)

# (unit, value, a statistic over runs?, what a reader sees)
SAMPLES = [
    (YUAN, 1_143_412.333, False, "¥1,143,412"),
    (YUAN, -5_619.4, False, "-¥5,619"),
    (YUAN, 49.4, False, "¥49"),
    (YUAN, 0.0, False, "¥0"),
    (YUAN, -0.0001, False, "¥0"),
    (YUAN, -0.4, False, "¥0"),
    (YUAN, 6_017.333, True, "¥6,017"),
    (SHARE, 0.25, False, "25.0%"),
    (SHARE, 0.92641, False, "92.6%"),
    (SHARE, 0.0, False, "0.0%"),
    (SHARE, -0.0001, False, "0.0%"),
    (SHARE, 1.0, True, "100.0%"),
    (RATIO, 12.5, False, "1,250.0%"),
    (RATIO, -0.0004, False, "0.0%"),
    (RATIO, -0.126, False, "-12.6%"),
    (PERSONS, 1_143_412, False, "1,143,412"),
    (PERSONS, 6_017.333, True, "6,017.3"),
    (PERSONS, 6_017.333, False, "6,017"),
    (PERSONS, 19.0, True, "19.0"),
    (PERSONS, 0, False, "0"),
    (PERSONS, -0.0001, True, "0.0"),
    (COUNT, 1_143_412.333, True, "1,143,412.3"),
    (COUNT, 7, False, "7"),
    (LEVELS, 5, False, "5"),
    (LEVELS, 4.5, True, "4.5"),
    (POINTS, 71.26, False, "71.3"),
    (POINTS, -0.0001, False, "0.0"),
    (POINTS, 71.26, True, "71.3"),
    (COEFFICIENT, 0.92641, False, "0.926"),
    (COEFFICIENT, 0.93, False, "0.930"),
    (COEFFICIENT, -0.0001, True, "0.000"),
    (SCORE, -1.23456, True, "-1.235"),
    (SCORE, 1_234.5, False, "1,234.500"),
]


@pytest.mark.parametrize("kind, value, mean, text", SAMPLES)
def test_each_unit_writes_a_value_one_way(kind, value, mean, text):
    assert format_value(kind, value, mean=mean) == text
    assert format_value(kind, value, "zh", mean=mean) == text  # digits are the same in Chinese


def test_missing_infinite_and_yes_no():
    assert format_value(YUAN, None) == format_value(SHARE, math.nan) == "—"
    assert format_value(RATIO, math.inf) == "∞" and format_value(RATIO, -math.inf) == "-∞"
    assert format_value(FLAG, 1.0) == "yes" and format_value(FLAG, 0, "zh") == "否"


def test_every_unit_with_numbers_has_a_rule():
    assert set(STYLES) == {YUAN, SHARE, RATIO, PERSONS, LEVELS, COUNT, POINTS, COEFFICIENT, SCORE}


@pytest.mark.parametrize("key, before, after, text", [
    ("payout_ratio", 0.1784, 0.1784, "0.0 pp"),
    ("payout_ratio", 0.1784, 0.17835, "0.0 pp"),   # rounded first, then signed: never "-0.0 pp"
    ("payout_ratio", 0.10, 0.125, "+2.5 pp"),
    ("share_losing_money", 0.125, 0.10, "-2.5 pp"),
    ("gmv", 1_000.0, 800.0, "-¥200"),
    ("gmv", 800.0, 1_000.0, "+¥200"),
    ("gmv", 10.0, 10.2, "¥0"),
    ("participants", 10, 10, "0"),
    ("participants", 10, 12, "+2"),
    ("rewards_gini", 0.5, 0.4994, "-0.001"),
])
def test_changes_are_rounded_then_signed(key, before, after, text):
    assert change(key, before, after) == text


@pytest.mark.parametrize("key, mean, half, text", [
    ("payout_ratio", 0.1568, 0.0275, "15.7% ± 2.8 pp"),
    ("participants", 19.333, 10.21, "19.3 ± 10.2"),
    ("gmv", 8_747.4, 3_289.2, "¥8,747 ± ¥3,289"),
    ("risk_index", 71.04, 1.96, "71.0 ± 2.0"),
    ("gmv", 8_747.4, math.nan, "¥8,747"),  # one run: no interval
])
def test_an_interval_is_the_mean_and_its_half_width_in_the_same_unit(key, mean, half, text):
    assert interval(key, mean, half) == text


@pytest.mark.parametrize("key, mean, fmt", [
    ("gmv", False, {"format": "yen", "step": 1}),
    ("payout_ratio", False, {"format": "percent", "step": 0.001}),
    ("share_losing_money", True, {"format": "percent", "step": 0.001}),
    ("participants", False, {"format": "%,.0f", "step": 1}),
    ("participants", True, {"format": "%,.1f", "step": 0.1}),
    ("risk_index", False, {"format": "%,.1f", "step": 0.1}),
    ("rewards_gini", False, {"format": "%,.3f", "step": 0.001}),
])
def test_dashboard_columns_take_their_format_from_the_same_rule(key, mean, fmt):
    assert column_format(key, mean=mean) == fmt


# A measure of each unit.
KEY_OF = {YUAN: "gmv", SHARE: "penetration", RATIO: "payout_ratio", PERSONS: "participants",
          LEVELS: "org_levels", COUNT: "merchants_exited", POINTS: "risk_index",
          COEFFICIENT: "rewards_gini", SCORE: "objective_mix"}


@pytest.mark.parametrize("kind", sorted(STYLES))
@pytest.mark.parametrize("mean", [False, True])
def test_a_columns_step_keeps_as_many_decimals_as_the_text(kind, mean):
    """Streamlit rounds a column to its step's decimals (a percent's two fewer): as many
    decimals as the text rule writes."""
    fmt = column_format(KEY_OF[kind], mean=mean)
    places = -round(math.log10(fmt["step"])) - (2 if fmt["format"] == "percent" else 0)
    text = format_value(kind, 1234.56789, mean=mean)
    assert places == len(text.partition(".")[2].rstrip("%"))


# -- what a reader sees -----------------------------------------------------------------------
STRAY = [(r"(?<!\w)-¥?0(?:\.0+)?(?![\d.,]*[1-9])", "a negative zero"),
         (r"¥-", "a minus sign after the currency sign"),
         (r"−[¥\d]", "a Unicode minus where figures use ASCII '-'")]


def stray(text: str) -> list[str]:
    """Figures in ``text`` written against the rules: what each is and the text found."""
    return [f"{why}: {m.group(0)!r}" for pattern, why in STRAY for m in re.finditer(pattern, text)]


def test_stray_finds_what_the_issue_found():
    assert stray("-0.0 pp, 0.0%, ¥-5,619, −¥200, -0.05, -¥0, 2016-05-10, -12.3%") == [
        "a negative zero: '-0.0'", "a negative zero: '-¥0'",
        "a minus sign after the currency sign: '¥-'", "a Unicode minus where figures use ASCII '-': '−¥'"]


def test_compare_table_writes_every_figure_by_its_units_rule(capsys):
    """shared_purchase's platform runs at a loss and retail pays nothing: money below zero reads
    -¥4,721, zero reads ¥0, a count never carries decimals."""
    ids = ["retail_baseline", "liandong_2plus1", "shared_purchase", "consumption_rebate_refund"]
    assert main(["compare", *ids, "--days", "30", "--market-size", "1000", "--quiet",
                 "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert stray(out) == []
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert any(c.startswith("-¥") for c in rows["platform_net"])
    assert rows["rewards"][0] == "¥0"
    for key in ("participants", "customers", "max_paid_depth", "org_levels", "merchants_exited"):
        assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", c) for c in rows[key]), (key, rows[key])
