"""register_keeper: the PoP and the registration signature bind a BLS key to one Keeper address, once."""

import ape

from tests.contracts.support import KEEPER, MIN_KEEPER_PLEDGE, UNBONDING_DELAY, event_args, keeper_key


def test_register_keeper_verifies_pop_and_joins_set(registry, token, keeper):
    key = keeper_key(1)
    token.approve(registry, MIN_KEEPER_PLEDGE, sender=keeper)
    receipt = registry.register_keeper(*key.register_args(registry, keeper, MIN_KEEPER_PLEDGE), sender=keeper)
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


def test_registration_message_matches_the_sdk(registry, keeper, chain_id):
    from memo_py.crypto import bls

    expected = bls.keeper_registration_message(chain_id, registry.address, keeper.address)
    assert registry.registration_message(keeper) == expected
    assert len(expected) == 128


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
        registry.register_keeper(MIN_KEEPER_PLEDGE, key.pubkey, key.pubkey_xy, other.pop, key.registration(registry, keeper), sender=keeper)


def test_register_keeper_mismatched_encodings_reverts(registry, token, keeper):
    key, other = keeper_key(1), keeper_key(2)
    token.approve(registry, MIN_KEEPER_PLEDGE, sender=keeper)
    with ape.reverts("registry: invalid proof of possession"):
        registry.register_keeper(MIN_KEEPER_PLEDGE, key.pubkey, other.pubkey_xy, key.pop, key.registration(registry, keeper), sender=keeper)


def test_register_keeper_key_in_use_reverts(registry, create_keeper, token, keeper, attacker):
    key = create_keeper(keeper, seed=1)
    token.approve(registry, MIN_KEEPER_PLEDGE, sender=attacker)
    with ape.reverts("registry: key in use"):
        registry.register_keeper(*key.register_args(registry, attacker, MIN_KEEPER_PLEDGE), sender=attacker)


def test_squatting_a_published_key_reverts(registry, token, keeper, attacker, create_keeper):
    """Attack: the attacker sees a Keeper's registration (key, PoP, signature) in the mempool or a
    previous deployment and sends it first from its own address. The signature binds the Keeper's
    address, so the squat fails and the Keeper registers its key afterwards."""
    key = keeper_key(1)
    token.approve(registry, MIN_KEEPER_PLEDGE, sender=attacker)
    with ape.reverts("registry: invalid registration signature"):
        registry.register_keeper(*key.register_args(registry, keeper, MIN_KEEPER_PLEDGE), sender=attacker)
    # A PoP alone (the old registration) is not enough either: a signature by another key fails.
    forged = keeper_key(2).registration(registry, attacker)
    with ape.reverts("registry: invalid registration signature"):
        registry.register_keeper(MIN_KEEPER_PLEDGE, key.pubkey, key.pubkey_xy, key.pop, forged, sender=attacker)
    assert registry.roles_of(attacker) == 0
    create_keeper(keeper, seed=1)
    assert registry.slot_keeper(0) == keeper.address


def test_registration_signature_is_bound_to_chain_and_registry(registry, token, keeper, chain_id):
    key = keeper_key(1)
    token.approve(registry, MIN_KEEPER_PLEDGE, sender=keeper)
    other_registry = "0x" + "11" * 20
    for signature in (key.registration(other_registry, keeper), key.registration(registry, keeper, chain_id=chain_id + 1)):
        with ape.reverts("registry: invalid registration signature"):
            registry.register_keeper(MIN_KEEPER_PLEDGE, key.pubkey, key.pubkey_xy, key.pop, signature, sender=keeper)


def test_key_reuse_after_exit_reverts(registry, token, create_keeper, keeper, attacker):
    """Attack: a key leaves with its Keeper and is registered again (by the same Keeper or by
    whoever holds the secret now). A key is usable once: key_in_use stays set after the exit."""
    key = create_keeper(keeper, seed=1)
    registry.request_exit(KEEPER, sender=keeper)
    ape.chain.pending_timestamp += UNBONDING_DELAY
    registry.complete_exit(KEEPER, sender=keeper)
    from eth_utils import keccak

    assert registry.key_in_use(keccak(key.pubkey))
    for account in (keeper, attacker):
        token.approve(registry, MIN_KEEPER_PLEDGE, sender=account)
        with ape.reverts("registry: key in use"):
            registry.register_keeper(*key.register_args(registry, account, MIN_KEEPER_PLEDGE), sender=account)
    # The Keeper may come back with a new key.
    create_keeper(keeper, seed=3)
    assert registry.keeper_slot(keeper) == 0
