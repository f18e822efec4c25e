"""Owner setters of Disputes: each within bounds fixed at deployment, with exact reasons."""

import ape
import pytest

from disputes_support import MIN_BOND, MIN_BOND_FLOOR, SLASH, SLASH_CAP, WINDOW, WINDOW_CEILING, WINDOW_FLOOR


@pytest.mark.parametrize(
    "setter,getter,event,value",
    [
        ("set_min_bond", "min_bond", "MinBondUpdated", MIN_BOND_FLOOR),
        ("set_dispute_window", "dispute_window", "DisputeWindowUpdated", WINDOW_CEILING - 1),
        ("set_slash_amount", "slash_amount", "SlashAmountUpdated", SLASH_CAP - 1),
    ],
)
def test_setters(disputes, owner, attacker, setter, getter, event, value):
    old = getattr(disputes, getter)()
    tx = getattr(disputes, setter)(value, sender=owner)
    ev = tx.events.filter(getattr(disputes, event))
    assert len(ev) == 1 and ev[0].old_value == old and ev[0].new_value == value
    assert getattr(disputes, getter)() == value
    with ape.reverts("ownable: caller is not the owner"):
        getattr(disputes, setter)(value + 1, sender=attacker)
    getattr(disputes, setter)(old, sender=owner)


def test_bounds_are_immutables(disputes):
    assert disputes.MIN_BOND_FLOOR() == MIN_BOND_FLOOR
    assert disputes.DISPUTE_WINDOW_FLOOR() == WINDOW_FLOOR
    assert disputes.DISPUTE_WINDOW_CEILING() == WINDOW_CEILING
    assert disputes.SLASH_AMOUNT_CAP() == SLASH_CAP


def test_the_bounds_themselves_are_accepted(disputes, owner):
    disputes.set_dispute_window(WINDOW_FLOOR, sender=owner)
    disputes.set_dispute_window(WINDOW_CEILING, sender=owner)
    disputes.set_slash_amount(SLASH_CAP, sender=owner)
    disputes.set_slash_amount(0, sender=owner)
    disputes.set_min_bond(MIN_BOND_FLOOR, sender=owner)


def test_owner_cannot_leave_the_bounds(disputes, owner):
    """Attack: the owner sets a 1-second window, a zero bond and an unbounded slash, then
    challenges any order and takes the pledge. Each setter refuses a value out of bounds."""
    with ape.reverts("disputes: window below floor"):
        disputes.set_dispute_window(1, sender=owner)
    with ape.reverts("disputes: window below floor"):
        disputes.set_dispute_window(WINDOW_FLOOR - 1, sender=owner)
    with ape.reverts("disputes: window above ceiling"):
        disputes.set_dispute_window(WINDOW_CEILING + 1, sender=owner)
    with ape.reverts("disputes: bond below floor"):
        disputes.set_min_bond(0, sender=owner)
    with ape.reverts("disputes: bond below floor"):
        disputes.set_min_bond(MIN_BOND_FLOOR - 1, sender=owner)
    with ape.reverts("disputes: slash above cap"):
        disputes.set_slash_amount(SLASH_CAP + 1, sender=owner)
    with ape.reverts("disputes: slash above cap"):
        disputes.set_slash_amount(2**256 - 1, sender=owner)
    assert (disputes.dispute_window(), disputes.min_bond(), disputes.slash_amount()) == (WINDOW, MIN_BOND, SLASH)


@pytest.mark.parametrize(
    "bounds,reason",
    [
        ((0, WINDOW_FLOOR, WINDOW_CEILING, SLASH_CAP), "disputes: zero bond floor"),
        ((MIN_BOND_FLOOR, 0, WINDOW_CEILING, SLASH_CAP), "disputes: zero window floor"),
        ((MIN_BOND_FLOOR, WINDOW_FLOOR, WINDOW_FLOOR - 1, SLASH_CAP), "disputes: bad window bounds"),
        ((MIN_BOND_FLOOR, WINDOW_FLOOR, WINDOW_CEILING, SLASH - 1), "disputes: slash above cap"),
        ((MIN_BOND + 1, WINDOW_FLOOR, WINDOW_CEILING, SLASH_CAP), "disputes: bond below floor"),
        ((MIN_BOND_FLOOR, WINDOW + 1, WINDOW_CEILING, SLASH_CAP), "disputes: window below floor"),
    ],
)
def test_constructor_checks_the_bounds(project, owner, token, market, epochs, registry, bounds, reason):
    with ape.reverts(reason):
        owner.deploy(project.Disputes, token, market, epochs, registry, MIN_BOND, WINDOW, SLASH, *bounds)
