"""Stored sweeps for the Sweeps page: read from the results store, cached on what they depend on.

Visitors pick among the stores in the server's results folder (the folder of sim's default
store), by name: no path a visitor types is ever opened, so the page can neither read a file
elsewhere nor tell whether one exists.

DuckDB lets one process write a store or several read it, not both: while ``sim sweep`` writes,
nobody can read. So the dashboard never holds the store open: each read opens it read-only,
reads and closes, and what it read is cached on (path, sweep id, the file's modification
stamp), so a store that a sweep has since changed is read again.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

import sim
from dashboard import state
from sim.capacity import RUN_DAY_BYTES
from sim.store import StoreError, default_store_path

WAIT_S = 1.0  # how long to wait for another process's brief hold before saying it is in use


@dataclass(frozen=True)
class Problem:
    """Why a store could not be read: an i18n key for the message and sim's own words."""
    key: str
    detail: str


def folder() -> Path:
    """The results folder: that of sim's default store (``$SCHEME_LAB_STORE``, else
    results/schemelab.duckdb), as configured (read when called)."""
    return default_store_path().parent


def stores() -> list[str]:
    """The names of the results stores in :func:`folder`: regular ``.duckdb`` files directly in
    it; a link is not followed, since it could lead anywhere on the server."""
    try:
        with os.scandir(folder()) as found:
            return sorted(e.name for e in found
                          if e.name.endswith(".duckdb") and e.is_file(follow_symlinks=False))
    except OSError:  # no such folder yet
        return []


def default_name() -> str:
    """The store sim writes by default, picked first when it is there."""
    return default_store_path().name


def store_path(name: str) -> Path | None:
    """The store called ``name`` in the results folder; None for any other name (a path, a
    link, a file that is not there), whether or not something by that name exists elsewhere."""
    return folder() / name if name in stores() else None


def stamp(path: Path) -> tuple:
    """What changes when the store does: the file's and its write-ahead log's mtime and size."""
    out = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            s = p.stat()
            out.append((s.st_mtime_ns, s.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def problem(path: Path, err: Exception) -> Problem:
    text = str(err)
    if not path.is_file():
        return Problem("swp.missing", text)
    if "in use" in text:
        return Problem("swp.locked", text)
    if "schema" in text or "not a results store" in text:
        return Problem("swp.old_schema", text)
    return Problem("swp.unreadable", text)


def _open(path: str) -> sim.Store:
    return sim.Store(path, read_only=True, wait=WAIT_S)


OUTSIDE = Problem("swp.outside", "")


def _points(grid: dict) -> int:
    return math.prod(len(v) for v in grid.values()) if grid else 1


@st.cache_resource(max_entries=8, show_spinner=False)
def _listing(path: str, stamp: tuple) -> pd.DataFrame:
    with _open(path) as store:
        rows = store.sweeps()
        seeds = {s: len(store.sweep(s)["seeds"]) for s in rows["sweep_id"]}
    out = pd.DataFrame({
        "sweep_id": rows["sweep_id"],
        "kind": rows["kind"],
        "scenarios": [", ".join(json.loads(s)) for s in rows["scenarios"]],
        "grid": [json.loads(g) for g in rows["grid"]],
        "replicates": [seeds[s] for s in rows["sweep_id"]],
        "stored": rows["stored"].astype(int),
        "planned": rows["planned"].astype(int),
        "status": rows["status"],
        "created": rows["created"],
        "run_days": rows["run_days"].astype(int),
    })
    out["points"] = [_points(g) for g in out["grid"]]
    return out


def listing(name: str) -> pd.DataFrame | Problem:
    """Every sweep in the store ``name``, newest first (columns sweep_id, kind, scenarios, grid
    (a dict), replicates, stored, planned, status, created, run_days (the daily rows its runs
    hold), points), or why it cannot be read."""
    p = store_path(name)
    if p is None:
        return OUTSIDE
    try:
        return _listing(str(p), stamp(p))
    except (StoreError, OSError) as err:
        return problem(p, err)


def memory(run_days: int) -> int:
    """About what a sweep whose runs hold ``run_days`` daily rows takes once read."""
    return run_days * RUN_DAY_BYTES


def _batch(path: str, sweep_id: str) -> sim.Batch:
    with _open(path) as store:
        batch = sim.Batch.from_store(store, sweep_id)
    daily = batch.daily
    # Participants are distributors plus leaders, as on the Compare page.
    if "participants" not in daily.columns and {"distributors", "leaders"} <= set(daily.columns):
        daily = daily.assign(participants=daily["distributors"] + daily["leaders"])
    return sim.Batch(batch.runs, daily, batch.params, batch.sweep_id)


def batch(name: str, sweep_id: str) -> sim.Batch | Problem:
    """A stored sweep as sim's Batch (shared read-only, in the dashboard's cache of results;
    participants added to the daily columns), or why it cannot be read."""
    p = store_path(name)
    if p is None:
        return OUTSIDE
    try:
        return state.shared(("sweep", str(p), sweep_id, stamp(p)), lambda: _batch(str(p), sweep_id))
    except (StoreError, OSError) as err:
        return problem(p, err)


def point_label(params: list[str], values: dict, scenario: str | None) -> str:
    """A grid point's name in tables and legends: ``key=value, key=value`` (and the scenario
    when the sweep has several)."""
    parts = [f"{k}={value_text(values[k])}" for k in params]
    if scenario is not None:
        parts.insert(0, scenario)
    return ", ".join(parts) if parts else str(scenario or "")


def value_text(v: object) -> str:
    """A grid value as text: floats as %g, lists in brackets."""
    if isinstance(v, tuple):
        return "[" + ", ".join(value_text(x) for x in v) + "]"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def column_text(col: pd.Series) -> pd.Series:
    """A grid parameter's column for display: numbers as they are, anything else as text."""
    return col if pd.api.types.is_numeric_dtype(col) else col.map(value_text)
