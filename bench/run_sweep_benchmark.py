"""Sweep benchmark: 64 replicates of liandong_2plus1 at 100,000 persons × 365 days with
``sim.run_many`` on 1 and on 2 local workers, each into a fresh results store.

    python bench/run_sweep_benchmark.py            # measure and print a Markdown section
    python bench/run_sweep_benchmark.py --write    # ... and append it to bench/RESULTS.md
    python bench/run_sweep_benchmark.py --quick    # 8 replicates at 20,000 × 60: a smoke test

Targets: 2 workers at least 1.7× faster than 1; the store's per-run overhead (the time the
writing process spends storing a run, over that run's compute time) under 5%. The two sweeps
use the same seeds and must give identical runs tables, which is checked.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]  # runnable as a plain script from anywhere

import pandas as pd  # noqa: E402

import sim  # noqa: E402
from run_benchmarks import RESULTS, commit, machine  # noqa: E402
from sim.store import Store  # noqa: E402

SCENARIO = "liandong_2plus1"
FULL = {"replicates": 64, "size": 100_000, "days": 365}
QUICK = {"replicates": 8, "size": 20_000, "days": 60}
TARGETS = {"speedup": 1.7, "store_overhead": 0.05}


class TimedStore(Store):
    """The store, with the time spent in each run's write recorded."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.write_s: dict[str, float] = {}

    def add_run(self, record, parameters) -> None:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        super().add_run(record, parameters)
        self.write_s[record.run_id] = time.perf_counter() - t0


def sweep(workers: int, sizes: dict, folder: Path) -> dict:
    with TimedStore(folder / f"bench_{workers}.duckdb") as store:
        t0 = time.perf_counter()
        batch = sim.run_many(SCENARIO, seeds=sizes["replicates"], days=sizes["days"],
                             market_size=sizes["size"], workers=workers, store=store)
        wall = time.perf_counter() - t0
        run_s = store.runs(batch.sweep_id).set_index("run_id")["wall_s"]
        write_s = pd.Series(store.write_s)[run_s.index]
    return {"wall_s": wall, "run_s": run_s, "write_s": write_s, "runs": batch.runs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="append the results to bench/RESULTS.md")
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test, targets not judged")
    args = ap.parse_args()
    if args.write and args.quick:
        ap.error("--write records full-size figures only; drop --quick")
    sizes = QUICK if args.quick else FULL
    started = datetime.now(timezone.utc)
    load_before = os.getloadavg()
    results = {}
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        for workers in (1, 2):
            print(f"{sizes['replicates']} × {SCENARIO} {sizes['size']:,} × {sizes['days']} "
                  f"on {workers} worker(s) ...", file=sys.stderr)
            results[workers] = sweep(workers, sizes, Path(tmp))
    load_after = os.getloadavg()
    one, two = results[1], results[2]
    pd.testing.assert_frame_equal(one["runs"].drop(columns="run_id"), two["runs"].drop(columns="run_id"))
    speedup = one["wall_s"] / two["wall_s"]
    per_run = one["write_s"] / one["run_s"]
    overhead = one["write_s"].sum() / one["run_s"].sum()

    def met(ok: bool) -> str:
        return "n/a (quick)" if args.quick else ("yes" if ok else "**no**")

    n, d, reps = sizes["size"], sizes["days"], sizes["replicates"]
    rows = [
        "| Benchmark | Runs × persons × days | Wall (s) | Per run (s) | Target | Met |",
        "|---|---|---|---|---|---|",
        f"| sweep, 1 worker (in process) | {reps} × {n:,} × {d} | {one['wall_s']:.1f} | "
        f"{one['wall_s'] / reps:.2f} |  |  |",
        f"| sweep, 2 local worker processes | {reps} × {n:,} × {d} | {two['wall_s']:.1f} | "
        f"{two['wall_s'] / reps:.2f} |  |  |",
        f"| **speed-up** with 2 workers |  | **{speedup:.2f}×** |  | ≥ {TARGETS['speedup']}× | "
        f"{met(speedup >= TARGETS['speedup'])} |",
        f"| **store overhead** per run (1 worker) |  | {one['write_s'].mean() * 1e3:.0f} ms "
        f"per write | **{overhead:.1%}** of compute (worst run {max(per_run):.1%}) | "
        f"< {TARGETS['store_overhead']:.0%} | {met(overhead < TARGETS['store_overhead'])} |",
    ]
    conditions = (f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
                  f"after: {', '.join(f'{x:.2f}' for x in load_after)}. Both sweeps gave identical "
                  f"runs tables (same seeds 0..{reps - 1}).")
    section = (f"## {started:%Y-%m-%d %H:%M} UTC · sweep benchmark · commit {commit()}\n\n"
               f"Machine: {machine()}\n\n" + "\n".join(rows) + f"\n\n{conditions}\n")
    print(section)
    if args.write:
        text = RESULTS.read_text(encoding="utf-8")
        RESULTS.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        print(f"appended to {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
