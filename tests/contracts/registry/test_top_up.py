import ape

from tests.contracts.support import KEEPER, MIN_KEEPER_PLEDGE, MIN_PROVIDER_PLEDGE, PROVIDER, UNIT, event_args


def test_top_up_provider(registry, create_provider, provider):
    create_provider(provider)
    receipt = registry.top_up(PROVIDER, 5 * UNIT, sender=provider)
    assert registry.pledge_of(provider, PROVIDER) == MIN_PROVIDER_PLEDGE + 5 * UNIT
    assert registry.total_pledged() == MIN_PROVIDER_PLEDGE + 5 * UNIT
    assert event_args(receipt, registry, "ToppedUp") == [
        {"account": provider.address, "role": PROVIDER, "amount": 5 * UNIT, "pledge": MIN_PROVIDER_PLEDGE + 5 * UNIT}
    ]


def test_top_up_keeper_raises_weight(registry, create_keeper, keeper):
    create_keeper(keeper)
    receipt = registry.top_up(KEEPER, 10 * UNIT, sender=keeper)
    assert registry.keeper_weight(0) == MIN_KEEPER_PLEDGE + 10 * UNIT
    assert registry.total_keeper_weight() == MIN_KEEPER_PLEDGE + 10 * UNIT
    assert event_args(receipt, registry, "KeeperWeightChanged") == [
        {"keeper": keeper.address, "slot": 0, "weight": MIN_KEEPER_PLEDGE + 10 * UNIT}
    ]


def test_top_up_role_not_held_reverts(registry, attacker):
    with ape.reverts("registry: role not held"):
        registry.top_up(PROVIDER, UNIT, sender=attacker)


def test_top_up_zero_reverts(registry, create_provider, provider):
    create_provider(provider)
    with ape.reverts("registry: zero amount"):
        registry.top_up(PROVIDER, 0, sender=provider)
