"""Runs on local worker processes: a sweep's runs (:mod:`sim.batch`) and ``sim compare``.

A light module: the process that hands out runs need not import what the runs import.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Callable, Sequence

from sim.capacity import PROCESS_BYTES, available_bytes, check_memory, run_bytes

if TYPE_CHECKING:
    from sim.scenario import Scenario


def run_each(scenarios: Sequence[Scenario], *, seed: int, workers: int = 1,
             progress: Callable[[int, int], None] | None = None,
             memory_limit: int | None = None) -> list[dict[str, Any]]:
    """``sim.run``'s metrics and the risk index for each scenario at ``seed``, in the order
    given (``sim compare``).

    With ``workers`` > 1 the runs go to that many local processes; each run is a function of
    its parameters and seed, so the metrics are the ones this process would compute.
    ``progress(done, total)`` is called as each run finishes. ``memory_limit``: bytes all the
    runs at once may use (default: what is available).
    """
    for s in scenarios:  # refused here, before any run starts, rather than in a worker
        check_memory(s, limit=memory_limit)
    work = [(s.to_dict(), seed) for s in scenarios]
    free = available_bytes() if memory_limit is None else memory_limit
    if free is not None and scenarios:  # no more runs at once than memory holds
        largest = max(run_bytes(s) for s in scenarios)
        workers = max(1, min(workers, free // (largest + PROCESS_BYTES)))
    done = (on_processes(work, workers, job=run_metrics, preload="sim.runner")
            if workers > 1 and len(work) > 1 else ((i, run_metrics(*w)) for i, w in enumerate(work)))
    metrics: list[dict[str, Any]] = [{} for _ in work]
    for n, (i, out) in enumerate(done, 1):
        metrics[i] = out
        if progress:
            progress(n, len(work))
    return metrics


def run_metrics(parameters: dict[str, Any], seed: int) -> dict[str, Any]:
    """One run's metrics and its risk index (no journal: neither reads it). The index needs
    the people table, so it is computed here, where the run is."""
    from sim.measures import value
    from sim.runner import run
    result = run(parameters, seed=seed, journal=False)
    return {**result.metrics, "risk_index": value(result, "risk_index")}


def _start_worker() -> None:
    # Ctrl-C reaches the whole process group; only the parent should act on it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker waits for work on a queue it holds open itself, and keeps the forkserver alive,
    # so both would wait forever once the parent is gone (killed, say). The parent's end of a
    # pipe it gave this worker closes when it dies, wherever it dies: the sign to leave too.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_leave_with, args=(parent,), name="leave-with-parent",
                         daemon=True).start()


def _leave_with(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns once the process that started this worker is gone
    os._exit(1)


def on_processes(tasks: list[tuple[dict, int]], workers: int, *, job: Callable[[dict, int], dict],
                 preload: str) -> Iterator[tuple[int, dict]]:
    """``job(*task)`` for each task on local worker processes, yielding (index, result) as
    they finish. forkserver, not fork: a parent may hold DuckDB's threads and file lock, which
    a forked child must not inherit; the server forks clean children with the ``preload``
    module imported, so each worker starts in milliseconds instead of re-importing (spawn)."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload([preload])
    pool = ProcessPoolExecutor(min(workers, len(tasks)) or 1, mp_context=ctx,
                               initializer=_start_worker)
    pending = {}
    queue = iter(enumerate(tasks))
    try:
        # Keep at most two tasks per worker queued, so an interrupt leaves little in flight.
        for i, args in itertools.islice(queue, 2 * workers):
            pending[pool.submit(job, *args)] = i
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                i = pending.pop(future)
                for j, args in itertools.islice(queue, 1):
                    pending[pool.submit(job, *args)] = j
                yield i, future.result()
    finally:
        if pending:  # interrupted or failed: stop the runs in flight, do not wait for them
            stop = getattr(pool, "terminate_workers", None)  # Python 3.14+
            if stop:
                stop()
            else:  # older: the executor's own process table, the only handle on its workers
                for proc in list((getattr(pool, "_processes", None) or {}).values()):
                    proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
