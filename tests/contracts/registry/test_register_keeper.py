import ape

from tests.contracts.support import KEEPER, MIN_KEEPER_PLEDGE, event_args, keeper_key


def test_register_keeper_verifies_pop_and_joins_set(registry, token, keeper):
    key = keeper_key(1)
    token.approve(registry, MIN_KEEPER_PLEDGE, sender=keeper)
    receipt = registry.register_keeper(MIN_KEEPER_PLEDGE, key.pubkey, key.pubkey_xy, key.pop, sender=keeper)
    assert registry.roles_of(keeper) == KEEPER
    assert registry.keeper_slot(keeper) == 0
    assert registry.keeper_pubkey(0) == key.pubkey_xy
    assert registry.keeper_weight(0) == MIN_KEEPER_PLEDGE
    assert registry.keeper_bitmap() == 1
    assert registry.keeper_count() == 1
    assert registry.agg_pubkey() == key.pubkey_xy
    assert registry.total_keeper_weight() == MIN_KEEPER_PLEDGE
    assert event_args(receipt, registry, "KeeperAdded") == [
        {"keeper": keeper.address, "slot": 0, "pubkey": key.pubkey, "weight": MIN_KEEPER_PLEDGE}
    ]
    print("register_keeper gas", receipt.gas_used)


def test_register_two_keepers_aggregates_keys(registry, create_keeper, keeper, accounts):
    from memo_py.crypto import bls

    a = create_keeper(keeper, seed=1)
    b = create_keeper(accounts[7], seed=2)
    assert registry.keeper_slot(accounts[7]) == 1
    assert registry.agg_pubkey() == bls.g1_to_eip2537(bls.aggregate_public_keys([a.pubkey, b.pubkey]))


def test_register_keeper_bad_pop_reverts(registry, token, keeper):
    key, other = keeper_key(1), keeper_key(2)
    token.approve(registry, MIN_KEEPER_PLEDGE, sender=keeper)
    with ape.reverts("registry: invalid proof of possession"):
        registry.register_keeper(MIN_KEEPER_PLEDGE, key.pubkey, key.pubkey_xy, other.pop, sender=keeper)


def test_register_keeper_mismatched_encodings_reverts(registry, token, keeper):
    key, other = keeper_key(1), keeper_key(2)
    token.approve(registry, MIN_KEEPER_PLEDGE, sender=keeper)
    with ape.reverts("registry: invalid proof of possession"):
        registry.register_keeper(MIN_KEEPER_PLEDGE, key.pubkey, other.pubkey_xy, key.pop, sender=keeper)


def test_register_keeper_key_in_use_reverts(registry, create_keeper, token, keeper, attacker):
    key = create_keeper(keeper, seed=1)
    token.approve(registry, MIN_KEEPER_PLEDGE, sender=attacker)
    with ape.reverts("registry: key in use"):
        registry.register_keeper(MIN_KEEPER_PLEDGE, key.pubkey, key.pubkey_xy, key.pop, sender=attacker)
