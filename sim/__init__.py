"""Scheme Lab: agent-based simulation and risk audit of social e-commerce incentive schemes.

    import sim
    scenario = sim.load_scenario("scenarios/liandong_2plus1.toml")
    result = sim.run(scenario, seed=1, days=180, market_size=20_000)
    result.metrics["payout_ratio"], result.daily, result.people, result.flows
    batch = sim.run_many(scenario, grid={"market.word_of_mouth": [0.02, 0.04]}, seeds=10)
    batch.summary("payout_ratio"), batch.bands("gmv")   # stored in results/schemelab.duckdb
"""

import sim.audit as audit  # callable: sim.audit(result, jurisdiction="all") -> findings
import sim.measures as measures  # the one vocabulary of output figures
import sim.markets as markets  # named market profiles (scenarios/markets/)
from sim.audit import indicators, risk_index, stress_test
from sim.batch import Batch, run_many
from sim.errors import ScenarioError
from sim.metrics import METRIC_KEYS
from sim.model import SchemeModel
from sim.result import RunResult, __version__
from sim.runner import run
from sim.scenario import Scenario, load_scenario, scenario_paths
from sim.store import Store, open_store

__all__ = ["METRIC_KEYS", "Batch", "RunResult", "Scenario", "ScenarioError", "SchemeModel", "Store",
           "__version__", "audit", "indicators", "load_scenario", "markets", "measures", "open_store", "risk_index",
           "run", "run_many", "scenario_paths", "stress_test"]
