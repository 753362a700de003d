"""Engine benchmarks: the 1M × 365 headline, every scenario at default size, `sim compare` of
the catalogue, the CLI's start, and the speed ratio against the per-agent Mesa reference
(bench/reference.py); with --national, a 10M × 365 market too.

    python bench/run_benchmarks.py             # measure and print a Markdown table
    python bench/run_benchmarks.py --write     # ... and append it to bench/RESULTS.md
    python bench/run_benchmarks.py --national  # ... plus 10,000,000 × 365 (about 8 GB, minutes)
    python bench/run_benchmarks.py --quick     # small sizes, a smoke test while developing
    python bench/run_benchmarks.py --floor     # only each scenario's fixed cost per day

Each measured case runs in a fresh child process (``--case``), so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]  # runnable as a plain script from anywhere

import mesa  # noqa: E402
import numpy as np  # noqa: E402

import sim  # noqa: E402
from sim.capacity import run_bytes  # noqa: E402
from sim.model import SchemeModel  # noqa: E402
from sim.runner import collect  # noqa: E402

HEADLINE = "liandong_2plus1"
SEED = 1
GB = 1e9  # the memory target read strictly: 10^9 bytes, not GiB
# (persons, days) per case; --quick shrinks them all for a smoke test.
SIZES = {"headline": (1_000_000, 365), "national": (10_000_000, 365), "default": (20_000, 180),
         "ratio": (100_000, 365)}
QUICK = {"headline": (100_000, 60), "national": (200_000, 60), "default": (5_000, 30),
         "ratio": (10_000, 30)}
TARGETS = {"headline_s": 8.0, "headline_gb": 1.0, "national_s": 120.0, "national_gb": 12.0,
           "default_s": 0.12, "ratio": 100.0, "compare_all_s": 3.0, "start_s": 0.3}
RESULTS = BENCH / "RESULTS.md"
RESULTS_HEADER = """# Benchmark results

Appended by `python bench/run_benchmarks.py --write` (see bench/README.md). Method:

* **Headline**: `liandong_2plus1` at 1,000,000 persons × 365 days, seed 1, one run of what
  `sim.run` does (load, build, 365 daily steps, collect the result), in a fresh process. Peak
  memory is that process's `ru_maxrss` (interpreter and imports included); GB = 10⁹ bytes.
* **Default size**: every shipped scenario at 20,000 × 180 days, best of 3 in one process.
* **Compare all**: the command a strategist types, `sim compare` over every shipped scenario at
  20,000 × 180 days, timed from the outside (process start to exit, imports included); it
  runs the scenarios on one worker process per CPU.
* **Start**: `sim --help` and `sim list`, process start to exit, best of 5.
* **National** (`--national`): `liandong_2plus1` at 10,000,000 × 365, measured like the
  headline; the memory estimate that `sim.capacity` checks before allocating is shown beside
  each measured peak.
* **Speed ratio**: the engine and the per-agent Mesa reference (`bench/reference.py`, one
  `mesa.Agent` per person, `shuffle_do("step")`) on the same 100,000 × 365 market, each in its
  own process within one invocation. The ratio compares seconds per simulated day of the daily
  loop (engine: median of 3 runs; reference: 1 run); the ratio with model construction
  included is shown beside it. Adopted and participant counts show both did the same work.
"""


# -- measured cases (run in a child process) --------------------------------------------
def engine_case(*, scenario: str, size: int, days: int, repeat: int) -> dict:
    """What ``sim.run`` does, timed stage by stage, ``repeat`` times."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        s = sim.load_scenario(scenario).with_market(size=size, days=days)
        model = SchemeModel(s, seed=SEED)
        t1 = time.perf_counter()
        model.run_days(days)
        t2 = time.perf_counter()
        result = collect(model)
        t3 = time.perf_counter()
        model.release()
        runs.append({"build_s": t1 - t0, "days_s": t2 - t1, "wall_s": t3 - t0,
                     "adopted": int(result.daily["adopted"].iloc[-1]),
                     "participants": int(result.daily["new_participants"].sum())})
    return {"runs": runs}


def reference_case(*, size: int, days: int) -> dict:
    from reference import run_reference
    r = run_reference(HEADLINE, seed=SEED, market_size=size, days=days)
    return {"runs": [{**r, "wall_s": r["build_s"] + r["days_s"]}]}


def child_main(args: argparse.Namespace) -> None:
    if args.case == "engine":
        out = engine_case(scenario=args.scenario, size=args.size, days=args.days,
                          repeat=args.repeat)
    else:
        out = reference_case(size=args.size, days=args.days)
    # ru_maxrss is in KiB on Linux: this process's high-water mark, imports included.
    out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(out))


def measure(case: str, *, size: int, days: int, scenario: str = HEADLINE, repeat: int = 1) -> dict:
    cmd = [sys.executable, __file__, "--case", case, "--scenario", scenario, "--size", str(size),
           "--days", str(days), "--repeat", str(repeat)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"case {case} {scenario} {size}x{days} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


# -- the report -------------------------------------------------------------------------
COLUMNS = ("Benchmark", "Persons × days", "Wall (s)", "Per day (ms)", "Peak RSS (GB)",
           "Work: adopted / joined", "Target", "Met")


def verdict(ok: bool, *, quick: bool) -> str:
    return "n/a (quick)" if quick else ("yes" if ok else "**no**")


def work(run: dict) -> str:
    """Persons adopted and persons who joined the scheme: equal work is visible."""
    return f"{run['adopted']:,} / {run['participants']:,}"


def one_run(label: str, size: int, days: int, *, scenario: str = HEADLINE) -> tuple[list[str], dict]:
    """A headline-style case: one run in a fresh process, wall time and peak memory."""
    print(f"{label}: {scenario} {size:,} x {days} ...", file=sys.stderr)
    h = measure("engine", scenario=scenario, size=size, days=days)
    estimate = run_bytes(sim.load_scenario(scenario).with_market(size=size, days=days)) / GB
    run = h["runs"][0]
    return [f"{run['wall_s']:.1f}", f"{run['days_s'] / days * 1e3:.1f}",
            f"{h['peak_rss_bytes'] / GB:.2f} (est. {estimate:.2f})", work(run)], h


def run_all(*, quick: bool, national: bool) -> tuple[str, str]:
    """Measure every case; return the Markdown table and a line on the ratio runs' work."""
    sizes = QUICK if quick else SIZES
    rows = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]

    def row(name: str, n: int, d: int, *cells: str) -> None:
        rows.append(f"| {name} | {n:,} × {d} | " + " | ".join(cells) + " |")

    for case in ("headline", "national") if national else ("headline",):
        n, d = sizes[case]
        cells, h = one_run(case, n, d)
        run, gb = h["runs"][0], h["peak_rss_bytes"] / GB
        ok = run["wall_s"] <= TARGETS[f"{case}_s"] and gb <= TARGETS[f"{case}_gb"]
        row(f"engine `{HEADLINE}`, one run", n, d, *cells,
            f"≤ {TARGETS[f'{case}_s']:g} s, ≤ {TARGETS[f'{case}_gb']:g} GB", verdict(ok, quick=quick))

    n, d = sizes["default"]
    for path in sim.scenario_paths():
        print(f"default size: {path.stem} {n:,} x {d} ...", file=sys.stderr)
        r = measure("engine", scenario=str(path), size=n, days=d, repeat=3)
        best = min(r["runs"], key=lambda x: x["wall_s"])
        row(f"engine `{path.stem}`, best of 3", n, d, f"{best['wall_s']:.2f}",
            f"{best['days_s'] / d * 1e3:.2f}", f"{r['peak_rss_bytes'] / GB:.2f}", work(best),
            f"≤ {TARGETS['default_s']:g} s",
            verdict(best["wall_s"] <= TARGETS["default_s"], quick=quick))

    paths = list(map(str, sim.scenario_paths()))
    print(f"compare all: {len(paths)} scenarios {n:,} x {d} ...", file=sys.stderr)
    wall = timed_cli("compare", *paths, "--quiet", "--market-size", str(n), "--days", str(d))
    row(f"`sim compare` of all {len(paths)} scenarios, {os.cpu_count()} workers", n, d,
        f"{wall:.1f}", f"{wall / d * 1e3:.0f}", "", "", f"≤ {TARGETS['compare_all_s']:g} s",
        verdict(wall <= TARGETS["compare_all_s"], quick=quick))
    for args in (("--help",), ("list",)):
        best = min(timed_cli(*args) for _ in range(5))
        rows.append(f"| `sim {' '.join(args)}`, process start to exit, best of 5 |  | {best:.2f} "
                    f"|  |  |  | ≤ {TARGETS['start_s']:g} s | "
                    f"{verdict(best <= TARGETS['start_s'], quick=quick)} |")

    # Back to back in one invocation, so both see the same machine load.
    n, d = sizes["ratio"]
    print(f"ratio: engine and reference {n:,} x {d} ...", file=sys.stderr)
    e = measure("engine", size=n, days=d, repeat=3)
    f = measure("reference", size=n, days=d)
    eng = {k: statistics.median(r[k] for r in e["runs"]) for k in ("build_s", "days_s")}
    ref = f["runs"][0]
    ratio = ref["days_s"] / eng["days_s"]
    ratio_built = (ref["build_s"] + ref["days_s"]) / (eng["build_s"] + eng["days_s"])
    row(f"engine `{HEADLINE}`, median of 3", n, d, f"{eng['build_s'] + eng['days_s']:.2f}",
        f"{eng['days_s'] / d * 1e3:.2f}", f"{e['peak_rss_bytes'] / GB:.2f}", work(e["runs"][0]),
        "", "")
    row("per-agent Mesa reference, one run", n, d, f"{ref['wall_s']:.1f}",
        f"{ref['days_s'] / d * 1e3:.1f}", f"{f['peak_rss_bytes'] / GB:.2f}", work(ref), "", "")
    row("**speed ratio** (per day; with build)", n, d, "",
        f"**{ratio:.0f}×** ({ratio_built:.0f}×)", "", "", f"≥ {TARGETS['ratio']:g}×",
        verdict(ratio >= TARGETS["ratio"], quick=quick))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    note = (f"Wall (s) of the ratio rows excludes result collection. Load average (1, 5, 15 min) "
            f"at the end: {load}.")
    return "\n".join(rows), note


def floor_table(*, quick: bool) -> tuple[str, str]:
    """Every scenario's daily loop at two sizes, split into a cost per day that does not grow
    with the market (numpy and Python calls: the floor no array work can lower) and a cost per
    person per day, t(n) = fixed + n × per_person, from the two best-of-3 loops."""
    small, (n, d) = (500 if quick else 2_000), (QUICK if quick else SIZES)["default"]
    rows = ["| Scenario | loop at " + f"{small:,} (s) | loop at {n:,} (s) | fixed per day (ms) | "
            f"fixed × {d} days (s) | per person per day (ns) |", "|---|---|---|---|---|---|"]
    over = 0
    for path in sim.scenario_paths():
        print(f"floor: {path.stem} {small:,} and {n:,} x {d} ...", file=sys.stderr)
        a, b = (min(r["days_s"] for r in measure("engine", scenario=str(path), size=size, days=d,
                                                  repeat=3)["runs"]) for size in (small, n))
        per_person = max(b - a, 0) / (n - small)
        fixed = a - per_person * small
        over += fixed >= TARGETS["default_s"]
        rows.append(f"| `{path.stem}` | {a:.3f} | {b:.3f} | {fixed / d * 1e3:.2f} | {fixed:.3f} | "
                    f"{per_person / d * 1e9:.1f} |")
    note = (f"Fixed × {d} days is what a {d}-day run costs however few persons it holds. It reaches "
            f"the {TARGETS['default_s']:g} s target for {over} of {len(rows) - 2} scenarios, before "
            f"any work on the persons, the build or the result. Load average (1, 5, 15 min) at the "
            f"end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    return "\n".join(rows), note


def timed_cli(*args: str) -> float:
    """Seconds from starting ``sim ARGS`` to its exit."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=ROOT)
    wall = time.perf_counter() - t0
    if done.returncode:
        sys.exit(f"sim {' '.join(args)} failed:\n{done.stderr}")
    return wall


def machine() -> str:
    meminfo = Path("/proc/meminfo")
    kib = next((int(line.split()[1]) for line in meminfo.read_text().splitlines()
                if line.startswith("MemTotal:")), 0) if meminfo.exists() else 0
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                    if line.startswith("model name")), cpu)
    return (f"{platform.platform()}, {cpu}, {os.cpu_count()} logical CPUs, "
            f"{kib / 2**20:.1f} GiB RAM · Python {platform.python_version()}, "
            f"numpy {np.__version__}, mesa {mesa.__version__}")


def commit() -> str:
    """Short commit of HEAD, flagged when tracked files differ from it."""
    try:
        git = lambda *a: subprocess.run(["git", *a], capture_output=True, text=True,  # noqa: E731
                                        cwd=ROOT, timeout=10)
        head = git("rev-parse", "--short", "HEAD")
        if head.returncode:
            return "unknown"
        # RESULTS.md itself changes between the sections one session appends.
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                    ":!bench/RESULTS.md").stdout.strip()
        return head.stdout.strip() + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="append the results to bench/RESULTS.md")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes: a smoke test, targets not judged")
    ap.add_argument("--national", action="store_true",
                    help="also run 10,000,000 persons x 365 days (about 8 GB of memory)")
    ap.add_argument("--floor", action="store_true",
                    help="only every scenario's fixed cost per day (2,000 and 20,000 persons)")
    ap.add_argument("--case", choices=("engine", "reference"), help=argparse.SUPPRESS)
    ap.add_argument("--scenario", default=HEADLINE, help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--days", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        return child_main(args)
    if args.write and args.quick:
        ap.error("--write records full-size figures only; drop --quick")

    started = datetime.now(timezone.utc)
    table, note = (floor_table if args.floor else run_all)(quick=args.quick, **(
        {} if args.floor else {"national": args.national}))
    kind = " · fixed cost per day" if args.floor else ""
    section = (f"## {started:%Y-%m-%d %H:%M} UTC{kind} · commit {commit()}\n\n"
               f"Machine: {machine()}\n\n{table}\n\n{note}\n")
    print(section)
    if args.write:
        text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else RESULTS_HEADER
        RESULTS.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        print(f"appended to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
