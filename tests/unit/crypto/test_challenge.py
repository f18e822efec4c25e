"""memo_py.crypto.challenge: reproducible, domain-separated, uniform challenges."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memo_py.crypto import challenge
from memo_py.crypto.challenge import BLS_MODULUS
from memo_py.errors import InvalidLength

SEED = hashlib.sha256(b"epoch 42").digest()
PROVIDER = bytes.fromhex("f39fd6e51aad88f6f4ce6ab8827279cfffb92266")


def test_reproducible_by_anyone() -> None:
    a = challenge.derive(SEED, PROVIDER, 1000, 16)
    b = challenge.derive(SEED, "0x" + PROVIDER.hex(), 1000, 16)
    assert a == b
    assert a.provider == PROVIDER
    assert len(a) == 16 and len(a.coeffs) == 16


def test_known_answer() -> None:
    """Pins the derivation (a change here is a protocol change: bump the domain)."""
    key = hashlib.sha256(
        b"MEMO-CHALLENGE-V1" + SEED + PROVIDER + (1000).to_bytes(8, "big") + (16).to_bytes(8, "big")
    ).digest()
    assert challenge.challenge_key(SEED, PROVIDER, 1000, 16) == key
    prefix = key + b"MEMO-CHALLENGE-POINT" + (0).to_bytes(4, "big")
    wide = hashlib.sha256(prefix + b"\x00").digest() + hashlib.sha256(prefix + b"\x01").digest()
    assert challenge.derive(SEED, PROVIDER, 1000, 16).z == int.from_bytes(wide, "big") % BLS_MODULUS


@given(
    st.binary(min_size=32, max_size=32),
    st.integers(1, 10**6),
    st.integers(1, 300),
)
def test_indices_distinct_sorted_in_range(seed: bytes, blob_count: int, sample_size: int) -> None:
    c = challenge.derive(seed, PROVIDER, blob_count, sample_size)
    assert len(c.indices) == min(blob_count, sample_size)
    assert list(c.indices) == sorted(set(c.indices))
    assert all(0 <= i < blob_count for i in c.indices)
    assert all(0 <= x < BLS_MODULUS for x in c.coeffs)
    assert 0 <= c.z < BLS_MODULUS
    assert c.z_bytes == c.z.to_bytes(32, "big")


def test_sample_covers_everything_when_sample_reaches_count() -> None:
    assert challenge.derive(SEED, PROVIDER, 5, 5).indices == (0, 1, 2, 3, 4)
    assert challenge.derive(SEED, PROVIDER, 5, 50).indices == (0, 1, 2, 3, 4)
    assert challenge.derive(SEED, PROVIDER, 1, 1).indices == (0,)


def test_sample_of_all_but_one_is_a_permutation_prefix() -> None:
    c = challenge.derive(SEED, PROVIDER, 10, 9)
    assert len(set(c.indices)) == 9


def test_every_input_changes_the_challenge() -> None:
    base = challenge.derive(SEED, PROVIDER, 1000, 16)
    others = [
        challenge.derive(hashlib.sha256(b"epoch 43").digest(), PROVIDER, 1000, 16),
        challenge.derive(SEED, bytes(19) + b"\x01", 1000, 16),
        challenge.derive(SEED, PROVIDER, 1001, 16),
        challenge.derive(SEED, PROVIDER, 1000, 17),
    ]
    for other in others:
        assert other.z != base.z
        assert other.coeffs[0] != base.coeffs[0]


def test_domain_separation_between_draws() -> None:
    """Coefficients, indices and z use different labels: no value is reused across draws."""
    c = challenge.derive(SEED, PROVIDER, 2**64 - 1, 8)
    key = challenge.challenge_key(SEED, PROVIDER, 2**64 - 1, 8)
    coeff0 = challenge._wide(key, challenge.COEFF_LABEL, 0)
    point0 = challenge._wide(key, challenge.POINT_LABEL, 0)
    index0 = challenge._wide(key, challenge.INDEX_LABEL, 0)
    assert len({coeff0, point0, index0}) == 3
    assert c.coeffs[0] == coeff0 % BLS_MODULUS
    assert c.z not in c.coeffs
    assert len(set(c.coeffs)) == len(c.coeffs)


def test_indices_roughly_uniform() -> None:
    """Over many seeds, each of 10 blobs is sampled about equally often (sample 3 of 10)."""
    counts = [0] * 10
    for e in range(2000):
        for i in challenge.derive(e.to_bytes(32, "big"), PROVIDER, 10, 3).indices:
            counts[i] += 1
    expected = 2000 * 3 / 10
    assert all(abs(c - expected) < 0.15 * expected for c in counts)


def test_coefficients_use_the_top_of_the_field() -> None:
    """Values above 2**254 (about 9% of [0, r)) do occur: no truncation to 254 bits."""
    values = [x for e in range(40) for x in challenge.derive(e.to_bytes(32, "big"), PROVIDER, 100, 10).coeffs]
    assert any(x >= 2**254 for x in values)


def test_rejects_bad_inputs() -> None:
    with pytest.raises(InvalidLength):
        challenge.derive(SEED[:31], PROVIDER, 10, 1)
    with pytest.raises(InvalidLength):
        challenge.derive(SEED, PROVIDER[:19], 10, 1)
    with pytest.raises(InvalidLength):
        challenge.derive(SEED, "0xzz", 10, 1)
    with pytest.raises(InvalidLength):
        challenge.derive(SEED, PROVIDER, 0, 1)
    with pytest.raises(InvalidLength):
        challenge.derive(SEED, PROVIDER, 10, 0)
    with pytest.raises(InvalidLength):
        challenge.derive(SEED, PROVIDER, 2**64, 1)
    with pytest.raises(TypeError):
        challenge.derive(SEED, PROVIDER, 10.0, 1)
    with pytest.raises(TypeError):
        challenge.derive(SEED, 42, 10, 1)
