"""The command line's documented outputs: ``sim list``, ``sim run`` (table, --json, --out),
``sim compare`` and the progress bar."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import sim
from conftest import ROOT
from sim.cli import main
from sim.progress import Progress
from sim.sections import FAMILY_NAMES

SHIPPED = {p.stem: tomllib.loads(p.read_text(encoding="utf-8"))["scenario"]
           for p in sim.scenario_paths()}
TABLES = ("daily", "people", "flows", "merchants")
SMALL = ["--days", "10", "--market-size", "500"]


def run_cli(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, **kw)


def table_rows(text: str) -> tuple[list[str], dict[str, list[str]]]:
    """The metrics table printed by run/compare: (column names, {metric: [cells]})."""
    lines = text.strip().splitlines()
    header = lines[0].split()
    assert header[0] == "metric"
    rows = {}
    for line in lines[1:]:
        if line.startswith("wrote "):
            continue
        key, *cells = line.split()
        rows[key] = cells
    return header[1:], rows


# --- sim list ---------------------------------------------------------------------------------

def _list_groups(out: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    family = None
    for line in out.splitlines():
        if line.startswith("["):
            family, names = line[1:].split("] ", 1)
            assert names == "{1} / {0}".format(*FAMILY_NAMES[family]), line
            groups[family] = []
        else:
            assert family is not None and line.startswith("  "), line
            groups[family].append(line.strip())
    return groups


def test_list_groups_by_family_with_both_names(capsys):
    assert main(["list"]) == 0
    groups = _list_groups(capsys.readouterr().out)
    assert list(groups) == [f for f in FAMILY_NAMES if f in groups]  # catalogue order
    assert set(groups) == {meta["family"] for meta in SHIPPED.values()}
    assert sum(map(len, groups.values())) == len(SHIPPED)
    for sid, meta in SHIPPED.items():
        entry = next(e for e in groups[meta["family"]] if e.split()[0] == sid)
        assert entry.split(None, 1)[1] == f"{meta['name_zh']} / {meta['name_en']}"
    assert "liandong_2plus1" in [e.split()[0] for e in groups["distribution"]]
    assert [e.split()[0] for e in groups["retail"]] == ["retail_baseline"]


def test_list_one_family(capsys):
    assert main(["list", "--family", "distribution"]) == 0
    groups = _list_groups(capsys.readouterr().out)
    assert list(groups) == ["distribution"]
    assert sorted(e.split()[0] for e in groups["distribution"]) == \
        sorted(sid for sid, meta in SHIPPED.items() if meta["family"] == "distribution")
    assert main(["list", "--family", "pyramid"]) == 2


def test_list_json_lists_every_file_in_scenarios():
    proc = run_cli("list", "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    listed = json.loads(proc.stdout)
    assert sorted(Path(s["path"]).resolve() for s in listed) == \
        sorted(p.resolve() for p in sim.scenario_paths())
    for s in listed:
        meta = SHIPPED[s["id"]]
        assert Path(s["path"]).stem == s["id"]
        assert {k: s[k] for k in ("family", "name_en", "name_zh", "source")} == \
            {k: meta[k] for k in ("family", "name_en", "name_zh", "source")}
        assert (s["family_en"], s["family_zh"]) == FAMILY_NAMES[s["family"]]
    assert any(s["name_zh"] == "链动2+1" for s in listed)  # Chinese kept as text, not escapes
    assert "链动2+1" in proc.stdout


# --- sim run ----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [None, 7])
def test_run_json_is_exactly_one_object(seed):
    args = ["run", "retail_baseline", *SMALL, "--json"] + (["--seed", str(seed)] if seed is not None else [])
    proc = run_cli(*args)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert proc.stdout.endswith("\n") and proc.stdout.count("\n") == 1  # one line, nothing else
    doc = json.loads(proc.stdout)
    assert set(doc) == {"scenario", "seed", "metrics"}
    assert doc["scenario"] == "retail_baseline"
    assert doc["seed"] == (seed or 0)
    metrics = doc["metrics"]
    assert set(sim.METRIC_KEYS) <= set(metrics)
    assert metrics["ledger_imbalance"] == 0
    # Plain retail: no participants and so no rewards at any depth.
    assert metrics["participants"] == 0 and metrics["payout_ratio"] == 0
    assert metrics["max_paid_depth"] == 0 and metrics["org_levels"] == 0
    assert 0 < metrics["penetration"] <= 1
    expected = sim.run("retail_baseline", seed=seed or 0, days=10, market_size=500).metrics
    assert metrics == pytest.approx({k: expected[k] for k in metrics})


def test_run_json_for_a_scheme_with_participants(capsys):
    assert main(["run", "liandong_2plus1", *SMALL, "--seed", "2", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    doc = json.loads(captured.out)
    m = doc["metrics"]
    assert doc == {"scenario": "liandong_2plus1", "seed": 2, "metrics": m}
    assert m["ledger_imbalance"] == 0
    assert m["participants"] > 0 and m["gmv"] > 0
    for share in ("penetration", "payout_ratio", "retention_d1", "retention_d7", "retention_d30",
                  "share_losing_money", "rewards_gini", "share_rewards_depth_ge_2"):
        assert 0 <= m[share] <= 1, share
    assert m["org_levels"] >= m["max_paid_depth"] >= 1
    result = sim.run("liandong_2plus1", seed=2, days=10, market_size=500)
    assert m == pytest.approx({k: result.metrics[k] for k in m})


def test_run_prints_a_table_of_the_metrics(capsys):
    assert main(["run", "liandong_2plus1", *SMALL, "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # capsys is not a terminal: no progress bar
    names, rows = table_rows(captured.out)
    assert names == ["liandong_2plus1"]
    assert list(rows)[:len(sim.METRIC_KEYS)] == list(sim.METRIC_KEYS)  # contract keys first
    result = sim.run("liandong_2plus1", seed=1, days=10, market_size=500)
    assert rows["participants"] == [f"{result.metrics['participants']:,}"]
    assert rows["max_paid_depth"] == [str(result.metrics["max_paid_depth"])]
    # Each figure is written in its unit, as the measures vocabulary writes it everywhere.
    assert rows["payout_ratio"] == [sim.measures.figure("payout_ratio", result.metrics["payout_ratio"])]
    assert rows["payout_ratio"][0].endswith("%") and rows["ledger_imbalance"] == ["¥0"]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_out_writes_tables_and_metrics_matching_the_run(tmp_path, capsys, fmt):
    out = tmp_path / "results" / "run1"  # a parent that does not exist yet is made
    assert main(["run", "liandong_2plus1", *SMALL, "--seed", "3", "--out", str(out),
                 "--format", fmt]) == 0
    printed = capsys.readouterr().out
    assert f"wrote daily, people, flows, merchants ({fmt}) and metrics.json to {out}" in printed
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.{fmt}" for t in TABLES] + ["metrics.json"])
    assert [p.name for p in out.parent.iterdir()] == ["run1"]  # no temporary folder left behind

    result = sim.run("liandong_2plus1", seed=3, days=10, market_size=500)
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    for name in TABLES:
        table, expected = read(out / f"{name}.{fmt}"), getattr(result, name)
        assert len(table) == len(expected) > 0, name
        assert list(table.columns) == list(expected.columns), name
    daily = read(out / f"daily.{fmt}")
    assert daily["day"].tolist() == list(range(11))  # day 0 (founders) to day 10
    assert daily["ledger_imbalance"].abs().max() == 0

    meta = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert {"scenario", "seed", "parameters", "metrics"} <= set(meta)
    assert meta["scenario"] == "liandong_2plus1" and meta["seed"] == 3
    assert meta["parameters"]["market"]["size"] == 500 and meta["parameters"]["market"]["days"] == 10
    assert sim.load_scenario(meta["parameters"]).to_dict() == result.scenario.to_dict()
    assert set(sim.METRIC_KEYS) <= set(meta["metrics"])
    assert meta["metrics"] == pytest.approx(result.metrics)
    assert meta["metrics"]["ledger_imbalance"] == 0


def test_out_with_json_keeps_stdout_to_one_object(tmp_path):
    out = tmp_path / "run"
    proc = run_cli("run", "retail_baseline", *SMALL, "--json", "--out", out, "--format", "csv")
    assert proc.returncode == 0 and proc.stderr == ""
    doc = json.loads(proc.stdout)
    assert set(doc) == {"scenario", "seed", "metrics"}
    meta = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert meta["metrics"] == doc["metrics"]


def test_out_into_an_empty_existing_folder_is_allowed(tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    assert main(["run", "retail_baseline", "--days", "3", "--market-size", "100", "--out", str(out),
                 "--format", "csv"]) == 0
    assert (out / "metrics.json").exists() and (out / "daily.csv").exists()


def test_out_into_a_non_empty_folder_is_refused_and_left_untouched(tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("precious", encoding="utf-8")
    (out / "metrics.json").write_text("{}", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = run_cli("run", "retail_baseline", *SMALL, "--out", out)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "--out" in lines[0] and str(out) in lines[0]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_out_onto_an_existing_file_is_refused(tmp_path, capsys):
    out = tmp_path / "file.txt"
    out.write_text("precious", encoding="utf-8")
    assert main(["run", "retail_baseline", *SMALL, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--out" in captured.err and len(captured.err.splitlines()) == 1
    assert out.read_text(encoding="utf-8") == "precious"


# --- sim compare ------------------------------------------------------------------------------

def test_compare_json_has_metrics_for_each_and_is_reproducible():
    argv = ["compare", "retail_baseline", "liandong_2plus1", *SMALL, "--seed", "4", "--json"]
    first, second = run_cli(*argv), run_cli(*argv)  # two processes: no hidden state or hash order
    assert first.returncode == second.returncode == 0
    assert first.stderr == second.stderr == ""
    assert first.stdout == second.stdout
    doc = json.loads(first.stdout)
    assert set(doc) == {"seed", "market", "market_differences", "scenarios"} and doc["seed"] == 4
    assert doc["market"] == "wechat_community" and doc["market_differences"] == {}
    both = doc["scenarios"]
    assert list(both) == ["retail_baseline", "liandong_2plus1"]
    for metrics in both.values():
        assert set(sim.METRIC_KEYS) <= set(metrics)
        assert metrics["ledger_imbalance"] == 0
    assert both["retail_baseline"]["participants"] == 0
    assert both["liandong_2plus1"]["participants"] > 0
    # Side by side means the same numbers as running each alone with the same seed, and the
    # risk index of that run beside them.
    for sid, metrics in both.items():
        alone = json.loads(run_cli("run", sid, *SMALL, "--seed", "4", "--json").stdout)
        assert alone["metrics"] == {k: v for k, v in metrics.items() if k != "risk_index"}
        run = sim.run(sid, seed=4, days=10, market_size=500)
        assert metrics["risk_index"] == pytest.approx(sim.risk_index(run).total)


def test_compare_on_worker_processes_equals_compare_in_this_process(capsys):
    ids = ["retail_baseline", "liandong_2plus1", "consumption_rebate", "shared_purchase"]
    outs = []
    for workers in ("1", "2"):
        assert main(["compare", *ids, "--days", "30", "--market-size", "2000", "--seed", "3",
                     "--workers", workers, "--json"]) == 0
        outs.append(json.loads(capsys.readouterr().out))
    assert outs[0] == outs[1]
    assert list(outs[1]["scenarios"]) == ids  # in the order given, however they finished


def test_compare_refuses_zero_workers(capsys):
    assert main(["compare", "retail_baseline", *SMALL, "--workers", "0"]) == 2
    assert "--workers: must be a whole number >= 1" in capsys.readouterr().err


def test_compare_another_seed_gives_other_numbers(capsys):
    outs = []
    for seed in ("0", "1"):
        assert main(["compare", "liandong_2plus1", "fission_distribution", *SMALL, "--seed", seed,
                     "--json"]) == 0
        outs.append(json.loads(capsys.readouterr().out)["scenarios"])
    assert outs[0] != outs[1]
    assert outs[0]["liandong_2plus1"]["gmv"] != outs[1]["liandong_2plus1"]["gmv"]


def test_compare_prints_scenarios_side_by_side(capsys):
    ids = ["retail_baseline", "fission_distribution", "liandong_2plus1"]
    assert main(["compare", *ids, *SMALL]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    market, _, table = captured.out.partition("\n")
    assert market.startswith("market: wechat_community")  # every scenario in the first one's market
    names, rows = table_rows(table)
    assert names == ids
    assert set(sim.METRIC_KEYS) <= set(rows)
    assert all(len(cells) == 3 for cells in rows.values())
    assert rows["participants"][0] == "0"
    assert rows["ledger_imbalance"] == ["¥0"] * 3
    for sid, cell in zip(ids, rows["participants"]):
        assert cell == f"{sim.run(sid, seed=0, days=10, market_size=500).metrics['participants']:,}"


# --- sim audit --------------------------------------------------------------------------------

def test_audit_json_says_which_run_it_audited(capsys):
    """The record names what reproduces the run (the dashboard's findings download is the same
    record: tests/test_dashboard.py, test_audit_findings_json_is_sim_audit_json_with_the_runs_context)."""
    assert main(["audit", "membership_distribution", *SMALL, "--seed", "2", "--jurisdiction", "eu",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {k: out[k] for k in ("scenario", "name", "seed", "days", "market_size", "market_profile",
                                "jurisdiction")} == {
        "scenario": "membership_distribution", "seed": 2, "days": 10, "market_size": 500,
        "name": {"en": SHIPPED["membership_distribution"]["name_en"],
                 "zh": SHIPPED["membership_distribution"]["name_zh"]},
        "market_profile": SHIPPED["membership_distribution"]["market_profile"], "jurisdiction": "eu"}
    assert out["code_version"] == sim.result.code_version()
    assert 0 <= out["risk_index"]["total"] <= 100


# --- entry points -----------------------------------------------------------------------------

def test_installed_sim_script_and_python_m_sim_agree():
    script = Path(sys.executable).parent / "sim"
    if not script.exists():
        pytest.skip("no console script next to the interpreter")
    via_script = subprocess.run([str(script), "list", "--json"], capture_output=True, text=True,
                                cwd=ROOT, timeout=60)
    via_module = run_cli("list", "--json")
    assert via_script.returncode == via_module.returncode == 0
    assert json.loads(via_script.stdout) == json.loads(via_module.stdout)


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "run" in capsys.readouterr().out


# --- progress bar -----------------------------------------------------------------------------

@pytest.mark.parametrize("quiet", [False, True])
def test_no_progress_bar_when_stderr_is_not_a_terminal(quiet):
    proc = run_cli("run", "fission_distribution", *SMALL, *(["--quiet"] if quiet else []))
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert "participants" in proc.stdout


def _run_with_terminal_stderr(*args) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal: (exit status, stdout, what the terminal got)."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=slave, text=True)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the process closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        stdout = proc.stdout.read()
        status = proc.wait(timeout=120)
    finally:
        os.close(master)
    return status, stdout, b"".join(chunks).decode().replace("\r\n", "\n")


def test_progress_bar_on_a_terminal():
    status, stdout, tty = _run_with_terminal_stderr("run", "fission_distribution", *SMALL)
    assert status == 0 and "participants" in stdout
    assert "fission_distribution [" in tty
    last = tty.split("\r")[-1]
    assert last.startswith("fission_distribution [" + "#" * 25 + "] 100% day 10/10")
    assert tty.endswith("\n")


def test_quiet_silences_the_progress_bar_on_a_terminal():
    status, stdout, tty = _run_with_terminal_stderr("run", "fission_distribution", *SMALL, "--quiet")
    assert status == 0 and "participants" in stdout
    assert tty == ""


class FakeStream:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text, self.flushes = tty, "", 0

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> int:
        self.text += s
        return len(s)

    def flush(self) -> None:
        self.flushes += 1


def test_progress_draws_a_bar_and_ends_the_line():
    stream = FakeStream(tty=True)
    bar = Progress("demo", stream=stream)
    for day in range(1, 201):
        bar(day, 200)
    frames = stream.text.split("\r")[1:]
    assert len(frames) == 101  # redrawn once per percent (0..100), not once per day
    assert frames[0].startswith("demo [" + "-" * 25 + "]   0% day 1/200 eta")
    assert frames[-1].startswith("demo [" + "#" * 25 + "] 100% day 200/200 eta")
    assert frames[-1].endswith("\n") and stream.text.count("\n") == 1
    assert frames[len(frames) // 2].split("[")[1].split("]")[0] == "#" * 12 + "-" * 13
    assert stream.flushes == len(frames)


@pytest.mark.parametrize("tty, enabled", [(False, True), (True, False), (False, False)])
def test_progress_is_silent_off_a_terminal_or_when_disabled(tty, enabled):
    stream = FakeStream(tty=tty)
    bar = Progress("demo", enabled=enabled, stream=stream)
    for day in range(1, 11):
        bar(day, 10)
    assert stream.text == "" and stream.flushes == 0


@pytest.mark.parametrize("count", [2, 6])
def test_compare_keeps_measures_as_rows_and_scenarios_as_columns(count, capsys):
    """Two scenarios or six, the table reads the same way: a row per measure, the risk index
    among them, a column per scenario in the order given."""
    ids = sorted(SHIPPED)[:count]
    assert main(["compare", *ids, *SMALL, "--quiet", "--workers", "1"]) == 0
    market, *lines = capsys.readouterr().out.strip().splitlines()
    first = sim.load_scenario(ids[0]).meta.market_profile
    assert market.startswith(f"market: {first} ")  # every scenario in the first one's market
    names, rows = table_rows("\n".join(lines))
    assert names == ids
    assert list(rows)[:len(sim.METRIC_KEYS)] == list(sim.METRIC_KEYS) and "risk_index" in rows
    assert all(len(cells) == count for cells in rows.values())
    profile = sim.markets.load_profile(first)
    for sid, participants, payout, risk in zip(ids, rows["participants"], rows["payout_ratio"],
                                               rows["risk_index"]):
        run = sim.run(sim.markets.in_market(sim.load_scenario(sid), profile), seed=0, days=10,
                      market_size=500)
        assert participants == f"{run.metrics['participants']:,}"
        assert payout == sim.measures.figure("payout_ratio", run.metrics["payout_ratio"])
        assert risk == sim.measures.figure("risk_index", sim.risk_index(run).total)
