"""Scheme Lab: agent-based simulation and risk audit of social e-commerce incentive schemes.

    import sim
    scenario = sim.load_scenario("scenarios/liandong_2plus1.toml")
    result = sim.run(scenario, seed=1, days=180, market_size=20_000)
    result.metrics["payout_ratio"], result.daily, result.people, result.flows
    batch = sim.run_many(scenario, grid={"market.word_of_mouth": [0.02, 0.04]}, seeds=10)
    batch.summary("payout_ratio"), batch.bands("gmv")   # stored in results/schemelab.duckdb

Names are imported on first use, so ``import sim`` (and ``sim --help``) does not load pandas,
Mesa, DuckDB and the audit before something needs them.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it
_EXPORTS = {
    "METRIC_KEYS": "sim.metrics", "Batch": "sim.batch", "RunResult": "sim.result",
    "Scenario": "sim.scenario", "ScenarioError": "sim.errors", "SchemeModel": "sim.model",
    "Store": "sim.store", "__version__": "sim.result", "indicators": "sim.audit",
    "load_scenario": "sim.scenario", "open_store": "sim.store", "risk_index": "sim.audit",
    "run": "sim.runner", "run_many": "sim.batch", "scenario_paths": "sim.scenario",
    "stress_test": "sim.audit",
}
# public submodules: ``audit`` (callable: sim.audit(result, jurisdiction="all") -> findings),
# ``measures``, the one vocabulary of output figures, and ``markets``, the named market profiles
_MODULES = ("audit", "markets", "measures")
__all__ = sorted({*_EXPORTS, *_MODULES})

if TYPE_CHECKING:
    from sim import audit, markets, measures
    from sim.audit import indicators, risk_index, stress_test
    from sim.batch import Batch, run_many
    from sim.errors import ScenarioError
    from sim.metrics import METRIC_KEYS
    from sim.model import SchemeModel
    from sim.result import RunResult, __version__
    from sim.runner import run
    from sim.scenario import Scenario, load_scenario, scenario_paths
    from sim.store import Store, open_store


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"sim.{name}")
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif importlib.util.find_spec(f"sim.{name}") is not None:  # a submodule: sim.report, ...
        value = importlib.import_module(f"sim.{name}")
    else:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
