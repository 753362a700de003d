"""Shared test helpers: scenario dicts to tweak, and a harness for scripted events."""

from __future__ import annotations

import copy
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.model import SchemeModel

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def scenario_dict(name: str) -> dict:
    """A shipped scenario as a plain dict, to modify one key at a time."""
    return tomllib.loads((ROOT / "scenarios" / f"{name}.toml").read_text(encoding="utf-8"))


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 120, **popen) -> subprocess.CompletedProcess:
    """``python -m sim ARGS`` as a user runs it: its exit status, stdout and stderr."""
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout, **popen)


def one_line(stderr: str) -> str:
    """The single line of an error message; fails if there is not exactly one."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and stderr.endswith("\n"), f"expected one line, got {stderr!r}"
    assert lines[0].strip(), "empty error message"
    return lines[0]


def validation_market(size: int, **changes) -> dict:
    """A well-mixed market with no heterogeneity, no churn and no retail purchases."""
    d = copy.deepcopy(scenario_dict("retail_baseline"))
    d["market"].update({"size": size, "network": "well_mixed", "founders": 1,
                        "external_reach": 0.0, "word_of_mouth": 1.0, "customer_share": 1.0,
                        "participant_share": 1.0, "propensity": 0.0, "propensity_spread": 0.0,
                        "trust_spread": 0.0, **changes})
    d["churn"].update(customer=0.0, participant=0.0, first_day=0.0)
    return d


class Script:
    """Drive a model with exact events: who joins under whom, in order (STYLE lesson 4)."""

    def __init__(self, rules: dict, *, price: float = 100.0, size: int = 50) -> None:
        d = validation_market(size, word_of_mouth=0.0)
        d["rules"] = {"entry_package": {"price": price, "goods_value": 0.0, "goods_cost": 0.0,
                                        "conversion": 1.0, "conversion_daily": 0.0}, **rules}
        self.model = SchemeModel(sim.load_scenario(d), seed=0)
        self.names = {"A": int(self.model.founders[0])}
        self._free = iter(i for i in range(size) if i != self.names["A"])

    def join(self, name: str, sponsor: str) -> int:
        pid = next(self._free)
        self.names[name] = pid
        self.model.enrol(np.array([pid]), np.array([self.names[sponsor]]), qualify=True)
        return pid

    def rewards(self, name: str) -> float:
        return int(self.model.people.rewards[self.names[name]]) / 100

    def close(self) -> None:
        self.model.release()


def closing(harness):
    """A fixture body: hand out a maker of ``harness`` objects and release every model it made
    when the test ends (use as ``yield from closing(Harness)``)."""
    made = []

    def make(*args, **kw):
        made.append(harness(*args, **kw))
        return made[-1]

    yield make
    for h in made:
        h.close()


@pytest.fixture
def script():
    yield from closing(Script)


# -- a sweep in the background, to interrupt ---------------------------------------------
SWEEP_PRICES = [90 + i for i in range(40)]


def start_sweep(path, *extra):
    """``sim sweep`` of 120 small runs into the store ``path``, started in the background."""
    cmd = [sys.executable, "-m", "sim", "sweep", "retail_baseline", "--param",
           "retail.price=" + ",".join(str(p) for p in SWEEP_PRICES), "--replicates", "3",
           "--days", "30", "--market-size", "1000", "--store", str(path), *extra]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_commits(path, proc) -> None:
    """Until the sweep has committed a few runs (its write-ahead log has grown)."""
    wal = path.with_name(path.name + ".wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 100_000:
            return
        time.sleep(0.05)
    pytest.fail("the sweep stored nothing, or finished, before it could be interrupted")
