"""One order's whole life: register, deposit, order, extend, prove, forfeit, penalty, close, fees."""

from tests.contracts.support import FEE_BPS, MIN_KEEPER_PLEDGE, event_args, let_fees_stream, streamed_fees

RATE = 1000 * 10**12


def test_order_life(market, registry, token, create_user, create_provider, create_keeper, create_order, attest, advance, submit, user, provider, keeper):
    create_user(user)
    create_provider(provider)
    create_keeper(keeper)
    advance(4)  # the order starts at 5
    order = create_order(user, provider, size=1000, price=10**12, term=10)
    assert market.locked_of(provider) == 10 * RATE

    proofs = attest(6, [(provider, 2 * RATE, 0), (user, 0, 0)])
    market.withdraw_pay(6, 2 * RATE, 0, proofs[0], sender=provider)
    submit([order.next(end_epoch=order.end_epoch + 5)], user, provider)
    assert market.locked_of(provider) == 13 * RATE

    proofs = attest(7, [(provider, 2 * RATE, 10)])
    market.withdraw_pay(7, 2 * RATE, 10, proofs[0], sender=provider)
    advance(30)
    proofs = attest(20, [(provider, 10 * RATE, 10)])
    market.withdraw_pay(20, 10 * RATE, 10, proofs[0], sender=provider)
    assert market.locked_of(provider) == 0

    receipt = market.close_order(order.order_id, sender=user)
    # 15 epochs vested, 10 proven: 5 forfeited, plus the penalty of 10. Two settlements
    # lost something: epoch 7 (RATE + 10 of RATE vested) and 8..19 (4 RATE of 12 RATE);
    # the order vested all of both, and its share of each is floored.
    second = 12 * RATE * (4 * RATE * 10**36 // (12 * RATE)) // 10**36
    assert event_args(receipt, market, "OrderClosed")[0]["compensation"] == RATE + 10 + second
    assert second == 4 * RATE - 1
    market.flush_fees(sender=user)
    let_fees_stream()  # the Registry streams Keeper fees over FEE_STREAM_SECONDS
    assert registry.claimable_fees(keeper) == streamed_fees(10 * RATE * FEE_BPS // 10_000, MIN_KEEPER_PLEDGE, MIN_KEEPER_PLEDGE)
    registry.claim_fees(sender=keeper)
    # Everything the Market held is back with its owners except the User's balance.
    assert token.balanceOf(market) == market.balance_of(user) + market.total_compensation()
    assert market.total_compensation() == 1
