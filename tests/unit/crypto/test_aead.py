"""memo_py.crypto.aead: per-object keys, segment nonces, tamper detection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memo_py.crypto import aead
from memo_py.errors import DecryptionFailed, InvalidLength

MASTER = bytes(range(32))
OBJECT = b"bucket/photos/cat.jpg#v1"


def test_derive_object_key_is_deterministic_and_separates_objects() -> None:
    key = aead.derive_object_key(MASTER, OBJECT)
    assert len(key) == aead.KEY_BYTES
    assert key == aead.derive_object_key(MASTER, OBJECT)
    assert key != aead.derive_object_key(MASTER, OBJECT + b"2")
    assert key != aead.derive_object_key(bytes(32), OBJECT)


def test_derive_object_key_matches_rfc5869_hkdf() -> None:
    """HKDF-SHA256 written out by hand (RFC 5869, empty salt), with the documented info string."""
    import hashlib
    import hmac

    prk = hmac.new(bytes(32), MASTER, hashlib.sha256).digest()
    okm = hmac.new(prk, b"MEMO-OBJECT-KEY-V1" + OBJECT + b"\x01", hashlib.sha256).digest()
    assert aead.derive_object_key(MASTER, OBJECT) == okm


def test_derive_object_key_rejects_bad_inputs() -> None:
    with pytest.raises(InvalidLength):
        aead.derive_object_key(bytes(31), OBJECT)
    with pytest.raises(InvalidLength):
        aead.derive_object_key(MASTER, b"")
    with pytest.raises(TypeError):
        aead.derive_object_key(MASTER, "text")


def test_nonces_are_distinct_per_index() -> None:
    assert aead.segment_nonce(0) == bytes(12)
    assert aead.segment_nonce(1) == bytes(11) + b"\x01"
    assert aead.segment_nonce(2**64 - 1) == bytes(4) + b"\xff" * 8
    assert len({aead.segment_nonce(i) for i in range(1000)}) == 1000
    with pytest.raises(InvalidLength):
        aead.segment_nonce(-1)
    with pytest.raises(InvalidLength):
        aead.segment_nonce(2**64)
    with pytest.raises(TypeError):
        aead.segment_nonce(True)


@given(st.binary(max_size=4096), st.integers(0, 2**64 - 1))
def test_round_trip(plaintext: bytes, index: int) -> None:
    key = aead.derive_object_key(MASTER, OBJECT)
    ciphertext = aead.encrypt_segment(key, OBJECT, index, plaintext)
    assert len(ciphertext) == len(plaintext) + aead.TAG_BYTES
    assert aead.decrypt_segment(key, OBJECT, index, ciphertext) == plaintext
    cipher = aead.ObjectCipher(MASTER, OBJECT)
    assert cipher.encrypt(index, plaintext) == ciphertext
    assert cipher.decrypt(index, ciphertext) == plaintext


@given(st.binary(min_size=1, max_size=512), st.data())
def test_any_flipped_bit_fails(plaintext: bytes, data) -> None:
    cipher = aead.ObjectCipher(MASTER, OBJECT)
    ciphertext = bytearray(cipher.encrypt(3, plaintext))
    bit = data.draw(st.integers(0, len(ciphertext) * 8 - 1))
    ciphertext[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(3, bytes(ciphertext))


def test_wrong_index_object_or_key_fails() -> None:
    cipher = aead.ObjectCipher(MASTER, OBJECT)
    ciphertext = cipher.encrypt(5, b"segment payload")
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(6, ciphertext)
    with pytest.raises(DecryptionFailed):
        aead.ObjectCipher(MASTER, OBJECT + b"x").decrypt(5, ciphertext)
    with pytest.raises(DecryptionFailed):
        aead.ObjectCipher(b"\x01" * 32, OBJECT).decrypt(5, ciphertext)
    # Same key, other object id in the associated data: still rejected.
    key = aead.derive_object_key(MASTER, OBJECT)
    with pytest.raises(DecryptionFailed):
        aead.decrypt_segment(key, OBJECT + b"x", 5, ciphertext)


def test_truncated_ciphertext_fails() -> None:
    cipher = aead.ObjectCipher(MASTER, OBJECT)
    ciphertext = cipher.encrypt(0, b"payload")
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(0, ciphertext[:-1])
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(0, ciphertext[:10])
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(0, b"")


def test_decryption_failed_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        aead.ObjectCipher(MASTER, OBJECT).decrypt(0, bytes(32))


def test_bad_key_length() -> None:
    with pytest.raises(InvalidLength):
        aead.encrypt_segment(bytes(16), OBJECT, 0, b"x")
    with pytest.raises(InvalidLength):
        aead.decrypt_segment(bytes(33), OBJECT, 0, bytes(32))


def test_associated_data_layout() -> None:
    ad = aead.segment_associated_data(b"obj", 258)
    assert ad == b"MEMO-SEGMENT-V1" + b"\x00\x03" + b"obj" + (258).to_bytes(8, "big")
