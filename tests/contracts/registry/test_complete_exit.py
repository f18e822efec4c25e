import ape

from tests.contracts.support import MIN_PROVIDER_PLEDGE, PROVIDER, UNBONDING_DELAY, USER, event_args


def test_complete_exit_returns_pledge(registry, token, create_provider, provider):
    create_provider(provider)
    registry.request_exit(PROVIDER, sender=provider)
    ape.chain.pending_timestamp += UNBONDING_DELAY
    before = token.balanceOf(provider)
    receipt = registry.complete_exit(PROVIDER, sender=provider)
    assert token.balanceOf(provider) == before + MIN_PROVIDER_PLEDGE
    assert registry.roles_of(provider) == 0
    assert registry.pledge_of(provider, PROVIDER) == 0
    assert event_args(receipt, registry, "Exited") == [{"account": provider.address, "role": PROVIDER, "amount": MIN_PROVIDER_PLEDGE}]


def test_complete_exit_before_delay_reverts(registry, create_provider, provider):
    create_provider(provider)
    registry.request_exit(PROVIDER, sender=provider)
    with ape.reverts("registry: still unbonding"):
        registry.complete_exit(PROVIDER, sender=provider)


def test_complete_exit_without_request_reverts(registry, create_user, user):
    create_user(user, deposit=0)
    with ape.reverts("registry: not exiting"):
        registry.complete_exit(USER, sender=user)


def test_complete_exit_with_locked_escrow_reverts(registry, market, create_user, create_provider, create_order, user, provider):
    create_user(user)
    create_provider(provider)
    create_order(user, provider)
    assert market.locked_of(provider) > 0
    registry.request_exit(PROVIDER, sender=provider)
    ape.chain.pending_timestamp += UNBONDING_DELAY
    with ape.reverts("registry: stake locked"):
        registry.complete_exit(PROVIDER, sender=provider)


def test_complete_exit_with_open_dispute_reverts(registry, disputes, create_provider, provider):
    create_provider(provider)
    disputes.set_open_disputes(provider, 1, sender=provider)
    registry.request_exit(PROVIDER, sender=provider)
    ape.chain.pending_timestamp += UNBONDING_DELAY
    with ape.reverts("registry: open disputes"):
        registry.complete_exit(PROVIDER, sender=provider)
