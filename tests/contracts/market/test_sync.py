import ape

from tests.contracts.support import event_args

RATE = 1000 * 10**12


def test_sync_vests_up_to_latest_attested(market, create_user, create_provider, create_order, attest, user, provider):
    create_user(user)
    create_provider(provider)
    create_order(user, provider, size=1000, price=10**12, term=100)  # epochs 1..100
    attest(50, [(provider, 0, 0)])
    receipt = market.sync(provider, 20, sender=user)
    assert event_args(receipt, market, "Synced") == [{"provider": provider.address, "synced": 20, "vested": 19 * RATE}]
    market.sync(provider, 1000, sender=user)
    assert market.providers(provider).synced == 50
    assert market.providers(provider).unsettled == 49 * RATE


def test_sync_bad_count_reverts(market, provider):
    with ape.reverts("market: bad epoch count"):
        market.sync(provider, 0, sender=provider)
    with ape.reverts("market: bad epoch count"):
        market.sync(provider, 1025, sender=provider)


def test_long_backlog_needs_sync(market, create_user, create_provider, create_order, attest, user, provider):
    create_user(user)
    create_provider(provider)
    create_order(user, provider, size=1000, price=10**12, term=200)  # epochs 1..200
    proofs = attest(100, [(provider, 100 * RATE, 0)])
    with ape.reverts("market: backlog, call sync first"):
        market.withdraw_pay(100, 100 * RATE, 0, proofs[0], sender=provider)
    market.sync(provider, 1000, sender=provider)
    market.withdraw_pay(100, 100 * RATE, 0, proofs[0], sender=provider)
    assert market.locked_of(provider) == 100 * RATE


def test_idle_provider_jumps_without_a_loop(market, create_provider, attest, provider):
    create_provider(provider)
    proofs = attest(5000, [(provider, 0, 0)])
    market.withdraw_pay(5000, 0, 0, proofs[0], sender=provider)
    assert market.providers(provider).synced == 5001
