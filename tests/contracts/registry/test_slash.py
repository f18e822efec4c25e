import ape

from tests.contracts.support import MIN_PROVIDER_PLEDGE, PROVIDER, UNIT, event_args


def test_slash_by_disputes_pays_recipient(registry, token, disputes, create_provider, provider, keeper):
    create_provider(provider)
    before = token.balanceOf(keeper)
    receipt = disputes.slash(registry, provider, 10 * UNIT, keeper, sender=keeper)
    assert token.balanceOf(keeper) == before + 10 * UNIT
    assert registry.pledge_of(provider, PROVIDER) == MIN_PROVIDER_PLEDGE - 10 * UNIT
    assert event_args(receipt, registry, "Slashed") == [
        {"provider": provider.address, "recipient": keeper.address, "requested": 10 * UNIT, "taken": 10 * UNIT}
    ]


def test_slash_takes_at_most_the_pledge(registry, disputes, create_provider, provider, keeper):
    create_provider(provider)
    receipt = disputes.slash(registry, provider, 10**30, keeper, sender=keeper)
    assert event_args(receipt, registry, "Slashed")[0]["taken"] == MIN_PROVIDER_PLEDGE
    assert registry.pledge_of(provider, PROVIDER) == 0


def test_slash_by_attacker_reverts(registry, create_provider, provider, attacker):
    create_provider(provider)
    with ape.reverts("registry: not a slasher"):
        registry.slash(provider, UNIT, attacker, sender=attacker)
