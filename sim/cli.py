"""``sim``: run, compare and list business-model scenarios from the command line.

Bad input (a missing or malformed file, an unknown key, a value out of range) prints one line
naming the file, the key and what is allowed, exits with status 2 and writes nothing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn, Sequence

from sim.errors import ScenarioError
from sim import measures
from sim.measures import figure
from sim.metrics import METRIC_KEYS
from sim.progress import Progress
from sim.result import RunResult
from sim.runner import run
from sim.scenario import Scenario, load_scenario, scenario_paths
from sim.sections import FAMILIES, FAMILY_NAMES

USAGE_ERROR = 2
OPTION_KEYS = {"market.size": "--market-size", "market.days": "--days"}
TABLES = ("daily", "people", "flows", "merchants")
# Modules that add subcommands: each has ``register(sub) -> {name: handler}``; a handler takes
# the parsed arguments and returns the exit status, raising Fail or ScenarioError on bad input.
# `sim compare` shows up to this many scenarios side by side, more as one row each.
SIDE_BY_SIDE = 4
SUMMARY_KEYS = ("participants", "penetration", "gmv", "payout_ratio", "retention_d30",
                "share_losing_money", "max_paid_depth", "org_levels", "platform_net")
COMMAND_MODULES: tuple[str, ...] = ("sim.cli_batch", "sim.cli_audit", "sim.cli_calibrate")


class Fail(Exception):
    """A user-facing error: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not usage + traceback
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options every command that runs scenarios takes."""
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--days", type=int, help="days to simulate (default: the scenario's)")
    p.add_argument("--market-size", type=int, help="persons in the market (default: the scenario's)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _parser() -> tuple[Parser, dict[str, Any]]:
    top = Parser(prog="sim", description="Scheme Lab: simulate and compare social e-commerce "
                                         "incentive schemes / 社交电商激励模式仿真")
    sub = top.add_subparsers(dest="command", required=True, parser_class=Parser)
    handlers: dict[str, Any] = {"list": cmd_list, "run": cmd_run, "compare": cmd_compare,
                                "measures": cmd_measures}
    p = sub.add_parser("list", help="list shipped scenarios by family / 按类别列出场景")
    p.add_argument("--family", choices=FAMILIES, help="only this family")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p = sub.add_parser("run", help="run one scenario / 运行一个场景")
    p.add_argument("scenario", help="TOML file or shipped scenario id")
    add_run_options(p)
    p.add_argument("--out", type=Path, help="write daily, people, flows and merchants tables and metrics.json here")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="table format for --out")
    p = sub.add_parser("compare", help="compare scenarios side by side / 并排比较")
    p.add_argument("scenarios", nargs="+", help="TOML files or shipped scenario ids")
    add_run_options(p)
    p = sub.add_parser("measures", help="every figure's key, names, unit and population / 指标定义")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    for name in COMMAND_MODULES:
        handlers.update(importlib.import_module(name).register(sub))
    return top, handlers


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, or a usage error already printed as one line
        return int(done.code or 0)
    try:
        return handlers[args.command](args)
    except (ScenarioError, Fail) as err:
        print(f"sim: error: {err}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("sim: interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `sim runs list | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def load_for_cli(src: str, args: argparse.Namespace) -> Scenario:
    scenario = load_scenario(src)
    changes = {k: v for k, v in (("days", args.days), ("size", args.market_size)) if v is not None}
    if args.seed < 0:
        raise Fail(f"--seed: must be a whole number >= 0, got {args.seed}")
    try:
        return scenario.with_market(**changes) if changes else scenario
    except ScenarioError as err:
        if err.key in OPTION_KEYS:
            raise Fail(f"{OPTION_KEYS[err.key]}: {err.message}") from None
        given = " ".join(f"{OPTION_KEYS['market.' + k]} {v}" for k, v in changes.items())
        raise Fail(f"{given}: conflicts with {err}") from None


def run_for_cli(scenario: Scenario, args: argparse.Namespace) -> RunResult:
    bar = Progress(scenario.id, enabled=not (args.quiet or args.json))
    return run(scenario, seed=args.seed, progress=bar)


def cmd_list(args: argparse.Namespace) -> int:
    rows = [load_scenario(path) for path in scenario_paths()]
    rows = [s for s in rows if args.family in (None, s.meta.family)]
    if args.json:
        print(json.dumps([{"id": s.id, "family": s.meta.family,
                           "family_en": FAMILY_NAMES[s.meta.family][0],
                           "family_zh": FAMILY_NAMES[s.meta.family][1],
                           "name_en": s.meta.name_en, "name_zh": s.meta.name_zh,
                           "source": s.meta.source, "rules": [r.key for r in s.rules],
                           "path": str(Path(s.source))} for s in rows], ensure_ascii=False, indent=1))
        return 0
    width = max((len(s.id) for s in rows), default=0) + 2
    for family, (en, zh) in FAMILY_NAMES.items():
        members = [s for s in rows if s.meta.family == family]
        if members:
            print(f"[{family}] {zh} / {en}")
            for s in members:
                print(f"  {s.id:<{width}}{s.meta.name_zh} / {s.meta.name_en}")
    return 0


def cmd_measures(args: argparse.Namespace) -> int:
    """The measures vocabulary: a Markdown page (docs/measures.md is this output), or JSON."""
    if args.json:
        print(json.dumps([{"key": m.key, "name_en": m.en, "name_zh": m.zh, "unit": m.unit,
                           "covers": m.over, "note": m.doc, "computed_by": m.by or "formula",
                           "daily": table is measures.SERIES}
                          for table in (measures.MEASURES, measures.SERIES) for m in table.values()],
                         ensure_ascii=False, indent=1))
    else:
        print(measures.markdown(), end="")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    scenario = load_for_cli(args.scenario, args)
    out = _check_out(args.out) if args.out else None
    result = run_for_cli(scenario, args)
    if out:
        _write_out(result, out, args.format)
    if args.json:
        print(json.dumps({"scenario": scenario.id, "seed": args.seed, "metrics": _clean(result.metrics)},
                         ensure_ascii=False))
    else:
        print(format_table([scenario.id], [result.metrics]))
        if out:
            print(f"wrote {', '.join(TABLES)} ({args.format}) and metrics.json to {out}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    scenarios = [load_for_cli(src, args) for src in args.scenarios]  # validate all before running any
    results = [run_for_cli(s, args) for s in scenarios]
    if args.json:
        print(json.dumps({"seed": args.seed, "scenarios": {s.id: _clean(r.metrics)
                                                           for s, r in zip(scenarios, results)}},
                         ensure_ascii=False))
    else:
        names, metrics = [s.id for s in scenarios], [r.metrics for r in results]
        wide = len(scenarios) <= SIDE_BY_SIDE
        print(format_table(names, metrics) if wide else format_rows(names, metrics))
    return 0


def _check_out(out: Path) -> Path:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise Fail(f"--out: {out} already exists and is not an empty folder; choose a new one")
    existing = next(a for a in out.resolve().parents if a.exists())
    if not existing.is_dir():
        raise Fail(f"--out: {existing} is a file, not a folder")
    return out


def _write_out(result: RunResult, out: Path, fmt: str) -> None:
    """Write into a temporary folder beside ``out`` and rename it: all or nothing."""
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        for name in TABLES:
            table = getattr(result, name)
            if fmt == "parquet":
                table.to_parquet(tmp / f"{name}.parquet", index=False)
            else:
                table.to_csv(tmp / f"{name}.csv", index=False)
        meta = {"scenario": result.scenario.id, "seed": result.seed, "code_version": result.code_version,
                "scenario_hash": result.scenario.content_hash(), "parameters": result.scenario.to_dict(),
                "metrics": _clean(result.metrics)}
        (tmp / "metrics.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _clean(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in metrics.items()}


def format_rows(names: list[str], metrics: list[dict[str, Any]],
                keys: Sequence[str] = SUMMARY_KEYS) -> str:
    """Scenarios as rows and the headline metrics as columns: readable for many scenarios."""
    cells = [[figure(k, m[k]) for k in keys] for m in metrics]
    name_w = max(len("scenario"), *(len(n) for n in names))
    col_w = [max(len(k), *(len(row[i]) for row in cells)) for i, k in enumerate(keys)]
    lines = ["scenario".ljust(name_w) + "  " + "  ".join(k.rjust(w) for k, w in zip(keys, col_w))]
    lines += [n.ljust(name_w) + "  " + "  ".join(c.rjust(w) for c, w in zip(row, col_w))
              for n, row in zip(names, cells)]
    return "\n".join(lines)


def format_table(names: list[str], metrics: list[dict[str, Any]]) -> str:
    """Metrics as rows, scenarios as columns; the contract keys first."""
    keys = list(METRIC_KEYS) + [k for k in metrics[0] if k not in METRIC_KEYS]
    width = max(len(k) for k in keys)
    cols = [[figure(k, m[k]) for k in keys] for m in metrics]
    col_w = [max(len(n), *(len(c) for c in col)) for n, col in zip(names, cols)]
    lines = ["metric".ljust(width) + "  " + "  ".join(n.rjust(w) for n, w in zip(names, col_w))]
    for i, key in enumerate(keys):
        lines.append(key.ljust(width) + "  " + "  ".join(col[i].rjust(w) for col, w in zip(cols, col_w)))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
