"""A run that cannot fit in memory is refused before anything is allocated (sim/capacity.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

import sim
import sim.capacity
import sim.pool
from sim.capacity import run_bytes
from sim.cli import main
from sim.people import People
from conftest import ROOT

GB = 10**9


@pytest.fixture
def small_machine(monkeypatch):
    """A machine with 1 GB available, on which building people is an error."""
    monkeypatch.setattr(sim.capacity, "available_bytes", lambda: GB)
    monkeypatch.setattr(sim.pool, "available_bytes", lambda: GB)

    def refuse(*args, **kw):
        raise AssertionError("allocated before the memory check")
    monkeypatch.setattr(People, "__init__", refuse)


def test_the_cli_refuses_a_market_too_big_for_memory_with_exit_2(small_machine, capsys):
    assert main(["run", "liandong_2plus1", "--market-size", "5000000", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: ") and "market.size: 5,000,000 persons need about" in err
    assert "this machine has 953.7 MiB, enough for about 1,200,000 persons" in err


def test_compare_refuses_before_any_run_starts(small_machine, capsys):
    assert main(["compare", "retail_baseline", "liandong_2plus1", "--market-size", "5000000",
                 "--workers", "2", "--quiet"]) == 2
    assert "market.size: 5,000,000 persons need about" in capsys.readouterr().err


def test_the_python_api_raises_a_scenario_error_with_chinese(small_machine):
    with pytest.raises(sim.ScenarioError) as caught:
        sim.run("liandong_2plus1", market_size=5_000_000)
    assert caught.value.key == "market.size"
    assert "本机可用 953.7 MiB" in caught.value.text("zh")


def test_the_estimate_grows_with_persons_and_contacts():
    small = sim.load_scenario("liandong_2plus1")
    big = small.with_market(size=small.market.size * 10)
    assert run_bytes(big) == 10 * run_bytes(small)  # both keep the journal, so all per person
    mixed = sim.load_scenario({**small.to_dict(), "market": {**small.to_dict()["market"],
                                                             "network": "well_mixed"}})
    assert run_bytes(mixed) < run_bytes(small)


def test_compare_runs_no_more_scenarios_at_once_than_memory_holds(monkeypatch):
    one = run_bytes(sim.load_scenario("retail_baseline").with_market(size=500, days=5))
    monkeypatch.setattr(sim.pool, "available_bytes", lambda: one + 1)

    def no_pool(*args, **kw):
        raise AssertionError("started worker processes for runs that fit only one at a time")
    monkeypatch.setattr(sim.pool, "on_processes", no_pool)
    scenarios = [sim.load_scenario(s).with_market(size=500, days=5)
                 for s in ("retail_baseline", "liandong_2plus1")]
    metrics = sim.pool.run_each(scenarios, seed=1, workers=2)
    assert [m["participants"] for m in metrics] == [
        sim.run(s, seed=1).metrics["participants"] for s in scenarios]


_FAULTS = """
import resource, sys, numpy as np
from sim.capacity import reuse_freed_memory
reuse_freed_memory(int(sys.argv[1]))
np.ones(8_000_000).sum()  # 64 MB: over glibc's largest own mmap threshold
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    np.ones(8_000_000).sum()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_a_large_market_reuses_freed_arrays_instead_of_faulting_them_in_again():
    """At millions of persons each day's temporaries are tens of MB; glibc would map and
    unmap each one, so the next day faults its pages in again. A large market keeps them."""
    def faults(persons: int) -> int:
        done = subprocess.run([sys.executable, "-c", _FAULTS, str(persons)], capture_output=True,
                              text=True, check=True, cwd=ROOT)
        return int(done.stdout)
    assert faults(sim.capacity.LARGE_MARKET) < 50
    # glibc's defaults: 64 MB faulted in each time, at least 32 faults even in huge pages.
    assert faults(sim.capacity.LARGE_MARKET - 1) >= 5 * 32
