"""Gas of the library calls (the attestation budget is 250,000 gas for the whole transaction).

Run with ``-s`` to see the figures. Measured on anvil (Prague) with a 128-byte
message: hash_to_g2 57,371 gas, verify 161,371 gas (of which 154,524 are the
precompiles: 2 x MAP_FP2_TO_G2 23,800, G2ADD 600, PAIRING_CHECK(2) 102,900,
4 x MODEXP 200, 9 x SHA-256, plus 100 per call), verify as a whole transaction
191,597 gas. The bounds sit ~1% above, so that a regression shows up here.
"""

import ape

ATTESTATION_MESSAGE = bytes(128)  # abi_encode(chain.id, epochs, epoch, results_root) is 128 bytes
HASH_TO_G2_BUDGET = 58_500
VERIFY_BUDGET = 163_000
VERIFY_TX_BUDGET = 194_000


def test_hash_to_g2_gas(bls, codec):
    gas = bls.hash_to_g2_gas(ATTESTATION_MESSAGE, codec.SIG_DST)
    print(f"\nhash_to_g2 (128-byte message, inside the call): {gas} gas")
    assert gas <= HASH_TO_G2_BUDGET


def test_verify_gas(bls, codec, keeper):
    sig = codec.g2_to_eip2537(keeper.sign(ATTESTATION_MESSAGE))
    gas = bls.verify_gas(keeper.pk_xy, ATTESTATION_MESSAGE, sig, codec.SIG_DST)
    print(f"\nverify (128-byte message, inside the call): {gas} gas")
    assert gas <= VERIFY_BUDGET


def test_verify_gas_reverts_on_bad_signature(bls, codec, keepers):
    sig = codec.g2_to_eip2537(keepers[1].sign(ATTESTATION_MESSAGE))
    with ape.reverts("blsharness: invalid signature"):
        bls.verify_gas(keepers[0].pk_xy, ATTESTATION_MESSAGE, sig, codec.SIG_DST)


def test_verify_transaction_gas(bls, codec, keeper, owner):
    sig = codec.g2_to_eip2537(keeper.sign(ATTESTATION_MESSAGE))
    receipt = bls.verify_tx(keeper.pk_xy, ATTESTATION_MESSAGE, sig, codec.SIG_DST, sender=owner)
    print(f"\nverify as a whole transaction (21,000 base + calldata + call): {receipt.gas_used} gas")
    assert receipt.gas_used <= VERIFY_TX_BUDGET


def test_verify_transaction_reverts_on_bad_signature(bls, codec, keepers, owner):
    sig = codec.g2_to_eip2537(keepers[1].sign(ATTESTATION_MESSAGE))
    with ape.reverts("blsharness: invalid signature"):
        bls.verify_tx(keepers[0].pk_xy, ATTESTATION_MESSAGE, sig, codec.SIG_DST, sender=owner)
