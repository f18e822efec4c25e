import ape

from tests.contracts.support import MIN_USER_PLEDGE, USER, event_args


def test_register_user(registry, token, user):
    token.approve(registry, MIN_USER_PLEDGE, sender=user)
    receipt = registry.register_user(MIN_USER_PLEDGE, sender=user)
    assert registry.roles_of(user) == USER
    assert registry.pledge_of(user, USER) == MIN_USER_PLEDGE
    assert registry.is_active(user, USER)
    assert token.balanceOf(registry) == MIN_USER_PLEDGE
    assert event_args(receipt, registry, "Registered") == [{"account": user.address, "role": USER, "pledge": MIN_USER_PLEDGE}]


def test_register_user_pledge_too_small_reverts(registry, token, user):
    token.approve(registry, MIN_USER_PLEDGE, sender=user)
    with ape.reverts("registry: pledge too small"):
        registry.register_user(MIN_USER_PLEDGE - 1, sender=user)


def test_register_user_twice_reverts(registry, create_user, user):
    create_user(user, deposit=0)
    with ape.reverts("registry: already registered"):
        registry.register_user(MIN_USER_PLEDGE, sender=user)
