"""Bad input gets one line naming the file, the key and what is allowed; exit 2; no traceback;
nothing written.

Each bad scenario is a shipped scenario with exactly one thing changed, written to a temporary
file and run through the real command line in a subprocess (``python -m sim``), so the exit
status, the absence of a traceback and the absence of output files are what a user would see.
The Python API (``sim.load_scenario``) is checked on the same cases.
"""

from __future__ import annotations

import copy
import json
import tomllib

import pytest

import sim
from conftest import ROOT, one_line, run_cli, scenario_dict
from sim.cli import main
from sim.rules import REGISTRY

FAST = ["--days", "5", "--market-size", "200"]
DELETE = object()


# --- building bad files ----------------------------------------------------------------------

def toml_dump(d: dict) -> str:
    """A tiny TOML writer for scenario dicts: top-level scalars, [section]s, [rules.KEY]s."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, (int, float)):
            return repr(v)
        raise TypeError(f"cannot write {v!r} as TOML")

    def key(k: str) -> str:
        return k if k.replace("_", "").isalnum() and k.isascii() else json.dumps(k)

    lines = [f"{key(k)} = {value(v)}" for k, v in d.items() if not isinstance(v, dict)]
    for section, body in d.items():
        if not isinstance(body, dict):
            continue
        if section == "rules":
            for rule, table in body.items():
                lines.append(f"[rules.{key(rule)}]")
                lines += [f"{key(k)} = {value(v)}" for k, v in table.items()]
        else:
            lines.append(f"[{key(section)}]")
            lines += [f"{key(k)} = {value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


def edit(base: str, path: str, new) -> dict:
    """``base`` scenario as a dict with the value at dotted ``path`` set to ``new`` (or deleted)."""
    d = copy.deepcopy(scenario_dict(base))
    *parents, last = path.split(".")
    table = d
    for part in parents:
        table = table.setdefault(part, {})
    if new is DELETE:
        del table[last]
    else:
        table[last] = new
    return d


def test_toml_writer_round_trips_every_shipped_scenario():
    for path in sim.scenario_paths():
        d = tomllib.loads(path.read_text(encoding="utf-8"))
        assert tomllib.loads(toml_dump(d)) == d
        assert sim.load_scenario(tomllib.loads(toml_dump(d))).to_dict() == sim.load_scenario(path).to_dict()


def chinese(text: str) -> bool:
    """Whether a message has Chinese in it (the dashboard's Chinese page shows ``err.text("zh")``)."""
    return any("\u4e00" <= c <= "\u9fff" for c in text)


# --- one change to a valid scenario ------------------------------------------------------------

# case: (base scenario, dotted path, new value, exact key in the error, words saying what is allowed)
BAD = {
    "unknown top-level section": ("retail_baseline", "marketing.size", 1, "marketing",
                                  "allowed: scenario, market, retail, churn, rules"),
    "unknown key in [market]": ("retail_baseline", "market.sise", 100, "market.sise",
                                "allowed keys: size, days"),
    "unknown key in a rule": ("fission_distribution", "rules.multi_level_commission.levels", 3,
                              "rules.multi_level_commission.levels", "allowed keys: rates"),
    "unknown rule table": ("liandong_2plus1", "rules.ponzi.rate", 1, "rules.ponzi",
                           "unknown rule; allowed: " + ", ".join(REGISTRY)),
    "string for a number": ("retail_baseline", "retail.price", "cheap", "retail.price",
                            "must be a number from 0.01 to 1,000,000"),
    "float for a whole number": ("retail_baseline", "market.days", 1.5, "market.days",
                                 "must be a whole number from 1 to 3,650"),
    "list for a number": ("retail_baseline", "market.size", [1, 2], "market.size",
                          "must be a whole number from 1 to 50,000,000"),
    "bool for a number": ("retail_baseline", "retail.price", True, "retail.price",
                          "must be a number from 0.01"),
    "bool for a whole number": ("retail_baseline", "market.founders", True, "market.founders",
                                "must be a whole number"),
    "string for a bool": ("fission_distribution", "rules.multi_level_commission.on_sales", "yes",
                          "rules.multi_level_commission.on_sales", "true or false"),
    "number for a list": ("fission_distribution", "rules.multi_level_commission.rates", 0.1,
                          "rules.multi_level_commission.rates", "a list of numbers from 0 to 1"),
    "empty list": ("fission_distribution", "rules.multi_level_commission.rates", [],
                   "rules.multi_level_commission.rates", "a list of numbers"),
    "string outside the choices": ("retail_baseline", "market.network", "grid", "market.network",
                                   "one of 'community', 'well_mixed'"),
    "section that is not a table": ("retail_baseline", "market", 5, "market", "must be a table"),
    "negative commission rate": ("fission_distribution", "rules.multi_level_commission.rates", [-0.1],
                                 "rules.multi_level_commission.rates", "from 0 to 1"),
    "negative churn rate": ("retail_baseline", "churn.customer", -0.01, "churn.customer",
                            "a number from 0 to 1"),
    "negative reward": ("liandong_2plus1", "rules.liandong.pingji", -20.0, "rules.liandong.pingji",
                        "a number from 0 to 1,000,000"),
    "rate above 100%": ("liandong_2plus1", "rules.direct_referral.sales_rate", [1.5],
                        "rules.direct_referral.sales_rate", "from 0 to 1"),
    "commission levels above 100%": ("fission_distribution", "rules.multi_level_commission.rates",
                                     [0.6, 0.5], "rules.multi_level_commission.rates",
                                     "at most 100%"),
    "commissions on a sale above 100% across rules": (
        "fission_distribution", "rules.direct_referral.sales_rate", [0.9],
        "rules.direct_referral.sales_rate", "at most 100%"),
    "platform fee plus rangli above 100%": ("retail_baseline", "retail.rangli", 0.95, "retail.rangli",
                                            "at most 1 (100% of price)"),
    "per-join rewards above the package price": ("liandong_2plus1", "rules.liandong.jiandian", 500.0,
                                                 "rules.liandong.jiandian", "399 yuan entry package"),
    "package goods worth more than its price": ("liandong_2plus1", "rules.entry_package.goods_value",
                                                500.0, "rules.entry_package.goods_value",
                                                "at most price (399)"),
    "rewards with no way to become a participant": ("liandong_2plus1", "rules.entry_package", DELETE,
                                                    "rules.direct_referral",
                                                    "add [rules.entry_package]"),
    "market size 0": ("retail_baseline", "market.size", 0, "market.size",
                      "a whole number from 1 to 50,000,000, got 0"),
    "negative market size": ("retail_baseline", "market.size", -5, "market.size", "from 1"),
    "more founders than people": ("retail_baseline", "market.founders", 30_000, "market.founders",
                                  "at most market.size (20000)"),
    "days 0": ("retail_baseline", "market.days", 0, "market.days",
               "a whole number from 1 to 3,650, got 0"),
    "days above the limit": ("retail_baseline", "market.days", 3_651, "market.days", "to 3,650"),
    "missing [scenario] section": ("retail_baseline", "scenario", DELETE, "scenario",
                                   "missing section (id, names and source are required)"),
    "empty required name": ("retail_baseline", "scenario.name_zh", "", "scenario.name_zh",
                            "must not be empty"),
    "unknown family": ("retail_baseline", "scenario.family", "mlm", "scenario.family",
                       "one of 'retail', 'distribution'"),
    "rules that are not tables": ("retail_baseline", "rules", 5, "rules",
                                  "must be a table of [rules.KEY] tables"),
    "two rules decide who is a participant": ("liandong_2plus1", "rules.paid_membership.distributor",
                                              True, "rules.paid_membership",
                                              "only one rule may decide who becomes a participant"),
}


def test_every_case_changes_one_thing_of_a_valid_scenario():
    assert SUBPROCESS <= set(BAD)
    for base, path, new, *_ in BAD.values():
        good = scenario_dict(base)
        sim.load_scenario(good)  # the starting point is valid
        bad = edit(base, path, new)
        assert bad != good


# A few cases of each kind also go through a real process; the rest run ``main`` in-process
# (the same code path, without half a second of interpreter start-up each).
SUBPROCESS = {"unknown top-level section", "unknown key in [market]", "unknown rule table",
              "string for a number", "float for a whole number", "negative commission rate",
              "commission levels above 100%", "platform fee plus rangli above 100%",
              "per-join rewards above the package price", "market size 0", "days 0",
              "missing [scenario] section"}


def cli(via: str, *args, capsys=None) -> tuple[int, str, str]:
    """Run the command line in a real process or in-process: (exit status, stdout, stderr)."""
    if via == "process":
        proc = run_cli(*args)
        return proc.returncode, proc.stdout, proc.stderr
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("case, via", [(c, v) for c in BAD for v in
                                       (("in-process", "process") if c in SUBPROCESS else ("in-process",))])
def test_bad_scenario_file_through_the_cli(tmp_path, capsys, case, via):
    base, path, new, key, allowed = BAD[case]
    bad = tmp_path / "bad.toml"
    bad.write_text(toml_dump(edit(base, path, new)), encoding="utf-8")
    out = tmp_path / "out"
    status, stdout, stderr = cli(via, "run", bad, *FAST, "--out", out, capsys=capsys)
    assert status == 2
    assert stdout == ""
    line = one_line(stderr)
    assert line.startswith(f"sim: error: {bad}: {key}: "), line
    assert allowed in line, line
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]  # no stray temp folders


@pytest.mark.parametrize("case", BAD)
def test_bad_scenario_through_the_python_api(tmp_path, case):
    base, path, new, key, allowed = BAD[case]
    d = edit(base, path, new)
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(d)
    assert (err.value.source, err.value.key) == ("<dict>", key)
    assert allowed in err.value.message
    assert str(err.value) == f"<dict>: {key}: {err.value.message}"
    assert "\n" not in str(err.value)

    bad = tmp_path / "bad.toml"
    bad.write_text(toml_dump(d), encoding="utf-8")
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(bad)
    assert (err.value.source, err.value.key) == (str(bad), key)
    with pytest.raises(sim.ScenarioError) as err:  # sim.run validates the same way
        sim.run(str(bad), days=2, market_size=50)
    assert (err.value.source, err.value.key) == (str(bad), key)


def test_compare_validates_every_scenario_before_running_any(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(toml_dump(edit("retail_baseline", "market.size", 0)), encoding="utf-8")
    proc = run_cli("compare", "retail_baseline", bad, *FAST)
    assert proc.returncode == 2 and proc.stdout == ""
    assert one_line(proc.stderr) == (f"sim: error: {bad}: market.size: must be a whole number "
                                     f"from 1 to 50,000,000, got 0")


# --- files that are not scenarios at all ---------------------------------------------------------

def _shipped_text(name: str = "retail_baseline") -> str:
    return (ROOT / "scenarios" / f"{name}.toml").read_text(encoding="utf-8")


# case: (bytes of the file, or None for no file; words in the message after "FILE: ")
RAW = {
    "malformed TOML": (b"[market\nsize = 1\n", "not valid TOML"),
    "malformed TOML inside a valid scenario": (
        _shipped_text().replace("days = 180", "days = 1 80").encode(), "not valid TOML"),
    "duplicate key": (_shipped_text().replace("days = 180", "days = 180\ndays = 100").encode(),
                      "not valid TOML"),
    "missing file": (None, "no such scenario file"),
    "not UTF-8": (b"\xff\xfe[market]\n", "cannot read scenario file"),
    "empty file": (b"", "scenario: missing section"),
}


@pytest.mark.parametrize("case", RAW)
def test_unreadable_scenario_file_through_the_real_cli(tmp_path, case):
    content, words = RAW[case]
    bad = tmp_path / "bad.toml"
    if content is not None:
        bad.write_bytes(content)
    out = tmp_path / "out"
    proc = run_cli("run", bad, *FAST, "--out", out)
    assert proc.returncode == 2 and proc.stdout == ""
    line = one_line(proc.stderr)
    assert line.startswith(f"sim: error: {bad}: ") and words in line, line
    assert not out.exists()
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(bad)
    assert err.value.source == str(bad) and words in str(err.value)
    assert chinese(err.value.text("zh")) and not chinese(str(err.value))


def test_missing_shipped_id_and_a_folder_are_refused(tmp_path):
    proc = run_cli("run", "no_such_scenario", *FAST)
    assert proc.returncode == 2 and proc.stdout == ""
    assert one_line(proc.stderr) == "sim: error: no_such_scenario: no such scenario file"
    proc = run_cli("run", tmp_path, *FAST)
    assert proc.returncode == 2 and proc.stdout == ""
    assert one_line(proc.stderr) == f"sim: error: {tmp_path}: cannot read scenario file (it is a folder)"


@pytest.mark.parametrize("text", [
    "import os\nos.system('touch {marker}')\n",
    "__import__('os').system('touch {marker}')\n",
    "exec = \"__import__('os').system('touch {marker}')\"\n",  # valid TOML: a string, not code
])
def test_a_scenario_file_is_parsed_never_executed(tmp_path, text):
    marker = tmp_path / "pwned"
    bad = tmp_path / "evil.toml"
    bad.write_text(text.format(marker=marker), encoding="utf-8")
    proc = run_cli("run", bad, *FAST, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    line = one_line(proc.stderr)
    assert line.startswith(f"sim: error: {bad}: ")
    assert "not valid TOML" in line or "exec: unknown section" in line, line
    assert not marker.exists()


# --- the same refusals in Chinese, for the dashboard's Chinese page ------------------------------

# A few exact Chinese messages: numbers and identifiers stay as they are, full-width punctuation.
BAD_ZH = {
    "market size 0": "必须是 1 到 50,000,000 之间的整数,实际为 0",
    "string for a bool": "必须是 true 或 false,实际为 'yes'",
    "empty list": "必须是一组 0 到 1 之间的数,实际为 []",
    "string outside the choices": "必须是以下之一:'community', 'well_mixed',实际为 'grid'",
    "commission levels above 100%": "各级合计为售价的 110%;最多允许 100%",
    "more founders than people": "不能超过 market.size(20000),实际为 30000",
    "empty required name": "不能为空",
}


@pytest.mark.parametrize("case", BAD)
def test_every_refusal_has_a_chinese_message_and_an_unchanged_english_line(case):
    base, path, new, key, allowed = BAD[case]
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(edit(base, path, new))
    e = err.value
    assert chinese(e.text("zh")), e.text("zh")
    assert e.text("zh") == BAD_ZH.get(case, e.text("zh"))
    assert e.text("en") == e.text() == e.message and allowed in e.message
    assert str(e) == e.line("en") == f"<dict>: {key}: {e.message}" and not chinese(str(e))
    assert e.line("zh") == f"<dict>: {key}: {e.text('zh')}"


def test_a_message_without_chinese_falls_back_to_english():
    err = sim.ScenarioError("f.toml", "market.size", "too big")
    assert err.text("zh") == err.text("en") == "too big"
    assert err.line("zh") == str(err) == "f.toml: market.size: too big"
    err = sim.ScenarioError("f.toml", "", "no such scenario file", zh="场景文件不存在")
    assert (str(err), err.line("zh")) == ("f.toml: no such scenario file", "f.toml: 场景文件不存在")


# --- command-line options --------------------------------------------------------------------

# case: (options, the option named, words saying what is allowed)
BAD_OPTIONS = {
    "market size 0": (["--market-size", "0"], "--market-size", "from 1 to 50,000,000, got 0"),
    "negative market size": (["--market-size", "-3"], "--market-size", "from 1"),
    "days 0": (["--days", "0"], "--days", "from 1 to 3,650, got 0"),
    "days above the limit": (["--days", "3651"], "--days", "to 3,650"),
    "negative seed": (["--seed", "-1"], "--seed", "from 0 to 9223372036854775807, got -1"),
    "days not a number": (["--days", "x"], "--days", "invalid int value: 'x'"),
    "market size not a whole number": (["--market-size", "1.5"], "--market-size", "invalid int value"),
    "unknown format": (["--format", "xml"], "--format", "choose from 'parquet', 'csv'"),
    "unknown option": (["--colour"], "--colour", "unrecognized arguments"),
}


@pytest.mark.parametrize("case", BAD_OPTIONS)
def test_bad_option_in_process(tmp_path, capsys, case):
    options, option, words = BAD_OPTIONS[case]
    out = tmp_path / "out"
    assert main(["run", "retail_baseline", *options, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = one_line(captured.err)
    assert option in line and words in line, line
    assert not out.exists()


@pytest.mark.parametrize("case", ["market size 0", "days 0", "negative seed", "days not a number"])
def test_bad_option_through_the_real_cli(tmp_path, case):
    options, option, words = BAD_OPTIONS[case]
    out = tmp_path / "out"
    proc = run_cli("run", "retail_baseline", *options, "--out", out)
    assert proc.returncode == 2 and proc.stdout == ""
    line = one_line(proc.stderr)
    assert option in line and words in line, line
    assert not out.exists()


@pytest.mark.parametrize("options, option", [(["--days", "0"], "--days"),
                                             (["--market-size", "0"], "--market-size"),
                                             (["--seed", "-1"], "--seed")])
def test_bad_option_for_compare(capsys, options, option):
    assert main(["compare", "retail_baseline", "liandong_2plus1", *options]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and option in one_line(captured.err)


@pytest.mark.parametrize("argv", [[], ["run"], ["compare"], ["frobnicate"]])
def test_usage_errors_are_one_line(capsys, argv):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "error" in one_line(captured.err)


def test_python_api_bad_run_options():
    with pytest.raises(sim.ScenarioError) as err:
        sim.run("retail_baseline", days=2, market_size=0)
    assert err.value.key == "market.size" and "from 1" in err.value.message
    assert err.value.source.endswith("retail_baseline.toml")
    with pytest.raises(sim.ScenarioError) as err:
        sim.run("retail_baseline", days=0, market_size=50)
    assert err.value.key == "market.days"
    with pytest.raises(ValueError, match="seed"):
        sim.run("retail_baseline", seed=-1, days=2, market_size=50)


# --- known defects: correct behaviour documented, expected to fail until fixed ------------------

def test_per_join_excess_names_the_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(toml_dump(edit("liandong_2plus1", "rules.liandong.jiandian", 500.0)), encoding="utf-8")
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(bad)
    assert err.value.key == "rules.liandong.jiandian"


@pytest.mark.parametrize("where", ["market", "top level"])
def test_unknown_key_with_a_newline_still_gives_one_line(tmp_path, capsys, where):
    text = _shipped_text()
    if where == "market":
        text = text.replace("[market]\n", '[market]\n"si\\nze" = 1\n', 1)
    else:
        text = text.replace("[market]\n", '["mar\\nket"]\nx = 1\n[market]\n', 1)
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    assert main(["run", str(bad), *FAST]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    one_line(captured.err)


def test_market_size_below_founders_names_the_option(capsys):
    assert main(["run", "retail_baseline", "--market-size", "5", "--days", "2"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--market-size" in one_line(captured.err)
