"""Reports: parsed (sections, findings, inline charts, parameters and seed), written atomically,
shown in headless Chromium (screenshot in tests/artifacts/), and the audit/report CLI."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import subprocess
import sys
import re
import tomllib
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

import sim
import sim.report
from sim import charts
from sim.audit import labels
from sim.cli import main
from sim.rules import REGISTRY
from test_formatting import stray

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
SMALL = dict(seed=3, days=90, market_size=2000)
NAMES = ("retail_baseline", "fission_distribution", "liandong_2plus1")
SECTIONS = ("summary", "context", "risk", "growth", "retention", "payout", "depth", "lorenz",
            "cohorts", "stress", "findings", "case", "parameters")


class Page(HTMLParser):
    """What a reader sees: sections, findings, images, parameter blocks and all text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections, self.findings, self.images, self.params, self.links = [], [], [], [], []
        self.lang, self.text, self._pre = None, [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "section":
            self.sections.append(a["id"])
        if tag == "div" and "data-id" in a:
            self.findings.append((a["data-id"], a["data-verdict"]))
        if tag == "img":
            self.images.append(a["src"])
        if tag == "pre" and "data-scenario" in a:
            self._pre = [a["data-scenario"], a["data-seed"], ""]
        for key in ("src", "href"):
            if key in a and a[key].startswith(("http:", "https:", "//")):
                self.links.append(a[key])

    def handle_endtag(self, tag):
        if tag == "pre" and self._pre:
            self.params.append(tuple(self._pre))
            self._pre = None

    def handle_data(self, data):
        self.text.append(data)
        if self._pre:
            self._pre[2] += data


@pytest.fixture(scope="module")
def results():
    return [sim.run(name, **SMALL) for name in NAMES]


@pytest.fixture(scope="module")
def report_zh(results, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report_zh.html"
    sim.report.write(results, path, lang="zh")
    return path


def test_report_has_every_section_finding_chart_and_parameter(results, report_zh):
    page = Page(report_zh.read_text(encoding="utf-8"))
    text = "".join(page.text)
    assert page.lang == "zh-CN"
    assert page.sections == list(SECTIONS)
    # Every finding of every scenario, with its verdict and citation.
    expected = [(f.id, f.verdict) for r in results for f in sim.audit(r)]
    assert sorted(page.findings) == sorted(expected) and len(page.findings) == 33
    assert ("cn.ban_pyramid.art7_1_recruitment", "breach") in page.findings
    for citation in ("禁止传销条例 第七条第(二)项", "直销管理条例 第二十四条", "刑法 第二百二十四条之一",
                     "Koscot", "Herbalife", "Vemma", "2005/29/EC"):
        assert citation in text
    assert "推荐链" in text and "组织者在前" in text      # dynamic evidence: real chains
    assert "声明事实" in text and "链动2+1" in text         # static evidence: declared facts
    # Charts inline: growth, retention, payout, depth, Lorenz, cohorts, stress; real PNGs.
    assert len(page.images) == 7
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.links == []                               # self-contained
    # Full parameters and the seed, enough to reproduce each run.
    assert [(p[0], p[1]) for p in page.params] == [(n, "3") for n in NAMES]
    for (_, _, params), r in zip(page.params, results):  # a scenario file that loads back
        assert sim.load_scenario(tomllib.loads(params)).to_dict() == r.scenario.to_dict()
    assert "sim report liandong_2plus1 --seed 3 --days 90 --market-size 2000" in text
    # Context beside outcomes, and the risk index as its parts.
    assert "AARP 2018" in text and "Taylor" in text and "拉人头报酬占比" in text


def test_findings_name_their_figures_in_the_reports_language(results, report_zh):
    """The findings tables show each figure by its Chinese name, not by an identifier such as
    max_paid_depth (the JSON keeps those: test_cli_audit_json)."""
    html = report_zh.read_text(encoding="utf-8")
    findings = html[html.index('<section id="findings">'):html.index('<section id="parameters">')]
    keys = {k for r in results for f in sim.audit(r) for k in (*f.measured, *f.thresholds)}
    assert "max_paid_depth" in keys and "max_paid_depth" not in findings
    for key in keys:
        assert f"<td>{key}</td>" not in findings
        assert f"<td>{escape(sim.audit.label(key, 'zh'))}</td>" in findings, key
    threshold = escape(sim.audit.label("participants_at_least", "zh"))
    assert "<td>最深计酬层级</td>" in findings and f"<td>{threshold}</td><td class=\"n\">30</td>" in findings
    # Each figure is shown in its unit: 链动2+1's ¥399 consideration is money, not "39900.0%".
    consideration = escape(sim.audit.label("payment_for_right_to_earn", "zh"))
    assert f"<td>{consideration}</td><td class=\"n\">¥399</td>" in findings
    assert "<td>同时具备入门费与按发展人员计酬</td><td>是</td>" in findings


def test_report_writes_every_figure_by_its_units_rule(results, report_zh):
    """No "-0.0", no "¥-", one kind of minus sign; ledger evidence to the cent, the risk index
    and its parts as the measures vocabulary writes them everywhere."""
    html = report_zh.read_text(encoding="utf-8")
    assert stray(html) == []
    findings = html[html.index('<section id="findings">'):html.index('<section id="case">')]
    assert re.search(r'<td class="n">-?¥\d[\d,]*\.\d\d</td>', findings)  # an amount in the evidence
    risk = html[html.index('<section id="risk">'):html.index('<section id="growth">')]
    for r in results:
        ri = sim.risk_index(r)
        assert f"{escape(sim.measures.figure('risk_index', ri.total))} / 100" in risk
        for p in ri.parts:
            assert f"<td class=\"n\">{sim.measures.format_value('coefficient', p.score)}</td>" in risk


def test_evidence_reads_in_the_reports_language(report_zh):
    """The evidence of 链动2+1 and fission_distribution (entry package, multi-level commission)
    names mechanisms, declared facts, reward kinds and roles in Chinese: no [rules.KEY] table,
    no identifier such as jiandian or pays_on_recruitment in any cell."""
    html = report_zh.read_text(encoding="utf-8")
    findings = html[html.index('<section id="findings">'):html.index('<section id="parameters">')]
    assert "[rules." not in findings
    findings = findings.replace('<td class="n">', "<td>")
    cells = set(re.findall(r"<td>([^<]*)</td>", findings))
    identifiers = {*labels.FACTS, *labels.REWARDS, *labels.ROLES, *REGISTRY, "unbounded", "True", "False"}
    assert not {c for c in cells if set(re.split(r",\s*", c)) & identifiers}
    assert not {c for c in cells if re.fullmatch(r"[a-z_, ]+", c)}, "an identifier left untranslated"
    for row in (("链动2+1", "可计酬的最深层级", "不限"), ("入门礼包", "入门费", "¥399"),
                ("多级分销佣金", "可计酬的最深层级", "3"), ("链动2+1", "按新增人头计酬(见点奖)", "是")):
        assert "".join(f"<td>{escape(v)}</td>" for v in row) in findings, row
    assert {"直推奖", "见点奖", "多级分销佣金", "代理", "团长/老板"} <= cells
    assert "<th>奖励类型</th>" in findings and "<th>声明事实</th>" in findings


def test_english_report(results, tmp_path):
    path = sim.report.write(results[2:], tmp_path / "en.html", lang="en", stop_day=30)
    page = Page(path.read_text(encoding="utf-8"))
    text = "".join(page.text)
    assert page.lang == "en" and page.sections == list(SECTIONS)
    assert "Findings by jurisdiction" in text and "recruitment stopped on day 30" in text
    assert "collapse" in text and len(page.findings) == 11


def test_write_is_atomic(results, tmp_path):
    target = tmp_path / "r.html"
    target.write_text("old")
    with pytest.raises(ValueError, match="lang"):
        sim.report.write(results[:1], target, lang="fr")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_charts_draw_chinese_on_a_machine_without_system_fonts(tmp_path):
    """A fresh machine: no system CJK font and an empty matplotlib font cache. The bundled
    font is registered at run time, and Chinese draws with no missing glyph (matplotlib
    warns "Glyph ... missing" for each one it cannot draw)."""
    code = (
        "import warnings, matplotlib; from sim import charts\n"
        "from matplotlib import font_manager\n"
        "fm = font_manager.fontManager  # a machine with no CJK font of its own:\n"
        "fm.ttflist = [f for f in fm.ttflist if not any(k in f.name for k in ('CJK', 'Han', 'WenQuanYi'))]\n"
        "family = charts.cjk_font()\n"
        "assert family and font_manager.findfont(family, fallback_to_default=False) == str(charts.bundled_font_file())\n"
        "with warnings.catch_warnings():\n"
        "    warnings.simplefilter('error')\n"
        "    with charts.style():\n"
        "        fig, (ax,) = charts._figure()\n"
        "        ax.set_title('传销风险指数:参与者亏损比例')\n"
        "        charts.png_data_uri(fig)\n"
        "print(family)\n")
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}  # no font cache yet
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "CJK" in proc.stdout


def test_a_missing_font_is_clearly_warned(monkeypatch):
    charts.cjk_font.cache_clear()
    monkeypatch.setattr(charts, "bundled_font_file", lambda: None)
    monkeypatch.setattr(charts.font_manager.fontManager, "ttflist", [])
    try:
        with pytest.warns(RuntimeWarning, match="no CJK font found.*notojp-matplotlib"):
            assert charts.cjk_font() is None
    finally:
        charts.cjk_font.cache_clear()


def test_report_displays_in_headless_chromium(report_zh):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs it): /usr/bin/chromium missing")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report_zh.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(report_zh.as_uri())
            loaded = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth)")
            heading = page.inner_text("h1")
            # Chinese must lay out in a real font: a CJK glyph as wide as the font size, not a
            # zero-width or fallback box of another width.
            widths = page.evaluate("""() => { const c = document.createElement('canvas').getContext('2d');
                const f = getComputedStyle(document.body).fontFamily; c.font = '20px ' + f;
                return [c.measureText('传销').width, c.measureText('审查').width]; }""")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert heading.startswith("Scheme Lab 报告")
    assert len(loaded) == 7 and all(w and w > 300 for w in loaded)  # every chart decoded and shown
    assert all(abs(w - 40) < 2 for w in widths), widths
    assert shot.stat().st_size > 100_000


# -- CLI -------------------------------------------------------------------------------------
def test_cli_audit_json(capsys):
    assert main(["audit", "liandong_2plus1", "--days", "90", "--market-size", "2000", "--json",
                 "--jurisdiction", "cn", "--stop-day", "45"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {f["jurisdiction"] for f in out["findings"]} == {"cn"} and len(out["findings"]) == 6
    assert all(f["verdict"] == "breach" for f in out["findings"])
    team_pay = next(f for f in out["findings"] if f["id"] == "cn.ban_pyramid.art7_3_team_pay")
    # identifiers for machines
    assert set(team_pay["measured"]) == {"reward_share_team", "share_rewards_depth_ge_2", "max_paid_depth"}
    assert out["risk_index"]["total"] == pytest.approx(sum(p["points"] for p in out["risk_index"]["parts"]))
    assert out["stress_test"]["collapse"] is True
    assert out["context"]["aarp_2018"]["lost"] == 0.47


def test_cli_audit_text(capsys):
    assert main(["audit", "fission_distribution", "--days", "60", "--market-size", "1500", "--quiet",
                 "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "pyramid-risk index" in out and "第七条第(三)项" in out and "BREACH" in out
    assert "screening score" in out  # the index is said to be one, and breaches outrank it


def test_cli_report_writes_one_file(tmp_path, capsys):
    out = tmp_path / "deep" / "r.html"
    assert main(["report", "retail_baseline", "liandong_2plus1", "--days", "60", "--market-size", "1500",
                 "--out", str(out), "--lang", "en", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["scenarios"] == ["retail_baseline", "liandong_2plus1"] and out.exists()
    assert Page(out.read_text(encoding="utf-8")).sections == list(SECTIONS)


@pytest.mark.parametrize("args, message", [
    (["report", "retail_baseline", "--out", "{tmp}/r.txt"], "--out: .* must end in .html"),
    (["report", "retail_baseline", "--out", "{tmp}"], "is a folder"),
    (["report", "retail_baseline", "nope", "--out", "{tmp}/r.html"], "nope: no such scenario file"),
    (["report", "retail_baseline", "--out", "{tmp}/r.html", "--days", "30", "--stop-day", "30"],
     "--stop-day: must be between 1 and 29"),
    (["report", "retail_baseline", "--out", "{tmp}/r.html", "--sweep", "sw-x", "--store", "{tmp}/none.duckdb"],
     "--sweep sw-x: no results store"),
    (["audit", "retail_baseline", "--stop-day", "0"], "--stop-day"),
    (["audit", "retail_baseline", "--jurisdiction", "uk"], "invalid choice"),
])
def test_cli_bad_input_one_line_exit_2_nothing_written(tmp_path, capsys, args, message):
    assert main([a.replace("{tmp}", str(tmp_path)) for a in args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert re.search(message, err), err
    assert list(tmp_path.iterdir()) == []


def test_report_shows_a_stored_sweeps_replicates(tmp_path, capsys):
    """`sim report --sweep` reads the replicates back from the results store: the means and
    intervals it prints are the sweep's own, and the bands are drawn per grid point."""
    store = tmp_path / "runs.duckdb"
    batch = sim.run_many("fission_distribution", grid={"market.word_of_mouth": [0.03, 0.06]},
                         seeds=3, market_size=1500, days=40, store=store)
    out = tmp_path / "r.html"
    assert main(["report", "fission_distribution", "--days", "40", "--market-size", "1500", "--quiet",
                 "--sweep", batch.sweep_id, "--store", str(store), "--out", str(out), "--lang", "en"]) == 0
    page = Page(out.read_text(encoding="utf-8"))
    assert page.sections == [*SECTIONS[:9], "replicates", *SECTIONS[9:]]
    assert len(page.images) == 9  # the seven charts and two bands
    text = " ".join(page.text)
    summary = batch.summary(["gmv", "risk_index"])
    assert len(summary) == 4 and sim.measures.name("risk_index") in text
    for _, row in summary.iterrows():
        assert sim.measures.figure(row["metric"], row["mean"], mean=True) in text and row["mean"] > 0
    # a mean of counts keeps one decimal, never three: "1,234.5 [1,200.1, 1,268.9] (n=3)"
    html = out.read_text(encoding="utf-8")
    replicates = html[html.index('<section id="replicates">'):html.index('<section id="stress">')]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", replicates)]
    participants = [cells[1] for cells in rows if cells]  # the first metric's column
    assert len(participants) == 2 and all(
        re.fullmatch(r"[\d,]+\.\d \[[\d,]+\.\d, [\d,]+\.\d\] \(n=3\)", c) for c in participants), participants
    assert stray(html) == []
    assert batch.sweep_id in text and "seeds 0, 1, 2" in text
    # a sweep stored before the risk index was a metric still reports what it has
    older = dataclasses.replace(batch, runs=batch.runs.drop(columns=["risk_index"]))
    html = sim.report._replicates(older, "en")
    assert "risk index" not in html and "payout ratio" in html
