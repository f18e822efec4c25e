"""Per-epoch storage challenges, derived from the chain seed.

Anyone who knows an epoch's seed and the epoch's frozen universe can recompute a
Provider's challenge. The universe of epoch ``e`` is the Provider's orders as the
chain held them at ``Epochs.universe_block(e)`` (the last block of ``e - 1``),
active in ``e`` and paying (size > 0), in order-id order; of each order only its
*live* blobs count: the positions whose commitment under the order's root is not
the zero commitment (a chunk its User deleted, or a blob of zeros, proves nothing).

1. The universe digest binds what is challenged::

       digest = SHA-256(b"MEMO-UNIVERSE-V2" || n (8, BE) ||
                        for each order: order_id (32) || root (32) || blob_count (8, BE)
                                        || size (32, BE) || live_count (8, BE))

2. The epoch key binds every input, with fixed-width fields, so that no proof
   ever verifies for another chain, contract, epoch, Provider or universe::

       key = SHA-256(b"MEMO-CHALLENGE-V2" || chain_id (32, BE) || epochs (20)
                     || epoch (32, BE) || seed (32) || provider (20)
                     || digest (32) || sample_size (8, BE))

3. Each order is sampled on its own (so that no order, such as one a Provider
   signs with itself, can dilute the sampling of another)::

       order_key = SHA-256(key || b"MEMO-CHALLENGE-ORDER" || order_id)

   ``min(sample_size, live_count)`` distinct positions of its live list are drawn
   from ``order_key`` without replacement (a partial Fisher-Yates shuffle, stored
   sparsely) and sorted.

4. Field elements and random integers are drawn with a label and a counter::

       wide(k, label, i) = SHA-256(k || label || i (4, BE) || 0x00)
                        || SHA-256(k || label || i (4, BE) || 0x01)     (64 bytes)

   Reducing 64 bytes modulo r (255 bits) or modulo a count (< 2**64) leaves a
   statistical distance from uniform below 2**-256. The coefficient of the j-th
   sample overall is ``wide(key, COEFF, j) mod r``; the point is
   ``z = wide(key, POINT, 0) mod r``.

One KZG opening of ``sum rho_j f_j`` at z answers the whole challenge, whatever
the number of orders.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from memo_py.errors import InvalidLength

__all__ = [
    "BLS_MODULUS",
    "DOMAIN",
    "UNIVERSE_DOMAIN",
    "ORDER_LABEL",
    "INDEX_LABEL",
    "COEFF_LABEL",
    "POINT_LABEL",
    "MAX_BLOB_COUNT",
    "DEFAULT_SAMPLE_SIZE",
    "EpochBinding",
    "UniverseOrder",
    "Challenge",
    "derive",
    "epoch_key",
    "universe_digest",
    "normalize_provider",
]

BLS_MODULUS = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
DOMAIN = b"MEMO-CHALLENGE-V2"
UNIVERSE_DOMAIN = b"MEMO-UNIVERSE-V2"
ORDER_LABEL = b"MEMO-CHALLENGE-ORDER"
INDEX_LABEL = b"MEMO-CHALLENGE-INDEX"
COEFF_LABEL = b"MEMO-CHALLENGE-COEFF"
POINT_LABEL = b"MEMO-CHALLENGE-POINT"
MAX_BLOB_COUNT = 2**64 - 1
#: Blobs sampled per order and epoch, shipped default. With epochs of
#: memo_py.chain.deploy.DEFAULT_EPOCH_LENGTH blocks (72 a day at 12 s) it catches a
#: Provider keeping 90 % of an order in 99.4 % of epochs, and lets one keeping 99 %
#: go a day undetected with probability below 2**-50 (docs/proofs.md).
DEFAULT_SAMPLE_SIZE = 48
_MAX_DRAWS = 2**32


def normalize_provider(provider: bytes | str) -> bytes:
    """An address as 20 bytes, from 20 raw bytes or a ``0x``-prefixed hex string."""
    if isinstance(provider, str):
        text = provider[2:] if provider[:2] in ("0x", "0X") else provider
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise InvalidLength(f"address is not hex: {provider!r}") from None
    elif isinstance(provider, (bytes, bytearray, memoryview)):
        raw = bytes(provider)
    else:
        raise TypeError(f"an address must be bytes or a hex string, not {type(provider).__name__}")
    if len(raw) != 20:
        raise InvalidLength(f"an address must be 20 bytes, got {len(raw)}")
    return raw


def _check_int(name: str, value: int, lower: int, upper: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not lower <= value <= upper:
        raise InvalidLength(f"{name} must be in [{lower}, {upper}], got {value}")
    return value


def _check_bytes(name: str, value: bytes, size: int) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    if len(value) != size:
        raise InvalidLength(f"{name} must be {size} bytes, got {len(value)}")
    return bytes(value)


@dataclass(frozen=True, slots=True)
class EpochBinding:
    """What a challenge is bound to besides the Provider and its universe: the chain,
    the Epochs contract, the epoch and the epoch's seed."""

    chain_id: int
    epochs: bytes
    epoch: int
    seed: bytes

    def __post_init__(self) -> None:
        _check_int("chain id", self.chain_id, 1, 2**256 - 1)
        object.__setattr__(self, "epochs", normalize_provider(self.epochs))
        _check_int("epoch", self.epoch, 0, 2**256 - 1)
        object.__setattr__(self, "seed", _check_bytes("seed", self.seed, 32))


@dataclass(frozen=True, slots=True)
class UniverseOrder:
    """One order of a Provider's universe: its on-chain terms and its live blob positions."""

    order_id: bytes
    root: bytes
    blob_count: int
    size: int
    live: tuple[int, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "order_id", _check_bytes("order id", self.order_id, 32))
        object.__setattr__(self, "root", _check_bytes("root", self.root, 32))
        _check_int("blob count", self.blob_count, 0, MAX_BLOB_COUNT)
        _check_int("size", self.size, 0, 2**256 - 1)
        live = tuple(self.live)
        if any(not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < self.blob_count for i in live):
            raise InvalidLength(f"live blob positions must be ints in [0, {self.blob_count})")
        if any(a >= b for a, b in zip(live, live[1:])):
            raise ValueError("live blob positions must be sorted and distinct")
        object.__setattr__(self, "live", live)


@dataclass(frozen=True, slots=True)
class Challenge:
    """One Provider's challenge for one epoch.

    ``samples[j]`` is (position of the order in the universe, blob index in that
    order), grouped by order and sorted; ``coeffs[j]`` goes with it; ``z`` is the
    evaluation point. Coefficients and z are in ``[0, r)``.
    """

    key: bytes
    universe: bytes
    samples: tuple[tuple[int, int], ...]
    coeffs: tuple[int, ...]
    z: int

    @property
    def z_bytes(self) -> bytes:
        """z as 32 big-endian bytes (the form ckzg and the 0x0A precompile take)."""
        return self.z.to_bytes(32, "big")

    def __len__(self) -> int:
        return len(self.samples)


def universe_digest(orders: Sequence[UniverseOrder]) -> bytes:
    """The 32-byte digest of a universe (orders in universe order)."""
    h = hashlib.sha256(UNIVERSE_DOMAIN + len(orders).to_bytes(8, "big"))
    for o in orders:
        h.update(o.order_id + o.root + o.blob_count.to_bytes(8, "big") + o.size.to_bytes(32, "big"))
        h.update(len(o.live).to_bytes(8, "big"))
    return h.digest()


def epoch_key(binding: EpochBinding, provider: bytes | str, digest: bytes, sample_size: int) -> bytes:
    """The 32-byte key that binds a challenge to its chain, contract, epoch, seed, Provider,
    universe and sample size."""
    if not isinstance(binding, EpochBinding):
        raise TypeError(f"binding must be an EpochBinding, not {type(binding).__name__}")
    digest = _check_bytes("universe digest", digest, 32)
    sample_size = _check_int("sample size", sample_size, 1, _MAX_DRAWS - 1)
    return hashlib.sha256(
        DOMAIN
        + binding.chain_id.to_bytes(32, "big")
        + binding.epochs
        + binding.epoch.to_bytes(32, "big")
        + binding.seed
        + normalize_provider(provider)
        + digest
        + sample_size.to_bytes(8, "big")
    ).digest()


def _wide(key: bytes, label: bytes, counter: int) -> int:
    """A 512-bit integer from a key, a label and a counter."""
    prefix = key + label + counter.to_bytes(4, "big")
    return int.from_bytes(hashlib.sha256(prefix + b"\x00").digest() + hashlib.sha256(prefix + b"\x01").digest(), "big")


def _sample(key: bytes, count: int, sample_size: int) -> list[int]:
    """``min(sample_size, count)`` distinct positions in [0, count), without replacement, sorted."""
    if sample_size >= count:
        return list(range(count))
    swapped: dict[int, int] = {}  # sparse Fisher-Yates: position -> value where it differs
    picked = []
    for k in range(sample_size):
        j = k + _wide(key, INDEX_LABEL, k) % (count - k)
        picked.append(swapped.get(j, j))
        swapped[j] = swapped.get(k, k)
    return sorted(picked)


def derive(
    binding: EpochBinding, provider: bytes | str, orders: Sequence[UniverseOrder], sample_size: int
) -> Challenge:
    """Derive a Provider's challenge for an epoch over its frozen universe ``orders``
    (in universe order: by order id). Orders without live blobs contribute no sample."""
    orders = list(orders)
    if any(not isinstance(o, UniverseOrder) for o in orders):
        raise TypeError("orders must be UniverseOrder records")
    if any(a.order_id >= b.order_id for a, b in zip(orders, orders[1:])):
        raise ValueError("universe orders must be sorted by order id, without repeats")
    digest = universe_digest(orders)
    key = epoch_key(binding, provider, digest, sample_size)
    samples: list[tuple[int, int]] = []
    for position, order in enumerate(orders):
        order_key = hashlib.sha256(key + ORDER_LABEL + order.order_id).digest()
        samples.extend((position, order.live[i]) for i in _sample(order_key, len(order.live), sample_size))
    coeffs = tuple(_wide(key, COEFF_LABEL, j) % BLS_MODULUS for j in range(len(samples)))
    z = _wide(key, POINT_LABEL, 0) % BLS_MODULUS
    return Challenge(key=key, universe=digest, samples=tuple(samples), coeffs=coeffs, z=z)
