import ape

from tests.contracts.support import event_args


def test_update_provider(registry, create_provider, provider):
    create_provider(provider)
    receipt = registry.update_provider("https://new.example", 5, 7, sender=provider)
    assert registry.provider_info(provider).endpoint == "https://new.example"
    assert event_args(receipt, registry, "ProviderUpdated") == [
        {"provider": provider.address, "endpoint": "https://new.example", "capacity": 5, "price": 7}
    ]


def test_update_provider_not_a_provider_reverts(registry, attacker):
    with ape.reverts("registry: not a provider"):
        registry.update_provider("https://evil.example", 1, 1, sender=attacker)
