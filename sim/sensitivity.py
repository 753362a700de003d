"""Global sensitivity of a metric to scenario parameters, with SALib (Sobol or Morris).

    res = sensitivity("liandong_2plus1", vary={"market.word_of_mouth": (0.02, 0.08),
                      "rules.liandong.jiandian": (40, 120)}, metric="share_losing_money")
    res.table        # parameters ranked, most influential first
    res.plot("results/sensitivity.png")

Each sample point is run with the same R seeds (common random numbers) and the metric is
averaged over them, so run-to-run noise is not mistaken for sensitivity. The runs go through
:func:`sim.batch.execute`: the same executors and the same store as a sweep.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from sim.batch import (_DEFAULT, MAX_RUNS, Batch, Point, _open, _seeds, apply_params, execute,
                       metric_names)
from sim.errors import ScenarioError
from sim.scenario import Scenario, load_scenario
from sim.schema import ParamSpec, specs
from sim.sections import Churn, Market, Retail

METHODS = ("sobol", "morris")
MORRIS_LEVELS = 4
SECTION_CLASSES = {"market": Market, "retail": Retail, "churn": Churn}


def param_spec(scenario: Scenario, key: str) -> ParamSpec:
    """The declared type and range of a dotted parameter key in ``scenario``."""
    parts = key.split(".")
    if len(parts) == 2 and parts[0] in SECTION_CLASSES:
        cls: type = SECTION_CLASSES[parts[0]]
    elif len(parts) == 3 and parts[0] == "rules":
        rule = scenario.rule(parts[1])
        if rule is None:
            raise ScenarioError(scenario.source, f"rules.{parts[1]}",
                                f"{scenario.id} has no such rule; its rules: "
                                + ", ".join(r.key for r in scenario.rules))
        cls = type(rule)
    else:
        raise ScenarioError(scenario.source, key, "not a parameter key; use market.KEY, "
                            "retail.KEY, churn.KEY or rules.RULE.KEY")
    found = {s.key: s for s in specs(cls)}
    if parts[-1] not in found:
        raise ScenarioError(scenario.source, key, "unknown key; allowed keys: " + ", ".join(found))
    return found[parts[-1]]


def check_range(scenario: Scenario, key: str, low: float, high: float) -> ParamSpec:
    """A numeric key and a range whose both ends the loader accepts."""
    spec = param_spec(scenario, key)
    if spec.type not in ("int", "float"):
        raise ScenarioError(scenario.source, key, f"is {spec.allowed()}; only single numbers "
                            "can be varied")
    if not low < high:
        raise ValueError(f"{key}: the range must have LOW < HIGH, got {low:g}:{high:g}")
    if spec.type == "int" and round(low) == round(high):
        raise ValueError(f"{key}: a whole-number key needs a range covering two whole numbers")
    for end in (low, high):
        apply_params(scenario, {key: _cast(spec, end)})
    return spec


def _cast(spec: ParamSpec, value: float) -> Any:
    return int(round(value)) if spec.type == "int" else float(value)


@dataclass
class Sensitivity:
    """Indices per parameter. ``table`` is ranked: by total-order index ST (Sobol) or by
    mu_star, the mean absolute elementary effect (Morris). ``y`` is the seed-averaged metric
    at each row of the sample ``x``; ``batch`` holds every run."""
    scenario: str
    metric: str
    method: str
    table: pd.DataFrame
    x: np.ndarray
    y: np.ndarray
    seeds: list[int]
    batch: Batch

    def plot(self, path: str | Path) -> Path:
        """A bar chart of the indices with their 95% confidence intervals, written atomically."""
        import matplotlib
        matplotlib.use("Agg")  # files only; never a window
        import matplotlib.pyplot as plt

        t = self.table.iloc[::-1]  # most influential at the top
        fig, ax = plt.subplots(figsize=(7, 1.2 + 0.5 * len(t)))
        pos = np.arange(len(t))
        if self.method == "sobol":
            ax.barh(pos + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="total order ST")
            ax.barh(pos - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="first order S1")
            ax.set_xlabel("share of the metric's variance")
        else:
            ax.barh(pos + 0.2, t["mu_star"], 0.4, xerr=t["mu_star_conf"], label="mu* (mean |effect|)")
            ax.barh(pos - 0.2, t["sigma"], 0.4, label="sigma (interactions, non-linearity)")
            ax.set_xlabel(f"change in {self.metric} across the range")
        ax.set_yticks(pos, t["parameter"])
        ax.legend(loc="lower right", fontsize="small")
        ax.set_title(f"{self.scenario}: sensitivity of {self.metric}\n{self.method}, "
                     f"{len(self.x)} points × {len(self.seeds)} seeds each", fontsize="medium")
        fig.tight_layout()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".png",
                                   dir=path.parent)
        os.close(fd)
        try:
            fig.savefig(tmp, dpi=120)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        finally:
            plt.close(fig)
        return path


def sensitivity(scenario: str | Path | dict | Scenario, *, vary: dict[str, tuple[float, float]],
                metric: str, method: str = "sobol", samples: int = 64,
                seeds: int | Sequence[int] = 4, days: int | None = None,
                market_size: int | None = None, workers: int | None = None,
                scheduler: Any = None, store: Any = _DEFAULT,
                progress: Callable[[int, int], None] | None = None,
                command: str | None = None) -> Sensitivity:
    """Sample ``vary`` (key → (low, high)) with SALib, run each point on every seed, average
    ``metric`` over the seeds and analyse. ``samples``: N of Saltelli's scheme for Sobol
    (N × (D + 2) points; a power of 2) or the number of trajectories for Morris
    (N × (D + 1) points). Whole-number keys are rounded at each point."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if not vary:
        raise ValueError("vary: give at least one parameter range")
    if method == "sobol" and (samples < 2 or samples & (samples - 1)):
        raise ValueError(f"samples must be a power of 2 for sobol (e.g. 32, 64, 128), got {samples}")
    if method == "morris" and samples < 2:
        raise ValueError(f"samples (trajectories) must be at least 2 for morris, got {samples}")
    count = seeds if isinstance(seeds, int) else len(seeds)
    points = samples * (len(vary) + (2 if method == "sobol" else 1))
    if points * count > MAX_RUNS:  # refused before SALib draws the sample
        raise ValueError(f"{points:,} points × {count:,} seeds is more than the {MAX_RUNS:,} runs "
                         "a sweep plans at most")
    base = load_scenario(scenario)
    changes = {k: v for k, v in (("days", days), ("size", market_size)) if v is not None}
    base = base.with_market(**changes) if changes else base
    if metric not in (names := metric_names(base)):
        raise ValueError(f"unknown metric {metric!r}; metrics: {', '.join(names)}")
    keys = list(vary)
    spec = {k: check_range(base, k, *vary[k]) for k in keys}
    problem = {"num_vars": len(keys), "names": keys, "bounds": [list(map(float, vary[k])) for k in keys]}
    seed_list = _seeds(seeds)
    sample_seed = seed_list[0]  # the design itself is reproducible too
    if method == "sobol":
        x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=sample_seed)
    else:
        x = morris_sample.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=sample_seed)
    for j, k in enumerate(keys):
        if spec[k].type == "int":
            x[:, j] = np.round(x[:, j])
    # Run each distinct point once (rounding and Morris trajectories repeat points).
    unique, where = np.unique(x, axis=0, return_inverse=True)
    points = [Point(apply_params(base, params), params) for params in
              ({k: _cast(spec[k], v) for k, v in zip(keys, row)} for row in unique)]
    db, own = _open(store)
    try:
        batch = execute(points, seed_list, params=keys, kind="sensitivity", workers=workers,
                        scheduler=scheduler, store=db or False, progress=progress,
                        grid={k: list(vary[k]) for k in keys}, command=command)
        y = _point_means(batch.runs[metric].to_numpy(float), len(points), len(seed_list))[where.ravel()]
        table = _analyse(method, problem, x, y, sample_seed)
        table.insert(1, "low", [vary[k][0] for k in table["parameter"]])
        table.insert(2, "high", [vary[k][1] for k in table["parameter"]])
        if db:
            db.add_analysis(batch.sweep_id, kind=method, metric=metric, table=table)  # type: ignore[arg-type]
    finally:
        if own:
            db.close()  # type: ignore[union-attr]
    return Sensitivity(base.id, metric, method, table, x, y, seed_list, batch)


def _point_means(values: np.ndarray, points: int, seeds: int) -> np.ndarray:
    """Runs come point by point, each point's seeds together: average over the seeds."""
    return values.reshape(points, seeds).mean(axis=1)


def _analyse(method: str, problem: dict, x: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """SALib's indices, ranked: by ST (Sobol) or mu_star (Morris)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    keys = problem["names"]
    with np.errstate(divide="ignore", invalid="ignore"):  # a metric that never moves: NaN indices
        if method == "sobol":
            si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
            table = pd.DataFrame({"parameter": keys, "S1": si["S1"], "S1_conf": si["S1_conf"],
                                  "ST": si["ST"], "ST_conf": si["ST_conf"]})
            rank = "ST"
        else:
            si = morris_analyze.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=seed)
            table = pd.DataFrame({"parameter": keys, "mu_star": si["mu_star"],
                                  "mu_star_conf": si["mu_star_conf"], "mu": si["mu"],
                                  "sigma": si["sigma"]})
            rank = "mu_star"
    return table.sort_values(rank, ascending=False, na_position="last").reset_index(drop=True)
