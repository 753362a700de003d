"""``sim audit`` and ``sim report``: findings on the terminal, reports as one HTML file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from sim.audit import BREACH, JURISDICTIONS, audit, indicators, risk_index, stress_test
from sim.audit.findings import JURISDICTION_NAMES, verdict_name
from sim.audit.record import record
from sim.batch import Batch
from sim.capacity import run_bytes
from sim.cli import MODULE_COMMANDS, Fail, add_run_options, check_fits, load_for_cli, run_for_cli, writable_folder
from sim.errors import printable
from sim.measures import figure
from sim.report import LANGS
from sim.report import write as write_report
from sim.scenario import Scenario
from sim.store import StoreError, open_store


def register(sub: argparse._SubParsersAction) -> dict[str, Callable[[argparse.Namespace], int]]:
    p = sub.add_parser("audit", help=MODULE_COMMANDS["audit"][1])
    p.add_argument("scenario", help="TOML file or shipped scenario id")
    add_run_options(p)
    p.add_argument("--jurisdiction", choices=(*JURISDICTIONS, "all"), default="all",
                   help="rule pack: cn, us, eu or all (default)")
    p.add_argument("--lang", choices=LANGS, default="zh", help="language of titles and explanations")
    p.add_argument("--stop-day", type=int, help="also run the recruitment-stop stress test from this day")
    p = sub.add_parser("report", help=MODULE_COMMANDS["report"][1])
    p.add_argument("scenarios", nargs="+", help="TOML files or shipped scenario ids")
    add_run_options(p)
    p.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    p.add_argument("--lang", choices=LANGS, default="zh", help="report language (default zh)")
    p.add_argument("--stop-day", type=int, help="recruitment-stop day of the stress test (default: half the run)")
    p.add_argument("--sweep", help="add the replicates of this stored sweep (sim runs list) to the report")
    p.add_argument("--store", type=Path, help="results store to read --sweep from (default: sim's store)")
    return {"audit": cmd_audit, "report": cmd_report}


def _check_stop_day(stop_day: int | None, scenario: Scenario) -> None:
    days = scenario.market.days
    if stop_day is not None and not 1 <= stop_day < days:
        raise Fail(f"--stop-day: must be between 1 and {days - 1} for {scenario.id} ({days} days), got {stop_day}")


def cmd_audit(args: argparse.Namespace) -> int:
    scenario = load_for_cli(args.scenario, args)
    _check_stop_day(args.stop_day, scenario)
    check_fits(run_bytes(scenario) * (1 if args.stop_day is None else 2), args)  # the rerun
    result = run_for_cli(scenario, args)
    findings = audit(result, args.jurisdiction)
    ri, ind = risk_index(result), indicators(result)
    stress = (stress_test(scenario, seed=args.seed, stop_day=args.stop_day, baseline=result)
              if args.stop_day is not None else None)
    if args.json:  # the record the dashboard's Audit page downloads too
        print(json.dumps(record(result, findings, jurisdiction=args.jurisdiction, risk=ri, stress=stress),
                         ensure_ascii=False))
        return 0
    zh = args.lang == "zh"
    name = printable(scenario.meta.name_zh if zh else scenario.meta.name_en)  # from the file
    print(f"{scenario.id} · {name} · seed {args.seed} · {result.days} days × {result.market_size:,} persons")
    parts = " + ".join(f"{p.name_zh if zh else p.name_en} {figure(p.component.metric, p.points)}/{p.weight}"
                       for p in ri.parts)
    print(f"{'传销风险指数' if zh else 'pyramid-risk index'} {figure('risk_index', ri.total)}/100 "
          f"({ri.band(args.lang)}) = {parts}")
    breaches = sum(f.verdict == BREACH for f in findings)
    print(ri.screening(args.lang) + (f"本次 {breaches} 项为违反。" if zh else f" {breaches} finding(s) here are breaches.")
          if breaches else ri.screening(args.lang))
    if ind["participants"]:
        lost, even, profited = (figure(k, ind[k]) for k in ("share_losing_money", "share_broke_even",
                                                            "share_profited"))
        print((f"参与者亏损 {lost}、持平 {even}、盈利 {profited};对照 AARP 2018 约 47% / 27% / 25%,"
               "Taylor 计入成本后约 99% 亏损" if zh else
               f"participants lost money {lost}, broke even {even}, profited {profited}; "
               "AARP 2018: ~47% / 27% / 25%; Taylor: ~99% lose after costs"))
    if stress:
        before, after = figure("payouts_before_stop", stress.payouts_before), figure(
            "payouts_after_stop", stress.payouts_after)
        print((f"停止招募(第 {stress.stop_day} 天):日均奖励 {before} → {after}"
               f"{',崩塌' if stress.collapse else ''}" if zh else
               f"recruitment stopped on day {stress.stop_day}: daily payouts {before} → "
               f"{after}{', collapse' if stress.collapse else ''}"))
    for j in JURISDICTIONS:
        mine = [f for f in findings if f.jurisdiction == j]
        if not mine:
            continue
        print(f"\n[{j}] {JURISDICTION_NAMES[j][zh]}")
        for f in mine:
            verdict = verdict_name(f.verdict, args.lang)
            print(f"  {verdict.upper() if not zh else verdict:<14} {f.title(args.lang)}")
            print(f"  {'':<14} {f.citation}")
            print(f"  {'':<14} {f.explanation(args.lang)}")
    return 0


def _check_out(out: Path) -> Path:
    if out.is_dir():
        raise Fail(f"--out: {out} is a folder; give a file name ending in .html")
    if out.suffix.lower() not in (".html", ".htm"):
        raise Fail(f"--out: {out} must end in .html")
    writable_folder(out, "--out")
    return out


def _stored_sweep(sweep_id: str, store: Path | None) -> Batch:
    """A stored sweep's replicates, read and the store closed again (a sweep may be writing)."""
    try:
        with open_store(store, read_only=True) as db:
            return Batch.from_store(db, sweep_id)
    except StoreError as err:
        raise Fail(f"--sweep {sweep_id}: {err}") from None


def cmd_report(args: argparse.Namespace) -> int:
    out = _check_out(args.out)
    scenarios = [load_for_cli(src, args) for src in args.scenarios]  # validate all before running any
    for s in scenarios:
        _check_stop_day(args.stop_day, s)
    # Every result is kept for the report, and each scenario's stress test reruns it.
    needs = [run_bytes(s) for s in scenarios]
    check_fits(sum(needs) + max(needs), args)
    replicates = _stored_sweep(args.sweep, args.store) if args.sweep else None
    results = [run_for_cli(s, args) for s in scenarios]
    try:
        path = write_report(results, out, lang=args.lang, stop_day=args.stop_day, replicates=replicates)
    except OSError as err:  # a full disk, say: write_report leaves no partial file
        raise Fail(f"--out: cannot write {out}: {err.strerror or err}; nothing was written") from None
    if args.json:
        print(json.dumps({"out": str(path), "lang": args.lang, "seed": args.seed,
                          "scenarios": [s.id for s in scenarios], "bytes": path.stat().st_size}))
    else:
        print(f"wrote {path} ({path.stat().st_size / 1024:,.0f} KiB, {args.lang})", file=sys.stdout)
    return 0
