"""Per-epoch storage challenges, derived from the chain seed.

Anyone who knows an epoch's seed can recompute a Provider's challenge:

1. A challenge key binds every input, with fixed-width fields::

       key = SHA-256(b"MEMO-CHALLENGE-V1" || seed (32) || provider (20)
                     || blob_count (8, BE) || sample_size (8, BE))

2. Field elements and random integers are drawn with a label and a counter::

       wide(label, i) = SHA-256(key || label || i (4, BE) || 0x00)
                     || SHA-256(key || label || i (4, BE) || 0x01)     (64 bytes)

   Reducing 64 bytes (512 bits) modulo r (255 bits) or modulo a blob count
   (< 2**64) leaves a statistical distance from uniform below 2**-256: no bias
   that matters. This is RFC 9380's rule of at least 48 bytes per element (k = 128),
   with a margin.

3. Labels separate the draws: ``b"MEMO-CHALLENGE-INDEX"`` for the sample,
   ``b"MEMO-CHALLENGE-COEFF"`` for the coefficients and ``b"MEMO-CHALLENGE-POINT"`` for z.

The sample is ``sample_size`` distinct indices in ``[0, blob_count)``, drawn
without replacement (a partial Fisher-Yates shuffle, stored sparsely so that
memory follows the sample, not the blob count), then sorted so that a Provider
reads its blobs in order. ``coeffs[k]`` goes with ``indices[k]``. When the
sample size reaches the blob count, every blob is challenged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from memo_py.errors import InvalidLength

__all__ = [
    "BLS_MODULUS",
    "DOMAIN",
    "INDEX_LABEL",
    "COEFF_LABEL",
    "POINT_LABEL",
    "MAX_BLOB_COUNT",
    "Challenge",
    "derive",
    "challenge_key",
    "normalize_provider",
]

BLS_MODULUS = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
DOMAIN = b"MEMO-CHALLENGE-V1"
INDEX_LABEL = b"MEMO-CHALLENGE-INDEX"
COEFF_LABEL = b"MEMO-CHALLENGE-COEFF"
POINT_LABEL = b"MEMO-CHALLENGE-POINT"
MAX_BLOB_COUNT = 2**64 - 1
_MAX_DRAWS = 2**32


@dataclass(frozen=True, slots=True)
class Challenge:
    """One Provider's challenge for one epoch.

    ``indices`` are sorted and distinct; ``coeffs[k]`` is the coefficient of blob
    ``indices[k]``; ``z`` is the evaluation point. Coefficients and z are in ``[0, r)``.
    """

    seed: bytes
    provider: bytes
    blob_count: int
    sample_size: int
    indices: tuple[int, ...]
    coeffs: tuple[int, ...]
    z: int

    @property
    def z_bytes(self) -> bytes:
        """z as 32 big-endian bytes (the form ckzg and the 0x0A precompile take)."""
        return self.z.to_bytes(32, "big")

    def __len__(self) -> int:
        return len(self.indices)


def normalize_provider(provider: bytes | str) -> bytes:
    """A provider address as 20 bytes, from 20 raw bytes or a ``0x``-prefixed hex string."""
    if isinstance(provider, str):
        text = provider[2:] if provider[:2] in ("0x", "0X") else provider
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise InvalidLength(f"provider address is not hex: {provider!r}") from None
    elif isinstance(provider, (bytes, bytearray, memoryview)):
        raw = bytes(provider)
    else:
        raise TypeError(f"provider must be bytes or a hex string, not {type(provider).__name__}")
    if len(raw) != 20:
        raise InvalidLength(f"provider address must be 20 bytes, got {len(raw)}")
    return raw


def _check_count(name: str, value: int, lower: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not lower <= value <= MAX_BLOB_COUNT:
        raise InvalidLength(f"{name} must be in [{lower}, 2**64), got {value}")
    return value


def challenge_key(seed: bytes, provider: bytes | str, blob_count: int, sample_size: int) -> bytes:
    """The 32-byte key that binds a challenge to its seed, Provider, blob count and sample size."""
    if not isinstance(seed, (bytes, bytearray, memoryview)):
        raise TypeError(f"seed must be bytes, not {type(seed).__name__}")
    if len(seed) != 32:
        raise InvalidLength(f"seed must be 32 bytes, got {len(seed)}")
    blob_count = _check_count("blob count", blob_count, 1)
    sample_size = _check_count("sample size", sample_size, 1)
    return hashlib.sha256(
        DOMAIN
        + bytes(seed)
        + normalize_provider(provider)
        + blob_count.to_bytes(8, "big")
        + sample_size.to_bytes(8, "big")
    ).digest()


def _wide(key: bytes, label: bytes, counter: int) -> int:
    """A 512-bit integer from the challenge key, a label and a counter."""
    prefix = key + label + counter.to_bytes(4, "big")
    return int.from_bytes(hashlib.sha256(prefix + b"\x00").digest() + hashlib.sha256(prefix + b"\x01").digest(), "big")


def _sample(key: bytes, blob_count: int, sample_size: int) -> list[int]:
    """``sample_size`` distinct indices in [0, blob_count), without replacement, sorted."""
    if sample_size >= blob_count:
        return list(range(blob_count))
    swapped: dict[int, int] = {}  # sparse Fisher-Yates: position -> value where it differs
    picked = []
    for k in range(sample_size):
        j = k + _wide(key, INDEX_LABEL, k) % (blob_count - k)
        picked.append(swapped.get(j, j))
        swapped[j] = swapped.get(k, k)
    return sorted(picked)


def derive(seed: bytes, provider: bytes | str, blob_count: int, sample_size: int) -> Challenge:
    """Derive a Provider's challenge from the epoch seed.

    ``sample_size`` is the number of blobs to challenge; it is capped at ``blob_count``
    (the derivation still binds the requested size).
    """
    key = challenge_key(seed, provider, blob_count, sample_size)
    if sample_size > _MAX_DRAWS:
        raise InvalidLength(f"sample size must be below 2**32, got {sample_size}")
    indices = _sample(key, blob_count, sample_size)
    coeffs = tuple(_wide(key, COEFF_LABEL, k) % BLS_MODULUS for k in range(len(indices)))
    z = _wide(key, POINT_LABEL, 0) % BLS_MODULUS
    return Challenge(
        seed=bytes(seed),
        provider=normalize_provider(provider),
        blob_count=blob_count,
        sample_size=sample_size,
        indices=tuple(indices),
        coeffs=coeffs,
        z=z,
    )
