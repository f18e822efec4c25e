import pytest

from memo_py.keeper.matcher import NotEnoughProviders, ProviderInfo, select_providers

NOW = 10_000.0


def provider(n, price=10, free=10**9, seen=NOW, operator=None):
    return ProviderInfo(f"0x{n:040x}", f"http://p{n}", price, free, 0, seen, operator)


def test_cheapest_live_providers_are_chosen():
    pool = [provider(1, price=30), provider(2, price=10), provider(3, price=20), provider(4, price=5, seen=NOW - 3600)]
    chosen = select_providers(pool, 2, 1000, NOW)
    assert [p.address for p in chosen] == [provider(2).address, provider(3).address]


def test_operators_are_spread_before_any_repeats():
    pool = [
        provider(1, price=1, operator="acme"),
        provider(2, price=2, operator="acme"),
        provider(3, price=9, operator="beta"),
        provider(4, price=8, operator="gamma"),
    ]
    chosen = select_providers(pool, 3, 1000, NOW)
    assert sorted(p.operator for p in chosen) == ["acme", "beta", "gamma"]
    four = select_providers(pool, 4, 1000, NOW)
    assert len({p.address for p in four}) == 4


def test_no_provider_is_used_twice_even_if_listed_twice():
    pool = [provider(1), provider(1), provider(2)]
    with pytest.raises(NotEnoughProviders, match="need 3"):
        select_providers(pool, 3, 1000, NOW)


def test_capacity_price_and_exclusions_filter():
    pool = [provider(1, free=500), provider(2, price=100), provider(3), provider(4)]
    chosen = select_providers(pool, 1, 1000, NOW, max_price=50, exclude=[provider(3).address])
    assert chosen == [provider(4)]
    with pytest.raises(NotEnoughProviders, match="price <= 50"):
        select_providers(pool, 3, 1000, NOW, max_price=50)
    with pytest.raises(ValueError):
        select_providers(pool, 0, 1000, NOW)
