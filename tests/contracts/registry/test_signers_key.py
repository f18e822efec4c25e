import ape

from tests.contracts.support import MIN_KEEPER_PLEDGE, UNIT


def test_signers_key_subtracts_non_signers(registry, create_keeper, keeper, accounts):
    from memo_py.crypto import bls

    keys = [create_keeper(keeper, seed=1), create_keeper(accounts[7], pledge=60 * UNIT, seed=2), create_keeper(accounts[8], seed=3)]
    key, weight = registry.signers_key(0b101)
    assert key == bls.g1_to_eip2537(bls.aggregate_public_keys([keys[0].pubkey, keys[2].pubkey]))
    assert weight == 2 * MIN_KEEPER_PLEDGE
    key, weight = registry.signers_key(0b111)
    assert key == registry.agg_pubkey() and weight == registry.total_keeper_weight()


def test_signers_key_inactive_signer_reverts(registry, create_keeper, keeper):
    create_keeper(keeper, seed=1)
    with ape.reverts("registry: inactive signer"):
        registry.signers_key(0b11)
