"""Engine benchmarks: the 1M × 365 headline, every scenario at default size, and the speed
ratio against the per-agent Mesa reference (bench/reference.py).

    python bench/run_benchmarks.py            # measure and print a Markdown table
    python bench/run_benchmarks.py --write    # ... and append it to bench/RESULTS.md
    python bench/run_benchmarks.py --quick    # small sizes, a smoke test while developing

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
from sim.model import SchemeModel  # noqa: E402
from sim.runner import collect  # noqa: E402

HEADLINE = "liandong_2plus1"
SEED = 1
GB = 1e9  # the memory target read strictly: 10^9 bytes, not GiB
# (persons, days) per case; --quick shrinks them all for a smoke test.
SIZES = {"headline": (1_000_000, 365), "default": (20_000, 180), "ratio": (100_000, 365)}
QUICK = {"headline": (100_000, 60), "default": (5_000, 30), "ratio": (10_000, 30)}
TARGETS = {"headline_s": 30.0, "headline_gb": 3.0, "default_s": 1.0, "ratio": 50.0,
           "compare_all_s": 60.0}
RESULTS = BENCH / "RESULTS.md"
RESULTS_HEADER = """# Benchmark results

Appended by `python bench/run_benchmarks.py --write` (see bench/README.md). Method:

* **Headline**: `liandong_2plus1` at 1,000,000 persons × 365 days, seed 1, one run of what
  `sim.run` does (load, build, 365 daily steps, collect the result), in a fresh process. Peak
  memory is that process's `ru_maxrss` (interpreter and imports included); GB = 10⁹ bytes.
* **Default size**: every shipped scenario at 20,000 × 180 days, best of 3 in one process.
* **Compare all**: the command a strategist types, `sim compare` over every shipped scenario at
  20,000 × 180 days, timed from the outside (process start to exit, imports included).
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
COLUMNS = ("Benchmark", "Persons × days", "Wall (s)", "Per day (ms)", "Peak RSS (GB)", "Target",
           "Met")


def verdict(ok: bool, *, quick: bool) -> str:
    return "n/a (quick)" if quick else ("yes" if ok else "**no**")


def run_all(*, quick: bool) -> tuple[str, str]:
    """Measure every case; return the Markdown table and a line on the ratio runs' work."""
    sizes = QUICK if quick else SIZES
    rows = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]

    def row(name: str, n: int, d: int, *cells: str) -> None:
        rows.append(f"| {name} | {n:,} × {d} | " + " | ".join(cells) + " |")

    n, d = sizes["headline"]
    print(f"headline: {HEADLINE} {n:,} x {d} ...", file=sys.stderr)
    h = measure("engine", size=n, days=d)
    run, gb = h["runs"][0], h["peak_rss_bytes"] / GB
    ok = run["wall_s"] <= TARGETS["headline_s"] and gb <= TARGETS["headline_gb"]
    row(f"engine `{HEADLINE}`, one run", n, d, f"{run['wall_s']:.1f}",
        f"{run['days_s'] / d * 1e3:.1f}", f"{gb:.2f}",
        f"≤ {TARGETS['headline_s']:g} s, ≤ {TARGETS['headline_gb']:g} GB",
        verdict(ok, quick=quick))

    n, d = sizes["default"]
    for path in sim.scenario_paths():
        print(f"default size: {path.stem} {n:,} x {d} ...", file=sys.stderr)
        r = measure("engine", scenario=str(path), size=n, days=d, repeat=3)
        best = min(r["runs"], key=lambda x: x["wall_s"])
        row(f"engine `{path.stem}`, best of 3", n, d, f"{best['wall_s']:.2f}",
            f"{best['days_s'] / d * 1e3:.2f}", f"{r['peak_rss_bytes'] / GB:.2f}",
            f"≤ {TARGETS['default_s']:g} s",
            verdict(best["wall_s"] <= TARGETS["default_s"], quick=quick))

    print(f"compare all: {len(sim.scenario_paths())} scenarios {n:,} x {d} ...", file=sys.stderr)
    cmd = [sys.executable, "-m", "sim", "compare", *map(str, sim.scenario_paths()), "--quiet",
           "--market-size", str(n), "--days", str(d)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if done.returncode:
        sys.exit(f"sim compare failed:\n{done.stderr}")
    row(f"`sim compare` of all {len(sim.scenario_paths())} scenarios", n, d, f"{wall:.1f}",
        f"{wall / d * 1e3:.0f}", "", f"≤ {TARGETS['compare_all_s']:g} s",
        verdict(wall <= TARGETS["compare_all_s"], quick=quick))

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
        f"{eng['days_s'] / d * 1e3:.2f}", f"{e['peak_rss_bytes'] / GB:.2f}", "", "")
    row("per-agent Mesa reference, one run", n, d, f"{ref['wall_s']:.1f}",
        f"{ref['days_s'] / d * 1e3:.1f}", f"{f['peak_rss_bytes'] / GB:.2f}", "", "")
    row("**speed ratio** (per day; with build)", n, d, "",
        f"**{ratio:.0f}×** ({ratio_built:.0f}×)", "", f"≥ {TARGETS['ratio']:g}×",
        verdict(ratio >= TARGETS["ratio"], quick=quick))
    er = e["runs"][0]
    work = (f"Work done at {n:,} × {d}: the engine adopted {er['adopted']:,} persons, "
            f"{er['participants']:,} of whom joined the scheme; the reference {ref['adopted']:,} "
            f"and {ref['participants']:,}. Wall (s) excludes result collection for these two rows.")
    return "\n".join(rows), work


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
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
        return head.stdout.strip() + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="append the results to bench/RESULTS.md")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes: a smoke test, targets not judged")
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
    table, work = run_all(quick=args.quick)
    section = (f"## {started:%Y-%m-%d %H:%M} UTC · commit {commit()}\n\n"
               f"Machine: {machine()}\n\n{table}\n\n{work}\n")
    print(section)
    if args.write:
        text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else RESULTS_HEADER
        RESULTS.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        print(f"appended to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
