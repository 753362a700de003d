"""A real Dask cluster on loopback: a scheduler and two workers as separate processes, started
with Dask's own command-line tools; sweeps sent to it with ``sim sweep --scheduler``.

The stored results must equal the same sweep run in this process, and a worker killed in the
middle of a sweep must not lose or repeat a run.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from conftest import ROOT

distributed = pytest.importorskip("distributed")
DASK = Path(sys.executable).with_name("dask")  # the `dask scheduler` / `dask worker` tools
SWEEP = ["liandong_2plus1", "--param", "market.word_of_mouth=0.02,0.06", "--days", "30"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster(tmp_path):
    """``tcp://127.0.0.1:PORT`` of a scheduler with two single-threaded workers (no nanny, so
    a killed worker stays dead), each its own process; all stopped at the end."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    log = open(tmp_path / "cluster.log", "w")
    quiet = {"stdout": log, "stderr": subprocess.STDOUT, "cwd": tmp_path}
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port",
                               address.rsplit(":", 1)[1], "--no-dashboard"], **quiet)]
    try:
        for name in ("w0", "w1"):
            procs.append(subprocess.Popen([str(DASK), "worker", address, "--name", name,
                                           "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                                          **quiet))
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def _sweep(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim", "sweep", *SWEEP, *args, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def _finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return json.loads(out)


def _stored(store: Path, sweep_id: str) -> tuple[sim.Batch, pd.DataFrame, dict]:
    with sim.open_store(store, read_only=True) as s:
        return sim.Batch.from_store(s, sweep_id), s.runs(sweep_id), s.sweep(sweep_id)


def _same(a: sim.Batch, b: sim.Batch) -> None:
    """Equal tables apart from run ids (each sweep has its own)."""
    pd.testing.assert_frame_equal(a.runs.drop(columns="run_id"), b.runs.drop(columns="run_id"))
    pd.testing.assert_frame_equal(a.daily.drop(columns="run_id"), b.daily.drop(columns="run_id"))


def test_a_sweep_on_a_real_cluster_stores_what_this_process_would(cluster, tmp_path):
    small = ["--replicates", "3", "--market-size", "1000"]
    remote = _finish(_sweep(*small, "--scheduler", cluster, "--store", str(tmp_path / "remote.duckdb")))
    here = _finish(_sweep(*small, "--workers", "1", "--store", str(tmp_path / "here.duckdb")))
    on_cluster, runs, sweep = _stored(tmp_path / "remote.duckdb", remote["sweep_id"])
    in_process, _, _ = _stored(tmp_path / "here.duckdb", here["sweep_id"])
    assert len(on_cluster) == 6 and sweep["stored"] == sweep["planned"] == 6
    assert sweep["status"] == "done"
    _same(on_cluster, in_process)
    assert remote["summary"] == here["summary"]


def test_a_worker_killed_mid_sweep_loses_and_repeats_no_run(cluster, tmp_path):
    planned = 16
    store = tmp_path / "s.duckdb"
    proc = _sweep("--replicates", str(planned // 2), "--market-size", "6000",
                  "--scheduler", cluster, "--store", str(store))
    with distributed.Client(cluster, timeout="30s") as client:
        pids = client.run(os.getpid)  # worker address -> its process id
        victim = sorted(pids)[0]
        deadline = time.monotonic() + 300
        while not client.processing().get(victim) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep ended before a worker could be killed"
        os.kill(pids[victim], signal.SIGKILL)  # in the middle of a run
        out = _finish(proc)
        assert list(client.scheduler_info()["workers"]) == [a for a in pids if a != victim]
    batch, runs, sweep = _stored(store, out["sweep_id"])
    assert out["runs"] == planned and sweep["stored"] == sweep["planned"] == planned
    assert sweep["status"] == "done"
    assert runs["run_id"].is_unique and len(runs) == planned  # each run stored once
    # The run the killed worker had started was run again elsewhere, with the same result.
    _same(batch, sim.run_many("liandong_2plus1", grid={"market.word_of_mouth": [0.02, 0.06]},
                              seeds=planned // 2, days=30, market_size=6000, store=False))
