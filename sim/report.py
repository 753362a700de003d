"""Self-contained HTML reports: one file, charts inlined, in Chinese or English.

    import sim, sim.report
    results = [sim.run(s, seed=1) for s in ("retail_baseline", "liandong_2plus1")]
    sim.report.write(results, "out/report.html", lang="zh")

Sections: summary, empirical context, pyramid-risk index (as its parts), growth, retention,
payout ratio, paid depth, Lorenz curve of rewards, net result by join cohort, the
recruitment-stop stress test, the findings with citations and evidence, and every parameter
with the seed so each run can be reproduced. Nothing is loaded from the network.
"""

from __future__ import annotations

import json
import os
import tempfile
from html import escape
from pathlib import Path
from typing import Any, Callable, Sequence

from sim import charts
from sim.audit import BREACH, RiskIndex, audit, cases, has_scheme, risk_index, stress_test
from sim.audit.findings import JURISDICTION_NAMES, VERDICTS, Finding, verdict_name
from sim.audit.stress import StressTest
from sim.batch import Batch
from sim.measures import COEFFICIENT, Measured, amount, figure, format_value, name, number
from sim.result import RunResult
from sim.scenario import scenario_paths

LANGS = ("zh", "en")

TEXT = {
    "title": ("Scheme Lab report: growth, money and pyramid risk", "Scheme Lab 报告:增长、资金与传销风险"),
    "summary": ("Summary", "概要"),
    "context": ("Who loses money: the simulation beside surveys", "谁在亏钱:仿真结果与调查对照"),
    "risk": ("Pyramid-risk index, part by part", "传销风险指数(分项)"),
    "growth": ("Growth", "增长"),
    "retention": ("Retention", "留存"),
    "payout": ("Payout ratio", "奖励支出率"),
    "depth": ("Paid depth", "计酬层级"),
    "lorenz": ("Concentration of rewards", "奖励集中度"),
    "cohorts": ("Net result by join cohort", "各加入批次的净收益"),
    "stress": ("Recruitment-stop stress test", "停止招募压力测试"),
    "findings": ("Findings by jurisdiction", "分法域审查结论"),
    "case": ("Decided cases: the nearest, and what the authority found", "已决案例:最相近者及主管机关的认定"),
    "case_intro": ("Each design is set beside the decided case (scenarios/cases/) nearest to it by its "
                   "declared facts and measured shares. The table reads the case's elements off this "
                   "design's own audit, beside what the authority decided for the case.",
                   "每个设计都与按声明事实和实测占比最相近的已决案例(scenarios/cases/)并列。下表按该案例的要件"
                   "读取本设计自身的审查结果,并与主管机关对该案例的认定并列。"),
    "case_none": ("No incentive scheme pays anyone here: there is no decided case to set it beside.",
                  "本模式没有向任何人支付奖励的激励机制,无可对照的已决案例。"),
    "element": ("element", "要件"),
    "authority": ("the authority, in the case", "主管机关对该案例"),
    "this_design": ("this design's audit", "本设计的审查"),
    "agreement": ("side by side", "对照"),
    "parameters": ("Parameters and seed", "参数与随机种子"),
    "replicates": ("Replicates: how much is chance", "重复运行:多少是偶然"),
    "replicates_note": ("Sweep {sweep} from the results store: {runs} runs, seeds {seeds} at each grid point. "
                        "Means with their 95% confidence interval (t-based) over the seeds.",
                        "来自结果库的扫描 {sweep}:共 {runs} 次运行,每个参数组合使用随机种子 {seeds}。"
                        "下表为各种子的均值及其 95% 置信区间(t 分布)。"),
    "group": ("scenario · parameters", "场景 · 参数"),
    "scenario": ("scenario", "场景"),
    "metric": ("measure", "指标"),
    "component": ("component", "分项"),
    "weight": ("weight", "权重"),
    "value": ("value", "数值"),
    "score": ("score 0–1", "得分 0–1"),
    "points": ("points", "分值"),
    "how": ("how it is scored", "计分方法"),
    "total": ("total", "合计"),
    "measured": ("measured", "实测"),
    "threshold": ("threshold", "阈值"),
    "static": ("Declared by the components (static evidence)", "组件声明(静态证据)"),
    "mechanism": ("mechanism", "机制"),
    "fact": ("declared fact", "声明事实"),
    "dynamic": ("From the run (dynamic evidence)", "运行实例(动态证据)"),
    "baseline": ("baseline", "基准"),
    "stopped": ("recruitment stopped", "停止招募"),
    "reproduce": ("Reproduce", "复现命令"),
    "seed": ("seed", "随机种子"),
    "code": ("code version", "代码版本"),
    "hash": ("parameter hash", "参数哈希"),
    "nofont": ("No CJK font was found when drawing the charts: Chinese labels in them may show as "
               "empty boxes. Reinstall Scheme Lab's dependencies (make test does) and regenerate.",
               "绘制图表时未找到中文字体,图中中文可能显示为方框。请重新安装 Scheme Lab 的依赖(make test "
               "会安装)后重新生成。"),
}
SUMMARY = ("customers", "participants", "participants_active", "gmv", "rewards", "payout_ratio",
           "payout_to_qualifying", "reward_share_recruitment", "reward_share_team",
           "internal_consumption_share", "entry_fee", "org_levels", "org_levels_active",
           "max_paid_depth", "share_losing_money", "rewards_gini", "top1_share_rewards",
           "liabilities_end", "promised_offbook_end", "cash_held_end", "capital_injected")
CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
"Helvetica Neue",Arial,sans-serif;margin:0 auto;max-width:1100px;padding:24px;color:#222;line-height:1.5}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
h3{margin-bottom:.3em}table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;display:block;margin:.5em 0}
.finding{border:1px solid #ddd;border-left:6px solid #999;margin:.8em 0;padding:.4em .9em;border-radius:4px}
.finding.breach{border-left-color:#c62828}.finding.warning{border-left-color:#ef8f00}
.finding.not_triggered{border-left-color:#2e7d32}.badge{display:inline-block;padding:0 .5em;border-radius:3px;
color:#fff;font-size:.85em;margin-right:.5em}.badge.breach{background:#c62828}
.badge.warning{background:#ef8f00}.badge.not_triggered{background:#2e7d32}.badge.not_applicable{background:#888}
.cite{color:#555;font-size:.9em}.case{border:1px solid #ddd;padding:.4em .9em;border-radius:4px}.note{background:#fff8e1;border:1px solid #f0d890;padding:.5em .9em}
pre{background:#f7f7f7;padding:.6em;white-space:pre-wrap;font-size:.8em}details{margin:.3em 0}
"""


def t(key: str, lang: str) -> str:
    en, zh = TEXT[key]
    return zh if lang == "zh" else en


def _fmt(value: Any) -> str:
    """A table cell that is not a measure: text as it is, numbers plainly."""
    if value is None:
        return "—"
    return value if isinstance(value, str) else number(value)


NUMERIC = ' class="n"'


def _table(head: Sequence[str] | None, rows: Sequence[Sequence[Any]], *, numeric_from: int = 1) -> str:
    out = ["<table>"]
    if head:
        out += ["<tr>", *(f"<th>{escape(str(h))}</th>" for h in head), "</tr>"]
    for row in rows:
        out.append("<tr>")
        for k, cell in enumerate(row):
            text = cell if isinstance(cell, str) else _fmt(cell)
            numeric = k >= numeric_from and text[:1] in "¥-0123456789∞"  # right-aligned figures
            out.append(f"<td{NUMERIC if numeric else ''}>{escape(text)}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _name(r: RunResult, lang: str) -> str:
    return _name_of(r.scenario, lang)


def _img(fig, alt: str) -> str:
    return f'<img alt="{escape(alt)}" src="{charts.png_data_uri(fig)}">'


def _section(key: str, lang: str, body: str) -> str:
    return f'<section id="{key}"><h2>{escape(t(key, lang))}</h2>{body}</section>'


def _summary(results: Sequence[RunResult], lang: str, measured: list[Measured],
             findings: list[list[Finding]]) -> str:
    rows = [[name(key, lang), *(figure(key, m[key], lang) for m in measured)] for key in SUMMARY]
    for j, (en_j, zh_j) in JURISDICTION_NAMES.items():
        rows.append([f"{zh_j}:违反 / 警示" if lang == "zh" else f"{en_j}: breaches / warnings",
                     *(f"{sum(f.verdict == 'breach' for f in fs if f.jurisdiction == j)} / "
                       f"{sum(f.verdict == 'warning' for f in fs if f.jurisdiction == j)}" for fs in findings)])
    rows.append(["天数 × 市场规模" if lang == "zh" else "days × market size",
                 *(f"{r.days} × {r.market_size:,}" for r in results)])
    return _table([t("metric", lang), *(_name(r, lang) for r in results)], rows)


def _context(results: Sequence[RunResult], lang: str, measured: list[Measured]) -> str:
    if lang == "zh":
        head = ["来源", "亏损", "持平", "盈利"]
        aarp, taylor = "AARP 2018 美国参与者调查", "Taylor(2011),350 个计划的报酬方案,计入成本后"
        intro = ("净收益 = 奖励 + 所得商品的公允价值 − 支付的全部费用(礼包、商品、会费)。调查数据是自报结果,"
                 "仿真是对一个设计的推演;两者并列只为帮助判断仿真结果处在现实中的什么位置。")
    else:
        head = ["source", "lost money", "broke even", "profited"]
        aarp, taylor = "AARP 2018 survey of US participants", "Taylor (2011), 350 plans' pay structures, after costs"
        intro = ("Net result = rewards + fair value of goods received − everything paid (packages, goods, fees). "
                 "The surveys are self-reported and the simulation is one design's consequences; they sit "
                 "side by side so a reader can place the simulated share losing money.")
    rows = [[_name(r, lang), *(figure(k, m[k], lang) for k in ("share_losing_money", "share_broke_even",
                                                               "share_profited"))]
            for r, m in zip(results, measured) if m["participants"]]
    rows += [[aarp, "≈47%", "≈27%", "≈25%"], [taylor, "≈99%", "—", "≤1%"]]
    return f"<p>{escape(intro)}</p>" + _table(head, rows)


def _risk(results: Sequence[RunResult], lang: str, findings: list[list[Finding]]) -> str:
    intro = ("The index adds weighted parts, each scored 0–1; weights sum to 100. " if lang == "en" else
             "指数由各分项加权相加,每项得分 0–1,权重合计 100。")
    out = [f"<p>{escape(intro + RiskIndex.screening(lang))}</p>"]
    for r, fs in zip(results, findings):
        ri = risk_index(r)
        # A part's score is a measure scored on 0..1: written as a coefficient.
        rows = [[p.name_zh if lang == "zh" else p.name_en, str(p.weight), figure(p.component.measure, p.value, lang),
                 format_value(COEFFICIENT, p.score), figure(p.component.metric, p.points), p.explain(lang)]
                for p in ri.parts]
        total = figure("risk_index", ri.total)
        rows.append([t("total", lang), "100", "", "", total, ri.band(lang)])
        out.append(f"<h3>{escape(_name(r, lang))}: {total} / 100 ({escape(ri.band(lang))})</h3>")
        breaches = sum(f.verdict == BREACH for f in fs)
        if breaches:
            out.append(f'<p class="note">{escape(_outranks(breaches, ri.band(lang), lang))}</p>')
        out.append(_table([t(k, lang) for k in ("component", "weight", "value", "score", "points", "how")], rows))
    return "".join(out)


def _outranks(breaches: int, band: str, lang: str) -> str:
    return (f"{breaches} 项法律审查结论为“违反”:无论风险指数等级({band})如何,都以违反为准。" if lang == "zh" else
            f"{breaches} legal finding(s) are breaches: they outrank the index, whatever its band ({band}).")


def _stress(tests: list[StressTest], lang: str) -> str:
    intro = ("Each model is rerun from the same seed with recruitment stopped on the stop day: customers "
             "still come and buy, but no one new becomes a participant. A scheme whose pay depends on new "
             "joins collapses (daily payouts fall by 80% or more)." if lang == "en" else
             "每个模式用相同随机种子重新运行,并在停止日起停止招募:顾客仍会到来并购买,但不再有人成为参与者。"
             "报酬依赖新人加入的模式会崩塌(每日奖励下降 80% 以上)。")
    out = [f"<p>{escape(intro)}</p>", _img(charts.stress(tests, lang), t("stress", lang))]
    for s in tests:
        verdict = (("collapse", "崩塌") if s.collapse else ("no collapse", "未崩塌"))[lang == "zh"]
        drop = figure("payout_drop", s.payout_drop)
        before, after = figure("payouts_before_stop", s.payouts_before), figure("payouts_after_stop", s.payouts_after)
        title = (f"{_name(s.baseline, lang)}: 第 {s.stop_day} 天停止招募,前 {s.window} 天日均奖励 "
                 f"{before},之后 {s.window} 天 {after}(下降 {drop}):{verdict}"
                 if lang == "zh" else
                 f"{_name(s.baseline, lang)}: recruitment stopped on day {s.stop_day}; mean daily payouts "
                 f"{before} over the {s.window} days before, {after} over "
                 f"the {s.window} days after (a fall of {drop}): {verdict}")
        rows = [[name(k, lang), figure(k, b, lang), figure(k, x, lang)] for k, b, x in s.rows()]
        out.append(f"<h3>{escape(title)}</h3>" + _table([t("metric", lang), t("baseline", lang), t("stopped", lang)], rows))
    return "".join(out)


def _finding(f: Finding, lang: str) -> str:
    rows = [[t(column, lang), name(k, lang), figure(k, v, lang)]
            for column, figures in (("measured", f.measured), ("threshold", f.thresholds))
            for k, v in figures.items()]
    out = [f'<div class="finding {f.verdict}" data-id="{escape(f.id)}" data-verdict="{f.verdict}">',
           f'<h4><span class="badge {f.verdict}">{escape(verdict_name(f.verdict, lang))}</span>'
           f'{escape(f.title(lang))}</h4>',
           f'<div class="cite">{escape(f.citation)} · <code>{escape(f.id)}</code></div>',
           f"<p>{escape(f.explanation(lang))}</p>"]
    if rows:
        out.append(_table(["", t("metric", lang), t("value", lang)], rows, numeric_from=2))
    ev = f.evidence
    if ev.static:
        out.append(f"<details open><summary>{escape(t('static', lang))}</summary>")
        out.append(_table([t("mechanism", lang), t("fact", lang), t("value", lang)], ev.declared(lang),
                          numeric_from=2))
        out.append("</details>")
    for ex in ev.dynamic:
        out.append(f"<details open><summary>{escape(t('dynamic', lang))}: {escape(ex.title(lang))}</summary>")
        # Ledger amounts to the cent; whole numbers are ids, counts and levels, written bare.
        rows = [[str(v) if isinstance(v, (int, str)) else amount(v) for v in row] for row in ex.cells(lang)]
        out.append(_table(ex.header(lang), rows))
        out.append("</details>")
    out.append("</div>")
    return "".join(out)


def _findings(results: Sequence[RunResult], lang: str, findings: list[list[Finding]]) -> str:
    out = []
    for r, fs in zip(results, findings):
        out.append(f"<h3>{escape(_name(r, lang))}</h3>")
        for j, names in JURISDICTION_NAMES.items():
            mine = sorted((f for f in fs if f.jurisdiction == j), key=lambda f: VERDICTS.index(f.verdict))
            if mine:
                out.append(f"<h4>{escape(names[lang == 'zh'])}</h4>" + "".join(_finding(f, lang) for f in mine))
    return "".join(out)


def _cases(results: Sequence[RunResult], lang: str, measured: list[Measured],
           findings: list[list[Finding]]) -> str:
    out = [f"<p>{escape(t('case_intro', lang))}</p>"]
    for r, m, fs in zip(results, measured, findings):
        out.append(f"<h3>{escape(_name(r, lang))}</h3>")
        if not has_scheme(m):
            out.append(f"<p>{escape(t('case_none', lang))}</p>")
            continue
        own = r.scenario.case is not None  # a decided case: its own decision, not a neighbour's
        nearest, distance = (r.scenario, 0.0) if own else cases.nearest_case(r.scenario, m)
        c = nearest.case
        summary = c.summary_zh if lang == "zh" else c.summary_en
        head = (f"{_name_of(nearest, lang)} · {c.authority} · {c.date}" + (f" · {c.number}" if c.number else "")
                + f" · {cases.FINDING_NAMES[c.finding][lang == 'zh']}")
        out.append(f'<div class="case" data-case="{escape(nearest.id)}" data-distance="{distance:.3f}">'
                   f"<h4>{escape(head)}</h4><p>{escape(summary)}</p>")
        rows = cases.rows(cases.compare(c, fs), lang, own=own)
        out.append(_table([t(k, lang) for k in ("element", "authority", "this_design", "agreement")], rows,
                          numeric_from=9))
        out.append("</div>")
    return "".join(out)


def _name_of(s, lang: str) -> str:
    return s.meta.name_zh if lang == "zh" else s.meta.name_en


def reproduce_command(r: RunResult) -> str:
    s = r.scenario
    shipped = Path(s.source).resolve() in {p.resolve() for p in scenario_paths()}
    src = s.id if shipped else s.source
    return f"sim report {src} --seed {r.seed} --days {r.days} --market-size {r.market_size} --out report.html"


def scenario_toml(table: dict[str, Any]) -> str:
    """A scenario as a TOML file ``sim.load_scenario`` reads back (with the run's market)."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False)  # JSON strings and numbers are valid TOML

    lines = []
    for section, body in table.items():
        for rule, fields in (body.items() if section == "rules" else [(None, body)]):
            lines.append(f"[{section}.{rule}]" if rule else f"[{section}]")
            lines += [f"{k} = {value(v)}" for k, v in fields.items()]
            lines.append("")
    return "\n".join(lines)


def _parameters(results: Sequence[RunResult], lang: str) -> str:
    out = []
    for r in results:
        s = r.scenario
        rows = [[t("scenario", lang), s.id], [t("seed", lang), str(r.seed)],
                ["天数" if lang == "zh" else "days", str(r.days)],
                ["市场规模" if lang == "zh" else "market size", f"{r.market_size:,}"],
                [t("code", lang), r.code_version], [t("hash", lang), s.content_hash()],
                [t("reproduce", lang), reproduce_command(r)]]
        out.append(f"<h3>{escape(_name(r, lang))}</h3>" + _table(None, rows, numeric_from=9))
        mech = s.meta.mechanism_zh if lang == "zh" else s.meta.mechanism_en
        out.append(f"<p>{escape(mech.strip())}</p>")
        out.append(f'<pre class="parameters" data-scenario="{escape(s.id)}" data-seed="{r.seed}">'
                   f"{escape(scenario_toml(s.to_dict()))}</pre>")
    return "".join(out)


REPLICATE_METRICS = ("participants", "gmv", "payout_ratio", "retention_d30", "share_losing_money",
                     "risk_index")


def _replicates(batch: Batch, lang: str) -> str:
    """Means and 95% intervals per scenario × grid point, and bands of two daily series."""
    seeds = sorted(batch.runs["seed"].unique().tolist())
    note = t("replicates_note", lang).format(sweep=batch.sweep_id or "—", runs=len(batch.runs),
                                             seeds=", ".join(map(str, seeds)))
    shown = [m for m in REPLICATE_METRICS if m in batch.metrics]  # older runs lack some
    summary = batch.summary(shown)
    rows = []
    for group_name, group in summary.groupby(batch.groups, sort=False, dropna=False):
        group_name = group_name if isinstance(group_name, tuple) else (group_name,)
        cells = [" · ".join([str(group_name[0]), *(f"{k}={v}" for k, v in zip(batch.params, group_name[1:]))])]
        for metric in shown:
            row = group.loc[group["metric"] == metric].iloc[0]
            low, mean, high = (figure(metric, row[c], lang, mean=True) for c in ("ci_low", "mean", "ci_high"))
            cells.append(f"{mean} [{low}, {high}] (n={int(row['n'])})")
        rows.append(cells)
    head = [t("group", lang), *(name(m, lang) for m in shown)]
    return (f"<p>{escape(note)}</p>" + _table(head, rows)
            + _img(charts.bands(batch, "active", lang, title_key="band_active"), t("replicates", lang))
            + _img(charts.bands(batch, "gmv", lang, title_key="band_gmv"), t("replicates", lang)))


def render(results: Sequence[RunResult], *, lang: str = "zh", stop_day: int | None = None,
           stress: Sequence[StressTest] | None = None, replicates: Batch | None = None) -> str:
    """The report as one HTML string. ``stress``: stress tests already run (one per result);
    otherwise each result is rerun with recruitment stopped on ``stop_day`` (default: half
    way through the run). ``replicates``: a :class:`~sim.batch.Batch` (a stored sweep, or
    :func:`sim.run_many`'s) whose spread across seeds gets a section of its own."""
    if lang not in LANGS:
        raise ValueError(f"lang must be zh or en, got {lang!r}")
    if not results:
        raise ValueError("a report needs at least one result")
    results = list(results)
    if stress is None:
        stress = [stress_test(r.scenario, seed=r.seed, stop_day=stop_day or max(1, r.days // 2), baseline=r)
                  for r in results]
    measured = [Measured(r) for r in results]
    findings = [audit(r) for r in results]
    chart: Callable[[str, Callable], str] = lambda key, fn: _img(fn(results, lang), t(key, lang))  # noqa: E731
    note = "" if charts.cjk_font() else f'<p class="note">{escape(t("nofont", lang))}</p>'
    names = " · ".join(_name(r, lang) for r in results)
    body = "".join([
        f"<h1>{escape(t('title', lang))}</h1><p>{escape(names)}</p>", note,
        _section("summary", lang, _summary(results, lang, measured, findings)),
        _section("context", lang, _context(results, lang, measured)),
        _section("risk", lang, _risk(results, lang, findings)),
        _section("growth", lang, chart("growth", charts.growth)),
        _section("retention", lang, chart("retention", charts.retention)),
        _section("payout", lang, chart("payout", charts.payout_ratio)),
        _section("depth", lang, chart("depth", charts.paid_depth)),
        _section("lorenz", lang, chart("lorenz", charts.lorenz)),
        _section("cohorts", lang, chart("cohorts", charts.cohorts)),
        _section("replicates", lang, _replicates(replicates, lang)) if replicates is not None else "",
        _section("stress", lang, _stress(list(stress), lang)),
        _section("findings", lang, _findings(results, lang, findings)),
        _section("case", lang, _cases(results, lang, measured, findings)),
        _section("parameters", lang, _parameters(results, lang)),
    ])
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(t('title', lang))}</title><style>{CSS}</style></head><body>{body}</body></html>")


def write(results: Sequence[RunResult], path: str | Path, *, lang: str = "zh",
          stop_day: int | None = None, stress: Sequence[StressTest] | None = None,
          replicates: Batch | None = None) -> Path:
    """Render and write atomically: a temporary file beside ``path``, then a rename."""
    path = Path(path)
    text = render(results, lang=lang, stop_day=stop_day, stress=stress, replicates=replicates)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)  # a report to hand on, not a private temporary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
