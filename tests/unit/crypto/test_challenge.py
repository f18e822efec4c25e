"""memo_py.crypto.challenge: reproducible, bound, per-order, uniform challenges."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memo_py.crypto import challenge
from memo_py.crypto.challenge import BLS_MODULUS, EpochBinding, UniverseOrder
from memo_py.errors import InvalidLength

SEED = hashlib.sha256(b"epoch 42").digest()
PROVIDER = bytes.fromhex("f39fd6e51aad88f6f4ce6ab8827279cfffb92266")
EPOCHS = bytes.fromhex("e9" * 20)
BINDING = EpochBinding(chain_id=31337, epochs=EPOCHS, epoch=42, seed=SEED)


def order(tag: int, blob_count: int, live: tuple[int, ...] | None = None, size: int = 1) -> UniverseOrder:
    return UniverseOrder(
        order_id=bytes([tag]) * 32,
        root=hashlib.sha256(bytes([tag])).digest(),
        blob_count=blob_count,
        size=size,
        live=tuple(range(blob_count)) if live is None else live,
    )


ONE = [order(1, 1000)]


def test_reproducible_by_anyone() -> None:
    a = challenge.derive(BINDING, PROVIDER, ONE, 16)
    b = challenge.derive(EpochBinding(31337, "0x" + EPOCHS.hex(), 42, SEED), "0x" + PROVIDER.hex(), list(ONE), 16)
    assert a == b
    assert len(a) == 16 and len(a.coeffs) == 16
    assert a.universe == challenge.universe_digest(ONE)


def test_known_answer() -> None:
    """Pins the derivation (a change here is a protocol change: bump the domain)."""
    o = ONE[0]
    digest = hashlib.sha256(
        b"MEMO-UNIVERSE-V2" + (1).to_bytes(8, "big")
        + o.order_id + o.root + (1000).to_bytes(8, "big") + (1).to_bytes(32, "big") + (1000).to_bytes(8, "big")
    ).digest()
    assert challenge.universe_digest(ONE) == digest
    key = hashlib.sha256(
        b"MEMO-CHALLENGE-V2" + (31337).to_bytes(32, "big") + EPOCHS + (42).to_bytes(32, "big") + SEED + PROVIDER
        + digest + (16).to_bytes(8, "big")
    ).digest()
    assert challenge.epoch_key(BINDING, PROVIDER, digest, 16) == key
    c = challenge.derive(BINDING, PROVIDER, ONE, 16)
    assert c.key == key
    prefix = key + b"MEMO-CHALLENGE-POINT" + (0).to_bytes(4, "big")
    wide = hashlib.sha256(prefix + b"\x00").digest() + hashlib.sha256(prefix + b"\x01").digest()
    assert c.z == int.from_bytes(wide, "big") % BLS_MODULUS
    # The first draw of the order's sample comes from its own key.
    order_key = hashlib.sha256(key + b"MEMO-CHALLENGE-ORDER" + o.order_id).digest()
    prefix = order_key + b"MEMO-CHALLENGE-INDEX" + (0).to_bytes(4, "big")
    first = int.from_bytes(hashlib.sha256(prefix + b"\x00").digest() + hashlib.sha256(prefix + b"\x01").digest(), "big")
    assert first % 1000 in [index for _, index in c.samples]


@given(
    st.binary(min_size=32, max_size=32),
    st.lists(st.integers(1, 5000), min_size=1, max_size=4),
    st.integers(1, 300),
)
def test_every_order_is_sampled_on_its_own(seed: bytes, counts: list[int], sample_size: int) -> None:
    orders = [order(i + 1, n) for i, n in enumerate(counts)]
    c = challenge.derive(EpochBinding(1, EPOCHS, 7, seed), PROVIDER, orders, sample_size)
    for position, n in enumerate(counts):
        picked = [index for p, index in c.samples if p == position]
        assert len(picked) == min(n, sample_size)
        assert picked == sorted(set(picked)) and all(0 <= i < n for i in picked)
    assert [p for p, _ in c.samples] == sorted(p for p, _ in c.samples)
    assert len(c.coeffs) == len(c.samples) and all(0 <= x < BLS_MODULUS for x in c.coeffs)
    assert 0 <= c.z < BLS_MODULUS and c.z_bytes == c.z.to_bytes(32, "big")


def test_only_live_blobs_are_sampled() -> None:
    live = tuple(range(0, 1000, 10))  # 100 live blobs out of 1000
    c = challenge.derive(BINDING, PROVIDER, [order(1, 1000, live)], 48)
    assert len(c) == 48 and {index for _, index in c.samples} <= set(live)
    # An order with no live blob contributes nothing.
    assert challenge.derive(BINDING, PROVIDER, [order(1, 10, ())], 48).samples == ()


def test_a_sock_order_does_not_change_the_sample_of_another() -> None:
    """Dilution: adding an order (say, one a Provider signed with itself) leaves every other
    order with its full sample size; the indices change (the universe digest is bound) but
    not how many of each order are challenged."""
    victim = order(5, 1000)
    alone = challenge.derive(BINDING, PROVIDER, [victim], 48)
    for sock_blobs in (1, 10, 10_000, 10**6):
        sock = order(9, sock_blobs)
        both = challenge.derive(BINDING, PROVIDER, [victim, sock], 48)
        assert sum(1 for p, _ in both.samples if p == 0) == len(alone) == 48


def test_sample_covers_everything_when_sample_reaches_count() -> None:
    assert [i for _, i in challenge.derive(BINDING, PROVIDER, [order(1, 5)], 5).samples] == [0, 1, 2, 3, 4]
    assert [i for _, i in challenge.derive(BINDING, PROVIDER, [order(1, 5)], 50).samples] == [0, 1, 2, 3, 4]
    assert [i for _, i in challenge.derive(BINDING, PROVIDER, [order(1, 1)], 1).samples] == [0]


def test_every_input_changes_the_challenge() -> None:
    base = challenge.derive(BINDING, PROVIDER, ONE, 16)
    others = [
        challenge.derive(EpochBinding(1, EPOCHS, 42, SEED), PROVIDER, ONE, 16),
        challenge.derive(EpochBinding(31337, bytes(20), 42, SEED), PROVIDER, ONE, 16),
        challenge.derive(EpochBinding(31337, EPOCHS, 43, SEED), PROVIDER, ONE, 16),
        challenge.derive(EpochBinding(31337, EPOCHS, 42, hashlib.sha256(b"x").digest()), PROVIDER, ONE, 16),
        challenge.derive(BINDING, bytes(19) + b"\x01", ONE, 16),
        challenge.derive(BINDING, PROVIDER, [order(1, 1001)], 16),
        challenge.derive(BINDING, PROVIDER, [order(1, 1000, size=2)], 16),
        challenge.derive(BINDING, PROVIDER, [order(1, 1000, tuple(range(999)))], 16),
        challenge.derive(BINDING, PROVIDER, [order(2, 1000)], 16),
        challenge.derive(BINDING, PROVIDER, ONE, 17),
    ]
    for other in others:
        assert other.key != base.key and other.z != base.z and other.coeffs[:16] != base.coeffs


def test_indices_roughly_uniform() -> None:
    counts: Counter[int] = Counter()
    for e in range(3000):
        binding = EpochBinding(31337, EPOCHS, e, SEED)
        counts.update(i for _, i in challenge.derive(binding, PROVIDER, [order(1, 10)], 3).samples)
    # 9000 draws over 10 blobs: 900 each; a 5-sigma band is about +-140.
    assert all(750 < counts[i] < 1050 for i in range(10)), counts


def test_coefficients_use_the_top_of_the_field() -> None:
    values = [x for e in range(40) for x in challenge.derive(EpochBinding(1, EPOCHS, e, SEED), PROVIDER, ONE, 10).coeffs]
    assert max(values) > BLS_MODULUS // 2


def test_rejects_bad_inputs() -> None:
    with pytest.raises(InvalidLength):
        EpochBinding(31337, EPOCHS, 1, SEED[:31])
    with pytest.raises(InvalidLength):
        EpochBinding(31337, EPOCHS[:19], 1, SEED)
    with pytest.raises(InvalidLength):
        EpochBinding(0, EPOCHS, 1, SEED)
    with pytest.raises(TypeError):
        EpochBinding(31337.0, EPOCHS, 1, SEED)  # type: ignore[arg-type]
    with pytest.raises(InvalidLength):
        challenge.derive(BINDING, "0xzz", ONE, 1)
    with pytest.raises(TypeError):
        challenge.derive(BINDING, 42, ONE, 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidLength):
        challenge.derive(BINDING, PROVIDER, ONE, 0)
    with pytest.raises(TypeError):
        challenge.derive(BINDING, PROVIDER, ONE, 1.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidLength):
        order(1, 10, (10,))  # a live position outside the order
    with pytest.raises(ValueError):
        order(1, 10, (3, 3))
    with pytest.raises(ValueError):  # universe order is by order id
        challenge.derive(BINDING, PROVIDER, [order(2, 5), order(1, 5)], 1)
    with pytest.raises(TypeError):
        challenge.derive(BINDING, PROVIDER, [object()], 1)  # type: ignore[list-item]
