"""The command line: bad input gets one line and exit 2 with nothing written; good input gets
the documented outputs."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pandas as pd
import pytest

import sim
from conftest import ROOT, scenario_dict
from sim.cli import main

FAST = ["--days", "5", "--market-size", "300"]


def toml_dump(d: dict) -> str:
    """A tiny TOML writer for scenario dicts (tables of scalars and lists, one level of rules)."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return repr(v)

    lines = []
    for section, body in d.items():
        if section == "rules":
            for key, table in body.items():
                lines.append(f"[rules.{key}]")
                lines += [f"{k} = {value(v)}" for k, v in table.items()]
        else:
            lines.append(f"[{section}]")
            lines += [f"{k} = {value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


def edit(base: str, path: str, new) -> dict:
    d = copy.deepcopy(scenario_dict(base))
    *parents, last = path.split(".")
    table = d
    for part in parents:
        table = table.setdefault(part, {})
    if new is DELETE:
        del table[last]
    else:
        table[last] = new
    return d


DELETE = object()
BAD = {  # case: (base scenario, key path, new value, key named in the message, words expected)
    "unknown market key": ("retail_baseline", "market.sise", 100, "market.sise", "allowed keys"),
    "unknown section": ("retail_baseline", "marketing.size", 1, "marketing", "allowed"),
    "unknown rule": ("liandong_2plus1", "rules.ponzi.rate", 1, "rules.ponzi", "allowed"),
    "string for a number": ("retail_baseline", "retail.price", "cheap", "retail.price", "number"),
    "float for a whole number": ("retail_baseline", "market.days", 1.5, "market.days", "whole number"),
    "list for a number": ("retail_baseline", "market.size", [1, 2], "market.size", "whole number"),
    "bool for a number": ("retail_baseline", "retail.price", True, "retail.price", "number"),
    "negative rate": ("fission_distribution", "rules.multi_level_commission.rates", [-0.1],
                      "rules.multi_level_commission.rates", "from 0 to 1"),
    "levels above 100%": ("fission_distribution", "rules.multi_level_commission.rates", [0.6, 0.5],
                          "rules.multi_level_commission.rates", "100%"),
    "fee plus rangli above 100%": ("retail_baseline", "retail.rangli", 0.95, "retail.rangli", "100%"),
    "per-join rewards above the package": ("liandong_2plus1", "rules.liandong.jiandian", 500.0,
                                           "rules.", "100%"),
    "market size 0": ("retail_baseline", "market.size", 0, "market.size", "from 1"),
    "days 0": ("retail_baseline", "market.days", 0, "market.days", "from 1"),
    "unknown family": ("retail_baseline", "scenario.family", "mlm", "scenario.family", "one of"),
    "missing scenario section": ("retail_baseline", "scenario", DELETE, "scenario", "missing"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_scenario_gets_one_line_and_exit_2(tmp_path, capsys, case):
    base, path, new, key, words = BAD[case]
    bad = tmp_path / "bad.toml"
    bad.write_text(toml_dump(edit(base, path, new)), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(bad), *FAST, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and captured.out == ""
    assert str(bad) in lines[0] and key in lines[0] and words in lines[0], lines[0]
    assert not out.exists()
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(bad)
    assert err.value.source == str(bad) and key in err.value.key


@pytest.mark.parametrize("text, words", [
    ("[market\nsize = 1", "not valid TOML"),
    ("import os\nos.system('touch pwned')\n", "not valid TOML"),  # parsed, never executed
])
def test_malformed_files(tmp_path, capsys, text, words):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    assert main(["run", str(bad), *FAST]) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "pwned").exists() and not (ROOT / "pwned").exists()


@pytest.mark.parametrize("args, option", [
    (["--market-size", "0"], "--market-size"), (["--days", "0"], "--days"),
    (["--seed", "-1"], "--seed"), (["--days", "x"], "--days")])
def test_bad_options_name_the_option(capsys, args, option):
    assert main(["run", "retail_baseline", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and option in err[0]


def test_real_process_missing_file_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(tmp_path / "nope.toml")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == f"sim: error: {tmp_path / 'nope.toml'}: no such scenario file"


def test_run_json_is_one_object_with_the_contract_keys():
    proc = subprocess.run([sys.executable, "-m", "sim", "run", "retail_baseline", *FAST, "--json"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and proc.stderr == ""  # no progress bar when not a TTY
    doc = json.loads(proc.stdout)
    assert set(doc) == {"scenario", "seed", "metrics"} and doc["scenario"] == "retail_baseline"
    assert set(sim.METRIC_KEYS) <= set(doc["metrics"]) and doc["metrics"]["ledger_imbalance"] == 0


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_out_writes_tables_that_match_the_run(tmp_path, capsys, fmt):
    out = tmp_path / "run"
    assert main(["run", "liandong_2plus1", *FAST, "--seed", "3", "--out", str(out), "--format", fmt]) == 0
    result = sim.run("liandong_2plus1", seed=3, days=5, market_size=300)
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    for name in ("daily", "people", "flows", "merchants"):
        assert len(read(out / f"{name}.{fmt}")) == len(getattr(result, name))
    meta = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 3 and meta["metrics"] == pytest.approx(result.metrics)
    assert sim.load_scenario(meta["parameters"]).to_dict() == result.scenario.to_dict()
    # A second run into the same folder is refused and leaves it as it was.
    before = sorted(p.name for p in out.iterdir())
    assert main(["run", "liandong_2plus1", *FAST, "--out", str(out)]) == 2
    assert sorted(p.name for p in out.iterdir()) == before


def test_list_and_compare(capsys):
    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {s["id"] for s in listed} == {p.stem for p in (ROOT / "scenarios").glob("*.toml")}
    assert all(s["name_zh"] and s["name_en"] for s in listed)
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    assert "[distribution]" in text and "链动2+1" in text and "Link-and-Move 2+1" in text
    argv = ["compare", "retail_baseline", "liandong_2plus1", *FAST, "--json"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert main(argv) == 0
    assert capsys.readouterr().out == first  # same seed, same numbers
    both = json.loads(first)["scenarios"]
    assert both["retail_baseline"]["participants"] == 0 and both["liandong_2plus1"]["participants"] > 0
    assert main(["compare", "retail_baseline", "liandong_2plus1", *FAST]) == 0
    table = capsys.readouterr().out
    assert "payout_ratio" in table and "liandong_2plus1" in table


def test_progress_bar_only_on_a_terminal():
    from sim.progress import Progress

    class Tty:
        def __init__(self, tty):
            self.tty, self.text = tty, ""

        def isatty(self):
            return self.tty

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    shown, hidden = Tty(True), Tty(False)
    for stream in (shown, hidden):
        bar = Progress("x", stream=stream)
        for d in range(1, 11):
            bar(d, 10)
    assert "100%" in shown.text and shown.text.endswith("\n") and hidden.text == ""
    quiet = Tty(True)
    Progress("x", enabled=False, stream=quiet)(10, 10)
    assert quiet.text == ""
