import ape

from tests.contracts.support import FEE_BPS, MIN_PROVIDER_PLEDGE, PROVIDER, event_args


RATE = 1000 * 10**12


def setup_order(create_user, create_provider, create_order, advance, user, provider, term=10):
    create_user(user)
    create_provider(provider)
    advance(4)  # the order starts at 5
    return create_order(user, provider, size=1000, price=10**12, term=term)


def test_withdraw_pays_proven_pay_less_fee(market, token, create_user, create_provider, create_order, advance, attest, user, provider):
    setup_order(create_user, create_provider, create_order, advance, user, provider)
    proofs = attest(6, [(provider, 2 * RATE, 0), (user, 0, 0)])
    before = token.balanceOf(provider)
    receipt = market.withdraw_pay(6, 2 * RATE, 0, proofs[0], sender=provider)
    fee = 2 * RATE * FEE_BPS // 10_000
    assert token.balanceOf(provider) == before + 2 * RATE - fee
    assert market.fee_pool() == fee
    assert market.locked_of(provider) == 8 * RATE
    assert event_args(receipt, market, "PaySettled") == [
        {"provider": provider.address, "epoch": 6, "cum_pay": 2 * RATE, "cum_penalty": 0, "paid": 2 * RATE - fee, "fee": fee, "forfeited": 0, "penalty": 0}
    ]


def test_second_withdraw_pays_the_difference(market, token, create_user, create_provider, create_order, advance, attest, user, provider):
    setup_order(create_user, create_provider, create_order, advance, user, provider)
    proofs = attest(5, [(provider, RATE, 0)])
    market.withdraw_pay(5, RATE, 0, proofs[0], sender=provider)
    proofs = attest(8, [(provider, 4 * RATE, 0), (user, 1, 1)])
    before = token.balanceOf(provider)
    market.withdraw_pay(8, 4 * RATE, 0, proofs[0], sender=provider)
    assert token.balanceOf(provider) - before == 3 * RATE - 3 * RATE * FEE_BPS // 10_000


def test_unproven_pay_and_penalty_go_to_users(market, registry, create_user, create_provider, create_order, advance, attest, user, provider):
    setup_order(create_user, create_provider, create_order, advance, user, provider)
    proofs = attest(7, [(provider, RATE, 5)])
    receipt = market.withdraw_pay(7, RATE, 5, proofs[0], sender=provider)
    (settled,) = event_args(receipt, market, "PaySettled")
    assert settled["forfeited"] == 2 * RATE and settled["penalty"] == 5
    assert registry.pledge_of(provider, PROVIDER) == MIN_PROVIDER_PLEDGE - 5
    assert market.total_compensation() == 2 * RATE + 5
    assert event_args(receipt, market, "CompensationAdded")[0]["amount"] == 2 * RATE + 5


def test_pay_beyond_vested_reverts(market, create_user, create_provider, create_order, advance, attest, user, provider):
    setup_order(create_user, create_provider, create_order, advance, user, provider)
    proofs = attest(6, [(provider, 2 * RATE + 1, 0)])
    with ape.reverts("market: pay exceeds vested"):
        market.withdraw_pay(6, 2 * RATE + 1, 0, proofs[0], sender=provider)


def test_wrong_leaf_reverts(market, create_user, create_provider, create_order, advance, attest, user, provider, attacker):
    setup_order(create_user, create_provider, create_order, advance, user, provider)
    proofs = attest(6, [(provider, RATE, 0), (attacker, RATE, 0)])
    with ape.reverts("market: invalid proof"):
        market.withdraw_pay(6, 2 * RATE, 0, proofs[0], sender=provider)
    with ape.reverts("market: invalid proof"):
        market.withdraw_pay(6, RATE, 0, proofs[0], sender=attacker)


def test_unattested_epoch_reverts(market, provider):
    with ape.reverts("market: epoch not attested"):
        market.withdraw_pay(3, 0, 0, [], sender=provider)


def test_older_epoch_reverts(market, create_user, create_provider, create_order, advance, attest, user, provider):
    setup_order(create_user, create_provider, create_order, advance, user, provider)
    old = attest(5, [(provider, RATE, 0)])
    new = attest(7, [(provider, 3 * RATE, 0)])
    market.withdraw_pay(7, 3 * RATE, 0, new[0], sender=provider)
    with ape.reverts("market: epoch already settled"):
        market.withdraw_pay(5, RATE, 0, old[0], sender=provider)


def test_pay_going_down_reverts(market, create_user, create_provider, create_order, advance, attest, user, provider):
    setup_order(create_user, create_provider, create_order, advance, user, provider)
    first = attest(6, [(provider, 2 * RATE, 0)])
    market.withdraw_pay(6, 2 * RATE, 0, first[0], sender=provider)
    second = attest(7, [(provider, RATE, 0)])
    with ape.reverts("market: pay below paid"):
        market.withdraw_pay(7, RATE, 0, second[0], sender=provider)


def test_penalty_going_down_reverts(market, create_user, create_provider, create_order, advance, attest, user, provider):
    setup_order(create_user, create_provider, create_order, advance, user, provider)
    first = attest(6, [(provider, 2 * RATE, 9)])
    market.withdraw_pay(6, 2 * RATE, 9, first[0], sender=provider)
    second = attest(7, [(provider, 3 * RATE, 1)])
    with ape.reverts("market: penalty below penalized"):
        market.withdraw_pay(7, 3 * RATE, 1, second[0], sender=provider)


def test_settle_on_behalf_pays_the_provider(market, token, create_user, create_provider, create_order, advance, attest, user, provider):
    setup_order(create_user, create_provider, create_order, advance, user, provider)
    proofs = attest(6, [(provider, RATE, 0)])
    before = token.balanceOf(provider)
    receipt = market.settle(provider, 6, RATE, 0, proofs[0], sender=user)
    assert token.balanceOf(provider) > before
    assert event_args(receipt, market, "PaySettled")[0]["forfeited"] == RATE


def test_settle_with_wrong_provider_reverts(market, create_user, create_provider, create_order, advance, attest, user, provider, attacker):
    setup_order(create_user, create_provider, create_order, advance, user, provider)
    proofs = attest(6, [(provider, RATE, 0)])
    with ape.reverts("market: invalid proof"):
        market.settle(attacker, 6, RATE, 0, proofs[0], sender=attacker)
