"""Stored sweeps for the Sweeps page: read from the results store, cached on what they depend on.

DuckDB lets one process write a store or several read it, not both: while ``sim sweep`` writes,
nobody can read. So the dashboard never holds the store open: each read opens it read-only,
reads and closes, and what it read is cached on (path, sweep id, the file's modification
stamp), so a store that a sweep has since changed is read again.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

import sim
from sim.store import StoreError, default_store_path

WAIT_S = 1.0  # how long to wait for another process's brief hold before saying it is in use


@dataclass(frozen=True)
class Problem:
    """Why a store could not be read: an i18n key for the message and sim's own words."""
    key: str
    detail: str


def default_path() -> str:
    """sim's default: ``$SCHEME_LAB_STORE``, else results/schemelab.duckdb (read when called)."""
    return str(default_store_path())


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
    })
    out["points"] = [_points(g) for g in out["grid"]]
    return out


def listing(path: str) -> pd.DataFrame | Problem:
    """Every stored sweep, newest first (columns sweep_id, kind, scenarios, grid (a dict),
    replicates, stored, planned, status, created, points), or why the store cannot be read."""
    p = Path(path).expanduser()
    try:
        if not p.is_file():
            raise StoreError(f"no results store at {p}")
        return _listing(str(p), stamp(p))
    except (StoreError, OSError) as err:
        return problem(p, err)


@st.cache_resource(max_entries=8, show_spinner=False)
def _batch(path: str, sweep_id: str, stamp: tuple) -> sim.Batch:
    with _open(path) as store:
        batch = store.batch(sweep_id)
    daily = batch.daily
    # Participants are distributors plus leaders, as on the Compare page.
    if "participants" not in daily.columns and {"distributors", "leaders"} <= set(daily.columns):
        daily = daily.assign(participants=daily["distributors"] + daily["leaders"])
    return sim.Batch(batch.runs, daily, batch.params, batch.sweep_id)


def batch(path: str, sweep_id: str) -> sim.Batch | Problem:
    """A stored sweep as sim's Batch (shared read-only; participants added to the daily
    columns), or why it cannot be read."""
    p = Path(path).expanduser()
    try:
        return _batch(str(p), sweep_id, stamp(p))
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
