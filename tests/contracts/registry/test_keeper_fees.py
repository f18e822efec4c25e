"""add_fees and claim_fees: the Keepers' fee pool, shared pro-rata to weight."""

import ape

from tests.contracts.support import KEEPER, MIN_KEEPER_PLEDGE, UNIT, event_args


def test_add_fees_only_from_market(registry, attacker):
    with ape.reverts("registry: not the market"):
        registry.add_fees(UNIT, sender=attacker)


def test_fees_shared_pro_rata_and_claimed(registry, market, token, create_keeper, keeper, accounts, owner):
    create_keeper(keeper, seed=1)  # weight 50
    create_keeper(accounts[7], pledge=3 * MIN_KEEPER_PLEDGE, seed=2)  # weight 150
    # The owner stands in for the Market: transfer, then add_fees (as Market.flush_fees does).
    registry.set_market(owner, sender=owner)
    token.transfer(registry, 8 * UNIT, sender=owner)
    receipt = registry.add_fees(8 * UNIT, sender=owner)
    assert event_args(receipt, registry, "FeesAdded")[0]["amount"] == 8 * UNIT
    assert registry.claimable_fees(keeper) == 2 * UNIT
    assert registry.claimable_fees(accounts[7]) == 6 * UNIT
    before = token.balanceOf(keeper)
    receipt = registry.claim_fees(sender=keeper)
    assert token.balanceOf(keeper) == before + 2 * UNIT
    assert event_args(receipt, registry, "FeesClaimed") == [{"keeper": keeper.address, "amount": 2 * UNIT}]
    # A leaving Keeper keeps what it earned, and earns nothing more.
    registry.request_exit(KEEPER, sender=accounts[7])
    token.transfer(registry, UNIT, sender=owner)
    registry.add_fees(UNIT, sender=owner)
    assert registry.claimable_fees(accounts[7]) == 6 * UNIT
    assert registry.claimable_fees(keeper) == UNIT


def test_claim_fees_with_nothing_reverts(registry, attacker):
    with ape.reverts("registry: no fees"):
        registry.claim_fees(sender=attacker)
