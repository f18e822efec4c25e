"""is_active: a Provider whose pledge fell below the minimum takes no new orders until it tops up."""

import ape

from tests.contracts.support import FEE_BPS, MIN_PROVIDER_PLEDGE, PROVIDER, UNIT, USER, event_args


def test_registered_provider_is_active(registry, create_provider, provider):
    create_provider(provider)
    assert registry.is_active(provider, PROVIDER)


def test_exiting_provider_is_not_active(registry, create_provider, provider):
    create_provider(provider)
    registry.request_exit(PROVIDER, sender=provider)
    assert not registry.is_active(provider, PROVIDER)


def test_slashed_below_minimum_is_inactive_until_topped_up(
    registry, market, disputes, token, create_user, create_provider, create_order, advance, attest, user, provider, attacker
):
    """Attack: a Provider slashed below the minimum pledge (by a penalty or a dispute) keeps
    taking orders that its pledge no longer backs. Now the Market refuses them, the orders it
    has keep running and paying, and a top-up makes it active again."""
    create_user(user)
    create_provider(provider)
    advance(5)
    create_order(user, provider, nonce=0, size=1000, price=10**12, term=10)
    disputes.slash(registry, provider, UNIT, attacker, sender=attacker)
    assert registry.pledge_of(provider, PROVIDER) == MIN_PROVIDER_PLEDGE - UNIT
    assert not registry.is_active(provider, PROVIDER)
    assert registry.is_active(user, USER)
    with ape.reverts("market: provider not active"):
        create_order(user, provider, nonce=1)
    # The existing order continues: it vests and pays as before (from epoch 6, the one after
    # it was signed in, through epoch 7).
    rate = 1000 * 10**12
    proofs = attest(7, [(provider, 2 * rate, 0), (user, 0, 0)])
    before = token.balanceOf(provider)
    market.withdraw_pay(7, 2 * rate, 0, proofs[0], sender=provider)
    assert token.balanceOf(provider) == before + 2 * rate - 2 * rate * FEE_BPS // 10_000
    # Back to the minimum: active again.
    receipt = registry.top_up(PROVIDER, UNIT, sender=provider)
    assert event_args(receipt, registry, "ToppedUp") == [
        {"account": provider.address, "role": PROVIDER, "amount": UNIT, "pledge": MIN_PROVIDER_PLEDGE}
    ]
    assert registry.is_active(provider, PROVIDER)
    create_order(user, provider, nonce=1)


def test_raising_the_minimum_deactivates_until_top_up(registry, owner, create_provider, provider):
    create_provider(provider)
    registry.set_min_pledge(PROVIDER, MIN_PROVIDER_PLEDGE + 1, sender=owner)
    assert not registry.is_active(provider, PROVIDER)
    registry.top_up(PROVIDER, 1, sender=provider)
    assert registry.is_active(provider, PROVIDER)
