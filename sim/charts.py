"""Charts of run results (matplotlib, no pyplot): growth, retention, payout ratio, paid depth,
Lorenz curve of rewards, net result by join cohort, the recruitment-stop stress test.

Every function takes a list of results and a language ("zh" or "en") and returns a Figure,
each scenario in its colour from :mod:`sim.palette` (the one the dashboard gives it);
:func:`png_data_uri` turns one into an inline image. Chinese labels need a CJK font:
:func:`cjk_font` registers the one a dependency ships (so a fresh machine without system fonts
draws Chinese, whatever matplotlib's font cache holds) and warns, clearly, if it is missing.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import warnings
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

from sim.measures import Measured, figure, series
from sim.palette import DASH, SHADOW, colours, preferred
from sim.result import RunResult

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei",
                "PingFang SC", "Heiti SC", "Noto Serif CJK SC", "AR PL UMing CN")
# For series that are not scenarios: a calibration's columns, a sweep's grid points.
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
DPI = 110

LABELS = {
    "band_active": ("Active persons: median and 5–95% of replicates", "活跃人数:各次重复运行的中位数与 5–95% 区间"),
    "band_gmv": ("GMV per day: median and 5–95% of replicates", "每日销售额:中位数与 5–95% 区间"),
    "day": ("day", "天"),
    "participants": ("participants", "参与者(代理)"),
    "customers": ("customers", "顾客"),
    "growth": ("Growth: active persons by role", "增长:各角色活跃人数"),
    "retention": ("Retention: share still active k days after joining", "留存:加入 k 天后仍活跃的比例"),
    "payout": ("Cumulative payout ratio (rewards ÷ GMV)", "累计奖励支出率(奖励 ÷ 销售额)"),
    "depth": ("Rewards by paid depth", "各计酬层级的奖励占比"),
    "depth_x": ("paid depth (sponsor links from trigger to payee)", "计酬层级(触发者到受益人的推荐链接数)"),
    "share_rewards": ("share of rewards", "奖励占比"),
    "lorenz": ("Lorenz curve of rewards among participants", "参与者奖励的洛伦兹曲线"),
    "lorenz_x": ("share of participants (lowest earners first)", "参与者累计占比(收入由低到高)"),
    "lorenz_y": ("share of rewards", "奖励累计占比"),
    "equality": ("equal shares", "完全平均"),
    "cohort_losing": ("Share losing money by the week they qualified", "按取得资格周统计的亏损比例"),
    "cohort_net": ("Mean net result by the week they qualified (¥)", "按取得资格周统计的平均净收益(¥)"),
    "cohort_x": ("week they qualified, first day", "取得资格的周(起始日)"),
    "aarp": ("AARP 2018: 47% lost money", "AARP 2018:47% 亏损"),
    "stress": ("Daily rewards: baseline vs recruitment stopped", "每日奖励:基准与停止招募对比"),
    "baseline": ("baseline", "基准"),
    "stopped": ("recruitment stopped", "停止招募"),
    "stop": ("stop day", "停止日"),
    "yuan_day": ("¥ per day", "¥/天"),
    "none": ("no participants", "无参与者"),
}


def label(key: str, lang: str) -> str:
    en, zh = LABELS[key]
    return zh if lang == "zh" else en


# A CJK font shipped from PyPI (notojp-matplotlib: Noto Sans CJK, SIL Open Font License), found
# without importing the package (its import changes matplotlib's global settings).
BUNDLED_FONT = ("notojp_matplotlib", "fonts", "NotoSansCJKjp-Regular.otf")


def bundled_font_file() -> Path | None:
    spec = importlib.util.find_spec(BUNDLED_FONT[0])
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]).joinpath(*BUNDLED_FONT[1:])
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """A font family that renders Chinese: the bundled one, registered with matplotlib for
    this process (so neither a system font nor matplotlib's font cache is needed), else the
    first installed one, else None (with a warning)."""
    bundled = bundled_font_file()
    if bundled is not None:
        font_manager.fontManager.addfont(str(bundled))
        return font_manager.FontProperties(fname=str(bundled)).get_name()
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FAMILIES if name in installed), None)
    if found is None:
        warnings.warn("no CJK font found: Chinese labels in charts will render as empty boxes; "
                      "reinstall Scheme Lab's dependencies (notojp-matplotlib)", RuntimeWarning, stacklevel=2)
    return found


@contextmanager
def style() -> Iterator[None]:
    """Chart style with the CJK font first, for these charts only (global settings untouched)."""
    font = cjk_font()
    # Named families (not "sans-serif") are stored in each text object, so the figure keeps
    # its CJK font when it is saved or shown after this context has closed.
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    with matplotlib.rc_context({"font.family": families,
                                "axes.unicode_minus": False, "axes.spines.top": False,
                                "axes.spines.right": False, "font.size": 9,
                                "axes.titlesize": 10, "legend.fontsize": 8, "legend.frameon": False}):
        yield


def png_data_uri(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _name(r: RunResult, lang: str) -> str:
    return r.scenario.meta.name_zh if lang == "zh" else r.scenario.meta.name_en


def _coloured(results: Sequence[RunResult]) -> list[tuple[RunResult, str]]:
    """Each result with its scenario's colour: the same whatever order the results come in."""
    return list(zip(results, colours([r.scenario.id for r in results])))


def _figure(ncols: int = 1, height: float = 3.4) -> tuple[Figure, list]:
    fig = Figure(figsize=(7.6 if ncols == 1 else 9.0, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0].tolist()
    return fig, axes


def growth(results: Sequence[RunResult], lang: str) -> Figure:
    with style():
        fig, (left, right) = _figure(2)
        for r, c in _coloured(results):
            d = series(r.daily, ("participants", "consumers"))
            left.plot(d["day"], d["participants"], color=c, label=_name(r, lang))
            right.plot(d["day"], d["consumers"], color=c, label=_name(r, lang))
        for ax, key in ((left, "participants"), (right, "customers")):
            ax.set_title(label(key, lang))
            ax.set_xlabel(label("day", lang))
        left.legend()
        fig.suptitle(label("growth", lang))
    return fig


def retention(results: Sequence[RunResult], lang: str) -> Figure:
    with style():
        fig, (ax,) = _figure()
        keys = ("retention_d1", "retention_d7", "retention_d30", "retention_d90")
        x = np.arange(len(keys))
        width = 0.8 / max(len(results), 1)
        for k, (r, c) in enumerate(_coloured(results)):
            ax.bar(x + k * width, [r.metrics.get(key, 0.0) for key in keys], width, color=c, label=_name(r, lang))
        ax.set_xticks(x + width * (len(results) - 1) / 2, ["D1", "D7", "D30", "D90"])
        ax.set_ylim(0, 1)
        ax.set_title(label("retention", lang))
        ax.legend()
    return fig


def payout_ratio(results: Sequence[RunResult], lang: str) -> Figure:
    with style():
        fig, (ax,) = _figure()
        for r, c in _coloured(results):
            d = series(r.daily, ("payout_ratio_to_date",))
            ax.plot(d["day"], d["payout_ratio_to_date"], color=c, label=_name(r, lang))
        ax.set_title(label("payout", lang))
        ax.set_xlabel(label("day", lang))
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.legend()
    return fig


def paid_depth(results: Sequence[RunResult], lang: str) -> Figure:
    with style():
        fig, (ax,) = _figure()
        width = 0.8 / max(len(results), 1)
        deepest = 1
        for k, (r, c) in enumerate(_coloured(results)):
            by_depth = Measured(r)["rewards_by_depth"].set_index("depth")["amount"]
            if by_depth.sum() > 0:
                deepest = max(deepest, int(by_depth.index.max()))
                ax.bar(by_depth.index.to_numpy() + k * width, by_depth.to_numpy() / by_depth.sum(), width,
                       color=c, label=_name(r, lang))
            else:
                ax.bar([], [], color=c, label=f"{_name(r, lang)} ({label('none', lang)})")
        ax.set_xticks(np.arange(0, deepest + 1) + width * (len(results) - 1) / 2, range(deepest + 1))
        ax.set_xlabel(label("depth_x", lang))
        ax.set_ylabel(label("share_rewards", lang))
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.set_title(label("depth", lang))
        ax.legend()
    return fig


def lorenz(results: Sequence[RunResult], lang: str) -> Figure:
    with style():
        fig, (ax,) = _figure(height=4.0)
        ax.plot([0, 1], [0, 1], color="#999", linestyle=":", label=label("equality", lang))
        for r, c in _coloured(results):
            m = Measured(r)
            if not m["rewards"]:
                continue
            curve = m["rewards_lorenz"]
            ax.plot(curve["x"], curve["y"], color=c, label=f"{_name(r, lang)} (Gini {figure('rewards_gini', m['rewards_gini'])})")
        ax.set_xlabel(label("lorenz_x", lang))
        ax.set_ylabel(label("lorenz_y", lang))
        ax.set_aspect("equal")
        ax.set_title(label("lorenz", lang))
        ax.legend(loc="upper left")
    return fig


def cohorts(results: Sequence[RunResult], lang: str) -> Figure:
    with style():
        fig, (left, right) = _figure(2)
        for r, c in _coloured(results):
            rows = Measured(r)["net_by_cohort"]
            if rows.empty:
                continue
            left.plot(rows["start_day"], rows["share_losing"], ".-", color=c, label=_name(r, lang))
            right.plot(rows["start_day"], rows["mean_net"], ".-", color=c, label=_name(r, lang))
        left.axhline(0.47, color="#999", linestyle="--", linewidth=1, label=label("aarp", lang))
        left.set_ylim(-0.02, 1.02)
        left.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        right.axhline(0, color="#999", linewidth=0.8)
        for ax, key in ((left, "cohort_losing"), (right, "cohort_net")):
            ax.set_title(label(key, lang))
            ax.set_xlabel(label("cohort_x", lang))
        left.legend()
    return fig


def stress(tests: Sequence, lang: str) -> Figure:
    """Daily rewards in each stress test's baseline and stopped runs (one panel each)."""
    with style():
        fig, axes = _figure(len(tests), height=3.0)
        for ax, t in zip(axes, tests):
            # As the dashboard's stress test: the scenario in its colour, the stopped run grey, dashed.
            ax.plot(t.baseline.daily["day"], t.baseline.daily["rewards"],
                    color=preferred(t.baseline.scenario.id), label=label("baseline", lang))
            ax.plot(t.stopped.daily["day"], t.stopped.daily["rewards"], color=SHADOW, dashes=DASH,
                    label=label("stopped", lang))
            ax.axvline(t.stop_day, color="#555", linestyle="--", linewidth=1, label=label("stop", lang))
            ax.set_title(_name(t.baseline, lang))
            ax.set_xlabel(label("day", lang))
        axes[0].set_ylabel(label("yuan_day", lang))
        axes[0].legend()
        fig.suptitle(label("stress", lang))
    return fig


def bands(batch, column: str, lang: str, *, title_key: str) -> Figure:
    """A daily column across replicates: the median and the 5–95% band per scenario × grid
    point (a :class:`sim.batch.Batch`, e.g. a stored sweep)."""
    table = batch.bands(column, q=(0.05, 0.5, 0.95))
    groups = table.groupby(batch.groups, sort=False, dropna=False)
    # Scenarios alone (no grid) in their own colours; grid points, which are not, in turn.
    scenario_of = [name[0] if isinstance(name, tuple) else name for name, _ in groups]
    palette = colours(scenario_of) if not batch.params else COLOURS * (len(scenario_of) // len(COLOURS) + 1)
    with style():
        fig, (ax,) = _figure()
        for (name, group), c in zip(groups, palette):
            name = name if isinstance(name, tuple) else (name,)
            text = " · ".join([str(name[0]), *(f"{k.split('.')[-1]}={v:g}" if isinstance(v, float) else
                                               f"{k.split('.')[-1]}={v}" for k, v in zip(batch.params, name[1:]))])
            ax.fill_between(group["day"], group["q0.05"], group["q0.95"], color=c, alpha=0.2, linewidth=0)
            ax.plot(group["day"], group["q0.5"], color=c, label=text)
        ax.set_title(label(title_key, lang))
        ax.set_xlabel(label("day", lang))
        ax.legend()
    return fig
