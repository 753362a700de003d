"""``sim.run_many``: scenarios × a parameter grid × seeds, on one process, local worker
processes or a Dask cluster, with the same results whichever runs them.

    batch = sim.run_many("liandong_2plus1", grid={"market.word_of_mouth": [0.02, 0.04, 0.08]},
                         seeds=10, workers=2)
    batch.runs                       # one row per run: ids, grid values, seed, every metric
    batch.summary("payout_ratio")    # mean, std, n and t-based 95% CI per scenario × grid point
    batch.bands("participants")      # per day: quantiles, mean and 95% CI (Monte Carlo bands)

Each run is a plain function of (scenario parameters, seed): workers get those two, run, and
send back the metrics and the daily table (never the people table), so the executor cannot
change a result. The calling process is the only one that writes to the store. A batch run's
metrics are the run's own plus its risk index (:func:`run_metrics`), which needs the people
table and so is computed where the run is.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from sim.audit.risk import RiskIndex, RiskPart
from sim.errors import ScenarioError
from sim.measures import COMPONENTS, values
from sim.pool import on_processes
from sim.result import RunResult, code_version
from sim.runner import run
from sim.scenario import Scenario, load_scenario
from sim.store import RunRecord, Store, StoreError, default_store_path, param_value

ScenarioLike = str | Path | dict | Scenario
SECTIONS = ("market", "retail", "churn")
ID_COLUMNS = ("run_id", "scenario", "scenario_hash")
_DEFAULT = object()  # store=<the default store>; None or False: store nothing
# The metric that carries each part of the risk index, in points, by the part's key.
RISK_METRICS = {c.key: c.metric for c in COMPONENTS}
BATCH_METRICS = ("risk_index", *RISK_METRICS.values())  # beside result.metrics
# A sweep's whole plan is made and stored before its first run: this many runs at most.
MAX_RUNS = 1_000_000


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep: the runs already stored stay stored."""

    def __init__(self, sweep_id: str, done: int, planned: int, store: Path | None) -> None:
        super().__init__(f"sweep {sweep_id} interrupted after {done} of {planned} runs")
        self.sweep_id, self.done, self.planned, self.store = sweep_id, done, planned, store


@dataclass(frozen=True)
class Point:
    """One scenario at one point of the grid: what to run, and the values that label it."""
    scenario: Scenario
    params: dict[str, Any]


# -- parameters ------------------------------------------------------------------------------
def apply_params(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """``scenario`` with dotted keys (``market.word_of_mouth``, ``rules.liandong.jiandian``)
    set, validated by the loader like a file: a bad value raises ScenarioError naming the key."""
    if not values:
        return scenario
    table = scenario.to_dict()
    for key, value in values.items():
        parts = key.split(".") if isinstance(key, str) else []
        if len(parts) == 2 and parts[0] in SECTIONS:
            table[parts[0]][parts[1]] = value
        elif len(parts) == 3 and parts[0] == "rules":
            if parts[1] not in table["rules"]:
                raise ScenarioError(scenario.source, f"rules.{parts[1]}",
                                    f"{scenario.id} has no such rule; its rules: "
                                    + ", ".join(table["rules"]))
            table["rules"][parts[1]][parts[2]] = value
        else:
            raise ScenarioError(scenario.source, str(key), "not a parameter key; use market.KEY, "
                                "retail.KEY, churn.KEY or rules.RULE.KEY",
                                zh="不是参数键;请用 market.KEY、retail.KEY、churn.KEY 或 rules.RULE.KEY")
    try:
        return load_scenario(table)
    except ScenarioError as err:
        raise ScenarioError(scenario.source, err.key, err.message, zh=err.zh) from None


def _scenarios(scenarios: ScenarioLike | Sequence[ScenarioLike]) -> list[Scenario]:
    many = isinstance(scenarios, (list, tuple))
    loaded = [load_scenario(s) for s in (scenarios if many else [scenarios])]
    if not loaded:
        raise ValueError("scenarios: give at least one")
    ids: dict[str, str] = {}
    for s in loaded:
        if ids.setdefault(s.id, s.content_hash()) != s.content_hash():
            raise ValueError(f"scenarios: two different scenarios share the id {s.id!r}; "
                             "give each its own [scenario] id")
    return loaded


def _seeds(seeds: int | Sequence[int]) -> list[int]:
    if isinstance(seeds, bool):
        raise ValueError(f"seeds must be a count >= 1 or a list of seeds, got {seeds!r}")
    if isinstance(seeds, int):
        if seeds < 1:
            raise ValueError(f"seeds must be a count >= 1 or a list of seeds, got {seeds}")
        return list(range(seeds))
    out = list(seeds)
    if not out or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0
                      for s in out):
        raise ValueError(f"seeds must be whole numbers >= 0, got {seeds!r}")
    if len(set(out)) != len(out):
        raise ValueError("seeds must not repeat: a repeated seed repeats a run")
    return [int(s) for s in out]


def grid_points(base: Scenario, grid: dict[str, list]) -> list[Point]:
    """Every combination of the grid's values applied to ``base``, in the grid's order."""
    for key, choices in grid.items():
        if not isinstance(choices, (list, tuple)) or not choices:
            raise ValueError(f"grid[{key!r}] must be a non-empty list of values, got {choices!r}")
        if len({repr(param_value(v)) for v in choices}) != len(choices):
            raise ValueError(f"grid[{key!r}]: values repeat: {choices!r}")
    keys = list(grid)
    points = []
    for combo in itertools.product(*(grid[k] for k in keys)):
        params = dict(zip(keys, combo))
        try:
            points.append(Point(apply_params(base, params), params))
        except ScenarioError as err:
            where = ", ".join(f"{k}={v}" for k, v in params.items())
            raise ScenarioError(err.source, err.key, f"{err.message} (at {where})",
                                zh=f"{err.text('zh')}(在 {where})") from None
    return points


# -- metrics ---------------------------------------------------------------------------------
def run_metrics(result: RunResult) -> dict[str, Any]:
    """A batch run's metrics: ``result.metrics``, then ``risk_index`` (``sim.risk_index``'s
    total) and each part's points (``risk_recruitment`` ..., see ``RISK_METRICS``)."""
    return {**result.metrics, **values(result, BATCH_METRICS)}


def mean_risk_index(runs: pd.DataFrame) -> RiskIndex:
    """The risk index averaged over runs (rows of ``Batch.runs``), part by part: a part's score
    is the runs' mean score, so the total is their mean ``risk_index``. Its value is that mean
    score too (runs keep each part's points, not the measure behind it)."""
    parts = []
    for c in COMPONENTS:
        score = float(runs[RISK_METRICS[c.key]].mean()) / c.weight
        parts.append(RiskPart.scored(c, score, score))
    return RiskIndex(tuple(parts))


def metric_names(scenario: Scenario) -> list[str]:
    """The metrics a batch run of ``scenario`` reports, from a one-day run on a small market:
    cheap enough to check a requested metric before a sweep starts."""
    try:
        probe = scenario.with_market(days=1, size=min(scenario.market.size, 2_000))
    except ScenarioError:  # e.g. more founders than 2,000 persons
        probe = scenario.with_market(days=1)
    return list(run_metrics(run(probe, seed=0, journal=False)))


# -- running ---------------------------------------------------------------------------------
def run_many(scenarios: ScenarioLike | Sequence[ScenarioLike], *,
             grid: dict[str, list] | None = None, seeds: int | Sequence[int] = 10,
             days: int | None = None, market_size: int | None = None,
             workers: int | None = None, scheduler: Any = None, store: Any = _DEFAULT,
             progress: Callable[[int, int], None] | None = None) -> Batch:
    """Run every scenario at every grid point with every seed; return a :class:`Batch`.

    ``seeds``: a count n (seeds 0..n-1) or the seeds themselves; every grid point gets the same
    seeds (common random numbers), so differences between points are not seed noise.
    ``workers``: None or 1 runs here; K > 1 uses K local processes. ``scheduler``: a Dask
    scheduler address (``tcp://host:8786``) or a ``distributed.Client``. ``store``: a
    :class:`~sim.store.Store` or a path; by default :func:`~sim.store.default_store_path`;
    None or False stores nothing. ``progress(done, total)`` is called after each run.
    """
    loaded = _scenarios(scenarios)
    grid = dict(grid or {})
    count = seeds if isinstance(seeds, int) else len(seeds)
    points = math.prod(len(v) for v in grid.values() if isinstance(v, (list, tuple)))
    if len(loaded) * points * count > MAX_RUNS:  # refused before any list of them is made
        raise ValueError(f"a sweep plans at most {MAX_RUNS:,} runs (scenarios × grid points × seeds)")
    changes = {k: v for k, v in (("days", days), ("size", market_size)) if v is not None}
    points = [p for s in loaded
              for p in grid_points(s.with_market(**changes) if changes else s, grid)]
    return execute(points, _seeds(seeds), params=list(grid), kind="sweep", workers=workers,
                   scheduler=scheduler, store=store, progress=progress, grid=grid)


def execute(points: Sequence[Point], seeds: Sequence[int], *, params: Sequence[str], kind: str,
            workers: int | None = None, scheduler: Any = None, store: Any = _DEFAULT,
            progress: Callable[[int, int], None] | None = None,
            grid: dict[str, list] | None = None, command: str | None = None) -> Batch:
    """Run each point with each seed and collect a Batch (run_many and sensitivity use this)."""
    _check_executor(workers, scheduler)
    tasks = [Task(i, p, seed) for i, (p, seed) in enumerate((p, s) for p in points for s in seeds)]
    db, own = _open(store)
    try:
        sweep_id = (db.begin_sweep(kind=kind, scenarios=list(dict.fromkeys(p.scenario.id for p in points)),
                                   grid=grid or {}, seeds=list(seeds), tasks=tasks,
                                   command=command, code_version=code_version())
                    if db else "sw-" + secrets.token_hex(4))
        records = _drive(tasks, sweep_id, db, workers=workers, scheduler=scheduler,
                         progress=progress, planned=len(tasks), done=0)
    finally:
        if own:
            db.close()  # type: ignore[union-attr]
    return Batch.from_records(records, params=list(params), sweep_id=sweep_id)


def resume(sweep_id: str, *, workers: int | None = None, scheduler: Any = None,
           store: Any = _DEFAULT, progress: Callable[[int, int], None] | None = None) -> Batch:
    """Finish an interrupted sweep: run the planned runs the store does not have, under their
    planned run ids and seeds, and return the whole sweep as a Batch."""
    _check_executor(workers, scheduler)
    db, own = _open(store)
    if db is None:
        raise ValueError("store: resuming a sweep needs the store that holds it")
    try:
        sweep = db.sweep(sweep_id)
        tasks = [Task(position, Point(load_scenario(parameters), params), seed)
                 for position, parameters, params, seed in db.pending(sweep_id)]
        if tasks:
            db.end_sweep(sweep_id, "running")
            _drive(tasks, sweep_id, db, workers=workers, scheduler=scheduler, progress=progress,
                   planned=sweep["planned"], done=sweep["stored"])
        return Batch.from_store(db, sweep_id)
    finally:
        if own:
            db.close()


@dataclass(frozen=True)
class Task:
    """One planned run: its place in the sweep (which fixes its run id), point and seed."""
    position: int
    point: Point
    seed: int


def _check_executor(workers: int | None, scheduler: Any) -> None:
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    if scheduler is not None and workers not in (None, 1):
        raise ValueError("give workers or scheduler, not both: the cluster decides its workers")


def _drive(tasks: list[Task], sweep_id: str, db: Store | None, *, workers: int | None,
           scheduler: Any, progress: Callable[[int, int], None] | None, planned: int,
           done: int) -> list[RunRecord]:
    """Run ``tasks`` on the chosen executor; store and count each run as it comes back."""
    work = [(t.point.scenario.to_dict(), t.seed) for t in tasks]
    records: list[RunRecord] = []
    status = "failed"
    try:
        if scheduler is not None:
            results = _on_dask(work, scheduler, sweep_id)
        elif workers and workers > 1:
            results = on_processes(work, workers, job=_work, preload="sim.batch")
        else:
            results = ((i, _work(*w)) for i, w in enumerate(work))
        for i, out in results:
            t = tasks[i]
            rec = RunRecord(run_id=f"{sweep_id}-{t.position:04d}", sweep_id=sweep_id,
                            position=t.position, scenario=t.point.scenario.id,
                            scenario_hash=t.point.scenario.content_hash(),
                            params=dict(t.point.params), seed=t.seed, **out)
            with _deferred_interrupt():  # a run is stored and counted, or neither
                if db:
                    db.add_run(rec, work[i][0])
                records.append(rec)
                done += 1
            if progress:
                progress(done, planned)
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise Interrupted(sweep_id, done, planned, db.path if db else None) from None
    finally:
        if db:
            # A store that cannot take the status either (a full disk) shows the sweep as done
            # or interrupted by its stored runs when next opened.
            with contextlib.suppress(StoreError):
                db.end_sweep(sweep_id, status)
    return sorted(records, key=lambda r: r.position)


@contextmanager
def _deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C until the block ends, so it cannot land between a commit and its count."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _open(store: Any) -> tuple[Store | None, bool]:
    if store is None or store is False:
        return None, False
    if isinstance(store, Store):
        if store.read_only:
            raise ValueError(f"store {store.path} is open read-only; a sweep needs to write to it")
        return store, False
    return Store(default_store_path() if store is _DEFAULT else store), True


def _work(parameters: dict[str, Any], seed: int) -> dict[str, Any]:
    """One run, as a worker does it: parameters and seed in, plain results out."""
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    t0 = time.perf_counter()
    # Neither the metrics nor the risk index read the journal (every reward row): not kept.
    result = run(parameters, seed=seed, journal=False)
    daily = result.daily.astype("float64")
    daily["day"] = result.daily["day"].astype("int64")
    return {"metrics": run_metrics(result), "daily": daily, "code_version": code_version(),
            "started": started, "finished": datetime.now(timezone.utc).replace(tzinfo=None),
            "wall_s": time.perf_counter() - t0}


def _on_dask(tasks: list[tuple[dict, int]], scheduler: Any, sweep_id: str) -> Iterator[tuple[int, dict]]:
    """A Dask cluster: each run is one task; results come back to this process as they finish."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ValueError("scheduler: Dask is not installed; pip install 'scheme-lab[cluster]'") from None
    own = not isinstance(scheduler, Client)
    if own:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as err:
            raise ValueError(f"scheduler: cannot connect to {scheduler!r}: {err}") from None
    else:
        client = scheduler
    futures = [client.submit(_work, *task, key=f"{sweep_id}-{i:04d}", pure=False)
               for i, task in enumerate(tasks)]
    index = {f.key: i for i, f in enumerate(futures)}
    try:
        for future in as_completed(futures):
            out = future.result()
            future.release()
            yield index[future.key], out
    finally:
        client.cancel([f for f in futures if not f.done()])
        if own:
            client.close()


# -- results ---------------------------------------------------------------------------------
def t_interval(mean: pd.Series, std: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Two-sided 95% t interval for a mean (NaN with fewer than 2 runs)."""
    from scipy import stats  # 0.4 s to import: only when statistics are asked for
    nn = n.astype(float)
    half = pd.Series(stats.t.ppf(0.975, np.where(nn > 1, nn - 1, np.nan)), index=n.index) \
        * std / np.sqrt(nn)
    return mean - half, mean + half


@dataclass
class Batch:
    """Replicates of scenarios over a grid: tables of runs and days, and their statistics.

    ``runs``: one row per run: run_id, scenario, scenario_hash, one column per grid parameter
    (named by its dotted key), seed, then every metric. ``daily``: one row per run and day:
    run_id, scenario, the grid parameters, seed, day, then the daily columns (float64; a
    reward column a run never paid is 0). ``sweep_id`` finds it in the store:
    ``sim.open_store().batch(sweep_id)`` rebuilds this Batch.
    """
    runs: pd.DataFrame
    daily: pd.DataFrame
    params: list[str]
    sweep_id: str | None = None

    @classmethod
    def from_store(cls, store: Store, sweep_id: str | None = None, *,
                   run_ids: Sequence[str] | None = None) -> Batch:
        """A stored sweep (or a list of runs) as a Batch: the same tables, summaries and bands
        :func:`run_many` returned when it ran."""
        grid = store.sweep(sweep_id)["grid"] if sweep_id is not None else None
        records = store.records(sweep_id=sweep_id, run_ids=run_ids)
        params = list(grid) if grid is not None else list(dict.fromkeys(
            k for rec in records for k in rec.params))
        return cls.from_records(records, params=params, sweep_id=sweep_id)

    @classmethod
    def from_records(cls, records: Sequence[RunRecord], *, params: Sequence[str],
                     sweep_id: str | None = None) -> Batch:
        params = list(params)
        records = [r for r in records if r is not None]
        rows, frames = [], []
        for r in records:
            labels = {"scenario": r.scenario, **{k: param_value(r.params.get(k)) for k in params},
                      "seed": r.seed}
            rows.append({"run_id": r.run_id, "scenario": r.scenario,
                         "scenario_hash": r.scenario_hash, **labels, **r.metrics})
            head = pd.DataFrame({"run_id": r.run_id, **{k: [v] * len(r.daily)
                                                          for k, v in labels.items()}})
            frames.append(pd.concat([head, r.daily.reset_index(drop=True)], axis=1))
        runs = pd.DataFrame(rows, columns=list(rows[0]) if rows else
                            [*ID_COLUMNS, *params, "seed"])
        daily = (pd.concat(frames, ignore_index=True) if frames else
                 pd.DataFrame(columns=["run_id", "scenario", *params, "seed", "day"]))
        values = [c for c in daily.columns if c not in ("run_id", "scenario", *params, "seed", "day")]
        daily[values] = daily[values].fillna(0.0)  # a flow a run never had is 0 in that run
        return cls(runs, daily, params, sweep_id)

    @property
    def groups(self) -> list[str]:
        """The columns that name a scenario × grid point."""
        return ["scenario", *self.params]

    @property
    def metrics(self) -> list[str]:
        fixed = {*ID_COLUMNS, *self.params, "seed"}
        return [c for c in self.runs.columns if c not in fixed]

    @property
    def daily_columns(self) -> list[str]:
        fixed = {"run_id", "scenario", *self.params, "seed", "day"}
        return [c for c in self.daily.columns if c not in fixed]

    def __len__(self) -> int:
        return len(self.runs)

    def summary(self, metric: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Per scenario × grid point × metric: n, mean, std and the t-based 95% CI of the mean."""
        names = self.metrics if metric is None else [metric] if isinstance(metric, str) else list(metric)
        for name in names:
            if name not in self.metrics:
                raise ValueError(f"unknown metric {name!r}; metrics: {', '.join(self.metrics)}")
        groups = self.runs.groupby(self.groups, sort=False, dropna=False)[names]
        out = pd.concat({"n": groups.count(), "mean": groups.mean(), "std": groups.std(ddof=1)},
                        axis=1).stack(level=1, future_stack=True)
        out.index = out.index.set_names("metric", level=-1)
        out["ci_low"], out["ci_high"] = t_interval(out["mean"], out["std"], out["n"])
        return out.reset_index()

    def bands(self, column: str, q: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Monte Carlo bands of a daily column: per scenario × grid point × day, the runs' n,
        mean, t-based 95% CI of the mean and the quantiles ``q`` (columns ``q0.05`` ...)."""
        if column not in self.daily_columns:
            raise ValueError(f"unknown daily column {column!r}; columns: {', '.join(self.daily_columns)}")
        qs = [float(x) for x in q]
        if not qs or any(not 0 <= x <= 1 for x in qs):
            raise ValueError(f"q must be quantiles between 0 and 1, got {q!r}")
        groups = self.daily.groupby([*self.groups, "day"], sort=False, dropna=False)[column]
        out = pd.DataFrame({"n": groups.count(), "mean": groups.mean(), "std": groups.std(ddof=1)})
        out["ci_low"], out["ci_high"] = t_interval(out["mean"], out["std"], out["n"])
        for x in qs:
            out[f"q{x:g}"] = groups.quantile(x)
        return out.drop(columns="std").reset_index()


@dataclass(frozen=True)
class Replay:
    """A stored run rerun: ``differences`` maps each stored metric that changed (or that this
    code no longer computes) to (stored, now); ``new`` holds metrics this code computes that the
    run predates: news, not a failure to reproduce."""
    run_id: str
    stored_code_version: str
    code_version: str
    differences: dict[str, tuple[Any, Any]]
    new: dict[str, Any] = field(default_factory=dict)

    @property
    def identical(self) -> bool:
        return not self.differences


def replay(store: Store, run_id: str) -> Replay:
    """Rerun a stored run from its stored parameters and seed; compare every metric, the
    risk index and its parts included (:func:`run_metrics`)."""
    stored = store.run(run_id)
    now = run_metrics(run(stored["parameters"], seed=int(stored["seed"]), journal=False))
    then = stored["metrics"]
    differences = {k: (v, now.get(k)) for k, v in then.items() if not _same(v, now.get(k))}
    return Replay(run_id, stored["code_version"], code_version(), differences,
                  {k: v for k, v in now.items() if k not in then})


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b
