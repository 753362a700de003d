"""``sim sweep``, ``sim sensitivity`` and ``sim runs``: outputs, the store, bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

import sim
from conftest import ROOT
from sim.cli import main

TINY = ["--days", "10", "--market-size", "400", "--workers", "1"]
GRID = ["--param", "market.word_of_mouth=0.02,0.04,0.08", "--param", "rules.liandong.jiandian=40,80,120"]


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A 3 × 3 grid × 2 replicates sweep from the command line, stored."""
    store = tmp_path_factory.mktemp("cli") / "s.duckdb"
    proc = subprocess.run([sys.executable, "-m", "sim", "sweep", "liandong_2plus1", *GRID,
                           "--replicates", "2", *TINY, "--store", str(store), "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # not a terminal: no progress bar
    return store, json.loads(proc.stdout)


def test_sweep_json_summarises_every_grid_point_and_lands_in_the_store(swept):
    store, out = swept
    assert out["runs"] == 18 and out["seeds"] == [0, 1] and out["store"] == str(store)
    assert out["grid"] == {"market.word_of_mouth": [0.02, 0.04, 0.08], "rules.liandong.jiandian": [40, 80, 120]}
    points = {(r["market.word_of_mouth"], r["rules.liandong.jiandian"]) for r in out["summary"]}
    assert len(points) == 9
    assert {r["metric"] for r in out["summary"]} == {"participants", "gmv", "payout_ratio",
                                                      "share_losing_money", "risk_index"}
    assert all(r["n"] == 2 and r["ci_low"] <= r["mean"] <= r["ci_high"] for r in out["summary"])
    with sim.open_store(store, read_only=True) as s:
        batch = sim.Batch.from_store(s, out["sweep_id"])
        assert len(batch) == 18 and len(batch.bands("gmv")) == 9 * 11
        assert s.sweep(out["sweep_id"])["command"].startswith("sim sweep liandong_2plus1 --param")


def test_runs_list_show_replay_and_export(swept, tmp_path, capsys):
    store, out = swept
    assert main(["runs", "list", "--sweeps", "--store", str(store), "--json"]) == 0
    sweeps = json.loads(capsys.readouterr().out)
    assert [(s["sweep_id"], s["status"], s["stored"]) for s in sweeps] == [(out["sweep_id"], "done", 18)]
    assert main(["runs", "list", "--store", str(store), "--limit", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["run_id", "scenario", "params"] and len(lines) == 6
    run_id = lines[1].split()[0]
    assert main(["runs", "show", run_id, "--store", str(store), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["run_id"] == run_id and shown["parameters"]["scenario"]["id"] == "liandong_2plus1"
    assert set(sim.METRIC_KEYS) <= set(shown["metrics"])
    assert main(["runs", "show", out["sweep_id"], "--store", str(store)]) == 0
    text = capsys.readouterr().out
    assert "status        done" in text and "payout_ratio" in text
    assert main(["runs", "replay", run_id, "--store", str(store)]) == 0
    assert "every stored metric identical" in capsys.readouterr().out
    assert main(["runs", "export", "--out", str(tmp_path / "x"), "--sweep", out["sweep_id"],
                 "--store", str(store)]) == 0
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [
        "daily.parquet", "metrics.parquet", "runs.parquet", "scenarios.parquet", "sweeps.parquet"]


def test_sweep_and_sensitivity_take_the_risk_index(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    assert main(["sweep", "liandong_2plus1", "--param", "rules.liandong.jiandian=40,120",
                 "--replicates", "2", *TINY, "--metric", "risk_index", "--metric", "risk_recruitment",
                 "--store", str(store), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["metric"] for r in out["summary"]} == {"risk_index", "risk_recruitment"}
    with sim.open_store(store, read_only=True) as s:
        runs = sim.Batch.from_store(s, out["sweep_id"]).runs
    means = runs.groupby("rules.liandong.jiandian")["risk_index"].mean().tolist()
    assert [r["mean"] for r in out["summary"] if r["metric"] == "risk_index"] == pytest.approx(means)
    assert main(["sensitivity", "liandong_2plus1", "--vary", "rules.liandong.jiandian=20:120",
                 "--metric", "risk_index", "--method", "morris", "--samples", "2",
                 "--replicates", "1", "--days", "30", "--market-size", "800", "--workers", "1",
                 "--store", str(store), "--plot", str(tmp_path / "p.png"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["metric"] == "risk_index" and out["indices"][0]["mu_star"] > 0
    assert main(["sensitivity", "liandong_2plus1", "--vary", "rules.liandong.jiandian=20:120",
                 "--metric", "risk", *TINY, "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "--metric: unknown metric 'risk'; metrics: " in err
    assert "risk_index, risk_recruitment, risk_entry_fee" in err


def test_sweep_says_what_its_plus_minus_is_and_writes_it_in_each_metrics_unit(capsys):
    """The ± is the half-width of the 95% interval, said in both languages above the table;
    the mean and its half-width are in the metric's unit (a share's half-width in points)."""
    assert main(["sweep", "liandong_2plus1", "--replicates", "3", *TINY, "--no-store", "--quiet"]) == 0
    first, head, header, row = capsys.readouterr().out.splitlines()
    assert first.startswith("sweep ") and first.endswith("not stored")
    assert "mean ± 95% CI half-width" in head and "均值 ± 95% 置信区间半宽" in head
    assert header.split() == ["scenario", "n", "participants", "gmv", "payout_ratio",
                              "share_losing_money", "risk_index"]
    cells = dict(zip(header.split(), re.split(r"\s{2,}", row)))
    assert re.fullmatch(r"[\d,]+\.\d ± [\d,]+\.\d", cells["participants"])  # a mean of counts: one decimal
    assert re.fullmatch(r"¥[\d,]+ ± ¥[\d,]+", cells["gmv"])
    assert re.fullmatch(r"\d+\.\d% ± \d+\.\d pp", cells["payout_ratio"])
    assert re.fullmatch(r"\d+\.\d ± \d+\.\d", cells["risk_index"])


def test_default_store_follows_the_environment(tmp_path):
    env = {**os.environ, "SCHEME_LAB_STORE": str(tmp_path / "env.duckdb")}
    proc = subprocess.run([sys.executable, "-m", "sim", "sweep", "retail_baseline", "--replicates", "2",
                           *TINY], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"stored in {tmp_path / 'env.duckdb'}" in proc.stdout.splitlines()[0]
    assert not (tmp_path / "results").exists()


def test_sweep_progress_bar_counts_runs_with_an_eta():
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", "retail_baseline", "--replicates", "4",
                             *TINY, "--no-store"], cwd=ROOT, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data.decode())
    proc.wait(timeout=60)
    os.close(master)
    tty = "".join(chunks)
    assert proc.returncode == 0
    frames = [f for f in tty.split("\r") if f.strip()]  # the terminal ends the line with \\r\\n
    assert frames[0].startswith("retail_baseline [" + "-" * 25 + "]   0% run 0/4 eta    ?")
    assert frames[-1].startswith("retail_baseline [" + "#" * 25 + "] 100% run 4/4 eta")


@pytest.mark.parametrize("args, message", [
    (["--param", "market.word_of_mouth"], "--param: expected KEY=V1,V2,..."),
    (["--param", "market.word_of_mouth=0.1", "--param", "market.word_of_mouth=0.2"], "--param market.word_of_mouth: given twice"),
    (["--param", "market.word_of_mouth=0.1,,0.2"], "--param market.word_of_mouth: empty value"),
    (["--param", "market.word_of_mouth=0.1,0.1"], "--param market.word_of_mouth: values repeat"),
    (["--param", "market.word_of_mouth=0.1,20"], "--param market.word_of_mouth=20: must be a number from 0 to 10, got 20"),
    (["--param", "market.wom=0.1"], "--param market.wom=0.1: unknown key; allowed keys: size"),
    (["--param", "rules.multi_level_commission.rates=[0.1]"], "--param rules.multi_level_commission.rates=[0.1]: rules.multi_level_commission: liandong_2plus1 has no such rule"),
    (["--param", "rules.liandong.jiandian=[1"], "--param rules.liandong.jiandian: cannot read"),
    (["--param", "market.network=ring"], "--param market.network=ring: must be one of"),
    (["--param", "market.size=100", "--market-size", "200"], "--param market.size: not with --market-size"),
    (["--param", "retail.price=90:110"], "--param retail.price=90:110: must be a number"),
    (["--param", "retail.price=90:110:1"], "--param retail.price: a range is LOW:HIGH:N with numbers and N >= 2"),
    (["--metric", "nope"], "--metric: unknown metric 'nope'; metrics: participants"),
    (["--replicates", "0"], "--replicates: must be a whole number from 1 to 1,000,000, got 0"),
    (["--workers", "0"], "--workers: must be a whole number >= 1, got 0"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:9"], "--workers: not with --scheduler"),
    (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler: cannot connect to tcp://127.0.0.1:9"),
    (["--no-store", "--store", "x.duckdb"], "--store: not with --no-store"),
])
def test_bad_sweep_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.setattr("sim.cli_batch.CONNECT_TIMEOUT", "1s")
    store = tmp_path / "s.duckdb"
    if "--store" not in args and "--no-store" not in args:
        args = [*args, "--store", str(store)]
    size = [] if "--market-size" in args else ["--market-size", "300"]
    assert main(["sweep", "liandong_2plus1", "--days", "5", *size, *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: " + message) and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["runs", "list"], "--store: no results store at"),
    (["runs", "show", "sw-nope"], "--store: no results store at"),
])
def test_runs_without_a_store_say_so(tmp_path, capsys, args, message):
    assert main([*args, "--store", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: " + message) and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_unknown_ids_are_named(swept, capsys):
    store, _ = swept
    for args in (["show", "sw-nope"], ["replay", "sw-nope-0001"], ["list", "--sweep", "sw-nope"]):
        assert main(["runs", *args, "--store", str(store)]) == 2
        err = capsys.readouterr().err
        assert "sw-nope" in err and err.count("\n") == 1 and "sim runs list" in err


def test_sensitivity_prints_a_ranked_table_and_saves_the_plot(tmp_path, capsys):
    plot = tmp_path / "plot.png"
    assert main(["sensitivity", "liandong_2plus1", "--vary", "retail.merchant_runway=40:90",
                 "--vary", "rules.liandong.jiandian=20:120", "--metric", "payout_ratio",
                 "--method", "morris", "--samples", "2", "--replicates", "2", "--days", "30",
                 "--market-size", "800", "--workers", "1",
                 "--plot", str(plot), "--store", str(tmp_path / "s.duckdb")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[:3] == ["parameter", "low", "high"]
    assert out[2].split()[0] == "rules.liandong.jiandian" and out[3].split()[0] == "retail.merchant_runway"
    assert out[-2] == f"plot: {plot}" and plot.read_bytes()[:4] == b"\x89PNG"
    with sim.open_store(tmp_path / "s.duckdb", read_only=True) as s:
        sweep_id, = s.sweeps()["sweep_id"]
        assert s.sweeps()["kind"].tolist() == ["sensitivity"]
        (analysis,) = s.analyses(sweep_id)
        assert (analysis["kind"], analysis["metric"]) == ("morris", "payout_ratio")
        assert analysis["table"]["parameter"].tolist() == ["rules.liandong.jiandian", "retail.merchant_runway"]
    assert main(["runs", "show", sweep_id, "--store", str(tmp_path / "s.duckdb")]) == 0
    shown = capsys.readouterr().out
    assert "morris sensitivity of payout_ratio:" in shown and "rules.liandong.jiandian" in shown


@pytest.mark.parametrize("args, message", [
    ([], "--vary: give at least one KEY=LOW:HIGH"),
    (["--vary", "retail.price=80"], "--vary: expected KEY=LOW:HIGH with numbers"),
    (["--vary", "retail.price=120:80"], "--vary retail.price: the range must have LOW < HIGH"),
    (["--vary", "retail.nope=1:2"], "--vary retail.nope=1:2: unknown key; allowed keys: price"),
    (["--vary", "market.word_of_mouth=0:50"], "--vary market.word_of_mouth=0:50: must be a number from 0 to 10"),
    (["--vary", "retail.price=80:120", "--metric", "nope"], "--metric: unknown metric 'nope'"),
    (["--vary", "retail.price=80:120", "--samples", "6"], "--samples: must be a power of 2 for sobol"),
])
def test_bad_sensitivity_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, args, message):
    metric = [] if "--metric" in args else ["--metric", "payout_ratio"]
    assert main(["sensitivity", "liandong_2plus1", *args, *metric, "--days", "5", "--market-size", "300",
                 "--store", str(tmp_path / "s.duckdb"), "--plot", str(tmp_path / "p.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: " + message) and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_eta_reads_as_seconds_minutes_or_hours():
    from sim.progress import _clock
    assert [_clock(s) for s in (0.4, 59.4, 61, 3599, 3600, 7325)] == \
        ["   0s", "  59s", "1:01", "59:59", "1:00:00", "2:02:05"]


def test_param_values_lists_and_ranges():
    from sim.cli_batch import expand, split_top
    assert split_top("0.1, [0.1,0.05],[0.2]") == ["0.1", "[0.1,0.05]", "[0.2]"]
    assert expand("0.02:0.08:4") == [0.02, 0.04, 0.06, 0.08]
    assert expand("40:120:3") == [40, 80, 120] and expand("1:2:3") == [1.0, 1.5, 2.0]
    assert expand("[0.1,0.05]") == [[0.1, 0.05]] and expand("true") == [True]
    assert expand("community") == ["community"] and expand("7") == [7]
