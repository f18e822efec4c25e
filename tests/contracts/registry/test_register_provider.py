import ape

from tests.contracts.support import MIN_PROVIDER_PLEDGE, PROVIDER, event_args


def test_register_provider(registry, token, provider):
    token.approve(registry, MIN_PROVIDER_PLEDGE, sender=provider)
    receipt = registry.register_provider(MIN_PROVIDER_PLEDGE, "https://p.example", 10**12, 3, sender=provider)
    assert registry.roles_of(provider) == PROVIDER
    info = registry.provider_info(provider)
    assert (info.endpoint, info.capacity, info.price) == ("https://p.example", 10**12, 3)
    assert event_args(receipt, registry, "Registered") == [{"account": provider.address, "role": PROVIDER, "pledge": MIN_PROVIDER_PLEDGE}]
    assert event_args(receipt, registry, "ProviderUpdated") == [
        {"provider": provider.address, "endpoint": "https://p.example", "capacity": 10**12, "price": 3}
    ]


def test_register_provider_pledge_too_small_reverts(registry, token, provider):
    token.approve(registry, MIN_PROVIDER_PLEDGE, sender=provider)
    with ape.reverts("registry: pledge too small"):
        registry.register_provider(MIN_PROVIDER_PLEDGE - 1, "https://p.example", 1, 1, sender=provider)


def test_register_provider_without_allowance_reverts(registry, provider):
    with ape.reverts("erc20: insufficient allowance"):
        registry.register_provider(MIN_PROVIDER_PLEDGE, "https://p.example", 1, 1, sender=provider)
