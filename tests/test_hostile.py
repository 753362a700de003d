"""Hostile and extreme input, as an attacker or a careless user on a shared server gives it.

Each test is one attack or accident and what must hold: files are written only where they
belong, one visitor cannot take the server down, bad input gets one line and exit status 2
with nothing half-written, and no process outlives the sweep it worked for. The engine at
every parameter's limits is tests/test_extremes.py; books at the edge are here.

When the tests run as root (a container), permissions do not stop root: the cases about
read-only folders run the command line without root's power to override them.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ["SCHEME_LAB_FAST"] = "1"  # read when dashboard.state is first imported

import sim  # noqa: E402
from conftest import ROOT, one_line, run_cli, scenario_dict, start_sweep, wait_for_commits  # noqa: E402
from dashboard import i18n, results, state  # noqa: E402
from sim import toml_writer  # noqa: E402
from sim.cli import main  # noqa: E402
from sim.capacity import PROCESS_BYTES, run_bytes  # noqa: E402
from sim.ledger import MERCHANTS, Ledger, sum_by  # noqa: E402
from sim.people import People  # noqa: E402
from sim.rules.base import MAX_CENTS  # noqa: E402
from sim.scenario import MAX_FILE_BYTES  # noqa: E402
from sim.sensitivity import sensitivity  # noqa: E402
from sim.store import Store  # noqa: E402

from tests.test_dashboard import app, lab_key  # noqa: E402

SMALL = ["--days", "5", "--market-size", "300"]
DEEP = ("a = " + "[" * 600 + "]" * 600 + "\n").encode()  # 1.2 kB, 600 levels


def write_scenario(path: Path, d: dict) -> Path:
    path.write_text(toml_writer.dumps(d), encoding="utf-8")
    return path


def no_escape_codes(text: str) -> bool:
    return not any(c in text for c in "\x1b\x07\x9b\r")


def without_root_powers(*args) -> list[str]:
    """``python -m sim ARGS`` as a command that folder permissions stop. Root (the tests in a
    container) passes them by its capabilities: the command runs with those dropped."""
    cmd = [sys.executable, "-m", "sim", *map(str, args)]
    if os.geteuid() != 0:
        return cmd
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): permissions would not bind")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable", "--",
            *cmd]


def file_size_limit(nbytes: int):
    """A ``preexec_fn`` after which writing past ``nbytes`` in any file fails as a full disk
    does, midway (EFBIG; Python ignores the SIGXFSZ that would otherwise kill it)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return limit


# ------------------------------------------------------------------- files written where they must not be
def test_lab_save_cannot_write_outside_the_user_folder(monkeypatch, tmp_path):
    """The old Save took a folder and a file name: ``scenarios/user/../..`` and
    ``pyproject.toml`` with Overwrite wrote over the project. Now the name is the id, which the
    loader keeps snake_case, and the folder is the user folder."""
    user = tmp_path / "user"
    monkeypatch.setattr(state, "USER_DIR", user)
    precious = tmp_path / "pyproject.toml"
    precious.write_text("keep", encoding="utf-8")
    at = app("lab")
    assert not [w for w in at.text_input if w.key == "lab_folder" or w.key.startswith("lab_filename")]
    for bad in ("../pyproject", "/etc/passwd", "~/x", "a/../../b", "x\ny", "Retail", "a" * 65):
        save_id(at).set_value(bad).run()
        assert not [b for b in at.button if b.key == "lab_save"], bad  # nothing to save
        assert i18n.plain("scenario.id") in at.error[0].value
    with pytest.raises(ValueError):
        state.user_file("../pyproject")
    assert precious.read_text(encoding="utf-8") == "keep"
    assert not user.exists() or not any(user.iterdir())


def test_lab_save_replaces_neither_a_link_nor_a_file_it_did_not_save(monkeypatch, tmp_path):
    user, outside = tmp_path / "user", tmp_path / "outside.toml"
    user.mkdir()
    monkeypatch.setattr(state, "USER_DIR", user)
    outside.write_text("outside", encoding="utf-8")
    (user / "planted_link.toml").symlink_to(outside)  # a link planted in the user folder
    (user / "someone_elses.toml").write_text("someone else's", encoding="utf-8")
    at = app("lab")
    for key in ("planted_link", "someone_elses"):
        save_id(at).set_value(key).run()
        at.checkbox(key="lab_overwrite").check().run()
        at.button(key="lab_save").click().run()
        assert "was not saved by you in this session" in at.error[-1].value, key
    assert outside.read_text(encoding="utf-8") == "outside"
    assert (user / "planted_link.toml").is_symlink()
    assert (user / "someone_elses.toml").read_text(encoding="utf-8") == "someone else's"
    assert sorted(p.name for p in user.iterdir()) == ["planted_link.toml", "someone_elses.toml"]


def save_id(at):
    """The lab's "save as" id field (keyed by the id it proposes)."""
    return next(w for w in at.text_input if w.key.startswith("lab_save_id|"))


NASTY = ["it's", "x' (FORMAT csv); --", 'say "hi"; $x 空 格']


@pytest.mark.parametrize("name", NASTY)
def test_sql_special_characters_in_every_path_option(tmp_path, capsys, name):
    """Paths go to DuckDB as parameters and to files as paths, never pasted into SQL: an
    export to ``x' (FORMAT csv); --`` used to write all five tables as CSV over one file."""
    folder = tmp_path / name
    folder.mkdir()
    store = folder / f"{name}.duckdb"
    common = ["--days", "3", "--market-size", "100", "--workers", "1", "--quiet"]
    assert main(["sweep", "retail_baseline", "--replicates", "2", "--store", str(store), *common]) == 0
    assert main(["runs", "list", "--store", str(store)]) == 0
    out = folder / f"{name} export"
    assert main(["runs", "export", "--store", str(store), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{t}.parquet" for t in ("sweeps", "scenarios", "runs", "metrics", "daily"))
    assert len(pd.read_parquet(out / "runs.parquet")) == 2
    assert main(["run", "retail_baseline", "--out", str(folder / f"{name} run"), *common[:4]]) == 0
    assert main(["report", "retail_baseline", "--out", str(folder / f"{name}.html"), *common[:4]]) == 0
    assert main(["sensitivity", "retail_baseline", "--vary", "retail.price=80:120", "--samples", "2",
                 "--replicates", "1", "--metric", "gmv", "--store", str(store),
                 "--plot", str(folder / f"{name}.png"), *common]) == 0
    capsys.readouterr()
    # Everything landed where it was named, and nothing anywhere else.
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [store.name, out.name, f"{name} run", f"{name}.html", f"{name}.png"])
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_store_path_duckdb_cannot_open_gets_one_line(tmp_path):
    proc = run_cli("sweep", "retail_baseline", "--store", tmp_path / "back\\slash.duckdb", *SMALL)
    assert proc.returncode == 2 and "cannot open a path with a backslash" in one_line(proc.stderr)
    assert not list(tmp_path.iterdir())


def test_an_id_that_is_a_path_is_refused_so_the_default_plot_stays_beside_the_store(tmp_path):
    """``sim sensitivity`` names its default chart from the id: ``x/../../owned`` wrote outside
    the store's folder."""
    d = scenario_dict("retail_baseline")
    d["scenario"]["id"] = "x/../../owned"
    bad = write_scenario(tmp_path / "bad.toml", d)
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    proc = run_cli("sensitivity", bad, "--vary", "retail.price=80:120", "--samples", "2",
                   "--replicates", "1", "--metric", "gmv", "--store", work / "s.duckdb", *SMALL, cwd=work)
    assert proc.returncode == 2
    assert "scenario.id: must be snake_case" in one_line(proc.stderr)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "b", "bad.toml"]


def test_escape_codes_in_names_and_keys_never_reach_the_terminal(tmp_path):
    d = scenario_dict("retail_baseline")
    d["scenario"]["name_en"] = "Evil\x1b[2J\x1b]0;owned\x07 shop\r"
    named = write_scenario(tmp_path / "named.toml", d)
    proc = run_cli("audit", named, "--lang", "en", *SMALL)
    assert proc.returncode == 0 and no_escape_codes(proc.stdout), proc.stdout[:300]
    assert "Evil\\x1b[2J\\x1b]0;owned\\x07 shop\\r" in proc.stdout
    d = scenario_dict("retail_baseline")
    d["market"]["\x1b[31mred\x1b[0m\u202eevil"] = 1
    keyed = write_scenario(tmp_path / "keyed.toml", d)
    proc = run_cli("run", keyed, *SMALL)
    line = one_line(proc.stderr)
    assert proc.returncode == 2 and no_escape_codes(line) and "\u202e" not in line
    assert "market.\\x1b[31mred\\x1b[0m\\u202eevil: unknown key" in line


# ------------------------------------------------------------------- one visitor cannot take the server down
@pytest.fixture
def limits(monkeypatch):
    """Set the dashboard's limits for one test: ``limits(person_days=..., ...)``."""
    def set_limits(**values) -> state.Limits:
        chosen = state.Limits(**values)
        monkeypatch.setattr(state, "LIMITS", chosen)
        return chosen
    return set_limits


def test_compare_refuses_a_request_over_the_limit_before_running_it(limits):
    limits(person_days=1_000_000)
    at = app()  # three scenarios × (2,000 persons + 20 merchants × 100) × 60 days
    assert any("1,000,000 person-days per request" in c.value and "this one: 720,000" in c.value
               for c in at.caption)
    at.number_input(key="cmp_size").set_value(2_000_000).run()
    at.number_input(key="cmp_days").set_value(1_095).run()
    at.number_input(key="cmp_reps").set_value(50).run()
    assert not at.exception
    assert "is 328,828,500,000 person-days" in at.error[0].value and "more than the 1,000,000" in at.error[0].value
    assert not at.get("vega_lite_chart") and not at.dataframe


def test_the_lab_refuses_a_run_that_cannot_fit_before_the_click():
    at = app("lab")  # the server's default limits
    at.selectbox(key="lab_base.en").set_value("retail_baseline").run()
    for key, value in (("market.size", 50_000_000), ("market.days", 3_650),
                       ("market.contacts_within", 1_000), ("market.contacts_between", 1_000)):
        at.number_input(key=lab_key(at, key)).set_value(value).run()
    assert not at.exception
    assert at.button(key="lab_run").disabled
    assert any("more than the 100,000,000 this server runs per request" in e.value for e in at.error)
    assert any("person-days per request" in c.value for c in at.caption)


def test_audit_refuses_a_request_over_the_limit(limits):
    limits(run_memory=10 * 2**20)
    at = app("audit")
    at.number_input(key="aud_size").set_value(200_000).run()
    assert not at.exception
    assert "of memory for one run" in at.error[0].value and "10.0 MiB" in at.error[0].value
    assert not at.get("vega_lite_chart")


def test_a_heavy_request_waits_its_turn_and_says_so(limits, monkeypatch):
    limits(heavy_runs=1, busy_wait_s=0.0)
    monkeypatch.setattr(state, "HEAVY_PERSON_DAYS", 1)
    slots = state._heavy_slots(1)
    assert slots.acquire(timeout=5)  # another visitor's large request is running
    try:
        at = app("audit")
        at.number_input(key="aud_seed").set_value(17).run()  # not in the cache
        assert "running 1 large requests for others" in at.warning[0].value
    finally:
        slots.release()
    at.run()
    assert not any("large requests" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.get("vega_lite_chart")


def test_the_shared_cache_is_bounded_by_bytes_not_entries():
    cache = state._Shared(3 * 2**20)
    table = lambda: pd.DataFrame({"x": np.zeros(2**17)})  # noqa: E731  1 MiB
    for i in range(5):
        cache.get(("t", i), table)
    assert len(cache.items) == 2 and cache.used <= 3 * 2**20  # the oldest went first
    assert list(cache.items) == [("t", 3), ("t", 4)]
    big = cache.get(("big",), lambda: pd.DataFrame({"x": np.zeros(2**19)}))  # 4 MiB: handed back
    assert len(big) == 2**19 and ("big",) not in cache.items


def test_limits_come_from_the_environment():
    chosen = state.limits_from({"SCHEME_LAB_MAX_PERSON_DAYS": "5000000", "SCHEME_LAB_MAX_RUN_MEMORY": "512M",
                                "SCHEME_LAB_MAX_HEAVY_RUNS": "1", "SCHEME_LAB_CACHE_MEMORY": "4G"})
    assert chosen == state.Limits(person_days=5_000_000, run_memory=512 * 2**20, heavy_runs=1,
                                  cache_memory=4 * 2**30)
    assert state.limits_from({}) == state.Limits()
    for bad in ({"SCHEME_LAB_MAX_HEAVY_RUNS": "0"}, {"SCHEME_LAB_CACHE_MEMORY": "lots"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            state.limits_from(bad)


def test_the_cli_refuses_a_run_that_cannot_fit_in_memory_before_allocating(tmp_path, capsys):
    """50,000,000 persons used to die of MemoryError after 12 s; with 1,000 + 1,000 contacts
    each, no machine has the memory: refused at once, with the estimate."""
    d = scenario_dict("retail_baseline")
    d["market"].update(size=50_000_000, contacts_within=1_000, contacts_between=1_000)
    huge = write_scenario(tmp_path / "huge.toml", d)
    proc = run_cli("run", huge, "--days", "5")
    assert proc.returncode == 2 and proc.stdout == ""
    line = one_line(proc.stderr)
    assert re.match(r"sim: error: needs about [\d.]+ TiB of memory at its peak", line) \
        and "this machine has available" in line, line
    huge.unlink()
    for args in (["run", "retail_baseline"], ["compare", "retail_baseline", "o2o"],
                 ["audit", "retail_baseline", "--stop-day", "3"],
                 ["report", "retail_baseline", "--out", str(tmp_path / "r.html")],
                 ["sweep", "retail_baseline", "--replicates", "2", "--no-store"]):
        assert main([*args, *SMALL, "--max-memory", "100K"]) == 2, args
        assert "than the 100.0 KiB --max-memory allows" in one_line(capsys.readouterr().err), args
    assert not list(tmp_path.iterdir())
    assert main(["run", "retail_baseline", *SMALL, "--max-memory", "lots"]) == 2
    assert "--max-memory: expected a size" in one_line(capsys.readouterr().err)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from /proc")
def test_the_memory_estimate_is_above_the_measured_peak_and_not_far_above():
    # The peak resident memory of this process's own memory map (VmHWM); getrusage's maxrss
    # would carry over the peak of the process that started it.
    peak = "int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))"
    # The engine's modules are loaded first: PROCESS_BYTES, not the estimate, counts imports.
    code = (f"import re, sim, sim.runner, sim.metrics, sim.measures, sim.audit; base = {peak}; "
            "sim.run('retail_baseline', days=30, market_size=300_000); "
            f"print({peak} - base)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, check=True)
    measured = int(done.stdout.split()[-1]) * 1024  # /proc counts in KiB
    estimate = run_bytes(sim.load_scenario("retail_baseline").with_market(days=30, size=300_000))
    assert measured < estimate < 2 * measured + PROCESS_BYTES, (measured, estimate)


def test_the_sweeps_page_opens_only_stores_in_the_results_folder(monkeypatch, tmp_path):
    """The page took any path: /etc/shadow was reported differently from a missing file, and
    any DuckDB file could be read. Now it offers the stores in its folder, by name."""
    folder, elsewhere = tmp_path / "results", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    store = folder / "mine.duckdb"
    sim.run_many("retail_baseline", seeds=2, days=5, market_size=200, store=store)
    shutil.copy(store, elsewhere / "theirs.duckdb")
    (folder / "linked.duckdb").symlink_to(elsewhere / "theirs.duckdb")
    monkeypatch.setenv("SCHEME_LAB_STORE", str(folder / "schemelab.duckdb"))
    assert results.stores() == ["mine.duckdb"]
    outside = {name: results.listing(name) for name in
               ("/etc/shadow", "/nonexistent/x.duckdb", str(elsewhere / "theirs.duckdb"),
                "../elsewhere/theirs.duckdb", "linked.duckdb")}
    assert all(problem == results.OUTSIDE for problem in outside.values()), outside
    at = app("sweeps")
    assert not at.text_input and at.selectbox(key="swp_store").options == ["mine.duckdb"]
    assert at.get("vega_lite_chart")


def test_a_sweep_too_big_for_the_server_is_not_read(monkeypatch, tmp_path, limits):
    limits(run_memory=4 * 2**10)
    store = tmp_path / "s.duckdb"
    sim.run_many("retail_baseline", seeds=2, days=5, market_size=200, store=store)
    monkeypatch.setenv("SCHEME_LAB_STORE", str(store))
    at = app("sweeps")
    assert "too big to show here (2 runs × 6 days" in at.warning[0].value
    assert not at.get("vega_lite_chart")


MARKDOWN_NAME = "![pixel](http://127.0.0.1:9/pixel.png) [click](http://evil.example/) **bold** :red[red]"


def test_scenario_text_is_shown_as_text_not_markdown(monkeypatch, tmp_path):
    """An uploaded name with ``![](http://…)`` loaded an external image for every viewer."""
    monkeypatch.setattr(state, "USER_DIR", tmp_path)
    d = scenario_dict("retail_baseline")
    d["scenario"].update(id="evil", name_en=MARKDOWN_NAME, mechanism_en=MARKDOWN_NAME, source=MARKDOWN_NAME)
    at = app("lab")
    at.file_uploader(key="lab_upload").upload("x](http://evil.example/).toml",
                                              toml_writer.dumps(d).encode(), "application/toml").run()
    assert not at.exception
    shown = at.success[0].value
    assert "![" not in shown and "](" not in shown and i18n.plain(MARKDOWN_NAME) in shown
    write_scenario(tmp_path / "evil.toml", d)
    at = app()
    at.multiselect(key="cmp_pick.en").set_value(["user/evil"]).run()
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert any(i18n.plain(MARKDOWN_NAME) in t for t in texts)
    assert not any("![" in t or "](http" in t for t in texts)


def test_the_choose_page_shows_a_scenario_name_as_text(monkeypatch, tmp_path):
    """The Choose page put names into its tables, headline and lists as Markdown: a user
    file's name loaded an outside image there."""
    monkeypatch.setattr(state, "USER_DIR", tmp_path)
    d = scenario_dict("liandong_2plus1")
    d["scenario"].update(id="evil", name_en=MARKDOWN_NAME)
    write_scenario(tmp_path / "evil.toml", d)
    at = app("choose")
    at.multiselect(key="cho_pick.en").set_value(["retail_baseline", "user/evil"]).run()
    at.button(key="cho_run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    tables = [str(v) for tb in at.table for v in [*tb.value.index, *tb.value.to_numpy().ravel(),
                                                   *tb.value.columns]]
    texts = [m.value for m in [*at.markdown, *at.success, *at.caption]] + tables
    assert any(i18n.plain(MARKDOWN_NAME) in t for t in texts)
    assert not any("![" in t or "](http" in t for t in texts), [t for t in texts if "![" in t or "](http" in t]


def test_a_deeply_nested_upload_gets_a_message_not_a_crash():
    at = app("lab")
    at.file_uploader(key="lab_upload").upload("deep.toml", DEEP, "application/toml").run()
    assert not at.exception
    assert "nested too deeply" in at.error[0].value
    at.file_uploader(key="lab_upload").upload("big.toml", b"#" * (MAX_FILE_BYTES + 1), "application/toml").run()
    assert not at.exception and i18n.plain("at most 1,000,000") in at.error[0].value


# ------------------------------------------------------------------- allowed values that crashed the engine
@pytest.mark.parametrize("base, changes, key", [
    ("retail_baseline", {"market": {"trust": 0.01}}, "market.trust_spread"),
    ("retail_baseline", {"market": {"trust": 0.99}}, "market.trust_spread"),
    ("consumption_rebate_pool", {"rules": {"rangli_tier_pool": {"tiers": [0.0, 0.0, 0.0]}}},
     "rules.rangli_tier_pool.tiers"),
    ("social_live_content", {"rules": {"creators": {"creators": 19_999}}}, "rules.creators.creators"),
    ("shared_purchase", {"rules": {"shared_purchase": {"total_issuance": 1e15, "point_price": 1_000.0}}},
     "rules.shared_purchase.total_issuance"),
    ("retail_baseline", {"market": {"size": 1_000_000, "basket": 100.0},
                         "retail": {"price": 999_999.99, "merchants": 1}}, "retail.price"),
], ids=["trust 0.01", "trust 0.99", "no tier", "creators 19,999", "issuance 1e15", "price 999,999.99"])
def test_values_that_crashed_the_engine_are_refused_with_one_line(base, changes, key):
    d = scenario_dict(base)
    for section, values in changes.items():
        if section == "rules":
            for rule, body in values.items():
                d["rules"][rule].update(body)
        else:
            d[section].update(values)
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(d)
    assert err.value.key == key and "\n" not in str(err.value) and err.value.zh


def test_trust_at_its_limits_runs_with_a_spread_it_can_have():
    """A spread just below its limit draws exact 0s and 1s: in a small market everyone's trust
    could be 0, and trust relative to the mean undefined."""
    for trust in (0.01, 0.99):
        d = scenario_dict("retail_baseline")
        d["market"].update(size=20, founders=1, trust=trust, trust_spread=0.0994)  # < sqrt(0.0099)
        for seed in range(20):
            model = sim.SchemeModel(sim.load_scenario(d), seed=seed)
            assert np.isfinite(model.reach).all() and np.isfinite(model.churn_scale).all()
            model.release()
        result = sim.run(d, seed=0, days=10)
        assert (result.daily["ledger_imbalance"] == 0).all()


# ------------------------------------------------------------------- books at the edge
def test_merchant_sums_stay_exact_past_2_53_cents():
    """Per-merchant totals were float sums: ¥999,999.99 × 100 units by a million buyers at one
    merchant left the books 1.08 yuan apart."""
    amounts = np.full(3, 2**53 // 2 + 7, np.int64)
    assert int(sum_by(np.zeros(3, np.int64), amounts, 1)[0]) == 3 * (2**53 // 2 + 7)
    people = People(10, np.random.default_rng(0), propensity=0.1, propensity_spread=0.0,
                    basket=1.0, trust=0.5, trust_spread=0.0)
    ledger = Ledger(people, 2, journal=False)
    ledger.merchants_flow("coupon_subsidy", np.array([0, 0, 1, 0]), np.full(4, 10**16 + 1, np.int64))
    assert ledger.merchant.tolist() == [3 * (10**16 + 1), 10**16 + 1]
    assert int(ledger.balance[MERCHANTS]) == int(ledger.merchant.sum())


def test_a_market_at_the_money_bound_keeps_its_books_to_the_cent():
    d = scenario_dict("retail_baseline")
    size, days, basket = 200_000, 5, 100.0
    price = MAX_CENTS / 100 / (size * days * basket)  # ¥900,719.92: the most the loader accepts
    d["market"].update(size=size, days=days, basket=basket, propensity=1.0, propensity_spread=0.0,
                       external_reach=1.0)
    d["retail"].update(price=round(price - 0.01, 2), merchants=1)
    result = sim.run(d, seed=0)
    assert result.daily["gmv"].sum() * 100 > MAX_CENTS / 4  # cents: a fair way to the bound
    assert (result.daily["ledger_imbalance"] == 0).all()
    d["retail"]["price"] = round(price + 1, 2)
    with pytest.raises(sim.ScenarioError, match="retail.price"):
        sim.load_scenario(d)


def test_platform_cash_never_starts_negative():
    """Founders' packages cost the platform more than they pay when goods cost more than the
    price: owners put capital in on day 0, not the morning after."""
    d = scenario_dict("liandong_2plus1")
    d["rules"]["entry_package"].update(goods_cost=d["rules"]["entry_package"]["price"] * 3)
    result = sim.run(d, seed=0, days=5, market_size=300)
    day0 = result.daily.iloc[0]
    assert (result.daily["cash_held"] >= 0).all() and day0["capital_injected"] > 0
    assert (result.daily["ledger_imbalance"] == 0).all()


# ------------------------------------------------------------------- reading and writing failures
def _special_files(tmp_path: Path) -> dict[str, Path]:
    loop_a, loop_b = tmp_path / "loop_a.toml", tmp_path / "loop_b.toml"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)
    afile = tmp_path / "a_file.toml"
    afile.write_text("[market]\n", encoding="utf-8")
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.toml"
    deep.write_bytes(DEEP)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    return {"a symlink loop": loop_a, "a name too long": tmp_path / ("x" * 300 + ".toml"),
            "a path under a file": afile / "x.toml", "/dev/zero": Path("/dev/zero"),
            "a pipe with no writer": fifo, "nested 600 deep": deep, "over a megabyte": big}


WHY = {"a symlink loop": "Too many levels of symbolic links", "a name too long": "File name too long",
       "a path under a file": "Not a directory", "/dev/zero": "not a regular file",
       "a pipe with no writer": "not a regular file", "nested 600 deep": "nested too deeply",
       "over a megabyte": "larger than 1,000,000 bytes"}


@pytest.mark.parametrize("case", WHY)
def test_special_files_get_one_line_and_exit_2(tmp_path, case):
    path = _special_files(tmp_path)[case]
    proc = run_cli("run", path, *SMALL, timeout=60)  # a pipe read blocking would hang here
    assert proc.returncode == 2 and proc.stdout == ""
    line = one_line(proc.stderr)
    assert line.startswith(f"sim: error: {path}") and WHY[case] in line, line
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(path)
    assert err.value.zh and WHY[case] in str(err.value)


def test_out_into_a_read_only_folder_is_refused_before_the_run(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    for args in (["run", "retail_baseline", *SMALL, "--out", locked / "out"],
                 ["report", "retail_baseline", *SMALL, "--out", locked / "r.html"],
                 ["runs", "export", "--store", tmp_path / "none.duckdb", "--out", locked / "x"]):
        proc = subprocess.run(without_root_powers(*args), capture_output=True, text=True, cwd=tmp_path,
                              timeout=120)
        assert proc.returncode == 2, proc.stderr
        line = one_line(proc.stderr)
        assert f"--out: cannot write in {locked}" in line and "ermission denied" in line, line
    assert not list(locked.iterdir())


def test_a_store_whose_folder_takes_no_new_files_is_refused_before_the_sweep(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    store = folder / "s.duckdb"
    assert run_cli("sweep", "retail_baseline", "--replicates", "1", "--store", store, *SMALL,
                   "--workers", "1").returncode == 0
    store.chmod(0o666)  # the file could be written, but DuckDB needs a .wal beside it
    folder.chmod(0o555)
    proc = subprocess.run(without_root_powers("sweep", "retail_baseline", "--replicates", "2", "--store",
                                              store, *SMALL, "--workers", "1"),
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2
    assert "does not take new files" in one_line(proc.stderr)
    with Store(store, read_only=True) as s:
        assert len(s.sweeps()) == 1


@pytest.mark.parametrize("args, out", [
    (["run", "retail_baseline", "--days", "60", "--market-size", "300", "--format", "csv"], "new/tables"),
    (["report", "retail_baseline", *SMALL], "report.html"),
])
def test_a_disk_that_fills_midway_leaves_nothing_half_written(tmp_path, args, out):
    # a 60-day daily table is some 10 kB as CSV, a report hundreds (its charts inlined)
    proc = run_cli(*args, "--out", tmp_path / out, preexec_fn=file_size_limit(4 * 1024), cwd=tmp_path)
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert f"--out: cannot write {tmp_path / out}: File too large; nothing was written" in line, line
    assert not list(tmp_path.iterdir())  # no partial folder or file, no temporary, no new/ left


def test_a_disk_that_fills_during_a_sweep_keeps_the_runs_stored_before(tmp_path):
    store = tmp_path / "s.duckdb"
    proc = run_cli("sweep", "retail_baseline", "--param", "retail.price=" + ",".join(map(str, range(80, 100))),
                   "--replicates", "2", "--days", "30", "--market-size", "500", "--store", store,
                   "--workers", "1", "--quiet", preexec_fn=file_size_limit(1_500_000))
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert "--store: results store" in line and "File too large" in line and "sim runs resume" in line
    with Store(store, read_only=True) as s:
        sweep = s.sweeps().iloc[0]
        assert 0 < sweep["stored"] < sweep["planned"] == 40 and sweep["status"] != "running"
        last = s.runs(sweep["sweep_id"]).iloc[0]["run_id"]
        assert sim.batch.replay(s, last).identical
    assert run_cli("runs", "resume", sweep["sweep_id"], "--store", store, "--workers", "1").returncode == 0


def test_a_corrupted_store_is_refused_in_one_line_and_left_as_it_was(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    sweep_id = sim.run_many("retail_baseline", grid={"retail.price": [90, 100, 110]}, seeds=2, days=30,
                            market_size=500, store=store).sweep_id
    size = store.stat().st_size
    with open(store, "r+b") as f:  # a quarter of the file's blocks, from the middle on, lost
        f.seek(size // 2)
        f.write(b"\xff" * (size // 4))
    damaged = store.read_bytes()
    for args in (["runs", "list", "--sweeps"], ["runs", "show", sweep_id],
                 ["runs", "export", "--out", str(tmp_path / "x")],
                 ["sweep", "retail_baseline", "--replicates", "2", *SMALL, "--workers", "1"]):
        assert main([*args, "--store", str(store)]) == 2, args
        assert "Corrupt database file" in one_line(capsys.readouterr().err), args
    assert store.read_bytes() == damaged and sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb"]


@pytest.mark.parametrize("args, message", [
    (["sweep", "retail_baseline", "--seed", str(2**63)], "--seed: must be a whole number from 0 to"),
    (["sweep", "retail_baseline", "--seed", str(2**63 - 2), "--replicates", "5"], "--seed: seeds run from"),
    (["runs", "list", "--limit", str(10**30)], "--limit: must be a whole number from 1 to 1,000,000,000"),
    (["sweep", "retail_baseline", "--param", "retail.price=1:2:1000000000"], "a range has at most 1,000,000"),
    (["sweep", "retail_baseline", "--replicates", str(10**12)], "--replicates: must be a whole number from 1"),
    (["sweep", "retail_baseline", "--param", "retail.price=1:2:1000", "--param",
      "market.word_of_mouth=0:1:1000", "--replicates", "10"], "10,000,000 runs; a sweep plans at most"),
    (["sensitivity", "retail_baseline", "--vary", "retail.price=80:120", "--metric", "gmv",
      "--samples", str(2**40)], "--samples and --replicates: 13,194,139,533,312 runs"),
], ids=["seed 2**63", "seeds past 2**63", "limit 10**30", "range of 10**9", "replicates 10**12",
        "grid of 10**7 runs", "samples 2**40"])
def test_sizes_that_cannot_be_planned_are_refused_before_allocating(tmp_path, args, message):
    proc = run_cli(*args, "--store", tmp_path / "s.duckdb", *(SMALL if args[0] != "runs" else []),
                   timeout=60)
    assert proc.returncode == 2
    assert message in one_line(proc.stderr)
    assert not list(tmp_path.iterdir())  # not even the store


def test_the_python_api_refuses_sweeps_too_big_to_plan():
    with pytest.raises(ValueError, match="a sweep plans at most 1,000,000 runs"):
        sim.run_many("retail_baseline", seeds=10**12, store=False)
    with pytest.raises(ValueError, match="more than the 1,000,000 runs"):
        sensitivity("retail_baseline", vary={"retail.price": (80, 120)}, metric="gmv",
                    samples=2**40, store=False)


def test_delete_on_a_store_that_is_not_there_creates_nothing(tmp_path):
    missing = tmp_path / "no" / "such" / "store.duckdb"
    proc = run_cli("runs", "delete", "sw-00000000", "--store", missing)
    assert proc.returncode == 2
    assert f"no results store at {missing}" in one_line(proc.stderr)
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------- processes and state
def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table in /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill -9", "kill"])
def test_killing_a_sweep_leaves_no_process_behind_and_no_sweep_running(tmp_path, how):
    store = tmp_path / "s.duckdb"
    proc = start_sweep(store, "--workers", "2")
    wait_for_commits(store, proc)
    helpers = _descendants(proc.pid)  # the forkserver, its workers, the resource tracker
    assert len(helpers) >= 3
    proc.send_signal(how)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while any(_running(p) for p in helpers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [p for p in helpers if _running(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert not left, "processes outlived the sweep"
    with Store(store, read_only=True) as s:  # nobody is writing it: not "running" forever
        sweep = s.sweeps().iloc[0]
        assert sweep["status"] == "interrupted" and 0 < sweep["stored"] < sweep["planned"]
    if how == signal.SIGTERM:
        assert proc.returncode == 130 and "sim: interrupted after" in proc.stderr.read()
    with Store(store) as s:  # the next writer records it
        status = s.con.execute("SELECT status FROM sweeps").fetchone()[0]
    assert status == "interrupted"


def test_a_sweep_that_stored_every_run_before_dying_reads_as_done(tmp_path):
    store = tmp_path / "s.duckdb"
    batch = sim.run_many("retail_baseline", seeds=2, days=3, market_size=100, store=store)
    with Store(store) as s:  # as if the process died before it could record the end
        s.con.execute("UPDATE sweeps SET status = 'running'")
    with Store(store, read_only=True) as s:
        assert s.sweep(batch.sweep_id)["status"] == "done"

