"""Every scenario balances its books to the cent, every day, and reconciles its tables."""

from __future__ import annotations

import pytest

import sim
from conftest import SCENARIOS


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_books_balance_every_day(path, seed):
    r = sim.run(path, seed=seed, market_size=3000, days=90)
    daily, people, flows = r.daily, r.people, r.flows
    assert (daily["ledger_imbalance"] == 0).all()
    assert r.metrics["ledger_imbalance"] == 0
    cents = lambda x: round(float(x) * 100)  # noqa: E731
    # The same money, counted three independent ways.
    assert cents(people["rewards"].sum()) == cents(flows["amount"].sum()) == cents(daily["rewards"].sum())
    assert cents(people["spend"].sum()) == cents(daily["gmv"].sum())
    # Platform cash is what it earned, less what it spent and paid, plus what owners put in.
    assert cents(daily["cash_held"].iloc[-1]) == cents(daily["platform_net"].sum() + daily["capital_injected"].sum())
    # Wallets are rewards not yet withdrawn (withdrawals include their fee).
    withdrawn = daily["cashed_out"].sum() + daily.get("flow_cash_out_fee", 0 * daily["day"]).sum()
    assert cents(daily["liabilities"].iloc[-1]) == cents(daily["rewards"].sum() - withdrawn)
    assert cents(people["wallet"].sum()) == cents(daily["liabilities"].iloc[-1])
    # The journal holds every reward: it adds up to the flows table, kind by kind, depth by depth.
    by = ["kind", "depth"]
    journal = r.journal.groupby(by)["amount"].sum().mul(100).round().astype(int)
    assert journal.to_dict() == flows.groupby(by)["amount"].sum().mul(100).round().astype(int).to_dict()
    # Merchants' balances add up to what they took in less what they paid out.
    assert cents(r.merchants["balance"].sum()) == cents(daily["merchant_profit"].sum())
