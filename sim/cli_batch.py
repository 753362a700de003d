"""``sim sweep``, ``sim sensitivity`` and ``sim runs``: replicates, sweeps, sensitivity and the
results store from the command line.

    sim sweep liandong_2plus1 --param market.word_of_mouth=0.02,0.04,0.08 \\
        --param rules.liandong.jiandian=40,80,120 --replicates 10
    sim sensitivity liandong_2plus1 --vary market.word_of_mouth=0.02:0.08 \\
        --vary rules.liandong.jiandian=40:120 --metric share_losing_money --method morris
    sim runs list | sim runs show ID | sim runs replay ID | sim runs export --out DIR

Bad input is refused before anything runs or is written: one line naming the option and
the key, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import signal
import sys
from pathlib import Path
from typing import Any

import numpy as np

from sim.batch import (MAX_RUNS, Batch, Interrupted, apply_params, execute, grid_points,
                       metric_names)
from sim.batch import replay as replay_run  # _runs_replay keeps a local named replay
from sim.capacity import run_bytes, sweep_bytes
from sim.cli import (MAX_SEED, MODULE_COMMANDS, Fail, _clean, add_memory_option, add_run_options,
                     available_cpus, check_fits, check_new_folder, load_for_cli, writable_folder)
from sim.errors import ScenarioError, printable
from sim.measures import figure, interval, number
from sim.progress import Progress
from sim.scenario import Scenario, load_scenario
from sim.store import ENV_VAR, Store, StoreError, default_store_path

SHOWN_METRICS = ("participants", "gmv", "payout_ratio", "share_losing_money", "risk_index")
MAX_LINES = 1_000_000_000  # --limit: more than any store holds, small enough for DuckDB's LIMIT
INTERRUPTED = 130
CONNECT_TIMEOUT = "10s"  # to reach a Dask scheduler before giving up


def register(sub: argparse._SubParsersAction) -> dict[str, Any]:
    p = sub.add_parser("sweep", help=MODULE_COMMANDS["sweep"][1])
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="TOML files or shipped scenario ids")
    p.add_argument("--param", action="append", default=[], metavar="KEY=V1,V2,...",
                   help="a dotted scenario key and its values, e.g. market.word_of_mouth=0.02,0.04, "
                        "a range LOW:HIGH:N (N evenly spaced values) or lists "
                        "rules.multi_level_commission.rates=[0.1,0.05],[0.2,0.1]; repeat for a grid")
    p.add_argument("--replicates", type=int, default=10, help="seeds per grid point (default 10)")
    p.add_argument("--metric", action="append", metavar="NAME",
                   help="metric to summarise (repeatable; default: " + ", ".join(SHOWN_METRICS) + ")")
    _add_common(p)
    p = sub.add_parser("sensitivity", help=MODULE_COMMANDS["sensitivity"][1])
    p.add_argument("scenario", help="TOML file or shipped scenario id")
    p.add_argument("--vary", action="append", default=[], metavar="KEY=LOW:HIGH",
                   help="a numeric dotted scenario key and its range; repeat for each parameter")
    p.add_argument("--metric", required=True, help="the metric to explain")
    p.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    p.add_argument("--samples", type=int, help="Sobol N, a power of 2 (default 64; N × (D+2) "
                                               "points) or Morris trajectories (default 10)")
    p.add_argument("--replicates", type=int, default=4,
                   help="seeds averaged at each point (default 4)")
    p.add_argument("--plot", type=Path, help="chart path (default: beside the store, "
                                             "sensitivity_SCENARIO_METRIC.png)")
    _add_common(p)

    runs = sub.add_parser("runs", help=MODULE_COMMANDS["runs"][1])
    verbs = runs.add_subparsers(dest="runs_command", required=True, parser_class=type(runs))
    p = verbs.add_parser("list", help="stored runs, newest first (or sweeps with --sweeps)")
    p.add_argument("--sweeps", action="store_true", help="one line per sweep instead")
    p.add_argument("--sweep", help="only this sweep's runs")
    p.add_argument("--limit", type=int, default=50,
                   help=f"at most this many lines (default 50, up to {MAX_LINES:,})")
    _add_store(p, json_flag=True)
    p = verbs.add_parser("show", help="one run (parameters, metrics) or one sweep (summary)")
    p.add_argument("id", help="a run id or a sweep id")
    _add_store(p, json_flag=True)
    p = verbs.add_parser("replay", help="rerun a stored run and check its metrics are identical")
    p.add_argument("id", help="a run id")
    _add_store(p, json_flag=True)
    add_memory_option(p)
    p = verbs.add_parser("resume", help="finish an interrupted sweep: run what is missing")
    p.add_argument("id", help="a sweep id")
    p.add_argument("--workers", type=int, help="local worker processes (default: the CPUs available)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_store(p, json_flag=False)
    add_memory_option(p)
    p = verbs.add_parser("delete", help="remove a sweep and its runs (say, an interrupted one)")
    p.add_argument("id", help="a sweep id")
    _add_store(p, json_flag=False)
    p = verbs.add_parser("export", help="write the store (or one sweep) as Parquet files")
    p.add_argument("--out", type=Path, required=True, help="a new folder for the Parquet files")
    p.add_argument("--sweep", help="only this sweep")
    _add_store(p, json_flag=False)
    return {"sweep": cmd_sweep, "sensitivity": cmd_sensitivity, "runs": cmd_runs}


def _add_store(p: argparse.ArgumentParser, *, json_flag: bool) -> None:
    p.add_argument("--store", type=Path, help=f"results store (default: ${ENV_VAR} or "
                                              f"results/schemelab.duckdb)")
    if json_flag:
        p.add_argument("--json", action="store_true", help="machine-readable output on stdout")


def _add_common(p: argparse.ArgumentParser) -> None:
    add_run_options(p)  # --seed is the first seed: seeds are SEED .. SEED+N-1
    p.add_argument("--workers", type=int, help="local worker processes (default: the CPUs available)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="a Dask scheduler, e.g. tcp://10.0.0.5:8786 (needs scheme-lab[cluster])")
    _add_store(p, json_flag=False)
    p.add_argument("--no-store", action="store_true", help="keep nothing (a throwaway sweep)")


# -- parsing --------------------------------------------------------------------------------
def split_top(text: str) -> list[str]:
    """Split on commas outside brackets: ``[0.1,0.05],[0.2]`` → two values."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts]


def parse_value(token: str) -> Any:
    """A number, true/false, a [list] of numbers, or else the text itself."""
    if token.startswith("["):
        return json.loads(token)
    if token in ("true", "false"):
        return token == "true"
    for kind in (int, float):
        try:
            return kind(token)
        except ValueError:
            pass
    return token


def expand(token: str) -> list[Any]:
    """``LOW:HIGH:N`` → N evenly spaced values from LOW to HIGH (whole numbers stay whole);
    anything else is one value."""
    parts = token.split(":")
    if len(parts) != 3 or token.startswith("["):
        return [parse_value(token)]
    low, high, n = (parse_value(p) for p in parts)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)) \
            or not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise ValueError(f"a range is LOW:HIGH:N with numbers and N >= 2, got {token!r}")
    if n > MAX_RUNS:  # refused before the values are made
        raise ValueError(f"a range has at most {MAX_RUNS:,} values (a sweep plans at most "
                         f"{MAX_RUNS:,} runs), got {n:,}")
    values = np.linspace(low, high, n)
    if isinstance(low, int) and isinstance(high, int) and np.allclose(values, np.round(values)):
        return [int(v) for v in np.round(values)]
    return [float(f"{v:.12g}") for v in values]  # 0.1:0.3:3 gives 0.2, not 0.19999999999999998


def parse_params(specs: list[str], scenarios: list[Scenario]) -> dict[str, list]:
    """``--param KEY=V1,V2`` → {key: [values]}, each value checked against every scenario."""
    grid: dict[str, list] = {}
    for spec in specs:
        key, eq, text = spec.partition("=")
        key = key.strip()
        if not eq or not key or not text.strip():
            raise Fail(f"--param: expected KEY=V1,V2,... (e.g. market.word_of_mouth=0.02,0.04), got {spec!r}")
        if key in grid:
            raise Fail(f"--param {key}: given twice; list all its values in one --param")
        try:
            values = [v for t in split_top(text) for v in expand(t)]
        except json.JSONDecodeError:
            raise Fail(f"--param {key}: cannot read {text!r}; lists are written [0.1,0.05]") from None
        except ValueError as err:
            raise Fail(f"--param {key}: {err}") from None
        if "" in values:
            raise Fail(f"--param {key}: empty value in {text!r}")
        if len({json.dumps(v) for v in values}) != len(values):
            raise Fail(f"--param {key}: values repeat in {text!r}")
        for s in scenarios:
            for value in values:
                try:
                    apply_params(s, {key: value})
                except ScenarioError as err:
                    where = f" in {s.id}" if len(scenarios) > 1 else ""
                    if err.key == key:
                        raise Fail(f"--param {key}={_show(value)}{where}: {err.message}") from None
                    raise Fail(f"--param {key}={_show(value)}{where}: {err.key}: {err.message}") from None
        grid[key] = values
    return grid


def parse_ranges(specs: list[str], scenario: Scenario) -> dict[str, tuple[float, float]]:
    from sim.sensitivity import check_range
    vary: dict[str, tuple[float, float]] = {}
    if not specs:
        raise Fail("--vary: give at least one KEY=LOW:HIGH, e.g. market.word_of_mouth=0.02:0.08")
    for spec in specs:
        key, eq, text = spec.partition("=")
        key = key.strip()
        lo, colon, hi = text.partition(":")
        try:
            low, high = float(lo), float(hi)
            ok = bool(eq and key and colon) and math.isfinite(low) and math.isfinite(high)
        except ValueError:
            ok = False
        if not ok:
            raise Fail(f"--vary: expected KEY=LOW:HIGH with numbers (e.g. market.word_of_mouth=0.02:0.08), "
                       f"got {spec!r}")
        if key in vary:
            raise Fail(f"--vary {key}: given twice")
        try:
            check_range(scenario, key, low, high)
        except ScenarioError as err:
            prefix = "" if err.key == key else f"{err.key}: "
            raise Fail(f"--vary {key}={text}: {prefix}{err.message}") from None
        except ValueError as err:
            raise Fail(f"--vary {err}") from None
        vary[key] = (low, high)
    return vary


def _show(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (list, bool)) else str(value)


def _check_metrics(names: list[str], scenarios: list[Scenario], option: str = "--metric") -> None:
    known = metric_names(scenarios[0])
    for name in names:
        if name not in known:
            raise Fail(f"{option}: unknown metric {name!r}; metrics: {', '.join(known)}")


def _executor(args: argparse.Namespace, planned: int) -> tuple[int | None, Any]:
    """(workers, Dask client): checked and connected before anything is written."""
    if args.scheduler:
        if args.workers is not None:
            raise Fail("--workers: not with --scheduler; the cluster decides its workers")
        try:
            from distributed import Client
        except ImportError:
            raise Fail("--scheduler: Dask is not installed; pip install 'scheme-lab[cluster]'") from None
        try:
            return None, Client(args.scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError, TypeError) as err:
            raise Fail(f"--scheduler: cannot connect to {args.scheduler}: "
                       f"{str(err).splitlines()[0] if str(err) else type(err).__name__}") from None
    if args.workers is not None and args.workers < 1:
        raise Fail(f"--workers: must be a whole number >= 1, got {args.workers}")
    return min(args.workers or available_cpus(), planned), None


def _store(args: argparse.Namespace, *, read_only: bool, create: bool = True) -> Store | None:
    if not read_only and getattr(args, "no_store", False):
        if args.store:
            raise Fail("--store: not with --no-store")
        return None
    path = args.store or default_store_path()
    try:
        return Store(path, read_only=read_only, create=create)
    except StoreError as err:
        raise Fail(f"--store: {err}") from None


def _command(args: argparse.Namespace) -> str:
    """The command as a user would retype it, recorded with the sweep."""
    words = ["sim", args.command]
    words += args.scenarios if args.command == "sweep" else [args.scenario]
    for name in ("param", "vary", "metric"):
        values = getattr(args, name, None) or []
        for v in [values] if isinstance(values, str) else values:
            words += [f"--{name}", v]
    for name in ("method", "samples", "replicates", "seed", "days", "market_size"):
        value = getattr(args, name, None)
        if value is not None:
            words += [f"--{name.replace('_', '-')}", str(value)]
    return " ".join(shlex.quote(w) for w in words)


def _run(args: argparse.Namespace, label: str, planned: int, go: Any, *,
         scenarios: list[Scenario], runs_each: int) -> Any:
    """Run ``go(workers, scheduler, store, progress)`` with a bar; report an interrupt.
    ``scenarios`` (each run ``runs_each`` times) size the memory check made first."""
    workers, client = _executor(args, planned)
    check_fits(sweep_bytes(scenarios, runs_each=runs_each, workers=0 if client else workers), args)
    store = _store(args, read_only=False)
    bar = Progress(label, enabled=not (args.quiet or getattr(args, "json", False)), unit="run")
    bar(0, planned)
    # `kill PID` stops a sweep as Ctrl-C does: workers stopped, the sweep marked interrupted.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return go(workers, client, store if store else False, bar), store
    except Interrupted as stop:
        where = f"; those runs are in {stop.store} as sweep {stop.sweep_id}" if stop.store else ""
        print(f"\nsim: interrupted after {stop.done} of {stop.planned} runs{where}",
              file=sys.stderr)
        raise SystemExit(INTERRUPTED) from None
    except StoreError as err:  # a full disk or a failing file: the runs stored so far stay
        raise Fail(f"--store: {err}; the runs stored before it stay (`sim runs resume`)") from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        if store:
            store.close()
        if client is not None:
            client.close()


def _interrupt(signum: int, frame: Any) -> None:
    # As Ctrl-C: held while a run is being stored, so the run is stored whole or not at all.
    signal.raise_signal(signal.SIGINT)


# -- commands -------------------------------------------------------------------------------
def _seed_list(args: argparse.Namespace) -> list[int]:
    if not 1 <= args.replicates <= MAX_RUNS:
        raise Fail(f"--replicates: must be a whole number from 1 to {MAX_RUNS:,}, got {args.replicates}")
    if args.seed + args.replicates - 1 > MAX_SEED:
        raise Fail(f"--seed: seeds run from --seed to --seed + --replicates - 1, at most {MAX_SEED}; "
                   f"got {args.seed} with {args.replicates} replicates")
    return list(range(args.seed, args.seed + args.replicates))


def _check_planned(planned: int, option: str) -> None:
    """Refuse a sweep too big to plan, before its plan is made."""
    if planned > MAX_RUNS:
        raise Fail(f"{option}: {planned:,} runs; a sweep plans at most {MAX_RUNS:,}")


def cmd_sweep(args: argparse.Namespace) -> int:
    scenarios = [load_for_cli(src, args) for src in args.scenarios]
    seeds = _seed_list(args)
    grid = parse_params(args.param, scenarios)
    for key, option in (("market.size", "--market-size"), ("market.days", "--days")):
        if key in grid and getattr(args, option[2:].replace("-", "_")) is not None:
            raise Fail(f"--param {key}: not with {option}; give one of them")
    metrics = args.metric or list(SHOWN_METRICS)
    _check_metrics(metrics, scenarios)
    _check_planned(len(scenarios) * math.prod(len(v) for v in grid.values()) * len(seeds),
                   "--param and --replicates")
    try:
        points = [p for s in scenarios for p in grid_points(s, grid)]
    except ScenarioError as err:
        raise Fail(f"--param: {err.key}: {err.message}") from None
    label = scenarios[0].id if len(scenarios) == 1 else f"{len(scenarios)} scenarios"
    batch, store = _run(args, label, len(points) * len(seeds), lambda w, c, st, bar: execute(
        points, seeds, params=list(grid), kind="sweep", workers=w, scheduler=c, store=st,
        progress=bar, grid=grid, command=_command(args)),
        scenarios=[p.scenario for p in points], runs_each=len(seeds))
    summary = batch.summary(metrics)
    if args.json:
        print(json.dumps({"sweep_id": batch.sweep_id, "store": str(store.path) if store else None,
                          "runs": len(batch), "grid": grid, "seeds": seeds,
                          "summary": _records(summary)}, ensure_ascii=False))
        return 0
    where = f", stored in {store.path}" if store else ", not stored"
    print(f"sweep {batch.sweep_id}: {len(batch)} runs ({len(points)} grid points × "
          f"{len(seeds)} seeds){where}")
    print(format_summary(batch, summary, metrics))
    if store:
        print(f"bands and intervals: sim.Batch.from_store(sim.open_store({str(store.path)!r}), {batch.sweep_id!r})")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.sensitivity import sensitivity  # SALib and matplotlib only when asked
    scenario = load_for_cli(args.scenario, args)
    seeds = _seed_list(args)
    vary = parse_ranges(args.vary, scenario)
    _check_metrics([args.metric], [scenario])
    samples = args.samples if args.samples is not None else 64 if args.method == "sobol" else 10
    if args.method == "sobol" and (samples < 2 or samples & (samples - 1)):
        raise Fail(f"--samples: must be a power of 2 for sobol (e.g. 32, 64, 128), got {samples}")
    if args.method == "morris" and samples < 2:
        raise Fail(f"--samples: morris needs at least 2 trajectories, got {samples}")
    # The default chart goes beside the store, named from the (snake_case) id and a known metric.
    store_dir = (args.store or default_store_path()).parent
    plot = args.plot or store_dir / f"sensitivity_{scenario.id}_{args.metric}.png"
    if plot.is_dir():
        raise Fail(f"--plot: {plot} is a folder; give a file name ending in .png")
    writable_folder(plot, "--plot")
    d = len(vary)
    planned_points = samples * (d + 2) if args.method == "sobol" else samples * (d + 1)
    _check_planned(planned_points * len(seeds), "--samples and --replicates")
    result, store = _run(args, f"{scenario.id} {args.method}", planned_points * len(seeds),
                         lambda w, c, st, bar: sensitivity(
                             scenario, vary=vary, metric=args.metric, method=args.method,
                             samples=samples, seeds=seeds, workers=w, scheduler=c, store=st,
                             progress=bar,
                             command=_command(args)),
                         scenarios=[scenario], runs_each=planned_points * len(seeds))
    try:
        path = result.plot(plot)
    except OSError as err:
        raise Fail(f"--plot: cannot write {plot}: {err.strerror or err}; the runs are stored") from None
    if args.json:
        print(json.dumps({"scenario": scenario.id, "metric": args.metric, "method": args.method,
                          "points": len(result.x), "seeds": seeds, "sweep_id": result.batch.sweep_id,
                          "plot": str(path), "indices": _records(result.table)}, ensure_ascii=False))
        return 0
    print(f"{scenario.id}: sensitivity of {args.metric} ({args.method}; {len(result.x)} points, "
          f"each the mean of {len(seeds)} seed{'s' * (len(seeds) > 1)}; {len(result.batch)} runs)")
    print(format_frame(result.table))
    if np.ptp(result.y) == 0:
        print(f"note: {args.metric} was {result.y[0]:g} at every point; it does not respond to "
              "these parameters over these ranges (indices undefined)")
    print(f"plot: {path}")
    if store:
        print(f"runs stored in {store.path} as sweep {result.batch.sweep_id}")
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    if args.runs_command == "resume":
        return _runs_resume(args)
    if args.runs_command == "list" and not 1 <= args.limit <= MAX_LINES:
        raise Fail(f"--limit: must be a whole number from 1 to {MAX_LINES:,}, got {args.limit}")
    if args.runs_command == "export":
        check_new_folder(args.out, "--out")
    # Deleting writes, but never creates: a store that is not there has nothing to delete.
    store = _store(args, read_only=args.runs_command != "delete", create=False)
    assert store is not None
    try:
        return {"list": _runs_list, "show": _runs_show, "replay": _runs_replay,
                "delete": _runs_delete, "export": _runs_export}[args.runs_command](args, store)
    except StoreError as err:
        raise Fail(str(err)) from None
    finally:
        store.close()


def _runs_list(args: argparse.Namespace, store: Store) -> int:
    if args.sweeps:
        if args.sweep:
            raise Fail("--sweep: not with --sweeps")
        table = store.sweeps().head(args.limit)
        cols = ["sweep_id", "kind", "created", "status", "stored", "planned", "scenarios", "grid"]
    else:
        table = store.runs(args.sweep, limit=args.limit)
        cols = ["run_id", "scenario", "params", "seed", "days", "market_size", "finished", "code_version"]
    if args.json:
        print(json.dumps(_records(table), ensure_ascii=False))
    elif table.empty:
        print(f"no {'sweeps' if args.sweeps else 'runs'} in {store.path}")
    else:
        print(format_frame(table[cols]))
    return 0


def _runs_show(args: argparse.Namespace, store: Store) -> int:
    if store.has_sweep(args.id):
        sweep = store.sweep(args.id)
        batch = Batch.from_store(store, args.id)
        metrics = [m for m in SHOWN_METRICS if m in batch.metrics] or batch.metrics[:4]
        analyses = store.analyses(args.id)
        if args.json:
            print(json.dumps({**sweep, "summary": _records(batch.summary()),
                              "analyses": [{**a, "table": _records(a["table"])} for a in analyses]},
                             ensure_ascii=False, default=str))
            return 0
        for key in ("sweep_id", "kind", "status", "created", "finished", "scenarios", "grid",
                    "stored", "planned", "code_version", "command"):
            print(f"{key:<13} {_cell(sweep[key])}")
        for a in analyses:  # a sensitivity sweep: its ranked indices, not hundreds of points
            print(f"{a['kind']} sensitivity of {a['metric']}:")
            print(format_frame(a["table"]))
        if len(batch) and not analyses:
            print(format_summary(batch, batch.summary(metrics), metrics))
        return 0
    run = store.run(args.id)
    if args.json:
        print(json.dumps({k: (str(v) if k in ("started", "finished") else v) for k, v in run.items()
                          if k not in ("daily_columns",)} | {"metrics": _clean(run["metrics"])},
                         ensure_ascii=False, default=str))
        return 0
    for key in ("run_id", "sweep_id", "scenario", "scenario_hash", "params", "seed", "days",
                "market_size", "code_version", "started", "finished", "wall_s"):
        print(f"{key:<14} {_cell(run[key])}")
    print("metrics:")
    width = max(len(k) for k in run["metrics"])
    for key, value in run["metrics"].items():
        print(f"  {key:<{width}}  {figure(key, value)}")
    print(f"replay: sim runs replay {run['run_id']}  (parameters: --json)")
    return 0


def _runs_replay(args: argparse.Namespace, store: Store) -> int:
    check_fits(run_bytes(load_scenario(store.run(args.id)["parameters"]), journal=False), args)
    replay = replay_run(store, args.id)
    if args.json:
        print(json.dumps({"run_id": replay.run_id, "identical": replay.identical,
                          "stored_code_version": replay.stored_code_version,
                          "code_version": replay.code_version,
                          "differences": {k: list(v) for k, v in replay.differences.items()},
                          "new": replay.new}, ensure_ascii=False))
        return 0 if replay.identical else 1
    if replay.identical:
        print(f"{replay.run_id}: replayed; every stored metric identical "
              f"(stored by {replay.stored_code_version}, now {replay.code_version})")
    else:
        print(f"{replay.run_id}: replayed; {len(replay.differences)} metrics differ "
              f"(stored by {replay.stored_code_version}, now {replay.code_version}):")
        for key, (old, new) in replay.differences.items():
            print(f"  {key}: stored {old}, now {new}")
    if replay.new:
        print(f"  not stored (computed by newer code): {', '.join(replay.new)}")
    return 0 if replay.identical else 1


def _runs_resume(args: argparse.Namespace) -> int:
    from sim.batch import resume
    from sim.result import code_version
    with _store(args, read_only=True) as store:  # type: ignore[union-attr]
        try:
            sweep = store.sweep(args.id)
            pending = store.pending(args.id)
        except StoreError as err:
            raise Fail(str(err)) from None
    if not pending:
        print(f"sweep {args.id} is complete: {sweep['stored']} of {sweep['planned']} runs stored")
        return 0
    scenarios = [load_scenario(parameters) for _, parameters, _, _ in pending]
    if sweep["code_version"] != code_version():
        print(f"sim: note: sweep {args.id} was started by {sweep['code_version']}, this is "
              f"{code_version()}; each run records the version that made it", file=sys.stderr)
    already = sweep["stored"]
    batch, store = _run(args, args.id, len(pending), lambda w, c, st, bar: resume(
        args.id, workers=w, scheduler=c, store=st,
        progress=lambda done, total: bar(done - already, total - already)),
        scenarios=scenarios, runs_each=1)
    metrics = [m for m in SHOWN_METRICS if m in batch.metrics]
    print(f"sweep {args.id}: ran the {len(pending)} missing runs; {len(batch)} of {sweep['planned']} "
          f"now stored in {store.path}")
    print(format_summary(batch, batch.summary(metrics), metrics))
    return 0


def _runs_delete(args: argparse.Namespace, store: Store) -> int:
    n = store.delete(args.id)
    print(f"deleted sweep {args.id} and its {n} runs from {store.path}")
    return 0


def _runs_export(args: argparse.Namespace, store: Store) -> int:
    out = args.out
    try:
        paths = store.export(out, sweep_id=args.sweep)
    except OSError as err:  # a full disk, say: the partial folder is gone
        raise Fail(f"--out: cannot write {out}: {err.strerror or err}; nothing was written") from None
    print(f"wrote {', '.join(p.name for p in paths)} to {out}")
    return 0


# -- output ---------------------------------------------------------------------------------
def _cell(value: Any) -> str:
    """Times to the second, JSON-like values as JSON, the rest as they print."""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return number(value)
    # A shared store may hold what others typed: never let it drive the terminal.
    return printable(json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list))
                     else str(value))


def _records(frame: Any) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))


def _fmt(value: Any) -> str:
    """A cell that is not a measure (a seed, a size, a sensitivity index): numbers plainly."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return number(value)


def format_frame(frame: Any) -> str:
    cells = [[printable(str(c)) for c in frame.columns]] + [
        [_fmt(v) if not isinstance(v, str) else printable(v) for v in row]
        for row in frame.itertuples(index=False)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)


# What the ± in a summary is, said above the table in both languages (as the help is).
SUMMARY_HEAD = ("each metric: mean ± 95% CI half-width over the n runs (t interval) / "
                "各指标:均值 ± 95% 置信区间半宽(n 次运行,t 分布)")


def format_summary(batch: Batch, summary: Any, metrics: list[str]) -> str:
    """One row per scenario × grid point; each metric as mean ± half the 95% CI (n runs),
    both in the metric's unit: 15.7% ± 2.8 pp, ¥8,747 ± ¥3,289."""
    import pandas as pd
    rows = []
    for keys, part in summary.groupby(batch.groups, sort=False, dropna=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        row = dict(zip(batch.groups, keys))
        by = part.set_index("metric")
        row["n"] = int(by["n"].iloc[0])
        for m in metrics:
            row[m] = interval(m, by.at[m, "mean"], (by.at[m, "ci_high"] - by.at[m, "ci_low"]) / 2)
        rows.append(row)
    return SUMMARY_HEAD + "\n" + format_frame(pd.DataFrame(rows))
