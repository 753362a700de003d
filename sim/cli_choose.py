"""``sim choose``: rank business models for an objective in one market, with Monte Carlo
intervals, the probability each is best, robustness over the market's uncertain parameters
and each model's worst audit verdict per jurisdiction.

    sim choose retail_baseline fission_distribution liandong_2plus1 --objective platform_net
    sim choose retail_baseline membership_distribution --objective gmv:0.5,retention_d90:0.5 \\
        --market live_audience --vary market.word_of_mouth=0.02:0.06 --json

Bad input is refused before anything runs: one line naming the option, exit status 2.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sim.audit.findings import BREACH, JURISDICTIONS, JURISDICTION_NAMES, verdict_name
from sim.cli import Fail, add_market_option, add_run_options, load_for_cli, market_for_cli
from sim.cli_batch import _executor, format_frame, parse_ranges
from sim.markets import DOTTED
from sim.measures import figure, format_value, name
from sim.progress import Progress

DEFAULT_REPLICATES, DEFAULT_POINTS, DEFAULT_ROBUST_SEEDS = 10, 8, 3


def register(sub: argparse._SubParsersAction) -> dict[str, Any]:
    p = sub.add_parser("choose", help="which model to launch, for an objective, in one market / 选型")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="two or more TOML files or shipped scenario ids")
    p.add_argument("--objective", default="platform_net",
                   help="the measure to maximise: platform_net (default), gmv, median_net, retention_d90, "
                        "any of `sim measures` with a number per run, or a weighted mix such as "
                        "gmv:0.6,platform_net:0.4 (a negative weight counts against)")
    add_run_options(p)  # --seed is the first seed: seeds are SEED .. SEED+N-1, the same for every model
    add_market_option(p)
    p.add_argument("--replicates", type=int, default=DEFAULT_REPLICATES,
                   help=f"seeds per model (default {DEFAULT_REPLICATES}, at least 2)")
    p.add_argument("--vary", action="append", default=[], metavar="KEY=LOW:HIGH",
                   help="a market key and its range for the robustness check (repeatable; default: "
                        "the profile's [uncertain] ranges)")
    p.add_argument("--points", type=int, default=DEFAULT_POINTS,
                   help=f"Latin-hypercube points of the robustness check (default {DEFAULT_POINTS}; 0: none)")
    p.add_argument("--robust-seeds", type=int, default=DEFAULT_ROBUST_SEEDS,
                   help=f"seeds at each robustness point (default {DEFAULT_ROBUST_SEEDS})")
    p.add_argument("--workers", type=int, help="local worker processes (default: the CPUs available)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the explanation")
    return {"choose": cmd_choose}


def cmd_choose(args: argparse.Namespace) -> int:
    from sim.choose import choose, parse_objective  # SALib and the audit only when asked
    if len(args.scenarios) < 2:
        raise Fail("choose: give at least two scenarios to choose between")
    if args.replicates < 2:
        raise Fail(f"--replicates: must be at least 2 for an interval, got {args.replicates}")
    if args.points < 0:
        raise Fail(f"--points: must be a whole number >= 0, got {args.points}")
    if not 1 <= args.robust_seeds <= args.replicates:
        raise Fail(f"--robust-seeds: must be from 1 to --replicates ({args.replicates}), got {args.robust_seeds}")
    try:
        objective = parse_objective(args.objective)
    except ValueError as err:
        raise Fail(f"--objective: {err}") from None
    market = market_for_cli(args.market, args.scenarios[0])
    # Loaded in the market with --days and --market-size to check them; choose() places them.
    scenarios = [load_for_cli(src, args, market) for src in args.scenarios]
    ids = [s.id for s in scenarios]
    if len(set(ids)) != len(ids):
        raise Fail(f"choose: two scenarios share an id ({', '.join(ids)}); give each its own [scenario] id")
    ranges = None
    if args.vary:
        ranges = parse_ranges(args.vary, scenarios[0])
        for key in ranges:
            if key not in DOTTED:
                raise Fail(f"--vary {key}: not a market key; robustness varies the market: {', '.join(DOTTED)}")
    seeds = list(range(args.seed, args.seed + args.replicates))
    planned = len(ids) * (len(seeds) + (args.points * args.robust_seeds if (ranges or market.uncertain) else 0))
    workers, _ = _executor(argparse.Namespace(scheduler=None, workers=args.workers), planned)
    bar = Progress("choose", enabled=not (args.quiet or args.json), unit="run")
    try:
        choice = choose(scenarios, objective=objective, market=market, seeds=seeds, days=args.days,
                        market_size=args.market_size, ranges=ranges, points=args.points,
                        robust_seeds=args.robust_seeds, workers=workers, progress=bar)
    except ValueError as err:
        raise Fail(f"choose: {err}") from None
    print(json.dumps(choice.to_dict(), ensure_ascii=False) if args.json else as_text(choice, args.lang))
    return 0


def as_text(choice: Any, lang: str) -> str:
    from sim.choose import figure as signed_figure
    from sim.choose import objective_figure
    zh = lang == "zh"
    fig = lambda v: objective_figure(choice, v, lang)  # noqa: E731
    r = choice.ranking
    seeds = f"{choice.seeds[0]}–{choice.seeds[-1]}"
    lines = [(f"选型:目标 {choice.objective.name('zh')};市场 {choice.market.id}({choice.market.name('zh')});"
              f"{choice.size:,} 人 × {choice.days} 天;种子 {seeds}(所有模式相同)") if zh else
             (f"choice: objective {choice.objective.name('en')}; market {choice.market.id} "
              f"({choice.market.name('en')}); {choice.size:,} persons × {choice.days} days; "
              f"seeds {seeds}, the same for every model"), ""]
    p_best = lambda row: (f"{format_value('share', row['probability_best'])} "  # noqa: E731
                          f"({format_value('share', row['p_best_low'])}–{format_value('share', row['p_best_high'])})")
    table = r.assign(
        mean=[fig(v) for v in r["mean"]],
        ci=[f"{fig(a)} to {fig(b)}" for a, b in zip(r["ci_low"], r["ci_high"])],
        probability_best=[p_best(row) for _, row in r.iterrows()],
        gap=["—" if i == 0 else f"{fig(g)} ({fig(a)} to {fig(b)})"
             for i, (g, a, b) in enumerate(zip(r["gap"], r["gap_low"], r["gap_high"]))],
        **{f"verdict_{j}": [verdict_name(v, lang) for v in r[f"verdict_{j}"]] for j in JURISDICTIONS},
        **({"robust_win_share": [figure("robust_win_share", v) for v in r["robust_win_share"]]}
           if "robust_win_share" in r else {}))
    cols = ["choice_rank", "scenario", "mean", "ci", "probability_best", "gap",
            *(["robust_win_share"] if "robust_win_share" in r else []), *(f"verdict_{j}" for j in JURISDICTIONS)]
    lines.append(format_frame(table[cols].rename(columns={"ci": "ci_95", "gap": "gap_to_first_paired"})))
    lines.append("")
    lines.append(("均值及 95% 置信区间来自各次重复运行;成为最优的概率为同种子下胜出的比例(Wilson 95% 区间);"
                  "与第一名的差为同种子配对差。") if zh else
                 ("mean and 95% CI over the replicates; probability best: the share of seeds on which it beats "
                  "every other (Wilson 95% interval); gap to the first: paired over the same seeds."))
    for j in JURISDICTIONS:
        law = JURISDICTION_NAMES[j][1 if zh else 0]
        blocked = [s for s, v in zip(r["scenario"], r[f"verdict_{j}"]) if v == BREACH]
        best = choice.best_launchable(j)
        if zh:
            lines.append(f"{law}:" + (f"存在违反、不可上线:{'、'.join(blocked)};" if blocked else "无违反;")
                         + f"可上线的最高排名:{best or '无'}")
        else:
            lines.append(f"{law}: " + (f"not launchable (a breach): {', '.join(blocked)}; " if blocked else "no breach; ")
                         + f"highest-ranked launchable: {best or 'none'}")
    rob = choice.robustness
    if rob is not None:
        spans = ", ".join(f"{k} {lo:g}–{hi:g}" for k, (lo, hi) in rob.ranges.items())
        wins = ", ".join(f"{k} {figure('robust_win_share', v)}" for k, v in rob.wins.items())
        lines += ["", (f"稳健性:{len(rob.points)} 个拉丁超立方点({spans}),每点 {len(rob.seeds)} 个种子;"
                       f"排名第一的比例:{wins}") if zh else
                  (f"robustness: {len(rob.points)} Latin-hypercube points over {spans}, {len(rob.seeds)} "
                   f"seeds each; share of points won: {wins}")]
        for sw in rob.switches():
            if sw["changes"]:
                lines.append((f"  {sw['parameter']} ≤ {sw['at']:g} 时多为 {sw['below']} 胜出,以上多为 {sw['above']}")
                             if zh else (f"  winner changes with {sw['parameter']}: mostly {sw['below']} at "
                                         f"≤ {sw['at']:g}, {sw['above']} above"))
        if not any(sw["changes"] for sw in rob.switches()):
            lines.append("  各参数范围内胜出者不变" if zh else "  the winner does not change across these ranges")
    why = choice.why(lang)
    if why is not None:
        lines += ["", ("原因:" if zh else "why: ") + why.text]
        lines.append(format_frame(why.table.assign(
            measure=[name(k, lang) for k in why.table["measure"]],
            **{c: [signed_figure(k, v, lang) for k, v in zip(why.table["measure"], why.table[c])]
               for c in ("first", "second", "difference")}).rename(
            columns={"first": why.first, "second": why.second})))
    return "\n".join(lines)
