"""The results store: an embedded DuckDB database holding every run of every sweep.

    store = sim.open_store()                      # results/schemelab.duckdb, or $SCHEME_LAB_STORE
    store.sweeps()                                # one row per sweep, newest first
    batch = sim.Batch.from_store(store, "sw-3f9a2c1d")  # a stored sweep as a Batch
    batch.bands("participants")                   # Monte Carlo bands for the dashboard
    sim.batch.replay(store, "sw-3f9a2c1d-0007")    # rerun one stored run, compare its metrics
    store.export("out/sweep", sweep_id="sw-3f9a2c1d")   # Parquet files

Tables: ``sweeps`` (one per run_many / sim sweep / sim sensitivity), ``scenarios`` (each
distinct parameter set once, keyed by its content hash, as ``Scenario.to_dict()`` JSON),
``plan`` (every run a sweep will make: position, scenario hash, grid values, seed; written
before the first run, so an interrupted sweep can be resumed), ``runs`` (sweep, scenario,
hash, grid values, seed, code version, timestamps), ``metrics`` (run, name, value),
``daily`` (run, day, column, value) and ``analyses`` (say, sensitivity indices of a sweep).
Long tables, because scenarios differ in which daily columns and metrics they have.

Only one process writes: the one that calls :func:`sim.run_many`; workers send their results
back to it. Each run is written in one transaction, so a killed sweep leaves every stored run
complete (its row, metrics and daily series) and the database readable. DuckDB lets one
process open a file for writing, or several for reading, not both at once: a store being
written by a running sweep cannot be read until the sweep ends, and a reader (a dashboard)
should open, read and close rather than hold the store open. Opening waits a few seconds for
another process's brief hold to end.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import duckdb
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.batch import Task

ENV_VAR = "SCHEME_LAB_STORE"
DEFAULT_PATH = Path("results") / "schemelab.duckdb"
SCHEMA_VERSION = 3
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS sweeps (
    sweep_id VARCHAR PRIMARY KEY, kind VARCHAR, command VARCHAR, scenarios VARCHAR,
    grid VARCHAR, seeds VARCHAR, planned INTEGER, status VARCHAR, code_version VARCHAR,
    created TIMESTAMP, finished TIMESTAMP);
CREATE TABLE IF NOT EXISTS scenarios (scenario_hash VARCHAR PRIMARY KEY, scenario VARCHAR,
    parameters VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, sweep_id VARCHAR, position INTEGER, scenario VARCHAR,
    scenario_hash VARCHAR, params VARCHAR, seed BIGINT, days INTEGER, market_size BIGINT,
    code_version VARCHAR, started TIMESTAMP, finished TIMESTAMP, wall_s DOUBLE,
    daily_columns VARCHAR);
CREATE TABLE IF NOT EXISTS metrics (run_id VARCHAR, position SMALLINT, name VARCHAR,
    value DOUBLE, kind VARCHAR);
CREATE TABLE IF NOT EXISTS daily (run_id VARCHAR, day INTEGER, name VARCHAR, value DOUBLE);
CREATE TABLE IF NOT EXISTS plan (sweep_id VARCHAR, position INTEGER, scenario_hash VARCHAR,
    params VARCHAR, seed BIGINT);
CREATE TABLE IF NOT EXISTS analyses (sweep_id VARCHAR, kind VARCHAR, metric VARCHAR,
    created TIMESTAMP, result VARCHAR);
"""


# Sweeps this process is writing, by store: any other sweep still marked "running" in a store
# that can be opened has lost its process (a writer holds the file locked while it runs), and
# is shown, and on the next write recorded, as done if every planned run is stored, else as
# interrupted (`sim runs resume` finishes it).
_WRITING: set[tuple[str, str]] = set()
_STORED = "(SELECT count(*) FROM runs r WHERE r.sweep_id = {table}.sweep_id)"
_STALE = "status = 'running' AND NOT list_contains(?::VARCHAR[], sweep_id)"
_SETTLED = "CASE WHEN {stored} >= planned THEN 'done' ELSE 'interrupted' END"
_STATUS = f"CASE WHEN {_STALE} THEN {_SETTLED.format(stored='stored')} ELSE status END"


class StoreError(Exception):
    """A store that cannot be opened, read or written, or an id that is not in it; one line
    for the user."""


def default_store_path() -> Path:
    """``$SCHEME_LAB_STORE`` if set, else ``results/schemelab.duckdb`` under the current folder."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def open_store(path: str | Path | None = None, *, read_only: bool = False) -> Store:
    """Open (and for writing, create) the store at ``path`` (default: :func:`default_store_path`)."""
    return Store(path if path is not None else default_store_path(), read_only=read_only)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def param_value(value: Any) -> Any:
    """A grid value as a table cell: lists become tuples so runs can be grouped by them."""
    return tuple(param_value(v) for v in value) if isinstance(value, (list, tuple)) else value


@dataclass
class RunRecord:
    """One finished run as workers send it back and the store keeps it."""
    run_id: str
    sweep_id: str
    position: int
    scenario: str
    scenario_hash: str
    params: dict[str, Any]
    seed: int
    metrics: dict[str, Any]
    daily: pd.DataFrame   # "day" (int64) then the daily columns as float64
    code_version: str
    started: datetime
    finished: datetime
    wall_s: float


def _one_line(method: Any) -> Any:
    """A store method whose DuckDB errors (a damaged file, a full disk) become a StoreError."""
    @functools.wraps(method)
    def guarded(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except duckdb.Error as err:
            raise StoreError(f"results store {self.path} cannot be {'read' if self.read_only else 'used'}: "
                             f"{str(err).splitlines()[0]}") from None
    return guarded


class Store:
    """One DuckDB file. Use as a context manager, or call :meth:`close`.

    ``create``: make the file (and its folders) if it does not exist; only for writing.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, wait: float = 5.0,
                 create: bool = True) -> None:
        self.path = Path(path)
        self.read_only = read_only
        try:
            exists = self.path.is_file()
        except OSError:  # a name too long, say
            exists = False
        if (read_only or not create) and not exists:
            raise StoreError(f"no results store at {self.path}; run `sim sweep` first, or name "
                             f"one with --store or ${ENV_VAR}")
        if "\\" in str(self.path):  # DuckDB reads a backslash as a folder separator
            raise StoreError(f"{self.path}: DuckDB cannot open a path with a backslash in it; "
                             "name the store without one")
        if not read_only:
            self._check_writable()
        self.con = self._connect(wait)
        try:
            self._open()
        except BaseException:
            self.con.close()
            raise

    def _check_writable(self) -> None:
        """DuckDB writes a .wal file beside the store: the folder must take new files."""
        folder = self.path.absolute().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as err:
            raise StoreError(f"cannot write results store {self.path}: its folder {folder} does not "
                             f"take new files ({err.strerror or err}), and DuckDB keeps a .wal file "
                             "beside the store") from None

    @_one_line
    def _open(self) -> None:
        if not self.read_only and not self._has_table("meta"):
            self.con.execute(SCHEMA)
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        found = (self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                 if self._has_table("meta") else None)
        if found is None or found[0] != str(SCHEMA_VERSION):
            raise StoreError(f"{self.path} is a DuckDB file but not a results store" if found is None
                             else f"{self.path} was written with store schema {found[0]}; this "
                                  f"Scheme Lab reads schema {SCHEMA_VERSION}: use a new --store")
        if not self.read_only:
            self._verify()
            settled = _SETTLED.format(stored=_STORED.format(table="sweeps"))
            self.con.execute(f"UPDATE sweeps SET status = {settled} WHERE {_STALE}", [self._writing()])

    def _verify(self) -> None:
        """Read every stored value once, so that a damaged file is refused before a sweep adds
        to it (DuckDB checks each block's checksum as it reads it)."""
        for table in ("sweeps", "scenarios", "runs", "metrics", "daily", "plan", "analyses"):
            self.con.execute(f"SELECT count(hash({table})) FROM {table}").fetchone()

    def _writing(self) -> list[str]:
        key = str(self.path.resolve())
        return [sweep for where, sweep in _WRITING if where == key]

    def _connect(self, wait: float) -> duckdb.DuckDBPyConnection:
        """Connect, waiting up to ``wait`` seconds for another process's brief hold to end."""
        deadline = time.monotonic() + wait
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=self.read_only)
            except duckdb.IOException as err:
                if "lock" not in str(err).lower():
                    raise StoreError(f"cannot open results store {self.path}: "
                                     f"{str(err).splitlines()[0]}") from None
                if time.monotonic() >= deadline:
                    raise StoreError(f"results store {self.path} is in use by another process (a "
                                     "sweep still running, or a reader holding it open); try again "
                                     "when it ends") from None
                time.sleep(0.2)
            except duckdb.Error as err:
                raise StoreError(f"{self.path} is not a results store: "
                                 f"{str(err).splitlines()[0]}") from None
            except OSError as err:
                raise StoreError(f"cannot open results store {self.path}: {err.strerror or err}") from None

    def _has_table(self, name: str) -> bool:
        return bool(self.con.execute("SELECT count(*) FROM information_schema.tables "
                                     "WHERE table_name = ?", [name]).fetchone()[0])

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing (the parent process only) -------------------------------------------------
    @_one_line
    def begin_sweep(self, *, kind: str, scenarios: Sequence[str], grid: dict[str, list],
                    seeds: Sequence[int], tasks: Sequence[Task], command: str | None,
                    code_version: str) -> str:
        """Record a sweep and its whole plan (every run's parameters and seed), so that an
        interrupted sweep can be finished later (:func:`sim.batch.resume`)."""
        sweep_id = "sw-" + secrets.token_hex(4)
        plan = pd.DataFrame({"sweep_id": sweep_id, "position": [t.position for t in tasks],
                             "scenario_hash": [t.point.scenario.content_hash() for t in tasks],
                             "params": [_json(t.point.params) for t in tasks],
                             "seed": [t.seed for t in tasks]})
        distinct = {t.point.scenario.content_hash(): t.point.scenario for t in tasks}
        con = self.con
        con.begin()
        try:
            con.execute("INSERT INTO sweeps VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, NULL)",
                        [sweep_id, kind, command, _json(list(scenarios)), _json(grid),
                         _json(list(seeds)), len(tasks), code_version, _now()])
            for key, s in distinct.items():
                con.execute("INSERT OR IGNORE INTO scenarios VALUES (?, ?, ?)",
                            [key, s.id, _json(s.to_dict())])
            con.register("_plan", plan)
            con.execute("INSERT INTO plan SELECT * FROM _plan")
            con.commit()
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.rollback()
            raise
        finally:
            con.unregister("_plan")
        _WRITING.add((str(self.path.resolve()), sweep_id))
        return sweep_id

    @_one_line
    def pending(self, sweep_id: str) -> list[tuple[int, dict, dict, int]]:
        """A sweep's planned runs not yet stored: (position, scenario parameters, grid values, seed)."""
        self._check_sweep(sweep_id)
        rows = self.con.execute("""
            SELECT p.position, s.parameters, p.params, p.seed FROM plan p JOIN scenarios s
            USING (scenario_hash) WHERE p.sweep_id = $id AND p.position NOT IN
            (SELECT position FROM runs WHERE sweep_id = $id) ORDER BY p.position""",
                                {"id": sweep_id}).fetchall()
        return [(pos, json.loads(parameters), json.loads(params), int(seed))
                for pos, parameters, params, seed in rows]

    @_one_line
    def end_sweep(self, sweep_id: str, status: str) -> None:
        """Record how a sweep ended ("done", "interrupted", "failed"), or that it is
        "running" again (a resumed sweep)."""
        key = (str(self.path.resolve()), sweep_id)
        if status == "running":
            _WRITING.add(key)
        else:
            _WRITING.discard(key)
        self.con.execute("UPDATE sweeps SET status = ?, finished = ? WHERE sweep_id = ?",
                         [status, _now(), sweep_id])

    @_one_line
    def add_run(self, record: RunRecord, parameters: dict[str, Any]) -> None:
        """Write one run in one transaction: all of it is stored, or none of it."""
        daily = record.daily
        long = pd.DataFrame({
            "run_id": record.run_id,
            "day": daily["day"].repeat(daily.shape[1] - 1).to_numpy(dtype="int32"),
            "name": list(daily.columns[1:]) * len(daily),
            "value": daily.iloc[:, 1:].to_numpy(dtype=float).ravel(),
        })
        names = list(record.metrics)
        metrics = pd.DataFrame({
            "run_id": record.run_id, "position": range(len(names)), "name": names,
            "value": [float(v) for v in record.metrics.values()],
            "kind": [_kind(k, v) for k, v in record.metrics.items()],
        })
        con = self.con
        con.begin()
        try:
            con.execute("INSERT OR IGNORE INTO scenarios VALUES (?, ?, ?)",
                        [record.scenario_hash, record.scenario, _json(parameters)])
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [record.run_id, record.sweep_id, record.position, record.scenario,
                 record.scenario_hash, _json(record.params), record.seed,
                 int(parameters["market"]["days"]), int(parameters["market"]["size"]),
                 record.code_version, record.started, record.finished, record.wall_s,
                 _json(list(daily.columns[1:]))])
            con.register("_metrics", metrics)
            con.execute("INSERT INTO metrics SELECT * FROM _metrics")
            con.register("_daily", long)
            con.execute("INSERT INTO daily SELECT * FROM _daily")
            con.commit()
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # already ended, or the file is failing
                con.rollback()
            raise
        finally:
            con.unregister("_metrics")
            con.unregister("_daily")

    @_one_line
    def add_analysis(self, sweep_id: str, *, kind: str, metric: str, table: pd.DataFrame) -> None:
        """Keep what was concluded from a sweep's runs (say, sensitivity indices) beside them."""
        self.con.execute("INSERT INTO analyses VALUES (?, ?, ?, ?, ?)",
                         [sweep_id, kind, metric, _now(), table.to_json(orient="records")])

    @_one_line
    def delete(self, sweep_id: str) -> int:
        """Remove a sweep, its runs and analyses (one transaction); return how many runs went."""
        self._check_sweep(sweep_id)
        con = self.con
        con.begin()
        try:
            n = con.execute("SELECT count(*) FROM runs WHERE sweep_id = ?", [sweep_id]).fetchone()[0]
            for table in ("metrics", "daily"):
                con.execute(f"DELETE FROM {table} WHERE run_id IN "
                            "(SELECT run_id FROM runs WHERE sweep_id = ?)", [sweep_id])
            for table in ("runs", "plan", "analyses", "sweeps"):
                con.execute(f"DELETE FROM {table} WHERE sweep_id = ?", [sweep_id])
            con.execute("DELETE FROM scenarios WHERE scenario_hash NOT IN (SELECT scenario_hash "
                        "FROM runs UNION SELECT scenario_hash FROM plan)")
            con.commit()
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.rollback()
            raise
        return int(n)

    # -- reading ---------------------------------------------------------------------------
    @_one_line
    def sweeps(self) -> pd.DataFrame:
        """One row per sweep, newest first, with how many of its runs are stored and how many
        daily rows they hold (``run_days``)."""
        return self.con.execute(f"""
            WITH counted AS (SELECT *, {_STORED.format(table="s")} AS stored,
                             (SELECT coalesce(sum(days + 1), 0) FROM runs r
                              WHERE r.sweep_id = s.sweep_id) AS run_days FROM sweeps s)
            SELECT sweep_id, kind, created, finished, {_STATUS} AS status, scenarios, grid,
                   planned, stored, run_days, code_version, command
            FROM counted ORDER BY created DESC""", [self._writing()]).df()

    @_one_line
    def runs(self, sweep_id: str | None = None, *, limit: int | None = None) -> pd.DataFrame:
        """Stored runs (newest first), optionally of one sweep."""
        sql = ("SELECT run_id, sweep_id, scenario, scenario_hash, params, seed, days, market_size, "
               "code_version, started, finished, wall_s FROM runs")
        args: list[Any] = []
        if sweep_id is not None:
            self._check_sweep(sweep_id)
            sql += " WHERE sweep_id = ?"
            args.append(sweep_id)
        sql += " ORDER BY finished DESC, run_id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        return self.con.execute(sql, args).df()

    @_one_line
    def run(self, run_id: str) -> dict[str, Any]:
        """Everything stored about one run: its row, full scenario parameters and metrics."""
        row = self.con.execute("SELECT r.*, s.parameters FROM runs r JOIN scenarios s "
                               "USING (scenario_hash) WHERE run_id = ?", [run_id]).df()
        if row.empty:
            raise StoreError(f"no run {run_id!r} in {self.path}; `sim runs list` shows the ids")
        out = row.iloc[0].to_dict()
        out["params"] = json.loads(out["params"])
        out["parameters"] = json.loads(out["parameters"])
        out["daily_columns"] = json.loads(out["daily_columns"])
        out["metrics"] = self._metrics([run_id])[run_id]
        return out

    @_one_line
    def sweep(self, sweep_id: str) -> dict[str, Any]:
        """One sweep's row: what was asked (grid, seeds, command) and how far it got."""
        self._check_sweep(sweep_id)
        cur = self.con.execute(f"""
            WITH counted AS (SELECT *, {_STORED.format(table="s")} AS stored FROM sweeps s
                             WHERE sweep_id = ?)
            SELECT * REPLACE ({_STATUS} AS status) FROM counted""", [sweep_id, self._writing()])
        row = dict(zip([d[0] for d in cur.description], cur.fetchone()))
        for key in ("scenarios", "grid", "seeds"):
            row[key] = json.loads(row[key])
        return row

    @_one_line
    def analyses(self, sweep_id: str) -> list[dict[str, Any]]:
        """A sweep's stored analyses, oldest first; each ``table`` a DataFrame."""
        self._check_sweep(sweep_id)
        rows = self.con.execute("SELECT kind, metric, created, result FROM analyses WHERE "
                                "sweep_id = ? ORDER BY created", [sweep_id]).fetchall()
        return [{"kind": k, "metric": m, "created": c, "table": pd.DataFrame(json.loads(r))}
                for k, m, c, r in rows]

    @_one_line
    def has_sweep(self, sweep_id: str) -> bool:
        return bool(self.con.execute("SELECT count(*) FROM sweeps WHERE sweep_id = ?",
                                     [sweep_id]).fetchone()[0])

    def _check_sweep(self, sweep_id: str) -> None:
        if not self.has_sweep(sweep_id):
            raise StoreError(f"no sweep {sweep_id!r} in {self.path}; "
                             "`sim runs list --sweeps` shows the ids")

    def _metrics(self, run_ids: list[str]) -> dict[str, dict[str, Any]]:
        rows = self.con.execute("SELECT run_id, name, value, kind FROM metrics WHERE run_id IN "
                                "(SELECT unnest(?)) ORDER BY run_id, position", [run_ids]).fetchall()
        out: dict[str, dict[str, Any]] = {r: {} for r in run_ids}
        for run_id, name, value, kind in rows:
            out[run_id][name] = KINDS[kind](value)
        return out

    @_one_line
    def records(self, *, sweep_id: str | None = None,
                run_ids: Sequence[str] | None = None) -> list[RunRecord]:
        """Stored runs as the records :class:`~sim.batch.Batch` is built from, in sweep order."""
        if (sweep_id is None) == (run_ids is None):
            raise ValueError("give a sweep_id or run_ids, not both")
        if sweep_id is not None:
            self._check_sweep(sweep_id)
            ids = [r[0] for r in self.con.execute(
                "SELECT run_id FROM runs WHERE sweep_id = ? ORDER BY position", [sweep_id]).fetchall()]
        else:
            ids = list(run_ids)  # type: ignore[arg-type]
            found = {r[0] for r in self.con.execute(
                "SELECT run_id FROM runs WHERE run_id IN (SELECT unnest(?))", [ids]).fetchall()}
            missing = [r for r in ids if r not in found]
            if missing:
                raise StoreError(f"no run {missing[0]!r} in {self.path}; "
                                 "`sim runs list` shows the ids")
        if not ids:
            return []
        runs = self.con.execute("SELECT * FROM runs WHERE run_id IN (SELECT unnest(?))",
                                [ids]).df().set_index("run_id")
        metrics = self._metrics(ids)
        daily = self.con.execute("SELECT run_id, day, name, value FROM daily WHERE run_id IN "
                                 "(SELECT unnest(?))", [ids]).df()
        wide = {run_id: frame.pivot(index="day", columns="name", values="value")
                for run_id, frame in daily.groupby("run_id", sort=False)}
        records = []
        for run_id in ids:
            r = runs.loc[run_id]
            columns = json.loads(r["daily_columns"])
            table = wide[run_id][columns].reset_index()
            table.columns.name = None
            table["day"] = table["day"].astype("int64")
            records.append(RunRecord(
                run_id=run_id, sweep_id=r["sweep_id"], position=int(r["position"]),
                scenario=r["scenario"], scenario_hash=r["scenario_hash"],
                params=json.loads(r["params"]), seed=int(r["seed"]), metrics=metrics[run_id],
                daily=table, code_version=r["code_version"], started=r["started"],
                finished=r["finished"], wall_s=float(r["wall_s"])))
        return records

    @_one_line
    def export(self, out: str | Path, *, sweep_id: str | None = None) -> list[Path]:
        """Write sweeps, scenarios, runs (with metrics as columns) and daily as Parquet into a
        new folder ``out``: written beside it and renamed, so it appears whole or not at all."""
        import pyarrow.parquet as pq
        out = Path(out)
        if sweep_id is not None:
            self._check_sweep(sweep_id)
        parent = out.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
        where = "WHERE sweep_id = $sweep" if sweep_id is not None else ""
        in_runs = f"WHERE run_id IN (SELECT run_id FROM runs {where})" if where else ""
        queries = {
            "sweeps": f"SELECT * FROM sweeps {where}",
            "scenarios": f"SELECT * FROM scenarios WHERE scenario_hash IN "
                         f"(SELECT scenario_hash FROM runs {where})",
            "runs": f"SELECT * FROM runs {where}",
            "metrics": f"SELECT run_id, name, value FROM metrics {in_runs}",
            "daily": f"SELECT * FROM daily {in_runs}",
        }
        args = {"sweep": sweep_id} if sweep_id is not None else {}
        try:
            paths = []
            for name, sql in queries.items():
                # Streamed to Parquet by pyarrow: no path is ever pasted into SQL.
                with self.con.cursor() as cursor:
                    reader = cursor.sql(sql, params=args).to_arrow_reader()
                    with pq.ParquetWriter(tmp / f"{name}.parquet", reader.schema) as writer:
                        for chunk in reader:
                            writer.write_batch(chunk)
                paths.append(out / f"{name}.parquet")
            tmp.chmod(0o755)  # made private while written; a result folder to hand on when done
            if out.exists():
                out.rmdir()
            tmp.rename(out)
            return paths
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


KINDS = {"bool": bool, "int": int, "float": float}


def _kind(name: str, value: Any) -> str:
    """The Python type a metric is given back as (values are stored as DOUBLE)."""
    for kind, cls in KINDS.items():  # bool first: a bool is also an int
        if isinstance(value, (cls, np.bool_ if kind == "bool" else np.integer if kind == "int"
                              else np.floating)):
            return kind
    raise TypeError(f"metric {name!r} is {type(value).__name__}; the store keeps numbers")
