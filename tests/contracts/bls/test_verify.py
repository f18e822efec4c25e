"""bls.verify: blspy (PopSchemeMPL) signatures, proofs of possession and aggregates."""

import pytest
from blspy import PopSchemeMPL

MESSAGE = b"results root of epoch 42"


def test_verify_accepts_blspy_signature(bls, codec, keeper):
    sig = keeper.sign(MESSAGE)
    assert bls.verify(keeper.pk_xy, MESSAGE, codec.g2_to_eip2537(sig), codec.SIG_DST)


def test_verify_accepts_proof_of_possession(bls, codec, keepers):
    for k in keepers:
        assert bls.verify(k.pk_xy, k.pk, codec.g2_to_eip2537(k.pop), codec.POP_DST)


def test_verify_accepts_empty_and_long_messages(bls, codec, keeper):
    for message in (b"", bytes(range(256)) * 4):
        assert bls.verify(keeper.pk_xy, message, codec.g2_to_eip2537(keeper.sign(message)), codec.SIG_DST)


def test_verify_rejects_wrong_message(bls, codec, keeper):
    sig = codec.g2_to_eip2537(keeper.sign(MESSAGE))
    assert not bls.verify(keeper.pk_xy, MESSAGE + b"!", sig, codec.SIG_DST)


def test_verify_rejects_wrong_key(bls, codec, keepers):
    sig = codec.g2_to_eip2537(keepers[0].sign(MESSAGE))
    assert not bls.verify(keepers[1].pk_xy, MESSAGE, sig, codec.SIG_DST)


def test_verify_rejects_wrong_signature(bls, codec, keepers):
    other = codec.g2_to_eip2537(keepers[1].sign(MESSAGE))
    assert not bls.verify(keepers[0].pk_xy, MESSAGE, other, codec.SIG_DST)


def test_verify_rejects_other_dst(bls, codec, keeper):
    # A proof of possession is not a signature of the key under SIG_DST, and the reverse.
    pop = codec.g2_to_eip2537(keeper.pop)
    assert not bls.verify(keeper.pk_xy, keeper.pk, pop, codec.SIG_DST)
    sig_of_pk = codec.g2_to_eip2537(keeper.sign(keeper.pk))
    assert not bls.verify(keeper.pk_xy, keeper.pk, sig_of_pk, codec.POP_DST)


def test_verify_uses_the_callers_dst(bls, codec, keeper):
    # blspy's BasicSchemeMPL signs under the NUL_ tag: valid there, not under POP's SIG_DST.
    basic = codec.g2_to_eip2537(keeper.sign_basic(MESSAGE))
    assert bls.verify(keeper.pk_xy, MESSAGE, basic, b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_")
    assert not bls.verify(keeper.pk_xy, MESSAGE, basic, codec.SIG_DST)


def test_verify_accepts_aggregate_of_all_signers(bls, codec, keepers):
    agg_pk = keepers[0].pk_xy
    for k in keepers[1:]:
        agg_pk = bytes(bls.g1_add(agg_pk, k.pk_xy))
    agg_sig = bytes(PopSchemeMPL.aggregate([PopSchemeMPL.sign(k.sk, MESSAGE) for k in keepers]))
    assert bls.verify(agg_pk, MESSAGE, codec.g2_to_eip2537(agg_sig), codec.SIG_DST)


def test_verify_rejects_aggregate_missing_a_signer(bls, codec, keepers):
    agg_pk = keepers[0].pk_xy
    for k in keepers[1:]:
        agg_pk = bytes(bls.g1_add(agg_pk, k.pk_xy))
    two = bytes(PopSchemeMPL.aggregate([PopSchemeMPL.sign(k.sk, MESSAGE) for k in keepers[:2]]))
    assert not bls.verify(agg_pk, MESSAGE, codec.g2_to_eip2537(two), codec.SIG_DST)
    # The attestation path: all keys minus the non-signer's key.
    signers_pk = bytes(bls.g1_sub(agg_pk, keepers[2].pk_xy))
    assert bls.verify(signers_pk, MESSAGE, codec.g2_to_eip2537(two), codec.SIG_DST)


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def test_verify_rejects_public_key_off_curve(bls, codec, keeper):
    sig = codec.g2_to_eip2537(keeper.sign(MESSAGE))
    assert not bls.verify(_flip_last_byte(keeper.pk_xy), MESSAGE, sig, codec.SIG_DST)


def test_verify_rejects_signature_off_curve(bls, codec, keeper):
    sig = codec.g2_to_eip2537(keeper.sign(MESSAGE))
    assert not bls.verify(keeper.pk_xy, MESSAGE, _flip_last_byte(sig), codec.SIG_DST)


def test_verify_rejects_points_outside_the_subgroups(bls, codec, keeper, g1_off_subgroup, g2_off_subgroup):
    sig = codec.g2_to_eip2537(keeper.sign(MESSAGE))
    assert not bls.verify(g1_off_subgroup, MESSAGE, sig, codec.SIG_DST)
    assert not bls.verify(keeper.pk_xy, MESSAGE, g2_off_subgroup, codec.SIG_DST)


def test_verify_rejects_infinity_key_and_signature(bls, codec):
    # e(0, H(m)) * e(-G1, 0) == 1 for every m: the module must refuse the infinity key.
    assert not bls.verify(bytes(128), MESSAGE, bytes(256), codec.SIG_DST)


@pytest.mark.parametrize("pk_len, sig_len", [(127, 256), (128, 255), (0, 256), (128, 0)])
def test_verify_rejects_wrong_lengths(bls, codec, keeper, pk_len, sig_len):
    sig = codec.g2_to_eip2537(keeper.sign(MESSAGE))
    assert not bls.verify(keeper.pk_xy[:pk_len], MESSAGE, sig[:sig_len], codec.SIG_DST)
