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
    flow = lambda kind: daily.get(f"flow_{kind}", 0 * daily["day"]).sum()  # noqa: E731
    # Everything persons paid in is GMV, fees and deposits, less refunds, plus rewards and
    # points they spent on goods from their wallets.
    paid_in = (flow("sale") + flow("package_sale") + flow("membership_fee") + flow("deposit")
               - flow("refund") + flow("wallet_goods"))
    assert cents(people["spend"].sum()) == cents(paid_in)
    # What was paid while a participant is part of it, person by person, and only persons who
    # ever were one paid anything so (tests/test_internal_consumption.py: which cents).
    part, spend = people["spend_as_participant"], people["spend"]
    assert ((part >= 0) & (part <= spend + 0.005)).all()
    assert (part[people["participant_day"] < 0] == 0).all()
    part_value = people["value_received_as_participant"]
    assert ((part_value >= 0) & (part_value <= people["value_received"] + 0.005)).all()
    assert cents(daily["gmv"].sum()) == cents(flow("sale") + flow("package_sale") + flow("escrow_sale"))
    # Platform cash is what it earned, less what it spent and paid, plus what owners put in.
    assert cents(daily["cash_held"].iloc[-1]) == cents(daily["platform_net"].sum() + daily["capital_injected"].sum())
    # Wallets are rewards not yet withdrawn or spent (withdrawals include their fee).
    withdrawn = flow("cash_out") + flow("cash_out_fee") + flow("wallet_goods")
    assert cents(daily["wallets_owed"].iloc[-1]) == cents(daily["rewards"].sum() - withdrawn)
    assert cents(people["wallet"].sum()) == cents(daily["wallets_owed"].iloc[-1])
    # Deposits are held until their group or presale settles or is refunded.
    assert cents(daily["escrow_held"].iloc[-1]) == cents(flow("deposit") - flow("refund") - flow("escrow_sale"))
    owed = daily[["wallets_owed", "points_liability", "pool_liability", "escrow_held"]].sum(axis=1)
    assert (owed.mul(100).round() == daily["liabilities"].mul(100).round()).all()
    # The journal holds every reward: it adds up to the flows table, kind by kind, depth by depth.
    by = ["kind", "depth"]
    journal = r.journal.groupby(by)["amount"].sum().mul(100).round().astype(int)
    assert journal.to_dict() == flows.groupby(by)["amount"].sum().mul(100).round().astype(int).to_dict()
    # Merchants' balances are their profits plus what they borrowed and have not repaid.
    borrowed = flow("loan") - flow("loan_repayment")
    assert cents(r.merchants["balance"].sum()) == cents(daily["merchant_profit"].sum() + borrowed)
