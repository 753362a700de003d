"""选型: which of these business models to launch, for an objective, in one market.

    choice = choose(["retail_baseline", "fission_distribution", "liandong_2plus1"],
                    objective="platform_net", market="wechat_community", seeds=10)
    choice.ranking      # rank, mean and 95% CI, probability best, worst verdict per jurisdiction
    choice.robustness   # the ranking redone across the market's uncertain parameters
    choice.why(lang)    # why the first beats the second, from the ledger's flows

Every model runs in the same market profile with the same seeds (common random numbers): on a
given seed every model meets the same persons and network, so the paired differences between
models are not seed noise. The probability that a model is best is the share of seeds on which
it beats every other. Robustness draws Latin-hypercube points (SALib) over the ranges the
profile declares uncertain, or those given, and ranks the models again at each point.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from sim import measures
from sim.audit import audit as audit_run
from sim.audit.findings import BREACH, JURISDICTIONS, VERDICTS
from sim.batch import _seeds, t_interval
from sim.markets import Profile, check_range, in_market, load_profile, own_market, spec
from sim.measures import MEASURES, PLATFORM_NET_PARTS, SCORE
from sim.pool import on_processes
from sim.runner import run
from sim.scenario import Scenario, load_scenario

# The objectives a strategist is offered first; any measure of a single run with a value can be
# one, and a weighted mix of them (``gmv:0.5,platform_net:0.5``).
OBJECTIVES = ("platform_net", "gmv", "median_net", "retention_d90")
MIX = "objective_mix"
# The ledger's flows that explain a difference. For platform net, its parts (they add up to
# it, so the differences add up to the gap); otherwise what participants were paid, what the
# platform subsidised and charged, what merchants kept and what was paid to qualify.
WHY_FLOWS = ("rewards", "platform_net_subsidies", "platform_net_fees", "merchant_profit",
             "entry_fees_collected")
WHY = tuple(dict.fromkeys((*PLATFORM_NET_PARTS, *WHY_FLOWS)))  # every figure an explanation may show


def why_keys(objective: Objective) -> tuple[str, ...]:
    return PLATFORM_NET_PARTS if objective.key == "platform_net" else WHY_FLOWS
Z95 = 1.959963984540054  # two-sided 95% normal quantile, for the Wilson interval of a share
SCALAR_UNITS = (measures.YUAN, measures.SHARE, measures.RATIO, measures.PERSONS, measures.LEVELS,
                measures.COUNT, measures.COEFFICIENT, measures.POINTS)


@dataclass(frozen=True)
class Objective:
    """What "best" means: one measure, or a weighted mix (each term divided by the typical
    size of its measure among the models' base runs, so a weight is the value of the same
    proportional change in each)."""
    terms: tuple[tuple[str, float], ...]

    @property
    def key(self) -> str:
        """The measure whose value is ranked: the single measure, or ``objective_mix``."""
        return self.terms[0][0] if self.single else MIX

    @property
    def single(self) -> bool:
        return len(self.terms) == 1 and self.terms[0][1] == 1.0

    @property
    def measures(self) -> list[str]:
        return [k for k, _ in self.terms]

    def name(self, lang: str = "en") -> str:
        if self.single:
            return measures.name(self.key, lang)
        parts = [f"{w:g} × {measures.name(k, lang)}" for k, w in self.terms]
        return ("、".join(parts) + "(加权组合)") if lang == "zh" else " + ".join(parts) + " (weighted mix)"

    def text(self) -> str:
        """As written on the command line."""
        return self.key if self.single else ",".join(f"{k}:{w:g}" for k, w in self.terms)


def objective_keys() -> list[str]:
    """The measures an objective may use: every run measure with a formula and one number."""
    return [k for k, m in MEASURES.items() if m.formula is not None and m.unit in SCALAR_UNITS]


def parse_objective(text: str | Objective) -> Objective:
    """``platform_net`` or a weighted mix ``gmv:0.6,platform_net:0.4`` (a negative weight
    counts against, e.g. ``risk_index:-0.2``). Raises ValueError saying what is allowed."""
    if isinstance(text, Objective):
        return text
    allowed = objective_keys()
    terms: list[tuple[str, float]] = []
    for part in str(text).split(","):
        key, colon, weight = part.strip().partition(":")
        key = key.strip()
        if key not in allowed:
            raise ValueError(f"unknown measure {key!r}; one of {', '.join(OBJECTIVES)}, any of "
                             "`sim measures` with a number per run, or a mix such as gmv:0.6,platform_net:0.4")
        try:
            w = float(weight) if colon else 1.0
        except ValueError:
            raise ValueError(f"{key}: the weight must be a number, got {weight!r}") from None
        if not math.isfinite(w) or w == 0:
            raise ValueError(f"{key}: the weight must be a non-zero number, got {weight!r}")
        if key in dict(terms):
            raise ValueError(f"{key}: given twice")
        terms.append((key, w))
    return Objective(tuple(terms))


@dataclass
class Choice:
    """The answer: ``ranking`` (one row per model, best first), ``runs`` (one row per model ×
    seed: the objective and the ledger's figures), ``robustness`` and the inputs."""
    objective: Objective
    market: Profile
    scenarios: list[Scenario]
    seeds: list[int]
    runs: pd.DataFrame
    ranking: pd.DataFrame
    robustness: Robustness | None
    days: int
    size: int

    def names(self, lang: str = "en") -> dict[str, str]:
        return {s.id: (s.meta.name_zh if lang == "zh" else s.meta.name_en) for s in self.scenarios}

    def why(self, lang: str = "en") -> Why | None:
        """Why the first model beats the second, from the ledger (None with one model)."""
        if len(self.ranking) < 2:
            return None
        return explain(self, lang)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: what ``sim choose --json`` prints and the page downloads."""
        why, rob = self.why("en"), self.robustness
        records = lambda frame: [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]  # noqa: E731
        return {
            "objective": self.objective.text(), "objective_unit": objective_unit(self.objective),
            "objective_name_en": self.objective.name("en"), "objective_name_zh": self.objective.name("zh"),
            "market": self.market.id, "days": self.days, "market_size": self.size, "seeds": self.seeds,
            "ranking": records(self.ranking),
            "not_launchable": {j: [str(s) for s, v in zip(self.ranking["scenario"], self.ranking[f"verdict_{j}"])
                                   if v == BREACH] for j in JURISDICTIONS},
            "best_launchable": {j: self.best_launchable(j) for j in JURISDICTIONS},
            "robustness": None if rob is None else {
                "ranges": {k: list(v) for k, v in rob.ranges.items()}, "seeds": rob.seeds,
                "points": records(rob.points), "robust_win_share": {k: float(v) for k, v in rob.wins.items()},
                "switches": [{k: _plain(v) for k, v in sw.items()} for sw in rob.switches()]},
            "why": None if why is None else {"first": why.first, "second": why.second, "text_en": why.text,
                                             "text_zh": self.why("zh").text, "flows": records(why.table)},
        }

    def best_launchable(self, jurisdiction: str) -> str | None:
        """The highest-ranked model with no breach under ``jurisdiction``'s law."""
        ok = self.ranking[self.ranking[f"verdict_{jurisdiction}"] != BREACH]
        return None if ok.empty else str(ok.iloc[0]["scenario"])


@dataclass
class Robustness:
    """The ranking redone at ``points`` (one row per Latin-hypercube point of ``ranges``: the
    parameter values, each model's mean objective over ``seeds``, and the winner)."""
    ranges: dict[str, tuple[float, float]]
    seeds: list[int]
    points: pd.DataFrame
    wins: pd.Series            # scenario id -> share of points won (robust_win_share)

    def switches(self) -> list[dict[str, Any]]:
        """Where the winner changes: for each parameter, the most frequent winner among the
        points below its median value and among those above."""
        out = []
        for key in self.ranges:
            cut = float(self.points[key].median())
            low = self.points.loc[self.points[key] <= cut, "winner"].mode()
            high = self.points.loc[self.points[key] > cut, "winner"].mode()
            if len(low) and len(high):
                out.append({"parameter": key, "at": cut, "below": str(low.iloc[0]),
                            "above": str(high.iloc[0]), "changes": low.iloc[0] != high.iloc[0]})
        return out


@dataclass
class Why:
    """The first model against the second: the objective's paired difference and the ledger's
    figures (``table``: measure, first, second, difference), biggest differences first."""
    first: str
    second: str
    table: pd.DataFrame
    text: str


def choose(scenarios: Sequence[str | Path | dict | Scenario], *, objective: str | Objective = "platform_net",
           market: str | Path | Profile | None = None, seeds: int | Sequence[int] = 10,
           days: int | None = None, market_size: int | None = None,
           ranges: dict[str, tuple[float, float]] | None = None, points: int = 8,
           robust_seeds: int = 3, workers: int | None = None,
           progress: Callable[[int, int], None] | None = None) -> Choice:
    """Rank ``scenarios`` for ``objective`` in one market profile.

    ``market``: a profile id, file or :class:`~sim.markets.Profile`; by default the first
    scenario's declared market. ``seeds``: a count n (seeds 0..n-1) or the seeds, the same for
    every model. ``ranges``: dotted market keys → (low, high) for the robustness check (default:
    the profile's ``[uncertain]`` table); ``points`` Latin-hypercube points, each run with the
    first ``robust_seeds`` seeds (``points=0``: no robustness check). ``workers``: local
    processes (None or 1: this one). Bad input raises ValueError or ScenarioError."""
    loaded = [load_scenario(s) for s in scenarios]
    if len(loaded) < 2:
        raise ValueError("scenarios: give at least two models to choose between")
    if len({s.id for s in loaded}) != len(loaded):
        raise ValueError("scenarios: each model must have its own id; "
                         f"given {', '.join(s.id for s in loaded)}")
    goal = parse_objective(objective)
    profile = load_profile(market) if market is not None else own_market(loaded[0])
    seed_list = _seeds(seeds)
    if points < 0 or (points and not 1 <= robust_seeds <= len(seed_list)):
        raise ValueError(f"points must be >= 0 and robust_seeds from 1 to the {len(seed_list)} seeds, "
                         f"got {points} and {robust_seeds}")
    changes = {k: v for k, v in (("days", days), ("size", market_size)) if v is not None}
    placed = [in_market(s, profile) for s in loaded]
    placed = [s.with_market(**changes) if changes else s for s in placed]
    horizon, size = placed[0].market.days, placed[0].market.size
    for key in goal.measures:
        if key.startswith("retention_d") and int(key.removeprefix("retention_d")) >= horizon:
            raise ValueError(f"{key} needs a horizon longer than {key.removeprefix('retention_d')} "
                             f"days; the runs last {horizon}")
    chosen = _ranges(profile, ranges) if points else {}
    keys = list(dict.fromkeys([*goal.measures, *WHY]))

    tasks = [(s.to_dict(), seed, keys, True) for s in placed for seed in seed_list]
    plans = [(key, low, high) for key, (low, high) in chosen.items()]
    lhs = _design(plans, points, seed_list[0]) if plans else np.zeros((0, 0))
    point_models = [[in_market(s, _at(profile, plans, row)) for s in loaded] for row in lhs]
    point_models = [[m.with_market(**changes) if changes else m for m in models] for models in point_models]
    rseeds = seed_list[:robust_seeds]
    tasks += [(m.to_dict(), seed, goal.measures, False) for models in point_models
              for m in models for seed in rseeds]
    out = _execute(tasks, workers, progress)

    base = len(placed) * len(seed_list)
    runs = pd.DataFrame([{"scenario": s.id, "seed": seed, **out[i]["values"],
                          **{f"verdict_{j}": out[i]["verdicts"][j] for j in JURISDICTIONS}}
                         for i, (s, seed) in enumerate((s, seed) for s in placed for seed in seed_list)])
    scale = _scales(goal, runs)
    runs[goal.key] = _score(goal, runs, scale)
    ranking = _rank(runs, [s.id for s in placed], goal.key)
    robustness = None
    if plans:
        rows = []
        for p, models in enumerate(point_models):
            row = {key: _value(key, v) for (key, _, _), v in zip(plans, lhs[p])}
            for mi, s in enumerate(loaded):
                first = base + (p * len(loaded) + mi) * len(rseeds)
                vals = pd.DataFrame([out[first + r]["values"] for r in range(len(rseeds))])
                row[s.id] = float(_score(goal, vals, scale).mean())
            row["winner"] = max((s.id for s in loaded), key=lambda k: row[k])
            rows.append(row)
        table = pd.DataFrame(rows)
        wins = table["winner"].value_counts(normalize=True).reindex([s.id for s in loaded], fill_value=0.0)
        robustness = Robustness(chosen, rseeds, table, wins)
        ranking["robust_win_share"] = ranking["scenario"].map(wins).to_numpy(float)
    return Choice(goal, profile, placed, seed_list, runs, ranking, robustness, horizon, size)


def _ranges(profile: Profile, ranges: dict[str, tuple[float, float]] | None) -> dict[str, tuple[float, float]]:
    if ranges is None:
        return dict(profile.uncertain)
    return {key: check_range(key, low, high, profile.values, source=profile.source, key=key)
            for key, (low, high) in ranges.items()}


def _design(plans: list[tuple[str, float, float]], points: int, seed: int) -> np.ndarray:
    """A Latin hypercube over the ranges (SALib), reproducible from the first seed."""
    from SALib.sample import latin
    problem = {"num_vars": len(plans), "names": [k for k, _, _ in plans],
               "bounds": [[lo, hi] for _, lo, hi in plans]}
    return latin.sample(problem, points, seed=seed)


def _value(key: str, v: float) -> float | int:
    return int(round(v)) if spec(key).type == "int" else float(v)


def _at(profile: Profile, plans: list[tuple[str, float, float]], row: np.ndarray) -> Profile:
    """The profile with the point's values: a market the ranking is redone in."""
    values = {**profile.values, **{key: _value(key, v) for (key, _, _), v in zip(plans, row)}}
    meta = dataclasses.replace(profile.meta, id=f"{profile.id}@point")
    return dataclasses.replace(profile, meta=meta, values=values)


def _evaluate(parameters: dict[str, Any], seed: int, keys: list[str], audit: bool) -> dict[str, Any]:
    """One run as a worker does it: the measures asked for and, when ``audit``, the worst
    verdict per jurisdiction."""
    result = run(parameters, seed=seed, journal=False)
    m = measures.Measured(result)
    out: dict[str, Any] = {"values": {k: float(m[k]) for k in keys}}
    if audit:
        findings = audit_run(result)
        out["verdicts"] = {j: min((f.verdict for f in findings if f.jurisdiction == j),
                                  key=VERDICTS.index, default=VERDICTS[-1]) for j in JURISDICTIONS}
    return out


def _execute(tasks: list[tuple], workers: int | None,
             progress: Callable[[int, int], None] | None) -> list[dict[str, Any]]:
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    out: list[Any] = [None] * len(tasks)
    results = (on_processes(tasks, workers, job=_evaluate, preload="sim.choose") if workers and workers > 1
               else ((i, _evaluate(*t)) for i, t in enumerate(tasks)))
    for done, (i, value) in enumerate(results, 1):
        out[i] = value
        if progress:
            progress(done, len(tasks))
    return out


def _scales(goal: Objective, runs: pd.DataFrame) -> dict[str, float]:
    """Each mix term's typical size: its mean absolute value over every base run."""
    return {k: (float(runs[k].abs().mean()) or 1.0) for k in goal.measures}


def _score(goal: Objective, values: pd.DataFrame, scale: dict[str, float]) -> pd.Series:
    if goal.single:
        return values[goal.key].astype(float)
    return sum(w * values[k].astype(float) / scale[k] for k, w in goal.terms)


def wilson(wins: float, n: int) -> tuple[float, float]:
    """95% Wilson interval of a share won ``wins`` times in ``n`` trials."""
    p = wins / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def _rank(runs: pd.DataFrame, ids: list[str], key: str) -> pd.DataFrame:
    """Per model: the objective's mean and t-based 95% CI, the probability of being best over
    the common seeds (ties shared), the paired difference to the leader with its 95% CI, and
    the worst verdict per jurisdiction."""
    wide = runs.pivot(index="seed", columns="scenario", values=key)[ids]
    best = wide.to_numpy() == wide.max(axis=1).to_numpy()[:, None]
    won = pd.Series((best / best.sum(axis=1, keepdims=True)).sum(axis=0), index=ids)
    n = len(wide)
    stats = pd.DataFrame({"mean": wide.mean(), "std": wide.std(ddof=1), "n": wide.count()})
    stats["ci_low"], stats["ci_high"] = t_interval(stats["mean"], stats["std"], stats["n"])
    stats = stats.sort_values("mean", ascending=False)
    leader = stats.index[0]
    gap = wide.sub(wide[leader], axis=0)
    gstats = pd.DataFrame({"mean": gap.mean(), "std": gap.std(ddof=1), "n": gap.count()})
    glow, ghigh = t_interval(gstats["mean"], gstats["std"], gstats["n"])
    worst = runs.groupby("scenario")[[f"verdict_{j}" for j in JURISDICTIONS]].agg(
        lambda v: min(v, key=VERDICTS.index))
    rows = []
    for rank, sid in enumerate(stats.index, 1):
        lo, hi = wilson(float(won[sid]), n)
        rows.append({"choice_rank": rank, "scenario": sid, "mean": stats.at[sid, "mean"],
                     "ci_low": stats.at[sid, "ci_low"], "ci_high": stats.at[sid, "ci_high"],
                     "probability_best": float(won[sid]) / n, "p_best_low": lo, "p_best_high": hi,
                     "gap": gstats.at[sid, "mean"], "gap_low": glow[sid], "gap_high": ghigh[sid],
                     **{f"verdict_{j}": worst.at[sid, f"verdict_{j}"] for j in JURISDICTIONS}})
    return pd.DataFrame(rows)


def _plain(v: Any) -> Any:
    """A JSON value: numpy scalars as Python numbers, a non-finite number as null."""
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v) if math.isfinite(v) else None
    return v


def objective_unit(objective: Objective) -> str:
    return measures.unit(objective.key) if objective.single else SCORE


def figure(key: str, value: float, lang: str = "en") -> str:
    """A measure's value in its unit: a choice's figures are all statistics over replicates."""
    return measures.figure(key, value, lang, mean=True)


def objective_figure(choice: Choice, value: float, lang: str = "en") -> str:
    """A value of the objective written in its unit (a statistic over replicates)."""
    return measures.format_value(objective_unit(choice.objective), value, lang, mean=True)


def explain(choice: Choice, lang: str = "en") -> Why:
    """Why the first model ranks above the second, in the ledger's terms: the objective's paired
    difference, then the flows whose means differ most."""
    first, second = (str(s) for s in choice.ranking["scenario"].iloc[:2])
    names = choice.names(lang)
    keys = list(why_keys(choice.objective))
    means = choice.runs.groupby("scenario")[keys].mean()
    table = pd.DataFrame({"measure": keys, "first": means.loc[first].to_numpy(),
                          "second": means.loc[second].to_numpy()})
    table["difference"] = table["first"] - table["second"]
    table = table.reindex(table["difference"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    row = choice.ranking.iloc[1]
    gap = -float(row["gap"])
    fig = lambda v: objective_figure(choice, v, lang)  # noqa: E731
    top = table[table["difference"].abs() > measures.HALF_CENT].head(2)
    flows = [(measures.name(r.measure, lang), figure(r.measure, r.first, lang),
              figure(r.measure, r.second, lang)) for r in top.itertuples()]
    obj = choice.objective.name(lang)
    seeds = len(choice.seeds)
    if lang == "zh":
        text = (f"{names[first]}的{obj}比{names[second]}高 {fig(gap)}(同种子配对差的 95% 置信区间 "
                f"{fig(-float(row['gap_high']))} 至 {fig(-float(row['gap_low']))},共 {seeds} 个种子)。")
        if flows:
            text += "账本中差别最大的资金流:" + ";".join(
                f"{n}:{names[first]} {a},{names[second]} {b}" for n, a, b in flows) + "。"
    else:
        text = (f"{names[first]} beats {names[second]} on {obj} by {fig(gap)} (paired over the same "
                f"{seeds} seeds, 95% CI {fig(-float(row['gap_high']))} to {fig(-float(row['gap_low']))}).")
        if flows:
            text += " In the ledger they differ most in " + "; and in ".join(
                f"{n}: {a} against {b}" for n, a, b in flows) + "."
    return Why(first, second, table, text)
