"""Shared test helpers: scenario dicts to tweak, and a harness for scripted events."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.model import SchemeModel

ROOT = Path(__file__).resolve().parent.parent
# Every shipped scenario: the business models, then the decided cases (scenarios/cases/).
SCENARIOS = sim.scenario_paths()
MODELS = sorted((ROOT / "scenarios").glob("*.toml"))
CASES = sorted((ROOT / "scenarios" / "cases").glob("*.toml"))


def scenario_dict(name: str) -> dict:
    """A shipped scenario as a plain dict, to modify one key at a time."""
    return tomllib.loads((ROOT / "scenarios" / f"{name}.toml").read_text(encoding="utf-8"))


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

    def __init__(self, rules: dict, *, price: float = 100.0, size: int = 50,
                 goods_value: float = 0.0) -> None:
        d = validation_market(size, word_of_mouth=0.0)
        # An entry package qualifies participants, unless the rules bring their own qualifier.
        entry = {"entry_package": {"price": price, "goods_value": goods_value, "goods_cost": 0.0,
                                   "conversion": 1.0, "conversion_daily": 0.0}}
        d["rules"] = rules if "paid_membership" in rules else {**entry, **rules}
        self.model = SchemeModel(sim.load_scenario(d), seed=0)
        self.names = {"A": int(self.model.founders[0])}
        self._free = iter(i for i in range(size) if i != self.names["A"])

    def join(self, name: str, sponsor: str) -> int:
        pid = next(self._free)
        self.names[name] = pid
        self.model.enrol(np.array([pid]), np.array([self.names[sponsor]]), qualify=True)
        return pid

    def customer(self, name: str, sponsor: str) -> int:
        """A customer brought in by ``sponsor`` who does not buy into the scheme."""
        pid = next(self._free)
        self.names[name] = pid
        self.model.enrol(np.array([pid]), np.array([self.names[sponsor]]), qualify=False)
        return pid

    def buy(self, name: str, yuan: float) -> None:
        """``name`` buys goods for ``yuan`` from the first merchant, booked as any sale is."""
        m, price = self.model, self.model.scenario.retail.price
        units = int(round(yuan / price))
        assert units * price == yuan, f"buy whole units of {price}"
        m.book_sales(m.new_orders(np.array([self.names[name]]), np.array([units], np.int64),
                                  np.zeros(1, np.int64)))

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
