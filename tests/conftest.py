"""Shared test helpers: scenario dicts to tweak, and one harness for scripted events."""

from __future__ import annotations

import copy
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Iterable

import numpy as np
import pytest

import sim
from sim.model import SchemeModel
from sim.orders import Orders
from sim.people import CHURNED, UNAWARE
from sim.runner import collect

ROOT = Path(__file__).resolve().parent.parent
# Every shipped scenario: the business models, then the decided cases (scenarios/cases/).
SCENARIOS = sim.scenario_paths()
MODELS = sorted((ROOT / "scenarios").glob("*.toml"))
CASES = sorted((ROOT / "scenarios" / "cases").glob("*.toml"))


def scenario_dict(name: str) -> dict:
    """A shipped scenario as a plain dict, to modify one key at a time."""
    return tomllib.loads((ROOT / "scenarios" / f"{name}.toml").read_text(encoding="utf-8"))


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 120, **popen) -> subprocess.CompletedProcess:
    """``python -m sim ARGS`` as a user runs it: its exit status, stdout and stderr."""
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout, **popen)


def one_line(stderr: str) -> str:
    """The single line of an error message; fails if there is not exactly one."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and stderr.endswith("\n"), f"expected one line, got {stderr!r}"
    assert lines[0].strip(), "empty error message"
    return lines[0]


def validation_market(size: int, **changes) -> dict:
    """A well-mixed market with no heterogeneity, no churn and no retail purchases."""
    d = copy.deepcopy(scenario_dict("retail_baseline"))
    d["market"].update({"size": size, "network": "well_mixed", "founders": 1,
                        "external_reach": 0.0, "word_of_mouth": 1.0, "customer_share": 1.0,
                        "participant_share": 1.0, "propensity": 0.0, "propensity_spread": 0.0,
                        "trust_spread": 0.0, **changes})
    d["churn"].update(customer=0.0, participant=0.0, first_day=0.0)
    return d


Who = str | int


class Script:
    """A quiet market driven by exact events, so a mechanism's test is a table of them: nobody
    arrives, buys or leaves unless the test says so. Events: who arrives under whom
    (``customer``), who buys into the scheme (``join``, ``qualify``), who orders what (``buy``,
    ``order``, ``day``), who leaves (``churn``), the end of a day (``end_day``) or whole engine
    days (``step``); then what the books show (``rewards``, ``flows``, ``result``). ``play``
    runs a table of such events.

    Persons are named (the founder is "A"; a new name is the next free person) or given by id.
    ``price`` is the entry package that makes participants (None: the market has none, unless
    the rules bring their own way in); ``everyone`` brings every person in as a customer first,
    with no sponsor. ``market`` and ``retail`` change the validation market's sections.
    """

    def __init__(self, rules: dict, *, price: float | None = 100.0, goods_value: float = 0.0,
                 size: int = 50, market: dict | None = None, retail: dict | None = None,
                 everyone: bool = False) -> None:
        d = validation_market(size, word_of_mouth=0.0, **(market or {}))
        d["retail"].update(retail or {})
        own_way_in = {"entry_package", "paid_membership"} & set(rules)
        if price is not None and not own_way_in:
            rules = {"entry_package": {"price": price, "goods_value": goods_value, "goods_cost": 0.0,
                                       "conversion": 1.0, "conversion_daily": 0.0}, **rules}
        d["rules"] = rules
        self.model = SchemeModel(sim.load_scenario(d), seed=0)
        self.names = {"A": int(self.model.founders[0])}
        if everyone:
            rest = np.setdiff1d(np.arange(size), self.model.founders)
            self.model.enrol(rest, np.full(len(rest), -1), qualify=False)

    # -- persons ------------------------------------------------------------------------
    def id(self, who: Who) -> int:
        """A person's id: ``who`` itself, or the person of that name (a new name arrives as a
        customer with no sponsor)."""
        if not isinstance(who, str):
            return int(who)
        if who not in self.names:
            self.customer(who)
        return self.names[who]

    def ids(self, who: Who | Iterable[Who]) -> np.ndarray:
        many = who if isinstance(who, (list, tuple, np.ndarray)) else [who]
        return np.array([self.id(w) for w in many], np.int64)

    def _new(self, name: str | None) -> int:
        taken = set(self.names.values())
        pid = next(i for i in np.flatnonzero(self.model.people.state == UNAWARE).tolist()
                   if i not in taken)
        if name is not None:
            self.names[name] = pid
        return pid

    def _sponsor(self, sponsor: Who | None) -> int:
        return -1 if sponsor is None else self.id(sponsor)

    def join(self, name: str, sponsor: Who | None = None) -> int:
        """``name`` arrives, brought by ``sponsor``, and buys into the scheme at once."""
        pid = self._new(name)
        self.model.enrol(np.array([pid]), np.array([self._sponsor(sponsor)]), qualify=True)
        return pid

    def customer(self, name: str, sponsor: Who | None = None) -> int:
        """``name`` arrives, brought by ``sponsor`` (None: by an advert), as a customer."""
        pid = self._new(name)
        self.model.enrol(np.array([pid]), np.array([self._sponsor(sponsor)]), qualify=False)
        return pid

    def arrive(self, n: int, *, qualify: bool = False) -> np.ndarray:
        """``n`` nameless newcomers with no sponsor, the next free ids in order."""
        free = np.flatnonzero(self.model.people.state == UNAWARE)[:n]
        self.model.enrol(free, np.full(n, -1), qualify=qualify)
        return free

    def qualify(self, who: Who) -> None:
        """A customer buys into the scheme now (the qualifier's package or fee)."""
        self.model._qualify(self.ids(who))

    def churn(self, who: Who) -> None:
        ids = self.ids(who)
        self.model.people.state[ids] = CHURNED
        self.model.people.exit_day[ids] = self.model.day

    # -- orders -------------------------------------------------------------------------
    def order(self, who: Who | Iterable[Who], *, units: int = 1, shop: int = 0) -> Orders:
        """Orders of ``units`` each at merchant ``shop``, shaped by every rule as the day's
        purchases are, not yet booked."""
        m, buyers = self.model, self.ids(who)
        orders = m.new_orders(buyers, np.full(len(buyers), units, np.int64),
                              np.full(len(buyers), shop, np.int64))
        for rule in m.rules:
            rule.shape_orders(m, orders)
        return orders

    def book(self, orders: Orders) -> Orders:
        """Book the orders no rule has taken into escrow."""
        self.model.book_sales(orders.subset(orders.open))
        return orders

    def buy(self, who: Who | Iterable[Who], yuan: float | None = None, shop: int = 0, *,
            units: int = 1, shape: bool = False) -> Orders:
        """Each buyer pays for ``yuan`` (whole units at the retail price) or ``units`` at
        merchant ``shop``, booked as any sale is; with ``shape`` the rules shape it first."""
        if yuan is not None:
            price = self.model.scenario.retail.price
            units = int(round(yuan / price))
            assert units * price == yuan, f"buy whole units of {price}"
        if shape:
            return self.book(self.order(who, units=units, shop=shop))
        m, buyers = self.model, self.ids(who)
        orders = m.new_orders(buyers, np.full(len(buyers), units, np.int64),
                              np.full(len(buyers), shop, np.int64))
        m.book_sales(orders)
        return orders

    # -- time ---------------------------------------------------------------------------
    def end_day(self) -> None:
        """Every rule's end of day, then the date moves on."""
        for rule in self.model.rules:
            rule.on_day_end(self.model)
        self.model.day += 1

    def day(self, buyers: Iterable[Who] = (), *, units: int = 1, shop: int = 0) -> None:
        """One scripted day: these persons order (shaped, as the engine's purchase stage
        does), then the day ends."""
        self.model.merchant_profit_today[:] = 0
        buyers = list(buyers)
        if buyers:
            self.book(self.order(buyers, units=units, shop=shop))
        self.end_day()

    def step(self, days: int = 1) -> None:
        """Whole engine days (in this market nothing spontaneous happens)."""
        self.model.run_days(days)

    def run_to(self, day: int) -> None:
        while self.model.day < day:
            self.model.step()

    def play(self, events: Iterable) -> None:
        """Run a table of events: ("join", who, sponsor), ("customer", who, sponsor),
        ("qualify", who), ("buy", who, yuan[, merchant]), ("churn", who), ("day", [buyers]),
        ("day_end",), ("step",), or a function of the script for anything else."""
        for event in events:
            if callable(event):
                event(self)
                continue
            kind, *args = event
            {"join": self.join, "customer": self.customer, "qualify": self.qualify,
             "buy": self.buy, "churn": self.churn, "day": self.day, "day_end": self.end_day,
             "step": self.step}[kind](*args)

    # -- what the books show ---------------------------------------------------------------
    def rewards(self, who: Who) -> float:
        return int(self.model.people.rewards[self.id(who)]) / 100

    def flows(self) -> dict[str, int]:
        """Close the books (they must balance) and return every flow so far, in cents."""
        assert self.model.ledger.close_day()[1] == 0
        return {k: v for k, v in self.model.ledger.totals.items() if v}

    def result(self):
        """Finish the day through the engine and take the plain result."""
        self.model.step()
        return collect(self.model)

    def close(self) -> None:
        self.model.release()


def closing(harness):
    """A fixture body: hand out a maker of ``harness`` objects and release every model it made
    when the test ends (use as ``yield from closing(Harness)``)."""
    made = []

    def make(*args, **kw):
        made.append(harness(*args, **kw))
        return made[-1]

    yield make
    for h in made:
        h.close()


@pytest.fixture
def script():
    yield from closing(Script)


# -- a sweep in the background, to interrupt ---------------------------------------------
SWEEP_PRICES = [90 + i for i in range(40)]


def start_sweep(path, *extra):
    """``sim sweep`` of 120 small runs into the store ``path``, started in the background."""
    cmd = [sys.executable, "-m", "sim", "sweep", "retail_baseline", "--param",
           "retail.price=" + ",".join(str(p) for p in SWEEP_PRICES), "--replicates", "3",
           "--days", "30", "--market-size", "1000", "--store", str(path), *extra]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_commits(path, proc) -> None:
    """Until the sweep has committed a few runs (its write-ahead log has grown)."""
    wal = path.with_name(path.name + ".wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 100_000:
            return
        time.sleep(0.05)
    pytest.fail("the sweep stored nothing, or finished, before it could be interrupted")
