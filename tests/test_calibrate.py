"""``sim calibrate``: recovery of known parameters from series the engine made, the coverage
of the reported 95% region, reproducibility, and refusals of bad data files and options.

Synthetic pilots are weekly series of a 2,000-person market run by the engine itself
(``SchemeModel``) at known parameter values with a seed the fit never uses.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tomllib
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.batch import apply_params
from sim.calibrate import EXAMPLE, KNOBS, CalibrationError, calibrate
from sim.cli import main
from sim.model import SchemeModel
from sim.observations import COLUMNS, DataError, parse, read

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"  # the recovery test's coverage, for the record
LAUNCH = date(2024, 3, 1)
TRUTH = {"market.external_reach": 0.001, "market.word_of_mouth": 0.08}
PILOT = 2_000
REPLICATES = 20
MOST = 17  # of 20: a correct 95% region misses more than 3 times with probability 1.6%


def pilot_csv(values: dict, *, seed: int, weeks: int = 8, columns=("new_customers", "active"),
              size: int = PILOT, base: str = "retail_baseline") -> str:
    """A weekly series of the engine's market at ``values``, as a pilot's CSV."""
    s = apply_params(sim.load_scenario(base), values).with_market(size=size, days=7 * weeks)
    model = SchemeModel(s, seed=seed, journal=False)
    model.run_days(7 * weeks)
    daily = {c: np.array([r[c] for r in model.daily], float) for c in COLUMNS}
    model.release()
    daily["gmv"] /= 100  # cents
    rows = {c: daily[c][1:].reshape(weeks, 7).sum(1) for c in ("new_customers", "orders", "gmv")}
    rows["active"] = daily["active"][7::7]
    lines = ["date," + ",".join(columns)]
    for w in range(weeks):
        cells = [f"{rows[c][w]:.2f}" if c == "gmv" else f"{rows[c][w]:.0f}" for c in columns]
        lines.append(f"{LAUNCH + timedelta(days=7 * w + 6)}," + ",".join(cells))
    return "\n".join(lines) + "\n"


# What a strategist might say before the pilot: ads reach 0.03–0.5% a day, word of mouth
# 3–25% (not centred on the truth).
RANGES = {"market.external_reach": (0.0003, 0.005), "market.word_of_mouth": (0.03, 0.25)}


def _recover(r: int) -> tuple[bool, list[bool], list[float], list[float]]:
    data = parse(pilot_csv(TRUTH, seed=10_000 + r), f"pilot{r}.csv")
    fit = calibrate("retail_baseline", data, fit=list(TRUTH), ranges=RANGES, population=PILOT, seed=r)
    inside = [e.low <= TRUTH[e.key] <= e.high for e in fit.estimates]
    return fit.contains(TRUTH), inside, [e.high / e.low for e in fit.estimates], [e.z for e in fit.estimates]


@pytest.mark.slow
def test_recovers_bass_parameters_with_95_percent_coverage():
    """20 pilots made by the engine at known Bass p and q, each fitted from its own seed: the
    truth lies in the joint 95% region of most fits, each parameter in its interval in most,
    and the intervals are narrow enough to be useful (a region that always covers because it
    is huge would fail here)."""
    with ProcessPoolExecutor(2) as pool:
        out = list(pool.map(_recover, range(REPLICATES)))
    joint = sum(o[0] for o in out)
    marginal = np.array([o[1] for o in out]).sum(axis=0)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "calibration_recovery.json").write_text(json.dumps({
        "truth": TRUTH, "replicates": REPLICATES, "joint_region_covers": joint,
        "intervals_cover": dict(zip(TRUTH, marginal.tolist())),
        "median_interval_high_over_low": dict(zip(TRUTH, np.median([o[2] for o in out], axis=0).tolist()))},
        indent=1))
    assert joint >= MOST, f"truth in the 95% region in {joint} of {REPLICATES} fits"
    assert (marginal >= MOST).all(), f"truth in each 95% interval: {marginal.tolist()} of {REPLICATES}"
    widths = np.median([o[2] for o in out], axis=0)  # high ÷ low of each interval
    assert widths[0] < 6 and widths[1] < 1.5, widths
    z = np.array([o[3] for o in out])
    truth = np.array([KNOBS[k].z(v) for k, v in TRUTH.items()])
    se_of_mean = z.std(axis=0, ddof=1) / math.sqrt(REPLICATES)
    assert (np.abs(z.mean(axis=0) - truth) < 4 * se_of_mean).all(), (z.mean(axis=0), truth)


@pytest.mark.slow
def test_recovers_a_churn_rate_from_active_users():
    """Six 12-week pilots with p and q known: the churn rate lies in at least five of the six
    95% intervals (a correct interval misses twice with probability 3%), each informative."""
    truth = {**TRUTH, "churn.customer": 0.02}
    fixed = apply_params(sim.load_scenario("retail_baseline"), TRUTH)
    inside = 0
    for r in range(6):
        data = parse(pilot_csv(truth, seed=r, weeks=12, columns=("new_customers", "active")), "pilot.csv")
        (e,) = calibrate(fixed, data, fit=["churn.customer"], population=PILOT, seed=r).estimates
        inside += e.low <= 0.02 <= e.high
        assert e.high / e.low < 2.5, e
    assert inside >= 5


def test_a_fit_is_reproducible_from_its_seed_and_writes_a_loadable_scenario(tmp_path):
    data = parse(pilot_csv(TRUTH, seed=3, weeks=6, size=600), "pilot.csv")
    base = apply_params(sim.load_scenario("retail_baseline"), {"market.external_reach": 0.001})
    runs = [calibrate(base, data, fit=["market.word_of_mouth"], population=600, seed=s) for s in (5, 5, 6)]
    assert runs[0].table() == runs[1].table() and runs[0].runs == runs[1].runs
    assert runs[0].table() != runs[2].table()
    path = tmp_path / "calibrated.toml"
    path.write_text(runs[0].to_toml(), encoding="utf-8")
    scenario = sim.load_scenario(path)
    assert scenario.market.word_of_mouth == runs[0].estimates[0].value
    assert scenario.market.size == 600 and scenario.id == "retail_baseline_calibrated"
    assert "95% intervals" in path.read_text(encoding="utf-8")


def test_a_larger_population_is_simulated_at_a_smaller_size_and_can_be_fitted():
    """Data from 6,000 persons, simulated at 1,500 and scaled: the population is recovered.
    A fitted population keeps the scenario's founders in the simulated market, so the data's
    market has the same share of them (40 of 6,000 as 10 of 1,500)."""
    truth = {**TRUTH, "market.founders": 40}
    data = parse(pilot_csv(truth, seed=11, size=6_000, columns=("active",)), "pilot.csv")
    base = apply_params(sim.load_scenario("retail_baseline"), TRUTH)
    fit = calibrate(base, data, fit=["population"], market_size=1_500, seed=2)
    (e,) = fit.estimates
    assert e.low <= 6_000 <= e.high and e.high / e.low < 2, e
    assert fit.simulated == 1_500


# -- bad data files ---------------------------------------------------------------------------
GOOD = "date,new_customers,active\n2024-03-07,12,20\n2024-03-14,15,33\n2024-03-21,19,50\n2024-03-28,30,77\n"
# case: (file name, content, words in the message after "FILE: ")
BAD_FILES = {
    "missing date column": ("p.csv", GOOD.replace("date,", "day,"), "day: unknown column; allowed: date"),
    "no series column": ("p.csv", "date,source\n" + "".join(f"2024-03-0{d},x\n" for d in range(1, 6)),
                         "no series column; give at least one of new_customers, active, orders, gmv"),
    "unknown column": ("p.csv", GOOD.replace("active", "visitors"),
                       "visitors: unknown column; allowed: date, new_customers, active, orders, gmv, source"),
    "column twice": ("p.csv", GOOD.replace("active", "new_customers"), "new_customers: the column appears twice"),
    "negative count": ("p.csv", GOOD.replace(",15,", ",-15,"),
                       "line 3: new_customers: must be a whole number of persons >= 0, got '-15'"),
    "fractional count": ("p.csv", GOOD.replace(",15,", ",15.5,"), "must be a whole number of persons >= 0"),
    "text for a number": ("p.csv", GOOD.replace(",15,", ",many,"), "got 'many'"),
    "dates out of order": ("p.csv", GOOD.replace("2024-03-14", "2024-03-22"),
                           "line 4: date: 2024-03-21 is not after the previous row's 2024-03-22; dates must increase"),
    "repeated date": ("p.csv", GOOD.replace("2024-03-14", "2024-03-07"), "is not after the previous row's"),
    "bad date": ("p.csv", GOOD.replace("2024-03-14", "14/03/2024"),
                 "line 3: date: must be a date written YYYY-MM-DD, got '14/03/2024'"),
    "too few points": ("p.csv", "\n".join(GOOD.splitlines()[:3]) + "\n", "2 data row(s); at least 4 are needed"),
    "ragged row": ("p.csv", GOOD.replace("2024-03-14,15,33", "2024-03-14,15"), "line 3: 2 fields; the header has 3"),
    "empty column": ("p.csv", "date,new_customers,active\n" + "".join(f"2024-03-0{d},{d},\n" for d in range(1, 6)),
                     "active: the column has no values"),
    "not a CSV name": ("p.xlsx", GOOD, "not a CSV file; expected a .csv file"),
    "binary content": ("p.csv", "PK\x03\x04\x00\x00binary", "not a CSV file: it contains binary data"),
    "not UTF-8": ("p.csv", b"date,active\n\xff\xfe2024", "not a CSV file: not UTF-8 text"),
    "empty file": ("p.csv", "", "no header row"),
    "active above the market": ("p.csv", GOOD.replace(",77", ",5000"),
                                "active: 5,000 persons, more than the 2,000 persons of the market"),
}


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return path


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and stderr.endswith("\n"), f"expected one line, got {stderr!r}"
    return lines[0]


FIT = ["--fit", "market.external_reach", "--fit", "market.word_of_mouth"]


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_data_file_gets_one_line_and_exit_2_and_nothing_written(tmp_path, capsys, case):
    name, content, words = BAD_FILES[case]
    data = _write(tmp_path, name, content)
    out, plot = tmp_path / "out.toml", tmp_path / "fit.png"
    status = main(["calibrate", "retail_baseline", "--data", str(data), *FIT, "--population", "2000",
                   "--out", str(out), "--plot", str(plot)])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    line = one_line(captured.err)
    assert line.startswith(f"sim: error: {data}: ") and words in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_bad_data_file_through_the_real_command_line(tmp_path):
    data = _write(tmp_path, "pilot.csv", GOOD.replace("2024-03-14", "2024-03-22"))
    proc = subprocess.run([sys.executable, "-m", "sim", "calibrate", "retail_baseline", "--data", str(data),
                           *FIT, "--out", str(tmp_path / "o.toml")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "dates must increase" in one_line(proc.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pilot.csv"]


def test_a_data_file_is_parsed_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    evil = "date,active\n" + "".join(f"=SYSTEM(\"touch {marker}\"),{i}\n" for i in range(5))
    with pytest.raises(DataError, match="must be a date written YYYY-MM-DD"):
        read(_write(tmp_path, "evil.csv", evil))
    assert not marker.exists()


@pytest.mark.parametrize("case", BAD_FILES)
def test_every_data_refusal_has_chinese(tmp_path, case):
    name, content, _ = BAD_FILES[case]
    with pytest.raises(DataError) as err:
        data = read(_write(tmp_path, name, content))
        data.check(data.launch_default(), 2000)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.text("zh")), err.value.text("zh")


# case: (extra options, words)
BAD_OPTIONS = {
    "nothing to fit": ([], "--fit: name at least one parameter to fit; allowed: market.external_reach"),
    "a key that cannot be fitted": (["--fit", "retail.price"], "--fit retail.price: cannot be fitted; allowed:"),
    "a key twice": (FIT + ["--fit", "market.word_of_mouth"], "--fit market.word_of_mouth: given twice"),
    "a bad range": (["--fit", "market.word_of_mouth=0.3"], "expected KEY=LOW:HIGH with numbers"),
    "a range outside what the scenario accepts": (["--fit", "market.word_of_mouth=0.1:20"],
                                                  "search range 0.1:20; needs 0 < LOW < HIGH <= 10"),
    "a parameter no series responds to": (["--fit", "market.basket"],
                                          "market.basket: the data's series (new_customers, active) do not "
                                          "respond to it; it needs gmv"),
    "a bad launch": (FIT + ["--launch", "March"], "--launch: must be a date written YYYY-MM-DD"),
    "a launch after the first row": (FIT + ["--launch", "2024-03-10"], "is before the launch day 2024-03-10"),
    "a bad fixed value": (FIT + ["--set", "churn.customer=2"], "churn.customer: must be a number from 0 to 1"),
    "population and fitted population": (["--fit", "population", "--population", "100"],
                                         "--population: not with --fit population"),
    "a plot that is not a PNG": (FIT + ["--plot", "fit.svg"], "--plot: fit.svg must end in .png"),
}


@pytest.mark.parametrize("case", BAD_OPTIONS)
def test_bad_options_are_refused_before_anything_runs(tmp_path, capsys, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    options, words = BAD_OPTIONS[case]
    data = _write(tmp_path, "pilot.csv", GOOD)
    population = [] if "--population" in options else ["--population", "2000"]
    status = main(["calibrate", "retail_baseline", "--data", str(data), *population, *options,
                   "--out", "o.toml"])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert words in one_line(captured.err), captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pilot.csv"]


def test_an_existing_output_is_not_replaced_without_force(tmp_path, capsys):
    data = _write(tmp_path, "pilot.csv", GOOD)
    out = _write(tmp_path, "o.toml", "keep me")
    assert main(["calibrate", "retail_baseline", "--data", str(data), *FIT, "--out", str(out)]) == 2
    assert "exists; choose another name or give --force" in one_line(capsys.readouterr().err)
    assert out.read_text() == "keep me"


def test_calibrate_on_the_command_line_writes_the_scenario_plot_and_json(tmp_path, capsys):
    data = _write(tmp_path, "pilot.csv", pilot_csv(TRUTH, seed=5, weeks=6, size=800,
                                                   columns=("new_customers", "active", "orders", "gmv")))
    out, plot = tmp_path / "market.toml", tmp_path / "fit.png"
    assert main(["calibrate", "retail_baseline", "--data", str(data), "--fit", "market.propensity",
                 "--set", "market.external_reach=0.001", "--set", "market.word_of_mouth=0.08",
                 "--population", "800", "--seed", "4", "--out", str(out), "--plot", str(plot),
                 "--lang", "zh", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    (estimate,) = report["estimates"]
    scenario = tomllib.loads(out.read_text(encoding="utf-8"))
    assert scenario["market"]["propensity"] == estimate["value"]
    assert estimate["ci_low"] < estimate["value"] < estimate["ci_high"]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert {r["column"] for r in report["fit"]} == {"new_customers", "active", "orders", "gmv"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.png", "market.toml", "pilot.csv"]
    assert main(["run", str(out), "--days", "3", "--market-size", "100", "--json"]) == 0


def test_a_parameter_the_runs_do_not_respond_to_is_refused_with_a_reason():
    """Nobody buys (propensity 0), so GMV cannot tell anything about the basket."""
    data = parse("date,gmv\n" + "".join(f"2024-03-{d:02d},{d * 100}\n" for d in range(1, 8)), "p.csv")
    with pytest.raises(CalibrationError, match="do not move with market.basket"):
        calibrate("retail_baseline", data, fit=["market.basket"], fixed={"market.propensity": 0.0},
                  population=500, seed=0)


# -- the shipped real example -----------------------------------------------------------------


def test_the_real_example_cites_a_source_on_every_row():
    data = read(EXAMPLE)
    assert data.columns == ["active"] and len(data.dates) >= 12
    assert all(note.strip() for note in data.notes)
    values = data.values["active"]
    assert (np.diff(values) > 0).all()  # a trailing-year count of a growing platform
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "sources disagree" in text.lower() or "where sources disagree" in text.lower()
