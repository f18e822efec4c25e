"""Owner setters of the Registry and its two-step ownership."""

import ape

from tests.contracts.support import KEEPER, UNIT, event_args


def test_set_min_pledge(registry, owner):
    receipt = registry.set_min_pledge(KEEPER, 7 * UNIT, sender=owner)
    assert registry.min_pledge(KEEPER) == 7 * UNIT
    assert event_args(receipt, registry, "MinPledgeSet") == [{"role": KEEPER, "amount": 7 * UNIT}]


def test_set_min_pledge_unknown_role_reverts(registry, owner):
    with ape.reverts("registry: unknown role"):
        registry.set_min_pledge(3, 1, sender=owner)


def test_set_min_pledge_by_attacker_reverts(registry, attacker):
    with ape.reverts("ownable_2step: not the owner"):
        registry.set_min_pledge(KEEPER, 0, sender=attacker)


def test_set_unbonding_delay(registry, owner):
    receipt = registry.set_unbonding_delay(60, sender=owner)
    assert registry.unbonding_delay() == 60
    assert event_args(receipt, registry, "UnbondingDelaySet") == [{"delay": 60}]


def test_set_unbonding_delay_by_attacker_reverts(registry, attacker):
    with ape.reverts("ownable_2step: not the owner"):
        registry.set_unbonding_delay(0, sender=attacker)


def test_set_market_and_disputes(registry, owner, keeper):
    receipt = registry.set_market(keeper, sender=owner)
    assert registry.market() == keeper.address
    assert event_args(receipt, registry, "MarketSet") == [{"market": keeper.address}]
    receipt = registry.set_disputes(keeper, sender=owner)
    assert registry.disputes() == keeper.address
    assert event_args(receipt, registry, "DisputesSet") == [{"disputes": keeper.address}]


def test_set_market_zero_reverts(registry, owner):
    with ape.reverts("registry: zero address"):
        registry.set_market("0x0000000000000000000000000000000000000000", sender=owner)


def test_set_disputes_by_attacker_reverts(registry, attacker):
    with ape.reverts("ownable_2step: not the owner"):
        registry.set_disputes(attacker, sender=attacker)

