"""Every declared parameter at its minimum and at its maximum, and whole tables at their
extremes, in every shipped scenario: each either runs with books that balance every day, or
is refused by the loader with the usual one line (file, key, what is allowed).

Runs are small (a few dozen persons, a few days) so that some 3,500 of them fit in CI. Two
maxima are costly at any market size and get a cheaper run each: the horizon (3,650 days, on
10 persons) and the number of merchants (10,000, over one day).
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import sim
from conftest import CASES, MODELS, scenario_dict
from sim.rules import REGISTRY
from sim.schema import ParamSpec, specs
from sim.scenario import SECTIONS

SIZE, DAYS = 40, 6
# (key, value) -> the market a case runs in, where the value itself makes every day costly.
COSTLY = {("market.days", "hi"): {"size": 10}, ("retail.merchants", "hi"): {"days": 1},
          ("retail.*", "hi"): {"days": 1}}
ROUTINE = ("market", "retail", "churn")  # the sections every scenario has; [scenario] is text


def extremes(spec: ParamSpec, current: Any) -> dict[str, Any]:
    """A parameter's lowest and highest allowed value ({"lo": ..., "hi": ...}; a list keeps its
    length), or every choice a text or yes/no parameter allows."""
    if spec.type == "bool":
        return {"true": True, "false": False}
    if spec.type == "str":
        return {c: c for c in spec.choices or ()}
    if spec.type == "floats":
        return {"lo": [spec.lo] * len(current), "hi": [spec.hi] * len(current)}
    cast = int if spec.type == "int" else float
    return {"lo": cast(spec.lo), "hi": cast(spec.hi)}


def cases(base: dict) -> Iterator[tuple[str, str, dict]]:
    """(key, which end, the tables to change) for every declared parameter of the scenario's
    sections and rules, then each whole table at its lowest and at its highest."""
    tables = {name: (SECTIONS[name], base.get(name, {})) for name in ROUTINE}
    tables |= {f"rules.{key}": (REGISTRY[key], body) for key, body in base.get("rules", {}).items()}
    for where, (cls, body) in tables.items():
        for spec in specs(cls):
            for end, value in extremes(spec, body.get(spec.key, spec.default)).items():
                yield f"{where}.{spec.key}", end, {where: {spec.key: value}}
        for end in ("lo", "hi"):
            numbers = {s.key: extremes(s, body.get(s.key, s.default))[end] for s in specs(cls)
                       if s.type in ("int", "float", "floats")}
            yield f"{where}.*", end, {where: numbers}


def scenario_at(base: dict, key: str, end: str, change: dict) -> dict:
    d = copy.deepcopy(base)
    for where, values in change.items():
        table = d["rules"][where[len("rules."):]] if where.startswith("rules.") else d.setdefault(where, {})
        table.update(values)
    market = d.setdefault("market", {})
    # A small market, unless the case is about the market's own size or horizon at their
    # least; at their most they are checked by the loader (a run could not be small).
    small = {"size": SIZE, "days": DAYS, **COSTLY.get((key, end), {})}
    for k, v in small.items():
        if key != f"market.{k}":
            market[k] = min(market.get(k, v), v)
    if key == "market.*":  # the whole table at an end still runs in a market of SIZE persons
        market["founders"] = min(market["founders"], market["size"])
    # Creators and streamers a scenario signs are scaled to the small market, unless the case
    # is about their number (which the loader then weighs against the market).
    hosts = [(body, REGISTRY[rule].hosts_key) for rule, body in d.get("rules", {}).items()
             if REGISTRY[rule].hosts_key and key != f"rules.{rule}.{REGISTRY[rule].hosts_key}"]
    room = max(market.get("size", SIZE) - market.get("founders", 0), 0) // max(len(hosts), 1)
    for body, hosts_key in hosts:
        body[hosts_key] = max(1, min(body.get(hosts_key, 1), room))
    return d


def balanced(result: sim.RunResult) -> bool:
    return bool((result.daily["ledger_imbalance"] == 0).all()) and bool((result.daily["cash_held"] >= 0).all())


def _rules(path) -> set[str]:
    return set(tomllib.loads(path.read_text(encoding="utf-8")).get("rules", {}))


# The business models, and each decided case that uses a rule no model does: a case re-encodes
# a model's parameters, so its extremes are the same rules' extremes.
MODEL_RULES = set().union(*map(_rules, MODELS))
EXTREME = MODELS + [p for p in CASES if _rules(p) - MODEL_RULES]


@pytest.mark.slow
@pytest.mark.parametrize("path", EXTREME, ids=lambda p: p.stem)
def test_every_parameter_at_its_limits_runs_balanced_or_is_refused(path):
    base = tomllib.loads(path.read_text(encoding="utf-8"))
    ran = refused = 0
    for key, end, change in cases(base):
        d = scenario_at(base, key, end, change)
        try:
            scenario = sim.load_scenario(d)
        except sim.ScenarioError as err:
            line = str(err)
            assert "\n" not in line and line.startswith("<dict>: ") and err.key, line
            refused += 1
            continue
        if scenario.market.size > SIZE:
            continue  # the loader accepts the largest market: a run of it is not small
        result = sim.run(scenario, seed=0)
        assert balanced(result), (key, end, result.daily["ledger_imbalance"].abs().max())
        assert np.isfinite(result.daily.select_dtypes("number").to_numpy()).all(), (key, end)
        ran += 1
    assert ran > refused


def test_the_cases_cover_every_declared_parameter_of_a_scenario():
    base = scenario_dict("live_community_ops")
    keys = {key for key, _, _ in cases(base)}
    for name in ROUTINE:
        assert {f"{name}.{s.key}" for s in specs(SECTIONS[name])} | {f"{name}.*"} <= keys
    for rule in base["rules"]:
        assert {f"rules.{rule}.{s.key}" for s in specs(REGISTRY[rule])} <= keys
    ends = {(key, end) for key, end, _ in cases(base)}
    assert {("market.size", "lo"), ("market.size", "hi"), ("market.network", "well_mixed"),
            ("rules.live_sessions.host", "brand"), ("retail.*", "hi")} <= ends
