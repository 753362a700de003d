"""Internal consumption is counted per payment, by the payer's status when they paid: a customer
who qualifies later keeps their earlier purchases outside the organisation's own consumption,
and they stay their sponsor's own sales to consumers (直销管理条例 Art. 24)."""

from __future__ import annotations

import numpy as np
import pytest

import sim

PACKAGE, UNIT = 399.0, 100.0  # the entry package and one unit at the baseline's retail price


def customer_then_participant(script):
    """Organiser A (bought the package on day 0). C, brought in by A, buys 2 units and pays a
    ¥50 deposit as a customer, buys the package, has the deposit refunded, buys 1 unit, and
    pays ¥100 for a group order that settles. D, brought in by C, buys 3 units and never
    qualifies. Returns the result and the ids (A, C, D)."""
    s = script({"direct_referral": {"sales_rate": [0.1]}}, price=PACKAGE, size=10)
    m = s.model
    c, d = s.customer("C", "A"), s.customer("D", "C")
    s.buy("C", units=2)
    m.ledger.charge("deposit", s.ids("C"), np.array([5_000], np.int64))
    s.qualify("C")
    m.ledger.refund(s.ids("C"), np.array([5_000], np.int64))
    s.buy("C", units=1)
    m.ledger.charge("deposit", s.ids("C"), np.array([10_000], np.int64))
    m.book_sales(m.new_orders(s.ids("C"), np.array([1], np.int64), np.zeros(1, np.int64)),
                 from_escrow=True)
    s.buy("D", units=3)
    return s.result(), (s.names["A"], c, d)


def test_each_cent_is_counted_under_the_status_it_was_paid_in(script):
    r, ids = customer_then_participant(script)
    p = r.people.set_index("id").loc[list(ids)]
    # C: 2 units and the refunded deposit as a customer; the package, 1 unit and the settled
    # group order as a participant. The package counts as a participant's own purchase.
    assert p["spend"].tolist() == [PACKAGE, 2 * UNIT + PACKAGE + 2 * UNIT, 3 * UNIT]
    assert p["spend_as_participant"].tolist() == [PACKAGE, PACKAGE + 2 * UNIT, 0.0]
    assert p["value_received_as_participant"].tolist() == [0.0, 2 * UNIT, 0.0]  # package goods: 0
    # The same total by another route: the packages sold, and C's purchases after qualifying.
    packages = r.daily["flow_package_sale"].sum()
    assert r.people["spend_as_participant"].sum() == packages + 2 * UNIT == 2 * PACKAGE + 2 * UNIT
    assert (r.daily["ledger_imbalance"] == 0).all()


def test_the_audit_counts_only_purchases_made_as_a_participant_as_internal(script):
    r, (a, c, d) = customer_then_participant(script)
    i = sim.indicators(r)
    internal, outside = 2 * PACKAGE + 2 * UNIT, 5 * UNIT
    assert i["participant_spend"] == pytest.approx(internal)
    assert i["sales_to_non_participants"] == pytest.approx(outside)
    assert i["internal_consumption_share"] == pytest.approx(internal / (internal + outside))
    assert r.metrics["internal_consumption_share"] == i["internal_consumption_share"]  # one definition
    # Own sales to consumers, booked to the sponsor when each customer paid: C's purchases while
    # a customer are A's (the refunded deposit taken back out), D's are C's.
    assert i["own_sales_to_consumers"] == pytest.approx(5 * UNIT)
    own = r.people.set_index("id")["own_sales"]
    assert (own[a], own[c], own[d]) == (2 * UNIT, 3 * UNIT, 0.0)
    assert i["organisation_outside_share"] == pytest.approx(outside / (outside + internal))
    # Herbalife: sales outside plus the goods participants received at fair value.
    assert i["end_user_share"] == pytest.approx((outside + 2 * UNIT) / (internal + outside))
    # Art. 24, person by person: A is paid 10% of C's 4 purchases, two of them made while C was
    # a participant (not A's own sales); C 10% of D's, all own sales.
    art24 = {f.id: f for f in sim.audit(r, "cn")}["cn.direct_selling.art24_pay_cap"]
    assert art24.measured["own_sales_to_consumers"] == pytest.approx(5 * UNIT)
    assert art24.measured["salespersons"] == 2 and art24.measured["salespersons_paid_off_own_sales"] == 1
    assert [row[:4] for row in art24.evidence.dynamic[0].rows] == [(a, 40.0, 20.0, 2 * UNIT),
                                                                   (c, 30.0, 0.0, 3 * UNIT)]
    assert art24.verdict == "breach"
