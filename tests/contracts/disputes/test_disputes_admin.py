import ape
import pytest


@pytest.mark.parametrize(
    "setter,getter,event,value",
    [
        ("set_min_bond", "min_bond", "MinBondUpdated", 7),
        ("set_dispute_window", "dispute_window", "DisputeWindowUpdated", 99),
        ("set_slash_amount", "slash_amount", "SlashAmountUpdated", 11),
    ],
)
def test_setters(disputes, owner, attacker, setter, getter, event, value):
    old = getattr(disputes, getter)()
    tx = getattr(disputes, setter)(value, sender=owner)
    ev = tx.events.filter(getattr(disputes, event))
    assert len(ev) == 1 and ev[0].old_value == old and ev[0].new_value == value
    assert getattr(disputes, getter)() == value
    with ape.reverts("ownable_2step: not the owner"):
        getattr(disputes, setter)(value + 1, sender=attacker)
    getattr(disputes, setter)(old, sender=owner)


def test_zero_window_refused(disputes, owner):
    with ape.reverts("disputes: zero window"):
        disputes.set_dispute_window(0, sender=owner)

