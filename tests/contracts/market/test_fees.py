"""flush_fees and set_fee."""

import ape

from tests.contracts.support import FEE_BPS, MIN_KEEPER_PLEDGE, event_args, let_fees_stream, streamed_fees

RATE = 1000 * 10**12


def test_flush_fees_reaches_keepers(market, registry, token, create_user, create_provider, create_keeper, create_order, attest, user, provider, keeper):
    create_user(user)
    create_provider(provider)
    create_keeper(keeper)
    create_order(user, provider, size=1000, price=10**12, term=4)  # epochs 1..4
    proofs = attest(4, [(provider, 4 * RATE, 0)])
    market.withdraw_pay(4, 4 * RATE, 0, proofs[0], sender=provider)
    fee = 4 * RATE * FEE_BPS // 10_000
    receipt = market.flush_fees(sender=user)
    assert market.fee_pool() == 0
    assert event_args(receipt, market, "FeesFlushed") == [{"registry": registry.address, "amount": fee}]
    # The Registry streams them out over a day (the only Keeper gets all of it, less sub-wei dust).
    let_fees_stream()
    assert registry.claimable_fees(keeper) == streamed_fees(fee, MIN_KEEPER_PLEDGE, MIN_KEEPER_PLEDGE)
    assert fee - 1 <= registry.claimable_fees(keeper) <= fee


def test_flush_empty_pool_reverts(market, user):
    with ape.reverts("market: no fees"):
        market.flush_fees(sender=user)


def test_set_fee(market, owner):
    receipt = market.set_fee(100, sender=owner)
    assert market.fee_bps() == 100
    assert event_args(receipt, market, "FeeSet") == [{"fee_bps": 100}]


def test_set_fee_too_high_reverts(market, owner):
    with ape.reverts("market: fee too high"):
        market.set_fee(5001, sender=owner)


def test_set_fee_by_attacker_reverts(market, attacker):
    with ape.reverts("ownable: caller is not the owner"):
        market.set_fee(0, sender=attacker)
