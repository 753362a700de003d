"""Scenario catalogue, cached runs and the server's limits, shared by every page.

Runs are cached on what determines them: the scenario's content hash (its parameters, not the
file's layout), seed, days and market size. The scenario object itself is passed unhashed, so
Streamlit never hashes big arrays or DataFrames, and an edited scenario with the same content
as a shipped one reuses its run. Results are shared read-only across sessions, and kept up to a
number of bytes, not of entries: one large market's result can weigh as much as a hundred
small ones.

A shared server serves many visitors from one machine: what one request may run, how many
large runs go at once and how much the cache keeps are the operator's to set
(:class:`Limits`, from ``SCHEME_LAB_*`` environment variables; README, "Running a shared
dashboard").
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import streamlit as st

import sim
from sim.audit.record import record
from sim.capacity import format_bytes, parse_bytes, run_bytes
from sim.scenario import SCENARIO_DIR
from sim.sections import ID_PATTERN

# Where the lab saves and every page finds "your scenarios".
USER_DIR = Path(os.environ.get("SCHEME_LAB_USER_SCENARIOS") or SCENARIO_DIR / "user")
# Defaults of the interactive views: big enough to show saturation, small enough that a
# comparison of three scenarios runs in about a second. Tests shrink them with SCHEME_LAB_FAST=1.
FAST = os.environ.get("SCHEME_LAB_FAST") == "1"
DEFAULT_SIZE = 2_000 if FAST else 20_000
DEFAULT_DAYS = 60 if FAST else 180
# Shown first on the Compare page: the yardstick and two recruitment designs, when shipped.
PREFERRED = ("retail_baseline", "fission_distribution", "liandong_2plus1")


@dataclass(frozen=True)
class Entry:
    """A scenario a user can pick: shipped, or saved by a user under scenarios/user/."""
    key: str
    path: Path
    scenario: sim.Scenario
    user: bool

    def name(self, lang: str) -> str:
        m = self.scenario.meta
        return (m.name_zh or m.name_en) if lang == "zh" else (m.name_en or m.name_zh)


@dataclass(frozen=True)
class Limits:
    """What one visitor may ask of the server, and what the server keeps for all of them."""
    person_days: int = 100_000_000  # persons × days × runs in one request (see person_days)
    run_memory: int = 2 * 2**30     # one run's estimated peak memory (sim.capacity)
    heavy_runs: int = 2             # heavy requests computing at once, across all visitors
    cache_memory: int = 2**30       # results kept for every visitor, by their size in memory
    busy_wait_s: float = 10.0       # how long a heavy request waits for its turn


# Each limit's environment variable and how its value is read.
LIMIT_VARIABLES = {"person_days": ("SCHEME_LAB_MAX_PERSON_DAYS", int),
                   "run_memory": ("SCHEME_LAB_MAX_RUN_MEMORY", parse_bytes),
                   "heavy_runs": ("SCHEME_LAB_MAX_HEAVY_RUNS", int),
                   "cache_memory": ("SCHEME_LAB_CACHE_MEMORY", parse_bytes),
                   "busy_wait_s": ("SCHEME_LAB_BUSY_WAIT_S", float)}
# A request below this many person-days is never made to wait: the default views stay instant.
HEAVY_PERSON_DAYS = 20_000_000


def limits_from(environ: Mapping[str, str]) -> Limits:
    """The limits set in ``environ`` (``SCHEME_LAB_MAX_PERSON_DAYS`` ...), the rest defaults;
    a value that is not a positive number is a ValueError naming the variable."""
    found = {}
    for field, (name, read) in LIMIT_VARIABLES.items():
        if environ.get(name):
            try:
                found[field] = read(environ[name])
            except ValueError:
                found[field] = -1
            if found[field] < (0 if field == "busy_wait_s" else 1):
                raise ValueError(f"{name}={environ[name]!r}: must be a positive number"
                                 + (", or a size such as 2G" if read is parse_bytes else ""))
    return Limits(**found)


LIMITS = limits_from(os.environ)


class Busy(Exception):
    """Every heavy-request slot stayed taken while this request waited for one."""


def request_problem(scenarios: list[sim.Scenario], *, runs_each: int = 1) -> str | None:
    """Why running each of ``scenarios`` (at the size and days they have) ``runs_each`` times
    is more than this server runs for one request, in the page's language; None when it is not."""
    from dashboard.i18n import pick, plain, t
    asked = person_days(scenarios, runs_each=runs_each)
    if asked > LIMITS.person_days:
        return t("lim.person_days", asked=asked, limit=LIMITS.person_days)
    for s in scenarios:
        need = run_bytes(s)
        if need > LIMITS.run_memory:
            return t("lim.memory", name=plain(pick(s.meta.name_en, s.meta.name_zh)),
                     asked=format_bytes(need), limit=format_bytes(LIMITS.run_memory))
    return None


# A merchant is an agent stepped every day: its day costs the engine about a hundred persons'.
MERCHANT_PERSONS = 100


def person_days(scenarios: list[sim.Scenario], *, runs_each: int = 1, size: int | None = None,
                days: int | None = None) -> int:
    """The work of running each of ``scenarios`` ``runs_each`` times, in person-days: at
    ``size`` persons for ``days`` days where given, else at each scenario's own."""
    return runs_each * sum(((size or s.market.size) + MERCHANT_PERSONS * s.retail.merchants)
                           * (days or s.market.days) for s in scenarios)


def limits_note(asked: int) -> str:
    """The limits as a visitor sees them before asking, with what the current request is."""
    from dashboard.i18n import t
    return t("lim.note", person_days=LIMITS.person_days, asked=asked,
             memory=format_bytes(LIMITS.run_memory))


@st.cache_resource(show_spinner=False)
def _heavy_slots(count: int) -> threading.Semaphore:
    """The server's heavy-request slots: one semaphore for every session."""
    return threading.BoundedSemaphore(count)


@contextlib.contextmanager
def turn(work: int) -> Iterator[None]:
    """Hold one of the server's heavy-request slots while computing ``work`` person-days (a
    light request needs none); raise :class:`Busy` if none frees up in time."""
    if work < HEAVY_PERSON_DAYS:
        yield
        return
    slots = _heavy_slots(LIMITS.heavy_runs)
    if not slots.acquire(timeout=LIMITS.busy_wait_s):
        raise Busy(LIMITS.heavy_runs)
    try:
        yield
    finally:
        slots.release()


@contextlib.contextmanager
def computing(*slots) -> Iterator[None]:
    """A page's computation: a scenario the engine refuses (a market smaller than its
    organisers, say) or a server whose heavy-request slots stayed taken ends the page with a
    message in its language, not a traceback, after emptying ``slots`` (a progress bar, a
    chart waiting for data)."""
    from dashboard.i18n import current, plain, t
    try:
        yield
    except sim.ScenarioError as err:
        for slot in slots:
            slot.empty()
        st.error(t("err.scenario", message=plain(err.line(current()))))
        st.stop()
    except Busy as busy:
        for slot in slots:
            slot.empty()
        st.warning(t("lim.busy", n=busy.args[0]))
        st.stop()


def _signature() -> tuple:
    paths = [*sim.scenario_paths(), *_user_files()]
    out = []
    for p in paths:
        try:
            out.append((str(p), p.stat().st_mtime_ns))
        except OSError:  # removed meanwhile, or a link to nowhere
            pass
    return tuple(out)


def _user_files() -> list[Path]:
    """The regular .toml files directly in USER_DIR: no links (a link could lead anywhere on
    the server), no folders, pipes or devices."""
    try:
        with os.scandir(USER_DIR) as found:
            return sorted(Path(e.path) for e in found
                          if e.name.endswith(".toml") and e.is_file(follow_symlinks=False))
    except OSError:  # no such folder yet
        return []


@st.cache_resource(max_entries=4, show_spinner=False)
def _catalogue(signature: tuple) -> tuple[dict[str, Entry], dict[str, sim.ScenarioError]]:
    entries, broken = {}, {}
    for path_text, _ in signature:
        path = Path(path_text)
        user = path.parent == USER_DIR
        key = f"user/{path.stem}" if user else path.stem
        try:
            entries[key] = Entry(key, path, sim.load_scenario(path), user)
        except sim.ScenarioError as err:  # a hand-edited user file must not take the app down
            broken[key] = err
    return entries, broken


def catalogue() -> dict[str, Entry]:
    """Shipped scenarios (sorted by file name) followed by the user's saved ones."""
    return _catalogue(_signature())[0]


def broken_files() -> dict[str, sim.ScenarioError]:
    """User files that no longer validate, with the loader's error (``err.line(lang)``)."""
    return _catalogue(_signature())[1]


class SaveRefused(Exception):
    """A save the lab will not make: the i18n key of why, and the file it would have written."""

    def __init__(self, key: str, path: Path) -> None:
        super().__init__(key)
        self.key, self.path = key, path


def user_file(scenario_id: str) -> Path:
    """Where the lab saves a scenario: ``<id>.toml`` directly in the user folder (its real
    path). The loader has made the id snake_case, so no name can lead out of the folder."""
    if not ID_PATTERN.fullmatch(scenario_id):
        raise ValueError(f"not a scenario id: {scenario_id!r}")
    return USER_DIR.resolve() / f"{scenario_id}.toml"


def save_user_scenario(text: str, scenario_id: str, *, mine: set[str], replace: bool) -> Path:
    """Write ``text`` to :func:`user_file`, all at once (a temporary file, then a link or a
    rename). A file already there is replaced only when ``replace`` is asked and it is one of
    ``mine`` (the paths this visitor saved); a link or anything else there is never touched."""
    target = user_file(scenario_id)
    try:
        there = os.lstat(target)
    except FileNotFoundError:
        there = None
    if there is not None:
        if str(target) not in mine or not os.path.isfile(target) or os.path.islink(target):
            raise SaveRefused("lab.save_taken", target)
        if not replace:
            raise SaveRefused("lab.save_exists", target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{scenario_id}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        if there is None:
            os.link(tmp, target)  # fails if another visitor took the name meanwhile
        else:
            os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def default_selection(keys: list[str]) -> list[str]:
    chosen = [k for k in PREFERRED if k in keys]
    return chosen or keys[:3]


def label(entry: Entry, lang: str) -> str:
    from dashboard.i18n import STRINGS
    if entry.user:
        return f"{entry.name(lang)} {STRINGS['ctl.user'][1 if lang == 'zh' else 0]}"
    return entry.name(lang)


# -- the scenario being looked at: the lab starts from it ----------------------------------------
LOOKED_AT = "looked_at"


def look_at(key: str, *, first_view: bool = False) -> None:
    """Note ``key`` as the scenario the visitor is looking at, on a pick. A page's first view
    notes its default only if nothing is noted yet: passing through a page does not take the
    place of a scenario the visitor picked."""
    if not first_view or LOOKED_AT not in st.session_state:
        st.session_state[LOOKED_AT] = key


def looked_at() -> str | None:
    return st.session_state.get(LOOKED_AT)


# -- a saved variant's identity: its own id and names ---------------------------------------------
VARIANT_ID = re.compile(r"_v\d+$")
VARIANT_NAME = {"en": (re.compile(r" \(variant \d+\)$"), " (variant {n})"),
                "zh": (re.compile(r"(变体 \d+)$"), "(变体 {n})")}


def shipped_ids() -> set[str]:
    """The ids `sim` finds by name (scenarios/ and scenarios/cases/): a saved file never takes one."""
    return {p.stem for p in sim.scenario_paths()}


def taken_ids() -> set[str]:
    """Every id a new file would clash with: shipped, saved (broken files too) and the ids
    written inside the saved files."""
    return (shipped_ids() | {p.stem for p in _user_files()}
            | {e.scenario.id for e in catalogue().values()})


def variant_identity(scenario: sim.Scenario, taken: set[str]) -> tuple[str, str, str]:
    """The id and English and Chinese names a saved copy of ``scenario`` is offered: its own when
    no scenario has that id yet (an upload, a renamed copy), else numbered from 2 after the
    original's (``liandong_2plus1_v2``, "Link-and-Move 2+1 (variant 2)"), the first number free."""
    m = scenario.meta
    if m.id not in taken:
        return m.id, m.name_en, m.name_zh
    root = VARIANT_ID.sub("", m.id)
    n = 2
    while (new_id := f"{root[:64 - len(f'_v{n}')]}_v{n}") in taken:
        n += 1
    en, zh = ((pattern.sub("", name) + suffix.format(n=n))
              for name, (pattern, suffix) in ((m.name_en, VARIANT_NAME["en"]), (m.name_zh, VARIANT_NAME["zh"])))
    return new_id, en, zh


SMALL_VALUE = 16 * 2**10  # findings, a risk index: a few objects, no tables


def size_of(value: object, depth: int = 0) -> int:
    """Bytes a cached value holds: its tables, and those of the results it holds (a stress
    test holds two runs); text by its length; anything else counts as small."""
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=True).sum())
    if isinstance(value, str):
        return len(value.encode())
    if dataclasses.is_dataclass(value) and depth < 2:
        return SMALL_VALUE + sum(size_of(v, depth + 1) for v in vars(value).values())
    return SMALL_VALUE


class _Shared:
    """An LRU shared by every session, up to ``budget`` bytes (:func:`size_of`); a value
    larger than the whole budget is handed back but not kept. Not ``st.cache_resource`` on the
    run itself: Streamlit would record the progress bar updated during a run and replay it on a
    later page that has no such bar."""

    def __init__(self, budget: int) -> None:
        self.budget, self.items, self.lock = budget, OrderedDict(), threading.Lock()
        self.sizes: dict[tuple, int] = {}
        self.making: dict[tuple, threading.Lock] = {}  # one lock per key being computed

    @property
    def used(self) -> int:
        return sum(self.sizes.values())

    def get(self, key: tuple, make: Callable[[], object]) -> object:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            busy = self.making.setdefault(key, threading.Lock())
        # Outside the shared lock: another session may run something else meanwhile. A second
        # caller of the same key (the start-up warm-up and the first visitor, say) waits for the
        # first one's value instead of computing it again.
        with busy:
            with self.lock:
                if key in self.items:
                    self.items.move_to_end(key)
                    return self.items[key]
            try:
                value = make()
            finally:
                with self.lock:
                    self.making.pop(key, None)
            size = size_of(value)
            with self.lock:
                if size <= self.budget:
                    self.items[key], self.sizes[key] = value, size
                while self.used > self.budget:
                    old, _ = self.items.popitem(last=False)
                    del self.sizes[old]
        return value


@st.cache_resource(show_spinner=False)
def _runs() -> _Shared:
    return _Shared(LIMITS.cache_memory)


def shared(key: tuple, make: Callable[[], object]) -> object:
    """``make()``, kept for every session under ``key`` within the cache's budget."""
    return _runs().get(key, make)


def run(scenario: sim.Scenario, *, seed: int, days: int | None = None, size: int | None = None,
        progress: Callable[[int, int], None] | None = None) -> sim.RunResult:
    """One run, cached on (content hash, seed, days, size); days and size default to the
    scenario's own. ``progress(day, days)`` is called only when the run is not cached."""
    days = scenario.market.days if days is None else days
    size = scenario.market.size if size is None else size

    def make() -> sim.RunResult:
        with turn(person_days([scenario], size=size, days=days)):
            return sim.run(scenario, seed=seed, days=days, market_size=size, progress=progress)

    return _runs().get((scenario.content_hash(), seed, days, size), make)


def is_cached(scenario: sim.Scenario, *, seed: int, days: int, size: int) -> bool:
    """Whether ``run`` with these arguments would return at once (the run is cached)."""
    shared = _runs()
    with shared.lock:
        return (scenario.content_hash(), seed, days, size) in shared.items


def replicates(scenarios: list[sim.Scenario], *, seeds: list[int], days: int, size: int,
               progress: Callable[[int, int], None] | None = None) -> sim.Batch:
    """Monte Carlo replicates by ``sim.run_many`` (nothing stored), cached on the scenarios'
    content hashes, the seeds, days and size."""
    total = len(scenarios) * len(seeds)
    # Worker processes pay off only for a batch of some size on a machine with cores to spare.
    cpus = os.cpu_count() or 1
    workers = min(cpus, 8) if total >= 8 and cpus > 2 else None
    key = ("replicates", tuple(s.content_hash() for s in scenarios), tuple(seeds), days, size)

    def make() -> sim.Batch:
        with turn(person_days(scenarios, runs_each=len(seeds), size=size, days=days)):
            return sim.run_many(list(scenarios), seeds=list(seeds), days=days, market_size=size,
                                workers=workers, store=False, progress=progress)

    return _runs().get(key, make)


def bands(frames: list[pd.DataFrame], column: str, *, x: str = "day",
          q: tuple[float, float, float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Quantiles of ``column`` across replicate runs, per ``x``: columns x, lo, mid, hi."""
    stacked = np.vstack([f[column].to_numpy(float) for f in frames])
    lo, mid, hi = np.quantile(stacked, q, axis=0)
    return pd.DataFrame({x: frames[0][x].to_numpy(), "lo": lo, "mid": mid, "hi": hi})


# The daily series the Compare charts draw (sim.measures.SERIES names and defines them).
CHART_SERIES = ("active", "participants", "adopted", "gmv", "new_participants", "retained",
                "payout_ratio_to_date")


def series(daily: pd.DataFrame) -> pd.DataFrame:
    """Per-day series the Compare charts draw, from a run's daily table."""
    return sim.measures.series(daily, CHART_SERIES)


def risk(result: sim.RunResult):
    """``sim.risk_index`` of a run, cached with the run's key."""
    key = ("risk", result.scenario.content_hash(), result.seed, result.days, result.market_size)
    return _runs().get(key, lambda: sim.risk_index(result))


def nearest_case(result: sim.RunResult) -> sim.Scenario:
    """The decided case a run most resembles; the case library runs once per server."""
    return sim.audit.cases.nearest_case(result.scenario, sim.measures.Measured(result))[0]


def label_of(scenario: sim.Scenario, lang: str) -> str:
    m = scenario.meta
    return m.name_zh if lang == "zh" else m.name_en


def warm_default_comparison() -> None:
    """Run the default Compare view's comparison into the shared cache (for a warm-up at
    server start: ``dashboard/serve.py``), so the first visitor finds it, or joins it."""
    entries = catalogue()
    runs = [run(entries[k].scenario, seed=0, days=DEFAULT_DAYS, size=DEFAULT_SIZE)
            for k in default_selection(list(entries))]
    for r in runs:
        risk(r)


def findings(result: sim.RunResult, jurisdiction: str) -> list:
    """``sim.audit`` of a run for one jurisdiction (or "all"), cached with the run's key."""
    key = ("audit", result.scenario.content_hash(), result.seed, result.days, result.market_size,
           jurisdiction)
    return _runs().get(key, lambda: sim.audit(result, jurisdiction=jurisdiction))


def stress(scenario: sim.Scenario, *, seed: int, stop_day: int, days: int, size: int,
           baseline: sim.RunResult):
    """``sim.stress_test`` with recruitment stopped on ``stop_day``, cached like a run."""
    def make():
        with turn(person_days([scenario], size=size, days=days)):
            return sim.stress_test(scenario, seed=seed, stop_day=stop_day, days=days,
                                   market_size=size, baseline=baseline)

    return _runs().get(("stress", scenario.content_hash(), seed, stop_day, days, size), make)


def audit_json(result: sim.RunResult, jurisdiction: str, *, risk=None, stress=None) -> str:
    """``sim audit --json``'s record of a run (sim.audit.record), as JSON text, cached with the
    run's key."""
    key = ("audit_json", result.scenario.content_hash(), result.seed, result.days, result.market_size,
           jurisdiction, stress.stop_day if stress is not None else None)
    return _runs().get(key, lambda: json.dumps(record(
        result, findings(result, jurisdiction), jurisdiction=jurisdiction, risk=risk, stress=stress),
        ensure_ascii=False, indent=1))


def report(result: sim.RunResult, lang: str, stress=None) -> str:
    """The HTML audit report of one run, in ``lang``, with the stress test already shown."""
    from sim import report as html_report
    key = ("report", result.scenario.content_hash(), result.seed, result.days, result.market_size,
           lang, stress.stop_day if stress is not None else None)
    return _runs().get(key, lambda: html_report.render(
        [result], lang=lang, stress=[stress] if stress is not None else None))


# -- markets: every scenario in one profile by default; each its own only when asked --------------
OWN_MARKET = "own"
MARKET_OPTIONS = (*sim.markets.profile_ids(), OWN_MARKET)
FALLBACK_MARKET = "wechat_community"  # for a first scenario that names no profile (a decided case)


@st.cache_resource(show_spinner=False)
def profile(key: str) -> sim.markets.Profile:
    return sim.markets.load_profile(key)


def market_label(key: str, lang: str) -> str:
    from dashboard.i18n import text
    return text("cmp.market_own", lang) if key == OWN_MARKET else profile(key).name(lang)


def default_market(entries: dict[str, Entry], chosen: list[str], linked: str | None) -> str:
    """The market a page opens in: the address's, else the first chosen scenario's profile."""
    if linked in MARKET_OPTIONS:
        return linked
    first = entries[chosen[0]].scenario.meta.market_profile if chosen else ""
    return first if first in MARKET_OPTIONS else FALLBACK_MARKET


def placed(scenarios: dict[str, sim.Scenario], market: str) -> dict[str, sim.Scenario]:
    """The scenarios as they run: all in the chosen profile, or each in its own market."""
    if market == OWN_MARKET:
        return dict(scenarios)
    return {k: sim.markets.in_market(s, profile(market)) for k, s in scenarios.items()}


def market_differences(scenarios: list[sim.Scenario], names: list[str], lang: str) -> pd.DataFrame:
    """The market keys whose values differ between the scenarios' own markets: one row per
    key, named as its parameter is declared, one column per scenario."""
    from dashboard.i18n import UNITS_ZH
    rows = {}
    for key, values in sim.markets.differences(scenarios).items():
        spec = sim.markets.spec(key)
        label = spec.zh if lang == "zh" else spec.en
        unit = UNITS_ZH.get(spec.unit, spec.unit) if lang == "zh" else spec.unit
        shown = f"{label} [{key}]" + (f" ({unit})" if unit else "")
        rows[shown] = [f"{v:g}" if isinstance(v, float) else str(v) for v in values]
    return pd.DataFrame.from_dict(rows, orient="index", columns=names)


def choice(scenarios: list[sim.Scenario], *, objective: str, market: str, seeds: list[int], days: int,
           size: int, ranges: dict[str, tuple[float, float]], points: int, robust_seeds: int,
           progress: Callable[[int, int], None] | None = None):
    """``sim.choose.choose``, cached on everything that determines it."""
    from sim.choose import choose
    total = len(scenarios) * (len(seeds) + points * robust_seeds)
    cpus = os.cpu_count() or 1
    workers = min(cpus, 8) if total >= 8 and cpus > 2 else None
    key = ("choice", tuple(s.content_hash() for s in scenarios), objective, market, tuple(seeds), days,
           size, tuple(sorted(ranges.items())), points, robust_seeds)

    def make():
        with turn(person_days(scenarios, runs_each=len(seeds) + points * robust_seeds, size=size,
                              days=days)):
            return choose(scenarios, objective=objective, market=profile(market), seeds=seeds,
                          days=days, market_size=size, ranges=ranges, points=points,
                          robust_seeds=robust_seeds, workers=workers, progress=progress)

    return _runs().get(key, make)


def axis_format(choice) -> str:
    """A chart axis's number format for the choice's objective, by its unit."""
    from sim.choose import objective_unit
    return {sim.measures.SHARE: ".0%", sim.measures.RATIO: ".0%", sim.measures.SCORE: ".2f",
            sim.measures.COEFFICIENT: ".2f"}.get(objective_unit(choice.objective), ",.0f")


def carry(name: str, default: object, options: list) -> str:
    """The widget key for a choice whose option labels follow the language.

    The browser sends back the label it shows, so a widget whose labels were English cannot
    read its value once they are Chinese. Each language gets its own widget, seeded from a
    language-neutral copy of the choice (``remember`` keeps it), so the choice survives a switch.
    """
    key = f"{name}.{st.session_state.get('lang', 'en')}"
    value = st.session_state.get(key, st.session_state.get(name, default))
    # A choice that is no longer offered (a user scenario deleted, say) falls back to the default.
    if isinstance(value, list):
        value = [v for v in value if v in options]
    elif value not in options:
        value = default
    st.session_state[key] = value
    return key


def remember(name: str, value: object) -> object:
    st.session_state[name] = value
    return value
