"""``sim calibrate``: fit a scenario's market to a pilot's observed series (sim.calibrate).

    sim calibrate retail_baseline --data pilot.csv --fit market.external_reach \\
        --fit market.word_of_mouth --out scenarios/user/pilot_market.toml --plot pilot_fit.png

Everything is checked before the fit starts (the data file, the keys, the output paths); bad
input is one line naming the file or option and what is allowed, exit status 2, and nothing
written. Outputs are written to a temporary file and renamed: whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Callable

from sim.cli import Fail, load_for_cli
from sim.measures import format_value
from sim.progress import Progress
from sim.scenario import SCENARIO_DIR


def register(sub: argparse._SubParsersAction) -> dict[str, Any]:
    p = sub.add_parser("calibrate", help="fit the market to a pilot's observed series / 用试点数据校准市场")
    p.add_argument("scenario", help="TOML file or shipped scenario id: the market to fit")
    p.add_argument("--data", type=Path, required=True, metavar="FILE.csv",
                   help="observed series: date and any of new_customers, active, orders, gmv (README)")
    p.add_argument("--fit", action="append", default=[], metavar="KEY[=LOW:HIGH]",
                   help="a parameter to fit, optionally with its search range; repeat for each: "
                        "market.external_reach, market.word_of_mouth, market.propensity, market.basket, "
                        "churn.customer, churn.first_day, population")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a scenario key held at this value during the fit (e.g. churn.customer=0)")
    p.add_argument("--launch", metavar="YYYY-MM-DD",
                   help="the first day of the first period (default: one typical spacing before the first row)")
    p.add_argument("--population", type=float,
                   help="persons the data come from (default: the scenario's market size)")
    p.add_argument("--market-size", type=int,
                   help="persons simulated (default: the population, at most 20,000); results are scaled")
    p.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same fit")
    p.add_argument("--out", type=Path, help="the calibrated scenario (TOML; default "
                                            "scenarios/user/SCENARIO_calibrated.toml)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--plot", type=Path, metavar="FILE.png", help="draw the fit against the data")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the plot")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return {"calibrate": cmd_calibrate}


def parse_fit(specs: list[str]) -> tuple[list[str], dict[str, tuple[float, float]]]:
    from sim.calibrate import KNOBS
    keys, ranges = [], {}
    if not specs:
        raise Fail("--fit: name at least one parameter to fit; allowed: " + ", ".join(KNOBS))
    for spec in specs:
        key, eq, text = (s.strip() for s in spec.partition("="))
        if key not in KNOBS:
            raise Fail(f"--fit {key}: cannot be fitted; allowed: {', '.join(KNOBS)}")
        if key in keys:
            raise Fail(f"--fit {key}: given twice")
        keys.append(key)
        if eq:
            low, colon, high = text.partition(":")
            try:
                ranges[key] = (float(low), float(high))
                if not (colon and all(map(math.isfinite, ranges[key]))):
                    raise ValueError
            except ValueError:
                raise Fail(f"--fit {spec}: expected KEY=LOW:HIGH with numbers, e.g. "
                           "market.word_of_mouth=0.01:0.3") from None
    return keys, ranges


def parse_set(specs: list[str]) -> dict[str, Any]:
    from sim.cli_batch import parse_value
    fixed = {}
    for spec in specs:
        key, eq, text = (s.strip() for s in spec.partition("="))
        if not (eq and key and text):
            raise Fail(f"--set: expected KEY=VALUE (e.g. churn.customer=0), got {spec!r}")
        fixed[key] = parse_value(text)
    return fixed


def _check_output(path: Path | None, suffix: str, option: str, force: bool) -> None:
    if path is None:
        return
    if path.suffix.lower() != suffix:
        raise Fail(f"{option}: {path} must end in {suffix}")
    if path.is_dir():
        raise Fail(f"{option}: {path} is a folder; give a file name ending in {suffix}")
    if path.exists() and not force:
        raise Fail(f"{option}: {path} exists; choose another name or give --force")
    existing = next(a for a in path.resolve().parents if a.exists())
    if not existing.is_dir():
        raise Fail(f"{option}: {existing} is a file, not a folder")


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """``write(tmp)`` into a temporary file beside ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(name))
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.calibrate import calibrate, figure, rows
    from sim.observations import read
    scenario = load_for_cli(args.scenario, argparse.Namespace(seed=args.seed, days=None, market_size=None))
    keys, ranges = parse_fit(args.fit)
    fixed = parse_set(args.set)
    try:
        launch = date.fromisoformat(args.launch) if args.launch else None
    except ValueError:
        raise Fail(f"--launch: must be a date written YYYY-MM-DD, got {args.launch!r}") from None
    if args.population is not None and not (math.isfinite(args.population) and args.population >= 1):
        raise Fail(f"--population: must be a number of persons >= 1, got {args.population:g}")
    if args.population is not None and "population" in keys:
        raise Fail("--population: not with --fit population; give one of them")
    if args.market_size is not None and not 1 <= args.market_size <= 1_000_000:
        raise Fail(f"--market-size: must be a whole number from 1 to 1,000,000, got {args.market_size}")
    out = args.out or SCENARIO_DIR / "user" / f"{scenario.id}_calibrated.toml"
    _check_output(out, ".toml", "--out", args.force)
    _check_output(args.plot, ".png", "--plot", args.force)
    observations = read(args.data)
    bar = Progress(f"calibrate {scenario.id}", enabled=not (args.quiet or args.json), unit="run")
    fit = calibrate(scenario, observations, fit=keys, ranges=ranges, fixed=fixed, launch=launch,
                    population=args.population, market_size=args.market_size, seed=args.seed,
                    progress=bar)
    bar(fit.runs, fit.runs)
    write_atomic(out, lambda tmp: tmp.write_text(fit.to_toml(), encoding="utf-8"))
    if args.plot:
        write_atomic(args.plot, lambda tmp: figure(fit, args.lang).savefig(tmp, dpi=110, format="png"))
    if args.json:
        print(json.dumps({
            "scenario": scenario.id, "data": str(args.data), "launch": fit.launch.isoformat(),
            "population": fit.population, "market_size": fit.simulated, "seed": fit.seed,
            "runs": fit.runs, "seconds": round(fit.seconds, 2),
            "estimates": fit.table(), "dispersion": fit.dispersion, "gof_p": fit.gof_p,
            "dof": fit.dof, "quantile": fit.quantile, "region": fit.region, "cov_z": fit.cov_z.tolist(),
            "settings": fit.settings,
            "keys": [k.key for k in fit.knobs], "notes": fit.notes, "fit": rows(fit),
            "out": str(out), "plot": str(args.plot) if args.plot else None}, ensure_ascii=False))
        return 0
    print(summary(fit))
    print(f"wrote {out}" + (f" and {args.plot}" if args.plot else ""))
    print(f"use it: sim run {out}   |   sim compare {scenario.id} {out}")
    return 0


def summary(fit: Any) -> str:
    """The fit as a reader wants it: what was fitted to what, the estimates with their 95%
    intervals, and whether the data scatter about the fit as the model's randomness explains."""
    obs = fit.observations
    lines = [f"{fit.base.id} calibrated to {obs.source}: {len(obs.dates)} rows ({', '.join(obs.columns)}), "
             f"launch {fit.launch}, {fit.population:,.0f} persons (simulated {fit.simulated:,})",
             f"{fit.runs} engine runs in {fit.seconds:.1f} s, seed {fit.seed}", ""]
    width = max(len(e.key) for e in fit.estimates)
    lines.append(f"{'parameter':<{width}}  {'estimate':>12}  95% interval")
    for k, e in zip(fit.knobs, fit.estimates):
        lines.append(f"{e.key:<{width}}  {_number(e.value):>12}  [{_number(e.low)}, {_number(e.high)}] {k.unit}")
    verdict = ("the data scatter about the fit more than the market's randomness explains; the "
               "intervals include that misfit" if fit.dispersion > 1 else
               "the data scatter about the fit as the market's randomness explains")
    lines += ["", f"goodness of fit: dispersion {fit.dispersion:.2f}, p = {fit.gof_p:.3f}: {verdict}"]
    lines += [f"note: {n}" for n in fit.notes]
    return "\n".join(lines)


def _number(v: float) -> str:
    return format_value("persons", v) if abs(v) >= 1_000 else f"{v:.4g}"
