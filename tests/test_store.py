"""The DuckDB results store: what a sweep stores, replay, export, and a killed sweep."""

from __future__ import annotations

import signal
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

import sim
from conftest import ROOT, SWEEP_PRICES, start_sweep, wait_for_commits
from sim.batch import RISK_METRICS
from sim.cli import main
from sim.store import Store, StoreError

SMALL = {"days": 20, "market_size": 800}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "runs.duckdb"
    batch = sim.run_many("liandong_2plus1", grid={"rules.liandong.jiandian": [40.0, 120.0]},
                         seeds=2, store=path, **SMALL)
    return path, batch


def test_a_stored_sweep_reads_back_as_the_same_batch(stored):
    path, batch = stored
    with sim.open_store(path, read_only=True) as store:
        again = sim.Batch.from_store(store, batch.sweep_id)
        pd.testing.assert_frame_equal(batch.runs, again.runs)
        pd.testing.assert_frame_equal(batch.daily, again.daily)
        pd.testing.assert_frame_equal(batch.bands("gmv"), again.bands("gmv"))
        picked = sim.Batch.from_store(store, run_ids=list(batch.runs["run_id"][:2]))
        assert picked.params == ["rules.liandong.jiandian"] and len(picked) == 2
        sweep = store.sweep(batch.sweep_id)
        assert (sweep["status"], sweep["stored"], sweep["planned"]) == ("done", 4, 4)
        assert sweep["grid"] == {"rules.liandong.jiandian": [40.0, 120.0]} and sweep["seeds"] == [0, 1]


def test_each_run_records_scenario_hash_parameters_seed_code_version_and_times(stored):
    path, batch = stored
    with Store(path, read_only=True) as store:
        run_id = batch.runs["run_id"].iloc[3]
        run = store.run(run_id)
        scenario = sim.load_scenario(run["parameters"])
        assert scenario.content_hash() == run["scenario_hash"] == batch.runs["scenario_hash"].iloc[3]
        assert scenario.rule("liandong").jiandian == 120.0 and run["params"] == {"rules.liandong.jiandian": 120.0}
        assert (run["seed"], run["days"], run["market_size"]) == (1, 20, 800)
        assert run["code_version"] == sim.result.code_version()
        assert run["started"] <= run["finished"] and run["wall_s"] > 0
        assert run["metrics"] == {k: batch.runs[k].iloc[3] for k in batch.metrics}
        assert len(store.runs()) == 4 and len(store.runs(batch.sweep_id, limit=1)) == 1


def test_replaying_a_stored_run_reproduces_identical_metrics(stored):
    path, batch = stored
    with Store(path, read_only=True) as store:
        replay = sim.batch.replay(store, batch.runs["run_id"].iloc[1])
    assert replay.identical and replay.differences == {}


def test_replay_reports_a_metric_that_does_not_match(tmp_path, stored):
    path, batch = stored
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(path.read_bytes())
    run_id = batch.runs["run_id"].iloc[0]
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE metrics SET value = value + 1 WHERE run_id = ? AND name = 'gmv'", [run_id])
    with Store(copy, read_only=True) as store:
        replay = sim.batch.replay(store, run_id)
    assert not replay.identical and list(replay.differences) == ["gmv"]
    stored_gmv, now = replay.differences["gmv"]
    assert stored_gmv == now + 1


def test_a_run_stored_before_a_metric_existed_still_replays_as_identical(tmp_path, stored, capsys):
    path, batch = stored
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(path.read_bytes())
    run_id = batch.runs["run_id"].iloc[0]
    with duckdb.connect(str(copy)) as con:  # as stored by code that had no risk index
        con.execute("DELETE FROM metrics WHERE run_id = ? AND name LIKE 'risk%'", [run_id])
    with Store(copy, read_only=True) as store:
        replay = sim.batch.replay(store, run_id)
    assert replay.identical
    assert replay.new == {k: batch.runs[k].iloc[0] for k in ["risk_index", *RISK_METRICS.values()]}
    assert main(["runs", "replay", run_id, "--store", str(copy)]) == 0
    out = capsys.readouterr().out
    assert "every stored metric identical" in out and "not stored (computed by newer code): risk_index" in out


def test_the_risk_index_and_its_parts_are_stored_as_numbers_and_replayed(tmp_path, stored):
    path, batch = stored
    names = ["risk_index", *RISK_METRICS.values()]
    run_id = batch.runs["run_id"].iloc[2]
    with Store(path, read_only=True) as store:
        again = sim.Batch.from_store(store, batch.sweep_id)
        metrics = store.run(run_id)["metrics"]
    pd.testing.assert_frame_equal(batch.runs[names], again.runs[names])
    assert all(type(metrics[k]) is float for k in names) and metrics["risk_index"] > 0
    # replay recomputes them: a stored part that no longer matches is named, with its value now
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(path.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE metrics SET value = value + 1 WHERE run_id = ? AND name = "
                    "'risk_team_pay'", [run_id])
    with Store(copy, read_only=True) as store:
        replay = sim.batch.replay(store, run_id)
    assert replay.differences == {"risk_team_pay": (metrics["risk_team_pay"] + 1,
                                                    metrics["risk_team_pay"])}


def test_export_writes_parquet_tables(tmp_path, stored):
    path, batch = stored
    with Store(path, read_only=True) as store:
        paths = store.export(tmp_path / "out", sweep_id=batch.sweep_id)
    assert sorted(p.name for p in paths) == ["daily.parquet", "metrics.parquet", "runs.parquet",
                                            "scenarios.parquet", "sweeps.parquet"]
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    daily = pd.read_parquet(tmp_path / "out" / "daily.parquet")
    assert sorted(runs["run_id"]) == sorted(batch.runs["run_id"])
    assert (daily.groupby("run_id").size() % 21 == 0).all()  # days 0..20 of every column it has
    gmv = daily[daily["name"] == "gmv"].sort_values(["run_id", "day"])["value"]
    assert gmv.tolist() == batch.daily.sort_values(["run_id", "day"])["gmv"].tolist()
    assert len(pd.read_parquet(tmp_path / "out" / "scenarios.parquet")) == 2


def test_missing_and_foreign_stores_are_refused(tmp_path):
    with pytest.raises(StoreError, match="no results store at"):
        Store(tmp_path / "none.duckdb", read_only=True)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(StoreError, match="not a results store"):
        Store(other, read_only=True)
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(StoreError, match="no run 'x'"):
            store.run("x")
        with pytest.raises(StoreError, match="no sweep 'sw-0'"):
            sim.Batch.from_store(store, "sw-0")


def _complete(path, expect_status: str) -> tuple[int, int]:
    """Check every stored run of the one sweep is whole; return (stored, planned)."""
    with Store(path, read_only=True) as store:
        sweep = store.sweeps().iloc[0]
        assert sweep["status"] == expect_status
        batch = sim.Batch.from_store(store, sweep["sweep_id"])
        metrics = store.con.execute("SELECT run_id, count(*) FROM metrics GROUP BY run_id").fetchall()
        daily = store.con.execute("SELECT run_id, count(*) FROM daily GROUP BY run_id").fetchall()
        assert {r for r, _ in metrics} == {r for r, _ in daily} == set(batch.runs["run_id"])
        assert len({n for _, n in metrics}) == 1 and len({n for _, n in daily}) == 1
        assert len(batch.daily) == len(batch) * 31  # days 0..30
        assert batch.runs[batch.metrics].notna().all().all()
        assert sim.batch.replay(store, batch.runs["run_id"].iloc[-1]).identical
        return len(batch), int(sweep["planned"])


def test_a_killed_sweep_keeps_every_stored_run_whole_and_readable(tmp_path):
    path = tmp_path / "killed.duckdb"
    proc = start_sweep(path, "--workers", "1")
    wait_for_commits(path, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # It never got to say it ended; no process holds the store, so it reads as interrupted.
    stored, planned = _complete(path, "interrupted")
    assert 0 < stored < planned == 120
    # Resuming runs only what is missing, under the planned ids and seeds: the finished sweep is
    # the sweep that was never interrupted.
    with Store(path, read_only=True) as store:
        sweep_id = store.sweeps()["sweep_id"].iloc[0]
    done = subprocess.run([sys.executable, "-m", "sim", "runs", "resume", sweep_id, "--workers", "2",
                           "--store", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"ran the {planned - stored} missing runs; {planned} of {planned} now stored" in done.stdout
    with Store(path, read_only=True) as store:
        resumed = sim.Batch.from_store(store, sweep_id)
        assert store.sweep(sweep_id)["status"] == "done" and store.pending(sweep_id) == []
    whole = sim.run_many("retail_baseline", grid={"retail.price": SWEEP_PRICES}, seeds=3, days=30,
                         market_size=1000, store=False)
    assert resumed.runs["run_id"].tolist() == [f"{sweep_id}-{i:04d}" for i in range(planned)]
    pd.testing.assert_frame_equal(resumed.runs.drop(columns="run_id"), whole.runs.drop(columns="run_id"))
    pd.testing.assert_frame_equal(resumed.daily.drop(columns="run_id"), whole.daily.drop(columns="run_id"))


def test_ctrl_c_stops_a_sweep_on_workers_and_marks_it_interrupted(tmp_path):
    path = tmp_path / "interrupted.duckdb"
    proc = start_sweep(path, "--workers", "2")
    wait_for_commits(path, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    stored, planned = _complete(path, "interrupted")
    assert 0 < stored < planned
    assert err.strip().splitlines()[-1] == (f"sim: interrupted after {stored} of {planned} runs; "
                                            f"those runs are in {path} as sweep "
                                            f"{err.split('as sweep ')[-1].strip()}")
    assert "Traceback" not in err


def test_delete_removes_a_sweep_and_nothing_else(tmp_path, stored):
    path, batch = stored
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(path.read_bytes())
    with Store(copy) as store:
        other = sim.run_many("retail_baseline", seeds=1, store=store, days=5, market_size=300)
        assert store.delete(batch.sweep_id) == 4
        assert store.sweeps()["sweep_id"].tolist() == [other.sweep_id]
        for table in ("runs", "metrics", "daily", "scenarios"):
            ids = store.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert ids > 0, table
        assert store.con.execute("SELECT count(*) FROM daily WHERE run_id LIKE ?",
                                 [batch.sweep_id + "%"]).fetchone()[0] == 0
        assert store.con.execute("SELECT count(*) FROM scenarios").fetchone()[0] == 1
        pd.testing.assert_frame_equal(sim.Batch.from_store(store, other.sweep_id).runs, other.runs)


def test_a_store_with_another_schema_is_refused(tmp_path):
    path = tmp_path / "old.duckdb"
    Store(path).close()
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    for read_only in (True, False):
        with pytest.raises(StoreError, match="written with store schema 1"):
            Store(path, read_only=read_only)


def test_code_version_names_the_commit_and_marks_uncommitted_changes(tmp_path):
    """A run records the commit of the code that made it, and ``.dirty`` when the package's
    tracked files differ from it (the commit alone would not reproduce the run)."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "engine.py").write_text("RATE = 0.1\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", "-C", str(package)]
    for args in (["init", "-q"], ["add", "engine.py"], ["commit", "-qm", "engine"]):
        subprocess.run(git + args, check=True)
    commit = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=True).stdout.strip()
    assert sim.result.code_version(package) == f"{sim.result.__version__}+{commit}"
    (package / "engine.py").write_text("RATE = 0.2\n")
    sim.result.code_version.cache_clear()
    assert sim.result.code_version(package) == f"{sim.result.__version__}+{commit}.dirty"
    sim.result.code_version.cache_clear()
    assert sim.result.code_version(tmp_path / "not_a_checkout") == sim.result.__version__
