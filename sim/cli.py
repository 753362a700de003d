"""``sim``: run, compare and list business-model scenarios from the command line.

Bad input (a missing or malformed file, an unknown key, a value out of range) prints one line
naming the file, the key and what is allowed, exits with status 2 and writes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

from sim.capacity import available_bytes, format_bytes, parse_bytes, run_bytes
from sim.errors import ScenarioError, printable
from sim.progress import Progress
from sim.sections import FAMILIES, FAMILY_NAMES

if TYPE_CHECKING:
    from sim.markets import Profile
    from sim.result import RunResult
    from sim.scenario import Scenario

USAGE_ERROR = 2
MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers
OPTION_KEYS = {"market.size": "--market-size", "market.days": "--days"}
TABLES = ("daily", "people", "flows", "merchants")
# Commands other modules add, with their one-line help. Each module has ``register(sub) ->
# {name: handler}``; a handler takes the parsed arguments and returns the exit status, raising
# Fail or ScenarioError on bad input. A module is imported only when one of its commands is
# given (they load pandas, DuckDB and the audit): `sim --help` and `sim list` start fast.
MODULE_COMMANDS: dict[str, tuple[str, str]] = {
    "sweep": ("sim.cli_batch", "replicates over a parameter grid / 参数扫描与重复实验"),
    "sensitivity": ("sim.cli_batch", "which parameter matters (SALib) / 参数敏感性分析"),
    "runs": ("sim.cli_batch", "the results store: list, show, replay, export / 结果库"),
    "audit": ("sim.cli_audit", "pyramid-risk findings with citations / 传销风险审查"),
    "report": ("sim.cli_audit", "self-contained HTML report / 生成 HTML 报告"),
    "choose": ("sim.cli_choose", "rank business models for an objective in one market / 选型"),
    "calibrate": ("sim.cli_calibrate", "fit the market to a pilot's observed series / 用试点数据校准市场"),
}


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
    add_memory_option(p)


def add_memory_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-memory", metavar="SIZE",
                   help="memory the command may use, e.g. 16G (default: what is available now); "
                        "a command estimated to need more is refused before it runs")


def add_market_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--market", metavar="PROFILE",
                   help="market profile every scenario runs in: an id under scenarios/markets/ or a file "
                        "(default: the first scenario's market)")


def market_for_cli(option: str | None, first: str) -> Profile:
    """The one market a comparison runs in: ``--market``, else the first scenario's own."""
    from sim.markets import load_profile, own_market
    from sim.scenario import load_scenario
    if option is None:
        return own_market(load_scenario(first))
    try:
        return load_profile(option)
    except ScenarioError as err:
        raise Fail(f"--market: {err}") from None


def _parser(command: str | None = None) -> tuple[Parser, dict[str, Any]]:
    """The argument parser, with every command of the module that defines ``command``."""
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
    p = sub.add_parser("compare", help="compare scenarios side by side in one market / 同一市场中并排比较")
    p.add_argument("scenarios", nargs="+", help="TOML files or shipped scenario ids")
    add_run_options(p)
    p.add_argument("--workers", type=int, help="local worker processes (default: the CPUs available)")
    add_market_option(p)
    p.add_argument("--own-markets", action="store_true",
                   help="run each scenario in its own declared market instead, and list how the markets differ")
    p = sub.add_parser("measures", help="every figure's key, names, unit and population / 指标定义")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    wanted = MODULE_COMMANDS.get(command or "", ("", ""))[0]
    for name, (module, text) in MODULE_COMMANDS.items():
        if module != wanted:
            sub.add_parser(name, help=text)  # listed in `sim --help`; loaded when given
        elif name not in handlers:
            handlers.update(importlib.import_module(module).register(sub))
    return top, handlers


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser, handlers = _parser(next((a for a in argv if not a.startswith("-")), None))
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, or a usage error already printed as one line
        return int(done.code or 0)
    try:
        return handlers[args.command](args)
    except (ScenarioError, Fail) as err:
        print(f"sim: error: {printable(str(err))}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("sim: interrupted; nothing was written", file=sys.stderr)
        return 130
    except MemoryError:  # the estimate was overridden (--max-memory), or others took the memory
        print("sim: error: out of memory; nothing was written; try a smaller --market-size",
              file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # `sim runs list | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def available_cpus() -> int:
    """CPUs this process may use: the default number of local worker processes."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def load_for_cli(src: str, args: argparse.Namespace, market: Profile | None = None) -> Scenario:
    """A scenario with the command's options applied: in ``market`` if given, then --days
    and --market-size."""
    from sim.markets import in_market
    from sim.scenario import load_scenario
    scenario = load_scenario(src)
    if market is not None:
        scenario = in_market(scenario, market)
    changes = {k: v for k, v in (("days", args.days), ("size", args.market_size)) if v is not None}
    if not 0 <= args.seed <= MAX_SEED:
        raise Fail(f"--seed: must be a whole number from 0 to {MAX_SEED}, got {args.seed}")
    try:
        return scenario.with_market(**changes) if changes else scenario
    except ScenarioError as err:
        if err.key in OPTION_KEYS:
            raise Fail(f"{OPTION_KEYS[err.key]}: {err.message}") from None
        given = " ".join(f"{OPTION_KEYS['market.' + k]} {v}" for k, v in changes.items())
        raise Fail(f"{given}: conflicts with {err}") from None


def memory_limit(args: argparse.Namespace) -> int | None:
    """``--max-memory`` in bytes (None: what the machine has available when it is needed)."""
    if getattr(args, "max_memory", None) is None:
        return None
    try:
        return parse_bytes(args.max_memory)
    except ValueError as err:
        raise Fail(f"--max-memory: {err}") from None


def check_fits(needed: int, args: argparse.Namespace) -> None:
    """Refuse, before anything is allocated, a command estimated to need more memory than
    ``--max-memory`` or, without it, than the machine has available now."""
    limit = memory_limit(args)
    where = "--max-memory allows" if limit is not None else "this machine has available"
    if limit is None:
        limit = available_bytes()
    if limit is not None and needed > limit:
        raise Fail(f"needs about {format_bytes(needed)} of memory at its peak (estimated from the "
                   f"market size and contacts), more than the {format_bytes(limit)} {where}; run a "
                   f"smaller --market-size, or give --max-memory to try anyway")


def writable_folder(path: Path, option: str) -> None:
    """Check, before a long run, that a file can be created in the folder ``path`` will be in
    (or in the nearest folder above it that exists): a temporary file, removed at once."""
    folder = next(a for a in [path.absolute().parent, *path.absolute().parents] if a.exists())
    if not folder.is_dir():
        raise Fail(f"{option}: {folder} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise Fail(f"{option}: cannot write in {folder}: {err.strerror or err}") from None


def run_for_cli(scenario: Scenario, args: argparse.Namespace) -> RunResult:
    from sim.runner import run
    bar = Progress(scenario.id, enabled=not (args.quiet or args.json))
    return run(scenario, seed=args.seed, progress=bar, memory_limit=memory_limit(args))


def cmd_list(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario, scenario_paths
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
    from sim import measures
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
    check_fits(run_bytes(scenario), args)
    out = check_new_folder(args.out, "--out") if args.out else None
    made = _start_out(out) if out else []  # the folders made for it, the temporary one last
    try:
        result = run_for_cli(scenario, args)
        if out:
            _write_out(result, made[-1], out, args.format)
    finally:
        if made and made[-1].exists():  # not renamed to --out: take back what was made
            shutil.rmtree(made[-1], ignore_errors=True)
            for folder in reversed(made[:-1]):
                with contextlib.suppress(OSError):
                    folder.rmdir()
    if args.json:
        print(json.dumps({"scenario": scenario.id, "seed": args.seed, "metrics": _clean(result.metrics)},
                         ensure_ascii=False))
    else:
        print(format_table([scenario.id], [result.metrics]))
        if out:
            print(f"wrote {', '.join(TABLES)} ({args.format}) and metrics.json to {out}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    if args.own_markets and args.market:
        raise Fail("--market: not with --own-markets; give one of them")
    if args.workers is not None and args.workers < 1:
        raise Fail(f"--workers: must be a whole number >= 1, got {args.workers}")
    from sim.markets import differences
    from sim.pool import run_each
    market = None if args.own_markets else market_for_cli(args.market, args.scenarios[0])
    # Validate all before running any.
    scenarios = [load_for_cli(src, args, market) for src in args.scenarios]
    differ = differences(scenarios)
    check_fits(max(run_bytes(s) for s in scenarios), args)  # one run at a time fits, at least
    bar = Progress("compare", enabled=not (args.quiet or args.json), unit="run")
    metrics = run_each(scenarios, seed=args.seed, workers=args.workers or available_cpus(),
                       progress=bar, memory_limit=memory_limit(args))
    if args.json:
        print(json.dumps({"seed": args.seed, "market": market.id if market else None,
                          "market_differences": {k: dict(zip((s.id for s in scenarios), v))
                                                 for k, v in differ.items()},
                          "scenarios": {s.id: _clean(m) for s, m in zip(scenarios, metrics)}},
                         ensure_ascii=False))
    else:
        if market:
            print(f"market: {market.id} ({market.name('zh')} / {market.name('en')}), every scenario: "
                  "the same persons, network and seeds")
        else:
            print("markets: each scenario's own" + ("; they differ in:" if differ else "; they are the same"))
            if differ:
                print(format_rows([k for k in differ], [dict(zip((s.id for s in scenarios), v))
                                                        for v in differ.values()],
                                  keys=[s.id for s in scenarios], head="market key"))
            print()
        # Always measures as rows and scenarios as columns, however many: the table reads the
        # same way for two scenarios or twenty, and every metric (the risk index too) is in it.
        print(format_table([s.id for s in scenarios], metrics))
    return 0


def check_new_folder(out: Path, option: str) -> Path:
    """``out`` as a folder to be written: new or empty, under folders (not files), and in a
    place this process can write."""
    try:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise Fail(f"{option}: {out} already exists and is not an empty folder; choose a new one")
    except OSError as err:  # a name too long, a loop of links, a folder we may not list
        raise Fail(f"{option}: {out}: {err.strerror or err}") from None
    writable_folder(out, option)
    return out


def _start_out(out: Path) -> list[Path]:
    """The folders above ``out`` that do not exist yet, made now, then the temporary folder
    beside ``out`` that the tables are written into first."""
    parent = out.absolute().parent
    missing = [a for a in reversed([parent, *parent.parents]) if not a.exists()]
    try:
        for folder in missing:
            folder.mkdir()
        return [*missing, Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))]
    except OSError as err:
        raise Fail(f"--out: cannot write in {parent}: {err.strerror or err}") from None


def _write_out(result: RunResult, tmp: Path, out: Path, fmt: str) -> None:
    """Write into ``tmp`` and rename it to ``out``: all or nothing."""
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
        tmp.chmod(0o755)  # made private while written; a result folder to hand on when done
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except OSError as err:  # a full disk, say: cmd_run removes the partial folder
        raise Fail(f"--out: cannot write {out}: {err.strerror or err}; nothing was written") from None


def _clean(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in metrics.items()}


def format_rows(names: list[str], metrics: list[dict[str, Any]], keys: Sequence[str], head: str) -> str:
    """One row per name, a column per key (how the scenarios' markets differ)."""
    from sim.measures import figure
    cells = [[figure(k, m[k]) for k in keys] for m in metrics]
    name_w = max(len(head), *(len(n) for n in names))
    col_w = [max(len(k), *(len(row[i]) for row in cells)) for i, k in enumerate(keys)]
    lines = [head.ljust(name_w) + "  " + "  ".join(k.rjust(w) for k, w in zip(keys, col_w))]
    lines += [n.ljust(name_w) + "  " + "  ".join(c.rjust(w) for c, w in zip(row, col_w))
              for n, row in zip(names, cells)]
    return "\n".join(lines)


def format_table(names: list[str], metrics: list[dict[str, Any]]) -> str:
    """Metrics as rows, scenarios as columns; the contract keys first."""
    from sim.measures import figure
    from sim.metrics import METRIC_KEYS
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
