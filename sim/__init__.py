"""Scheme Lab: agent-based simulation and risk audit of social e-commerce incentive schemes.

    import sim
    scenario = sim.load_scenario("scenarios/liandong_2plus1.toml")
    result = sim.run(scenario, seed=1, days=180, market_size=20_000)
    result.metrics["payout_ratio"], result.daily, result.people, result.flows
"""

from sim.errors import ScenarioError
from sim.metrics import METRIC_KEYS
from sim.model import SchemeModel
from sim.result import RunResult, __version__
from sim.runner import run
from sim.scenario import Scenario, load_scenario, scenario_paths

__all__ = ["METRIC_KEYS", "RunResult", "Scenario", "ScenarioError", "SchemeModel", "__version__",
           "load_scenario", "run", "scenario_paths"]
