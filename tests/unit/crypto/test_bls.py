"""memo_py.crypto.bls: keys, signatures, aggregation, proofs of possession, EIP-2537 encodings."""

from __future__ import annotations

import hashlib

import py_arkworks_bls12381 as ark
import pytest
from blspy import PopSchemeMPL
from hypothesis import given
from hypothesis import strategies as st
from py_ecc.bls.hash_to_curve import hash_to_G2
from py_ecc.bls.point_compression import decompress_G1, decompress_G2
from py_ecc.optimized_bls12_381 import FQ12, G1, final_exponentiate, neg, normalize, pairing

from memo_py.crypto import bls
from memo_py.errors import InvalidLength, InvalidPoint, InvalidSignature, MemoError

MESSAGE = b"MEMO epoch 7 results root"


def make_keeper(i: int) -> tuple[bytes, bytes]:
    sk = bls.key_from_seed(hashlib.sha256(b"keeper %d" % i).digest())
    return sk, bls.public_key(sk)


@pytest.fixture(scope="module")
def keepers() -> list[tuple[bytes, bytes]]:
    return [make_keeper(i) for i in range(4)]


def fp_int(b: bytes) -> int:
    return int.from_bytes(b, "big")


def split64(data: bytes) -> list[bytes]:
    return [data[i : i + 64] for i in range(0, len(data), 64)]


# ----------------------------------------------------------------------------- keys


def test_key_from_seed_is_deterministic_and_seed_dependent() -> None:
    assert bls.key_from_seed(bytes(32)) == bls.key_from_seed(bytes(32))
    assert bls.key_from_seed(bytes(32)) != bls.key_from_seed(bytes(31) + b"\x01")
    assert len(bls.key_from_seed(bytes(64))) == bls.SECRET_KEY_BYTES


def test_key_from_seed_rejects_short_seed() -> None:
    with pytest.raises(InvalidLength):
        bls.key_from_seed(bytes(31))


def test_public_key_rejects_bad_secret_keys() -> None:
    with pytest.raises(InvalidLength):
        bls.public_key(bytes(31))
    with pytest.raises(InvalidLength):
        bls.public_key(b"\xff" * 32)  # above the group order
    with pytest.raises(InvalidLength):
        bls.public_key(bytes(32))  # zero


# ----------------------------------------------------------------------------- sign / verify


def test_sign_verify_round_trip(keepers) -> None:
    sk, pk = keepers[0]
    sig = bls.sign(sk, MESSAGE)
    assert len(sig) == bls.SIGNATURE_BYTES
    assert bls.verify(pk, MESSAGE, sig)
    bls.verify_or_raise(pk, MESSAGE, sig)


def test_verify_rejects_wrong_message_key_and_signature(keepers) -> None:
    (sk, pk), (other_sk, other_pk) = keepers[0], keepers[1]
    sig = bls.sign(sk, MESSAGE)
    assert not bls.verify(pk, MESSAGE + b"!", sig)
    assert not bls.verify(other_pk, MESSAGE, sig)
    assert not bls.verify(pk, MESSAGE, bls.sign(other_sk, MESSAGE))
    with pytest.raises(InvalidSignature):
        bls.verify_or_raise(other_pk, MESSAGE, sig)


def test_pop_is_not_a_message_signature(keepers) -> None:
    """A PoP is a signature of the public key under POP_DST, not SIG_DST: it cannot be replayed."""
    sk, pk = keepers[0]
    assert not bls.verify(pk, pk, bls.pop_prove(sk))


REGISTRY = "0x" + "ab" * 20
KEEPER = "0x" + "cd" * 20


def test_keeper_registration_message_layout() -> None:
    """abi_encode(bytes32 tag, uint256 chain_id, address registry, address keeper), as the Registry builds it."""
    from eth_utils import keccak

    message = bls.keeper_registration_message(31337, REGISTRY, KEEPER)
    assert len(message) == 128
    assert message[:32] == bls.KEEPER_REGISTRATION_TAG == keccak(b"MEMO Registry.register_keeper")
    assert message[32:64] == (31337).to_bytes(32, "big")
    assert message[64:96] == bytes(12) + bytes.fromhex("ab" * 20)
    assert message[96:] == bytes(12) + bytes.fromhex("cd" * 20)
    with pytest.raises(TypeError):
        bls.keeper_registration_message("31337", REGISTRY, KEEPER)  # type: ignore[arg-type]


def test_keeper_registration_signature_binds_the_keeper(keepers) -> None:
    sk, pk = keepers[0]
    signature = bls.sign_keeper_registration(sk, 1, REGISTRY, KEEPER)
    assert bls.verify(pk, bls.keeper_registration_message(1, REGISTRY, KEEPER), signature)
    for other in ((2, REGISTRY, KEEPER), (1, KEEPER, KEEPER), (1, REGISTRY, REGISTRY)):
        assert not bls.verify(pk, bls.keeper_registration_message(*other), signature)


def test_verify_rejects_invalid_points(keepers) -> None:
    sk, pk = keepers[0]
    sig = bls.sign(sk, MESSAGE)
    with pytest.raises(InvalidPoint):
        bls.verify(b"\x00" * 48, MESSAGE, sig)  # no compression flag
    with pytest.raises(InvalidPoint):
        bls.verify(b"\xc0" + bytes(47), MESSAGE, sig)  # infinity public key
    with pytest.raises(InvalidPoint):
        bls.verify(pk, MESSAGE, b"\x01" * 96)
    bad_x = bytes([pk[0]]) + b"\xff" * 47  # x not below p
    with pytest.raises(InvalidPoint):
        bls.verify(bad_x, MESSAGE, sig)


def test_verify_rejects_wrong_lengths(keepers) -> None:
    sk, pk = keepers[0]
    sig = bls.sign(sk, MESSAGE)
    with pytest.raises(InvalidLength):
        bls.verify(pk[:-1], MESSAGE, sig)
    with pytest.raises(InvalidLength):
        bls.verify(pk, MESSAGE, sig + b"\x00")
    with pytest.raises(TypeError):
        bls.verify(pk, "text", sig)


def test_errors_are_memo_errors() -> None:
    with pytest.raises(MemoError):
        bls.public_key(b"")
    with pytest.raises(ValueError):
        bls.public_key(b"")


@given(st.binary(max_size=200))
def test_sign_verify_any_message(message: bytes) -> None:
    sk, pk = make_keeper(9)
    assert bls.verify(pk, message, bls.sign(sk, message))


# ----------------------------------------------------------------------------- aggregation


def test_fast_aggregate_verify(keepers) -> None:
    sigs = [bls.sign(sk, MESSAGE) for sk, _ in keepers]
    agg = bls.aggregate(sigs)
    pks = [pk for _, pk in keepers]
    assert bls.fast_aggregate_verify(pks, MESSAGE, agg)
    bls.fast_aggregate_verify_or_raise(pks, MESSAGE, agg)
    # Also equal to a single-key check against the aggregated public key (what the contract does).
    assert bls.verify(bls.aggregate_public_keys(pks), MESSAGE, agg)


def test_fast_aggregate_verify_rejects_missing_signer_and_wrong_message(keepers) -> None:
    sigs = [bls.sign(sk, MESSAGE) for sk, _ in keepers]
    pks = [pk for _, pk in keepers]
    assert not bls.fast_aggregate_verify(pks, MESSAGE, bls.aggregate(sigs[:-1]))
    assert not bls.fast_aggregate_verify(pks, MESSAGE + b"x", bls.aggregate(sigs))
    assert not bls.fast_aggregate_verify([], MESSAGE, bls.aggregate(sigs))
    with pytest.raises(InvalidSignature):
        bls.fast_aggregate_verify_or_raise(pks[:-1], MESSAGE, bls.aggregate(sigs))


def test_aggregate_verify_distinct_messages(keepers) -> None:
    messages = [b"msg %d" % i for i in range(len(keepers))]
    agg = bls.aggregate([bls.sign(sk, m) for (sk, _), m in zip(keepers, messages)])
    pks = [pk for _, pk in keepers]
    assert bls.aggregate_verify(pks, messages, agg)
    assert not bls.aggregate_verify(pks, messages[::-1], agg)
    with pytest.raises(InvalidLength):
        bls.aggregate_verify(pks, messages[:-1], agg)


def test_aggregate_rejects_empty_and_invalid() -> None:
    with pytest.raises(InvalidLength):
        bls.aggregate([])
    with pytest.raises(InvalidLength):
        bls.aggregate_public_keys([])
    with pytest.raises(InvalidPoint):
        bls.aggregate([b"\x01" * 96])


# ----------------------------------------------------------------------------- proof of possession


def test_pop_round_trip(keepers) -> None:
    sk, pk = keepers[0]
    proof = bls.pop_prove(sk)
    assert bls.pop_verify(pk, proof)
    bls.pop_verify_or_raise(pk, proof)


def test_pop_rejects_other_key_and_message_signature(keepers) -> None:
    (sk, pk), (_, other_pk) = keepers[0], keepers[1]
    proof = bls.pop_prove(sk)
    assert not bls.pop_verify(other_pk, proof)
    assert not bls.pop_verify(pk, bls.sign(sk, pk))  # a SIG_DST signature of pk is not a PoP
    with pytest.raises(InvalidSignature):
        bls.pop_verify_or_raise(other_pk, proof)
    with pytest.raises(InvalidPoint):
        bls.pop_verify(pk, b"\x01" * 96)


# ----------------------------------------------------------------------------- hash-to-G2 matches blspy


@pytest.mark.parametrize("message", [b"", b"abc", MESSAGE, bytes(range(256))])
def test_hash_to_g2_is_blspy_hash(keepers, message: bytes) -> None:
    """sign(sk, m) == sk * hash_to_g2(m, SIG_DST), so the contract hashes exactly as blspy signs."""
    sk, _ = keepers[0]
    h = ark.G2Point.from_compressed_bytes(bls.hash_to_g2(message))
    expected = h * ark.Scalar(int.from_bytes(sk, "big"))
    assert expected.to_compressed_bytes() == bls.sign(sk, message)
    assert bls.hash_to_g2(message) == bytes(PopSchemeMPL.g2_from_message(message))


def test_hash_to_g2_pop_dst_is_blspy_pop_hash(keepers) -> None:
    sk, pk = keepers[0]
    h = ark.G2Point.from_compressed_bytes(bls.hash_to_g2(pk, bls.POP_DST))
    expected = h * ark.Scalar(int.from_bytes(sk, "big"))
    assert expected.to_compressed_bytes() == bls.pop_prove(sk)


def test_hash_to_g2_eip2537_matches_py_ecc() -> None:
    """Independent implementation (py_ecc) of RFC 9380 hash-to-G2, and the c0-before-c1 order."""
    for dst in (bls.SIG_DST, bls.POP_DST):
        encoded = bls.hash_to_g2_eip2537(MESSAGE, dst)
        assert len(encoded) == bls.EIP2537_G2_BYTES
        x, y = normalize(hash_to_G2(MESSAGE, dst, hashlib.sha256))
        words = split64(encoded)
        assert all(w[:16] == bytes(16) for w in words)
        assert [fp_int(w) for w in words] == [x.coeffs[0], x.coeffs[1], y.coeffs[0], y.coeffs[1]]
    assert bls.hash_to_g2_eip2537(MESSAGE) != bls.hash_to_g2_eip2537(MESSAGE, bls.POP_DST)


def test_signature_verifies_by_pairing_in_eip2537_coordinates(keepers) -> None:
    """The pairing check a contract makes: e(pk, H(m)) == e(G1, sig), from the EIP-2537 bytes alone."""
    from py_ecc.fields import optimized_bls12_381_FQ as FQ
    from py_ecc.fields import optimized_bls12_381_FQ2 as FQ2

    sk, pk = keepers[0]
    sig = bls.sign(sk, MESSAGE)

    def g1(data: bytes):
        x, y = (fp_int(w) for w in split64(data))
        return (FQ(x), FQ(y), FQ(1))

    def g2(data: bytes):
        a, b, c, d = (fp_int(w) for w in split64(data))
        return (FQ2([a, b]), FQ2([c, d]), FQ2([1, 0]))

    pk_point = g1(bls.g1_to_eip2537(pk))
    sig_point = g2(bls.g2_to_eip2537(sig))
    h_point = g2(bls.hash_to_g2_eip2537(MESSAGE))
    product = pairing(h_point, pk_point, final_exponentiate=False) * pairing(
        sig_point, neg(G1), final_exponentiate=False
    )
    assert final_exponentiate(product) == FQ12.one()


# ----------------------------------------------------------------------------- EIP-2537 encodings


def test_g1_to_eip2537_matches_py_ecc(keepers) -> None:
    _, pk = keepers[0]
    encoded = bls.g1_to_eip2537(pk)
    assert len(encoded) == bls.EIP2537_G1_BYTES
    x, y = normalize(decompress_G1(fp_int(pk)))
    words = split64(encoded)
    assert all(w[:16] == bytes(16) for w in words)
    assert [fp_int(w) for w in words] == [x.n, y.n]
    # The generator, a known point.
    g = ark.G1Point().to_compressed_bytes()
    gx, gy = normalize(G1)
    assert bls.g1_to_eip2537(g) == b"".join(bytes(16) + v.n.to_bytes(48, "big") for v in (gx, gy))
    assert bls.g1_to_eip2537(b"\xc0" + bytes(47)) == bytes(128)  # infinity


def test_g2_to_eip2537_matches_py_ecc(keepers) -> None:
    sk, _ = keepers[0]
    sig = bls.sign(sk, MESSAGE)
    encoded = bls.g2_to_eip2537(sig)
    assert len(encoded) == bls.EIP2537_G2_BYTES
    # zcash compression stores x.c1 first, then x.c0.
    x, y = normalize(decompress_G2((fp_int(sig[:48]), fp_int(sig[48:]))))
    assert [fp_int(w) for w in split64(encoded)] == [x.coeffs[0], x.coeffs[1], y.coeffs[0], y.coeffs[1]]
    assert encoded[64 + 16 : 128] == bytes([sig[0] & 0x1F]) + sig[1:48]  # x.c1 is the flagged half


def test_eip2537_encoders_reject_invalid_points() -> None:
    with pytest.raises(InvalidPoint):
        bls.g1_to_eip2537(b"\x00" * 48)
    with pytest.raises(InvalidPoint):
        bls.g2_to_eip2537(b"\x01" * 96)
    with pytest.raises(InvalidLength):
        bls.g1_to_eip2537(b"\xc0" + bytes(46))
    with pytest.raises(InvalidLength):
        bls.g2_to_eip2537(bytes(128))
