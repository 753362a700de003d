"""Calibration: fit a scenario's market to a pilot's observed series, with 95% intervals.

    obs = sim.observations.read("pilot.csv")
    fit = sim.calibrate.calibrate("retail_baseline", obs,
                                  fit=["market.external_reach", "market.word_of_mouth"], seed=1)
    fit.table()            # each parameter: estimate, 95% interval
    fit.scenario           # the scenario with the fitted values: sim.run(fit.scenario), ...
    fit.to_toml()          # the same as a scenario file the loader reads

**Method: simulated method of moments with a local quadratic metamodel.** The moments are the
observed values themselves (each row's new customers, active users, orders or GMV); the
engine's expected value of each is learnt from runs of the engine (``SchemeModel``, the same
code as ``sim run``) at design points: a Latin hypercube in the fitted parameters
(log scale, logit for a probability), one fresh seed per run, and a quadratic regression per
moment through the runs, which averages the runs' noise. A few locating stages shrink the
design box around the best fit until it spans about ±3 standard errors; the final stage fits
on the raw scale there and gives:

- the estimate: weighted least squares of observed minus expected moments (weights: one over
  each moment's run-to-run variance);
- its covariance, the SMM sandwich ``A⁻¹ D'W Σ W D A⁻¹`` with ``A = D'WD``, D the
  metamodel's Jacobian, and Σ the covariance of observed minus fitted: the market's own
  randomness at the data's population (the runs' residual covariance ÷ c, c = population ÷
  simulated persons) plus the metamodel's error at the estimate (leverage h × the same
  covariance), the analogue of the (1 + 1/S) of SMM with S runs;
- a goodness-of-fit check: the weighted misfit Q against what the model's randomness explains
  (its expectation E and Satterthwaite degrees of freedom under the linearised model; the
  dispersion is Q ÷ E). Misfit beyond E (the world is not the model) is taken as independent
  errors whose variance is estimated from it, (Q − E) ÷ (n − k) per unit weight, as
  non-linear least squares does; it is added to Σ and the intervals then use Student's t
  with n − k degrees of freedom (n observed values, k parameters);
- 95% intervals per parameter on the transformed scale, mapped back (so they are
  asymmetric), and a joint 95% region, the ellipsoid ``(z − ẑ)' V⁻¹ (z − ẑ) ≤ χ²_k(0.95)``
  (k·F(k, n − k) with the added errors).

``tests/test_calibrate.py`` recovers known parameters from series the engine made and checks
the coverage of the 95% region over 20 replicate fits. Every run's seed comes from ``seed``:
a fit is reproducible exactly.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from sim.batch import apply_params
from sim.errors import ScenarioError
from sim.model import SchemeModel
from sim.observations import COLUMNS, FLOW, Observations, label
from sim.scenario import Scenario, load_scenario
from sim.schema import specs
from sim.sections import Churn, Market

POPULATION = "population"  # the persons the data come from: a scale, not a scenario key
LEVEL = 0.95
MIN_HALF = 0.02           # narrowest design box, ± on the log scale (±2%)
MAX_STAGES = 6            # locating stages before the final one
MAX_SIMULATED = 20_000    # persons simulated by default; a larger population is scaled to it
RUNNABLE = 1_000_000      # a calibrated file keeps the data's market size up to this many persons
SHRINK_DONE = 0.7         # a box within this of ±3 SE has reached the scale of the uncertainty
SHRINK = 0.6              # a box whose quadratic does not fit shrinks by this much a stage
LACK_OF_FIT = 2.0         # quadratic residual variance ÷ pure error above which it does not fit
CENTRE_RUNS = 4           # runs at each locating box's centre, for the pure error


@dataclass(frozen=True)
class Knob:
    """A parameter that can be fitted: its transform, its default search range (an assumption
    the user can override), and the series that respond to it."""
    key: str
    low: float
    high: float
    offset: float = 0.0   # z = log(x - offset)
    logit: bool = False   # z = log(x / (1 - x)), for a probability
    moves: tuple[str, ...] = tuple(COLUMNS)

    def z(self, x: float) -> float:
        return math.log(x / (1 - x)) if self.logit else math.log(x - self.offset)

    def x(self, z: float) -> float:
        return 1 / (1 + math.exp(-z)) if self.logit else self.offset + math.exp(z)

    def spec(self) -> Any:
        section, name = self.key.split(".")
        return next(s for s in specs({"market": Market, "churn": Churn}[section]) if s.key == name)

    def name(self, lang: str = "en") -> str:
        if self.key == POPULATION:
            return ("数据所覆盖的人数(市场潜量)" if lang == "zh"
                    else "persons the data come from (market potential)")
        return self.spec().zh if lang == "zh" else self.spec().en

    @property
    def unit(self) -> str:
        return "persons" if self.key == POPULATION else self.spec().unit


_BUYING = ("orders", "gmv")
KNOBS = {k.key: k for k in (
    Knob("market.external_reach", 1e-5, 0.01),
    Knob("market.word_of_mouth", 0.005, 1.0),
    Knob("market.propensity", 0.002, 0.3, moves=_BUYING),
    Knob("market.basket", 1.05, 10.0, offset=1.0, moves=("gmv",)),
    Knob("churn.customer", 0.0005, 0.1, moves=("active", *_BUYING)),
    Knob("churn.first_day", 0.01, 0.95, logit=True, moves=("active", *_BUYING)),
    Knob(POPULATION, 1.0, 10.0),  # a multiple of the largest count observed, by default
)}


# The shipped real example, as the README's command fits it: Pinduoduo's reported active buyers.
EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "pinduoduo_active_buyers.csv"
EXAMPLE_SETTINGS = {"scenario": "retail_baseline", "launch": date(2015, 9, 1), "size": 5_000,
                    "fit": ["market.external_reach", "market.word_of_mouth", POPULATION],
                    "fixed": {"churn.customer": 0.0, "market.founders": 1},
                    "ranges": {"market.external_reach": (1e-6, 1e-3), "market.word_of_mouth": (5e-4, 0.05)}}


class CalibrationError(ScenarioError):
    """A calibration that cannot be set up or cannot identify what it was asked to fit."""


@dataclass
class Estimate:
    key: str
    value: float
    low: float
    high: float
    z: float
    se_z: float


@dataclass
class Calibration:
    """What a fit found: estimates with 95% intervals, the joint region, the fit to the data
    and the calibrated scenario."""
    base: Scenario
    scenario: Scenario
    observations: Observations
    launch: date
    knobs: list[Knob]
    estimates: list[Estimate]
    cov_z: np.ndarray               # covariance of the estimates on the transformed scale
    quantile: float                 # the 95% two-sided quantile used (z or Student t)
    region: float                   # the joint region's bound on the Mahalanobis distance²
    dispersion: float               # observed misfit ÷ what the model's randomness explains
    gof_p: float                    # p-value of the misfit under the model
    dof: float                      # h_eff: Satterthwaite degrees of freedom of the misfit
    population: float
    simulated: int                  # persons in each simulated market
    runs: int
    seconds: float
    seed: int
    fitted: dict[str, np.ndarray]   # per column: fitted expected value per row (NaN: not observed)
    band: dict[str, tuple[np.ndarray, np.ndarray]]  # 95% prediction band per column
    notes: list[str] = field(default_factory=list)  # (English) caveats, e.g. an edge of the range
    settings: dict[str, Any] = field(default_factory=dict)

    def values(self) -> dict[str, float]:
        """Fitted scenario keys and values (population excluded): ``apply_params`` takes them."""
        return {e.key: e.value for e in self.estimates if e.key != POPULATION}

    def contains(self, truth: dict[str, float]) -> bool:
        """Whether ``truth`` (a value for every fitted key) lies in the joint 95% region."""
        d = np.array([k.z(truth[k.key]) - e.z for k, e in zip(self.knobs, self.estimates)])
        return float(d @ np.linalg.solve(self.cov_z, d)) <= self.region

    def table(self) -> list[dict[str, Any]]:
        return [{"key": e.key, "value": e.value, "ci_low": e.low, "ci_high": e.high,
                 "unit": k.unit} for k, e in zip(self.knobs, self.estimates)]

    def to_toml(self) -> str:
        """The calibrated scenario as a TOML file, its header saying how it was fitted."""
        from sim.toml_writer import dumps
        lines = [f"Calibrated by `sim calibrate` to {Path(self.observations.source).name} "
                 f"(launch {self.launch}, seed {self.seed}), from {self.base.id}.",
                 "Fitted values, 95% intervals (simulated method of moments; sim/calibrate.py):"]
        lines += [f"  {e.key} = {e.value:.6g}  [{e.low:.6g}, {e.high:.6g}]" for e in self.estimates]
        lines.append(f"Goodness of fit: dispersion {self.dispersion:.2f}, p = {self.gof_p:.3f}"
                     + ("; the intervals include the misfit" if self.dispersion > 1 else ""))
        lines += self.notes
        if POPULATION in self.settings.get("fit", ()) or self.population != self.scenario.market.size:
            lines.append(f"The data's market is {self.population:,.0f} persons; this file runs the "
                         f"same market per person at {self.scenario.market.size:,} persons.")
        return dumps(self.scenario.to_dict(), header="\n".join(lines))


# -- the simulator ----------------------------------------------------------------------------
class _Moments:
    """Runs of the engine reduced to the observed moments: each observed cell of the data, in
    column order, from the simulated market (not yet scaled to the population)."""

    def __init__(self, base: Scenario, obs: Observations, launch: date, knobs: list[Knob]) -> None:
        self.base, self.knobs = base, knobs
        self.days = obs.days(launch)
        self.columns = obs.columns
        self.observed = np.concatenate([~np.isnan(obs.values[c]) for c in self.columns])
        self.runs = 0

    def __call__(self, z: np.ndarray, seed: int) -> np.ndarray:
        scenario = apply_params(self.base, {k.key: k.x(v) for k, v in zip(self.knobs, z)})
        model = SchemeModel(scenario, seed=seed, journal=False)
        try:
            model.run_days(int(self.days[-1]))
            rows = model.daily
        finally:
            model.release()
        self.runs += 1
        parts = []
        for c in self.columns:
            day = np.array([r[c] for r in rows], float) / (100 if c == "gmv" else 1)  # cents
            if COLUMNS[c] == FLOW:  # the sum over each row's period; day 0 is the founders'
                total = np.cumsum(day)[self.days]
                parts.append(np.diff(total, prepend=day[0]))
            else:
                parts.append(day[self.days])
        return np.concatenate(parts)[self.observed]


# -- the metamodel -----------------------------------------------------------------------------
@dataclass
class _Box:
    centre: np.ndarray
    half: np.ndarray

    def u(self, z: np.ndarray) -> np.ndarray:
        return (z - self.centre) / self.half

    def inside(self, z: np.ndarray) -> np.ndarray:
        return np.all(np.abs(self.u(z)) <= 1 + 1e-9, axis=-1)


def _features(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quadratic features of points ``u`` (n × k) and their gradient (n × P × k)."""
    n, k = u.shape
    cols, grads = [np.ones(n)], [np.zeros((n, k))]
    for i in range(k):
        cols.append(u[:, i])
        g = np.zeros((n, k))
        g[:, i] = 1
        grads.append(g)
    for i in range(k):
        for j in range(i, k):
            cols.append(u[:, i] * u[:, j])
            g = np.zeros((n, k))
            g[:, i] += u[:, j]
            g[:, j] += u[:, i]
            grads.append(g)
    return np.stack(cols, axis=1), np.stack(grads, axis=1)


@dataclass
class _Surface:
    """Per-moment quadratic regression through the runs inside a box."""
    box: _Box
    coef: np.ndarray      # P × M
    resid_cov: np.ndarray  # M × M: run-to-run covariance of the moments (residuals)
    gram_inv: np.ndarray   # (Φ'Φ)⁻¹, for the leverage of a point

    @classmethod
    def fit(cls, box: _Box, z: np.ndarray, y: np.ndarray) -> _Surface:
        phi, _ = _features(box.u(z))
        coef, *_ = np.linalg.lstsq(phi, y, rcond=None)
        resid = y - phi @ coef
        dof = max(len(y) - phi.shape[1], 1)
        return cls(box, coef, resid.T @ resid / dof, np.linalg.pinv(phi.T @ phi))

    def at(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Expected moments at ``z``, their Jacobian in z (M × k) and the leverage."""
        phi, grad = _features(self.box.u(z)[None, :])
        value = phi[0] @ self.coef
        jac = (grad[0].T @ self.coef).T / self.box.half
        return value, jac, float(phi[0] @ self.gram_inv @ phi[0])


# -- the fit -----------------------------------------------------------------------------------
def _weights(variance: np.ndarray) -> np.ndarray:
    """One over each moment's variance, floored so that a moment no run moved (always 0, say)
    neither dominates nor divides by zero."""
    floor = max(float(np.median(variance)) * 1e-3, 1e-12)
    return 1 / np.maximum(variance, floor)


def _solve(target: np.ndarray, weights: np.ndarray, predict: Callable, starts: list[np.ndarray],
           bounds: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Weighted least squares over ``v`` from several starts; the best solution."""
    from scipy.optimize import least_squares
    root = np.sqrt(weights)

    def residual(v: np.ndarray) -> np.ndarray:
        return root * (target - predict(v)[0])

    def jacobian(v: np.ndarray) -> np.ndarray:
        return -root[:, None] * predict(v)[1]

    best = None
    for v0 in starts:
        out = least_squares(residual, np.clip(v0, *bounds), jac=jacobian, bounds=bounds, method="trf")
        if best is None or out.cost < best.cost:
            best = out
    return best.x


def calibrate(scenario: str | Path | dict | Scenario, observations: Observations, *,
              fit: Sequence[str], ranges: dict[str, tuple[float, float]] | None = None,
              fixed: dict[str, Any] | None = None, launch: date | None = None,
              population: float | None = None, market_size: int | None = None, seed: int = 0,
              progress: Callable[[int, int], None] | None = None) -> Calibration:
    """Fit the ``fit`` keys of ``scenario``'s market to ``observations``.

    ``ranges``: search range per key (default: :data:`KNOBS`' typical ranges; the population's
    is 1–10 × the largest count observed). ``fixed``: scenario keys set before fitting
    (``{"churn.customer": 0.0}``). ``launch``: the first day of the first period (default:
    one typical spacing before the first row). ``population``: the persons the data come from
    (default: the scenario's market size), unless it is fitted (``"population"`` in ``fit``).
    ``market_size``: persons simulated (default: the population, at most 20,000); results are
    scaled by population ÷ market size. ``progress(runs, planned)``: after each engine run.
    """
    started = time.perf_counter()
    base = load_scenario(scenario)
    source = observations.source
    knobs = _knobs(fit, observations, source)
    try:
        original = apply_params(base, dict(fixed or {}))
    except ScenarioError as err:
        raise CalibrationError(err.source, err.key, err.message, zh=err.zh) from None
    launch = launch or observations.launch_default()
    fitted_population = any(k.key == POPULATION for k in knobs)
    if population is None and not fitted_population:
        population = float(original.market.size)
    observations.check(launch, None if fitted_population else population)
    largest = max(float(np.nanmax(v)) for c, v in observations.values.items() if c != "gmv") \
        if set(observations.columns) - {"gmv"} else float(original.market.size)
    size = market_size or int(min(population or MAX_SIMULATED, MAX_SIMULATED))
    founders = original.market.founders
    if population and not fitted_population:  # the founders' share of the market is kept
        founders = max(1, round(founders * size / population))
    try:
        base = original.with_market(size=size, days=int(observations.days(launch)[-1]),
                                    founders=min(founders, size))
    except ScenarioError as err:
        raise CalibrationError(source, err.key, err.message, zh=err.zh) from None

    simulated = [k for k in knobs if k.key != POPULATION]
    limits = {k.key: _range(k, (ranges or {}).get(k.key), largest, source) for k in knobs}
    lo = np.array([k.z(limits[k.key][0]) for k in simulated])
    hi = np.array([k.z(limits[k.key][1]) for k in simulated])
    c_bounds = (np.array([math.log(limits[POPULATION][0] / size)]),
                np.array([math.log(limits[POPULATION][1] / size)])) if fitted_population else None

    moments = _Moments(base, observations, launch, simulated)
    target = np.concatenate([observations.values[c] for c in observations.columns])
    target = target[~np.isnan(target)]
    rng = np.random.default_rng(seed)
    n_stage = 3 * _features(np.zeros((1, len(simulated))))[0].shape[1] + 6
    planned = n_stage * (MAX_STAGES + 2)
    points_z: list[np.ndarray] = []
    points_y: list[np.ndarray] = []

    def design(box: _Box, n: int, centre: int = 0) -> np.ndarray:
        """``n`` runs on a Latin hypercube in ``box`` and ``centre`` more at its centre; the
        centre runs' moments are returned (their spread is the runs' pure error)."""
        from scipy.stats import qmc
        u = (qmc.LatinHypercube(d=len(simulated), seed=rng).random(n) * 2 - 1
             if simulated else np.zeros((n, 0)))
        for z in [*(box.centre + u * box.half), *[box.centre] * centre]:
            points_y.append(moments(z, int(rng.integers(2**31 - 1))))
            points_z.append(z)
            if progress:
                progress(moments.runs, max(planned, moments.runs))
        return np.array(points_y[len(points_y) - centre:])

    def inside(box: _Box) -> tuple[np.ndarray, np.ndarray]:
        z, y = np.array(points_z).reshape(len(points_z), len(simulated)), np.array(points_y)
        keep = box.inside(z)
        return z[keep], y[keep]

    def fit_in(box: _Box, log_scale: bool) -> tuple[np.ndarray, _Surface, Callable, np.ndarray]:
        """The best fit in ``box``: v = (z of the simulated knobs, then log c if fitted)."""
        z, y = inside(box)
        surface = _Surface.fit(box, z, np.log1p(y) if log_scale else y)
        k = len(simulated)

        def predict(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            c = math.exp(v[k]) if fitted_population else population / size
            mean, jac, _ = surface.at(v[:k])
            if log_scale:  # log(1 + c·(e^S − 1)) and its derivatives
                raw = c * np.expm1(mean)
                inner = c * np.exp(mean) / (1 + raw)
                cols = [jac * inner[:, None]] + ([raw / (1 + raw)] if fitted_population else [])
                return np.log1p(raw), np.column_stack(cols)
            cols = [c * jac] + ([c * mean] if fitted_population else [])
            return c * mean, np.column_stack(cols)

        goal = np.log1p(target) if log_scale else target
        weights = _weights(np.diag(surface.resid_cov))  # relative weights: the scale cancels
        starts = [box.centre, z[int(np.argmin([np.sum((goal - (np.log1p(r) if log_scale else r))**2)
                                               for r in y]))]]
        bounds = (np.maximum(box.centre - box.half, lo), np.minimum(box.centre + box.half, hi))
        if fitted_population:
            starts = [np.append(s, _scale_start(goal, s, surface, log_scale, c_bounds)) for s in starts]
            bounds = (np.append(bounds[0], c_bounds[0]), np.append(bounds[1], c_bounds[1]))
        v = _solve(goal, weights, predict, starts, bounds)
        return v, surface, predict, weights

    box = _Box((lo + hi) / 2, (hi - lo) / 2)
    previous = None
    for _ in range(MAX_STAGES):  # locate: shrink the box around the fit, on the log scale
        pure = np.log1p(design(box, n_stage, centre=CENTRE_RUNS))
        v, surface, predict, weights = fit_in(box, log_scale=True)
        if not simulated:
            break
        jac = predict(v)[1][:, :len(simulated)]
        c = math.exp(v[-1]) if fitted_population else population / size
        sigma = surface.resid_cov * (1 / c + surface.at(v[:len(simulated)])[2])
        se = np.sqrt(np.diag(_sandwich(jac, weights, sigma, source, simulated)[1]))
        # Lack of fit (response-surface methodology): the quadratic's residual variance against
        # the pure error of the centre runs. A box too wide for a quadratic is shrunk whatever
        # its SE says, since the lack of fit inflates the SE.
        lack = float(np.sum(np.diag(surface.resid_cov)) / max(np.sum(pure.var(axis=0, ddof=1)), 1e-12))
        z_now = v[:len(simulated)]
        settled = (lack < LACK_OF_FIT and previous is not None
                   and np.all(np.abs(z_now - previous) <= 1.5 * se)
                   and np.all(3 * se >= SHRINK_DONE * box.half))
        previous = z_now
        half = np.clip(3 * se, MIN_HALF, box.half if lack < LACK_OF_FIT else SHRINK * box.half)
        if settled:
            break
        box = _Box(np.clip(z_now, lo + half, hi - half), half)
    for _ in range(3):  # final: the raw scale, enough runs in the box, recentred if at its edge
        z_in, _ = inside(box)
        if len(z_in) < n_stage:
            design(box, n_stage - len(z_in))
        v, surface, predict, weights = fit_in(box, log_scale=False)
        at_edge = np.abs(box.u(v[:len(simulated)])) > 0.9
        at_limit = (v[:len(simulated)] <= lo + 1e-9) | (v[:len(simulated)] >= hi - 1e-9)
        if not np.any(at_edge & ~at_limit):
            break
        box = _Box(np.clip(v[:len(simulated)], lo + box.half, hi - box.half), box.half)

    return _inference(original, observations, launch, knobs, v, surface, predict, weights, target,
                      population=population, size=size, fitted_population=fitted_population,
                      limits=limits, seed=seed, runs=moments.runs, started=started,
                      settings={"fit": list(fit), "fixed": dict(fixed or {}), "ranges": limits,
                                "launch": launch.isoformat(), "market_size": size})


def _scale_start(goal: np.ndarray, z: np.ndarray, surface: _Surface, log_scale: bool,
                 bounds: tuple[np.ndarray, np.ndarray]) -> float:
    """A starting log c for a fitted population: the least-squares ratio of data to runs."""
    mean = surface.at(z)[0]
    sim_raw = np.expm1(mean) if log_scale else mean
    obs_raw = np.expm1(goal) if log_scale else goal
    c = float(sim_raw @ obs_raw / max(sim_raw @ sim_raw, 1e-12))
    return float(np.clip(math.log(max(c, 1e-12)), bounds[0][0], bounds[1][0]))


def _sandwich(d: np.ndarray, weights: np.ndarray, sigma: np.ndarray, source: str,
              knobs: list[Knob]) -> tuple[np.ndarray, np.ndarray]:
    """``A⁻¹`` and the covariance ``A⁻¹ D'W Σ W D A⁻¹`` of a weighted least-squares fit with
    Jacobian ``d``, weights ``weights`` and covariance ``sigma`` of observed minus expected.
    With W ≠ Σ⁻¹ (the moments' correlation over time is ignored in W), A⁻¹ alone would
    understate the spread: the series' values move together."""
    a = d.T @ (weights[:, None] * d)
    if np.linalg.cond(a) > 1e12:
        names = ", ".join(k.key for k in knobs)
        raise CalibrationError(source, "", f"the series do not move with {names} independently (no "
                               "effect, or effects in step); fit fewer parameters or add a series",
                               zh=f"序列不随 {names} 独立变化(没有影响或影响同步);请少拟合一些参数或增加序列")
    a_inv = np.linalg.inv(a)
    wd = weights[:, None] * d
    return a_inv, a_inv @ (wd.T @ sigma @ wd) @ a_inv


def _inference(base: Scenario, obs: Observations, launch: date, knobs: list[Knob], v: np.ndarray,
               surface: _Surface, predict: Callable, weights: np.ndarray, target: np.ndarray, *,
               population: float | None, size: int, fitted_population: bool,
               limits: dict[str, tuple[float, float]], seed: int, runs: int, started: float,
               settings: dict[str, Any]) -> Calibration:
    """Estimates, sandwich covariance, goodness of fit and 95% intervals at the final fit."""
    from scipy import stats
    simulated = [k for k in knobs if k.key != POPULATION]
    k_sim = len(simulated)
    mean, d, leverage = predict(v)[0], predict(v)[1], surface.at(v[:k_sim])[2]
    c = math.exp(v[k_sim]) if fitted_population else population / size
    # Observed minus fitted: the market's randomness at the data's size (c times fewer persons
    # simulated: variance ÷ c once scaled) plus the metamodel's error at the estimate.
    sigma = c**2 * surface.resid_cov * (1 / c + leverage)
    w = np.diag(weights)
    a_inv, cov = _sandwich(d, weights, sigma, obs.source, knobs)
    residual = target - mean
    misfit = float(residual @ w @ residual)
    project = np.eye(len(target)) - d @ a_inv @ d.T @ w
    root = np.sqrt(weights)
    m = (root[:, None] * project) @ sigma @ (project.T * root[None, :])
    expected, spread = float(np.trace(m)), float(np.sum(m * m.T))
    dof = expected**2 / spread if spread > 0 else math.inf
    dispersion = misfit / expected if expected > 0 else math.inf
    gof_p = float(stats.chi2.sf(misfit * dof / expected, dof)) if expected > 0 else 0.0
    # Misfit beyond what the market's randomness explains (a model that is only an
    # approximation of the world) is taken as independent errors of variance extra ÷ w_j, as
    # non-linear least squares estimates its residual variance, and added to Σ.
    k, free = len(knobs), len(target) - len(knobs)
    extra = max(misfit - expected, 0.0) / free if free > 0 else 0.0
    if extra > 0:
        cov = _sandwich(d, weights, sigma + np.diag(extra / weights), obs.source, knobs)[1]
        quantile = float(stats.t.ppf(0.5 + LEVEL / 2, free))
        region = float(k * stats.f.ppf(LEVEL, k, free))
    else:
        quantile = float(stats.norm.ppf(0.5 + LEVEL / 2))
        region = float(stats.chi2.ppf(LEVEL, k))
    z_hat = np.append(v[:k_sim], v[k_sim] + math.log(size)) if fitted_population else v
    se = np.sqrt(np.diag(cov))
    estimates = [Estimate(kn.key, kn.x(z), kn.x(z - quantile * s), kn.x(z + quantile * s), float(z), float(s))
                 for kn, z, s in zip(knobs, z_hat, se)]
    notes = [f"{e.key} = {e.value:.6g} is at the edge of its search range {limits[e.key][0]:g}–"
             f"{limits[e.key][1]:g}; widen it with --fit {e.key}=LOW:HIGH"
             for e in estimates if not limits[e.key][0] * 1.001 < e.value < limits[e.key][1] * 0.999]

    # The fit against the data: expected values, and where 95% of such series would fall
    # (the parameters' uncertainty plus the market's randomness, widened as the intervals are).
    spread_rows = np.einsum("ij,jk,ik->i", d, cov, d) + c * np.diag(surface.resid_cov) + extra / weights
    half_band = quantile * np.sqrt(spread_rows)
    fitted, band = {}, {}
    at = 0
    for col in obs.columns:
        seen = ~np.isnan(obs.values[col])
        n = int(seen.sum())
        f = np.full(len(seen), np.nan)
        lo_, hi_ = f.copy(), f.copy()
        f[seen], lo_[seen], hi_[seen] = mean[at:at + n], mean[at:at + n] - half_band[at:at + n], \
            mean[at:at + n] + half_band[at:at + n]
        fitted[col], band[col] = f, (np.maximum(lo_, 0), hi_)
        at += n

    final_population = math.exp(z_hat[-1]) if fitted_population else population
    calibrated = _calibrated(base, obs, {e.key: e.value for e in estimates}, final_population)
    return Calibration(base=base, scenario=calibrated, observations=obs, launch=launch, knobs=knobs,
                       estimates=estimates, cov_z=cov, quantile=quantile, region=region,
                       dispersion=dispersion, gof_p=gof_p, dof=dof, population=final_population,
                       simulated=size, runs=runs, seconds=time.perf_counter() - started, seed=seed,
                       fitted=fitted, band=band, notes=notes, settings=settings)


def _calibrated(base: Scenario, obs: Observations, values: dict[str, float], population: float) -> Scenario:
    """The scenario with the fitted values, its own id and names, and the data's market size
    when that is small enough to run."""
    params = {k: v for k, v in values.items() if k != POPULATION}
    if population <= RUNNABLE:
        params["market.size"] = max(int(round(population)), base.market.founders)
    out = apply_params(base, params)
    name = Path(obs.source).name
    meta = dataclasses.replace(
        out.meta, id=f"{base.id}_calibrated", name_en=f"{base.meta.name_en} (calibrated to {name})",
        name_zh=f"{base.meta.name_zh}(按 {name} 校准)",
        source=f"{base.meta.source}; market calibrated to {name}")
    return load_scenario({**dataclasses.replace(out, meta=meta).to_dict()})


def _knobs(fit: Sequence[str], obs: Observations, source: str) -> list[Knob]:
    if not fit:
        raise CalibrationError(source, "--fit", "name at least one parameter to fit; allowed: "
                               + ", ".join(KNOBS), zh="请至少指定一个要拟合的参数;允许:" + ", ".join(KNOBS))
    out = []
    for key in fit:
        if key not in KNOBS:
            raise CalibrationError(source, key, "cannot be fitted; allowed: " + ", ".join(KNOBS),
                                   zh="不能拟合;允许:" + ", ".join(KNOBS))
        if key in (k.key for k in out):
            raise CalibrationError(source, key, "named twice", zh="重复指定")
        knob = KNOBS[key]
        if not set(knob.moves) & set(obs.columns):
            need = " or ".join(knob.moves)
            raise CalibrationError(source, key, f"the data's series ({', '.join(obs.columns)}) do not respond "
                                   f"to it; it needs {need}", zh=f"数据中的序列({', '.join(obs.columns)})"
                                   f"不受它影响;需要 {need}")
        out.append(knob)
    observed = int(sum((~np.isnan(v)).sum() for v in obs.values.values()))
    if observed < len(out) + 2:
        raise CalibrationError(source, "", f"{observed} observed values for {len(out)} parameters; "
                               f"at least {len(out) + 2} are needed", zh=f"{len(out)} 个参数只有 {observed} "
                               f"个观测值;至少需要 {len(out) + 2} 个")
    return out


def _range(knob: Knob, given: tuple[float, float] | None, largest: float, source: str) -> tuple[float, float]:
    """The search range of a knob: given, or its typical range (population: 1–10 × the
    largest count observed); checked against what the scenario accepts."""
    if given is None:
        return (knob.low * largest, knob.high * largest) if knob.key == POPULATION else (knob.low, knob.high)
    low, high = given
    hard = (1.0, 1e10) if knob.key == POPULATION else (knob.spec().lo, knob.spec().hi)
    floor = max(hard[0], knob.offset)
    if knob.key == POPULATION:
        floor = max(floor, largest)
    ok = floor < low < high <= hard[1] and (not knob.logit or high < 1) and low > knob.offset
    if not ok:
        top = f"{hard[1]:g}" + (" (exclusive)" if knob.logit else "")
        raise CalibrationError(source, knob.key, f"search range {low:g}:{high:g}; needs {floor:g} < LOW < "
                               f"HIGH <= {top}", zh=f"搜索范围 {low:g}:{high:g};须满足 {floor:g} < 下限 < 上限 ≤ {top}")
    return float(low), float(high)


# -- reporting ---------------------------------------------------------------------------------
def rows(fit: Calibration) -> list[dict[str, Any]]:
    """The fit against the data, one row per observed value: date, column, observed, fitted
    and the 95% prediction band."""
    out = []
    for col in fit.observations.columns:
        observed = fit.observations.values[col]
        low, high = fit.band[col]
        out += [{"date": d.isoformat(), "column": col, "observed": float(o), "fitted": float(f),
                 "low": float(lo), "high": float(hi)}
                for d, o, f, lo, hi in zip(fit.observations.dates, observed, fit.fitted[col], low, high)
                if not math.isnan(o)]
    return out


CHART_WORDS = {
    "title": ("{name}: market fitted to {data}", "{name}:按 {data} 拟合的市场"),
    "observed": ("observed", "观测值"),
    "fitted": ("fitted (expected value)", "拟合(期望值)"),
    "band": ("95% prediction band", "95% 预测区间"),
    "date": ("period ending", "期末日期"),
}


def figure(fit: Calibration, lang: str = "en") -> Any:
    """The fit drawn against the data: one panel per series, observed points, the fitted
    expected value and its 95% prediction band (matplotlib Figure, Chinese labels rendered)."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from sim.charts import COLOURS, style
    from sim.measures import SERIES, UNIT_NAMES
    zh = lang == "zh"

    def word(key: str, **values: str) -> str:
        return CHART_WORDS[key][zh].format(**values)

    columns = fit.observations.columns
    dates = np.array(fit.observations.dates, dtype="datetime64[D]")
    with style():
        from matplotlib.figure import Figure
        fig = Figure(figsize=(7.6, 2.9 * len(columns) + 0.4), layout="constrained")
        axes = fig.subplots(len(columns), 1, squeeze=False)[:, 0]
        for ax, col, colour in zip(axes, columns, COLOURS):
            seen = ~np.isnan(fit.observations.values[col])
            low, high = fit.band[col]
            ax.fill_between(dates[seen], low[seen], high[seen], color=colour, alpha=0.18, linewidth=0,
                            label=word("band"))
            ax.plot(dates[seen], fit.fitted[col][seen], color=colour, label=word("fitted"))
            ax.plot(dates[seen], fit.observations.values[col][seen], "o", color="#222222", markersize=3.5,
                    label=word("observed"))
            unit = UNIT_NAMES.get(SERIES[col].unit, ("", ""))[zh]
            ax.set_ylabel(label(col, lang) + (f"({unit})" if zh and unit else f" ({unit})" if unit else ""))
            ax.xaxis.set_major_formatter(ConciseDateFormatter(AutoDateLocator()))
            ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
            ax.legend(loc="upper left")
        axes[-1].set_xlabel(word("date"))
        name = fit.base.meta.name_zh if zh else fit.base.meta.name_en
        axes[0].set_title(word("title", name=name, data=Path(fit.observations.source).name))
    return fig
