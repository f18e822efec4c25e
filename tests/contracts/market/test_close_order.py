import ape

from tests.contracts.support import event_args

RATE = 1000 * 10**12


def test_close_pays_compensation_by_rate(market, create_user, create_provider, create_order, advance, attest, user, other_user, provider):
    create_user(user)
    create_user(other_user)
    create_provider(provider)
    advance(4)  # the order starts at 5
    small = create_order(user, provider, size=1000, price=10**12, term=4)  # rate R
    big = create_order(other_user, provider, size=3000, price=10**12, term=4)  # rate 3R
    # Epochs 5..8 vest 4R + 12R = 16R; the Provider proves 12R and is penalized 8.
    proofs = attest(9, [(provider, 12 * RATE, 8)])
    market.withdraw_pay(9, 12 * RATE, 8, proofs[0], sender=provider)
    lost = 4 * RATE + 8
    assert market.compensation_of(small.order_id) == lost // 4
    before = market.balance_of(user)
    receipt = market.close_order(small.order_id, sender=other_user)
    assert market.balance_of(user) == before + lost // 4
    assert event_args(receipt, market, "OrderClosed") == [
        {"order_id": small.order_id, "user": user.address, "provider": provider.address, "compensation": lost // 4}
    ]
    market.close_order(big.order_id, sender=user)
    assert market.total_compensation() == lost - lost // 4 - 3 * lost // 4


def test_close_before_end_reverts(market, create_user, create_provider, create_order, user, provider):
    create_user(user)
    create_provider(provider)
    order = create_order(user, provider)
    with ape.reverts("market: order not ended"):
        market.close_order(order.order_id, sender=user)


def test_close_before_settlement_reverts(market, create_user, create_provider, create_order, advance, user, provider):
    create_user(user)
    create_provider(provider)
    order = create_order(user, provider, term=3)
    advance(order.end_epoch + 1)
    with ape.reverts("market: provider not settled"):
        market.close_order(order.order_id, sender=user)


def test_close_twice_reverts(market, create_user, create_provider, create_order, advance, attest, user, provider):
    create_user(user)
    create_provider(provider)
    order = create_order(user, provider, size=1000, price=10**12, term=2)
    proofs = attest(2, [(provider, 2 * RATE, 0)])
    market.withdraw_pay(2, 2 * RATE, 0, proofs[0], sender=provider)
    market.close_order(order.order_id, sender=user)
    with ape.reverts("market: order closed"):
        market.close_order(order.order_id, sender=user)


def test_close_unknown_order_reverts(market, user):
    with ape.reverts("market: unknown order"):
        market.close_order(b"\x11" * 32, sender=user)
