"""Owner setters of the Registry: bounds fixed at deployment and one-time wiring."""

import ape

from tests.contracts.support import (
    KEEPER,
    MAX_MIN_PLEDGE,
    MAX_UNBONDING_DELAY,
    MIN_UNBONDING_DELAY,
    PROVIDER,
    UNIT,
    event_args,
)

ZERO = "0x0000000000000000000000000000000000000000"


def test_bounds_are_immutables(registry):
    assert registry.MIN_UNBONDING_DELAY() == MIN_UNBONDING_DELAY
    assert registry.MAX_UNBONDING_DELAY() == MAX_UNBONDING_DELAY
    assert registry.MAX_MIN_PLEDGE() == MAX_MIN_PLEDGE


def test_constructor_refuses_inverted_delay_bounds(project, owner, token):
    with ape.reverts("registry: bad delay bounds"):
        project.Registry.deploy(token, 10, 11, 10, MAX_MIN_PLEDGE, sender=owner)


def test_constructor_refuses_delay_outside_bounds(project, owner, token):
    with ape.reverts("registry: delay below floor"):
        project.Registry.deploy(token, 10, 11, 20, MAX_MIN_PLEDGE, sender=owner)


def test_set_min_pledge(registry, owner):
    receipt = registry.set_min_pledge(KEEPER, 7 * UNIT, sender=owner)
    assert registry.min_pledge(KEEPER) == 7 * UNIT
    assert event_args(receipt, registry, "MinPledgeSet") == [{"role": KEEPER, "amount": 7 * UNIT}]


def test_set_min_pledge_up_to_the_cap(registry, owner):
    registry.set_min_pledge(PROVIDER, MAX_MIN_PLEDGE, sender=owner)
    assert registry.min_pledge(PROVIDER) == MAX_MIN_PLEDGE
    with ape.reverts("registry: min pledge above cap"):
        registry.set_min_pledge(PROVIDER, MAX_MIN_PLEDGE + 1, sender=owner)


def test_set_min_pledge_unknown_role_reverts(registry, owner):
    with ape.reverts("registry: unknown role"):
        registry.set_min_pledge(3, 1, sender=owner)


def test_set_min_pledge_by_attacker_reverts(registry, attacker):
    with ape.reverts("ownable: caller is not the owner"):
        registry.set_min_pledge(KEEPER, 0, sender=attacker)


def test_set_unbonding_delay(registry, owner):
    receipt = registry.set_unbonding_delay(MIN_UNBONDING_DELAY, sender=owner)
    assert registry.unbonding_delay() == MIN_UNBONDING_DELAY
    assert event_args(receipt, registry, "UnbondingDelaySet") == [{"delay": MIN_UNBONDING_DELAY}]
    registry.set_unbonding_delay(MAX_UNBONDING_DELAY, sender=owner)
    assert registry.unbonding_delay() == MAX_UNBONDING_DELAY


def test_unbonding_delay_never_below_floor_or_above_ceiling(registry, owner):
    """Attack: the owner sets a zero delay (instant exits before penalties land) or a
    century (pledges frozen). Both are outside the bounds fixed at deployment."""
    with ape.reverts("registry: delay below floor"):
        registry.set_unbonding_delay(MIN_UNBONDING_DELAY - 1, sender=owner)
    with ape.reverts("registry: delay above ceiling"):
        registry.set_unbonding_delay(MAX_UNBONDING_DELAY + 1, sender=owner)


def test_set_unbonding_delay_by_attacker_reverts(registry, attacker):
    with ape.reverts("ownable: caller is not the owner"):
        registry.set_unbonding_delay(MIN_UNBONDING_DELAY, sender=attacker)


def test_set_market_and_disputes_once(create_registry, token, owner, keeper):
    registry = create_registry(token)
    receipt = registry.set_market(keeper, sender=owner)
    assert registry.market() == keeper.address
    assert event_args(receipt, registry, "MarketSet") == [{"market": keeper.address}]
    receipt = registry.set_disputes(keeper, sender=owner)
    assert registry.disputes() == keeper.address
    assert event_args(receipt, registry, "DisputesSet") == [{"disputes": keeper.address}]


def test_rewiring_reverts(create_registry, token, owner, provider, keeper):
    """Attack: the owner points set_disputes (or set_market) at itself and slashes a Provider
    directly. The wiring is one-time, so after the deployment nobody can add a slasher."""
    registry = create_registry(token)
    registry.set_market(keeper, sender=owner)
    registry.set_disputes(keeper, sender=owner)
    with ape.reverts("registry: already wired"):
        registry.set_disputes(owner, sender=owner)
    with ape.reverts("registry: already wired"):
        registry.set_market(owner, sender=owner)
    token.approve(registry, 2**256 - 1, sender=provider)
    registry.register_provider(100 * UNIT, "http://p", 1, 1, sender=provider)
    with ape.reverts("registry: not a slasher"):
        registry.slash(provider, UNIT, owner, sender=owner)
    assert registry.pledge_of(provider, PROVIDER) == 100 * UNIT


def test_set_market_zero_reverts(create_registry, token, owner):
    registry = create_registry(token)
    with ape.reverts("registry: zero address"):
        registry.set_market(ZERO, sender=owner)
    with ape.reverts("registry: zero address"):
        registry.set_disputes(ZERO, sender=owner)


def test_set_disputes_by_attacker_reverts(create_registry, token, attacker):
    registry = create_registry(token)
    with ape.reverts("ownable: caller is not the owner"):
        registry.set_disputes(attacker, sender=attacker)
