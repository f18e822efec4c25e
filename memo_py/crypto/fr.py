"""Pure-Python reference for the native Fr core (BLS12-381 scalar field).

Python integers only: this module is the specification the C code is tested
against, and its :func:`fold` is the baseline of the fold benchmark, so it is
written as fast as plain Python allows (unreduced sums per element, one
reduction at the end). Use :mod:`memo_py.native` for real work.

Blob layout (EIP-4844): 4096 field elements of 32 big-endian bytes. Packing
puts 31 payload bytes behind a 0x00 byte in each element.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

__all__ = [
    "BLS_MODULUS",
    "FIELD_ELEMENTS_PER_BLOB",
    "BYTES_PER_FIELD_ELEMENT",
    "BYTES_PER_BLOB",
    "PAYLOAD_BYTES_PER_ELEMENT",
    "PAYLOAD_BYTES_PER_BLOB",
    "PRIMITIVE_ROOT_OF_UNITY",
    "blob_to_ints",
    "ints_to_blob",
    "pack",
    "unpack",
    "fold",
    "evaluate",
    "batch_inverse",
    "inverse",
    "roots_of_unity",
    "roots_of_unity_brp",
    "bit_reversal_permutation",
]

BLS_MODULUS = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
FIELD_ELEMENTS_PER_BLOB = 4096
BYTES_PER_FIELD_ELEMENT = 32
BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * BYTES_PER_FIELD_ELEMENT
PAYLOAD_BYTES_PER_ELEMENT = 31
PAYLOAD_BYTES_PER_BLOB = FIELD_ELEMENTS_PER_BLOB * PAYLOAD_BYTES_PER_ELEMENT
PRIMITIVE_ROOT_OF_UNITY = 7

_R = BLS_MODULUS
_OFFSETS = range(0, BYTES_PER_BLOB, BYTES_PER_FIELD_ELEMENT)


def blob_to_ints(blob: bytes) -> list[int]:
    """The 4096 elements of a blob as integers (no range check)."""
    if len(blob) != BYTES_PER_BLOB:
        raise ValueError(f"a blob is {BYTES_PER_BLOB} bytes, got {len(blob)}")
    fb = int.from_bytes
    return [fb(blob[k : k + 32], "big") for k in _OFFSETS]


def ints_to_blob(values: Sequence[int]) -> bytes:
    """A blob from 4096 integers in [0, r)."""
    if len(values) != FIELD_ELEMENTS_PER_BLOB:
        raise ValueError(f"a blob has {FIELD_ELEMENTS_PER_BLOB} elements, got {len(values)}")
    return b"".join(v.to_bytes(32, "big") for v in values)


def pack(data: bytes) -> bytes:
    """Pack bytes into max(1, ceil(len/126976)) blobs, zero-padding the last one."""
    n_blobs = max(1, -(-len(data) // PAYLOAD_BYTES_PER_BLOB))
    padded = bytes(data) + bytes(n_blobs * PAYLOAD_BYTES_PER_BLOB - len(data))
    return b"".join(b"\x00" + padded[k : k + 31] for k in range(0, len(padded), 31))


def unpack(blobs: bytes, length: int | None = None) -> bytes:
    """Inverse of :func:`pack`; raises ValueError on a non-zero top byte."""
    if len(blobs) % BYTES_PER_BLOB:
        raise ValueError("blob data is not a whole number of blobs")
    out = bytearray()
    for e, k in enumerate(range(0, len(blobs), 32)):
        if blobs[k] != 0:
            raise ValueError(f"element {e} has a non-zero top byte")
        out += blobs[k + 1 : k + 32]
    return bytes(out if length is None else out[:length])


def fold(blobs: Sequence[bytes], coeffs: Sequence[int]) -> bytes:
    """F[j] = sum_i coeffs[i] * blobs[i][j] mod r, as one blob.

    The benchmark baseline: per blob one list comprehension that multiplies and
    adds into unreduced per-element sums, one reduction per element at the end.
    """
    if len(blobs) != len(coeffs):
        raise ValueError("one coefficient per blob")
    fb = int.from_bytes
    acc = [0] * FIELD_ELEMENTS_PER_BLOB
    for blob, c in zip(blobs, coeffs):
        if len(blob) != BYTES_PER_BLOB:
            raise ValueError(f"a blob is {BYTES_PER_BLOB} bytes, got {len(blob)}")
        acc = [a + c * fb(blob[k : k + 32], "big") for a, k in zip(acc, _OFFSETS)]
    return b"".join((a % _R).to_bytes(32, "big") for a in acc)


def inverse(x: int) -> int:
    """x^-1 mod r; ZeroDivisionError for 0 (mod r)."""
    if x % _R == 0:
        raise ZeroDivisionError("zero has no inverse")
    return pow(x, _R - 2, _R)


def batch_inverse(values: Sequence[int]) -> list[int]:
    """Inverses of all values by Montgomery's trick; ZeroDivisionError on a zero."""
    prefix = []
    acc = 1
    for i, v in enumerate(values):
        if v % _R == 0:
            raise ZeroDivisionError(f"element {i} is zero")
        prefix.append(acc)
        acc = acc * v % _R
    inv = pow(acc, _R - 2, _R)
    out = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = inv * prefix[i] % _R
        inv = inv * values[i] % _R
    return out


def bit_reversal_permutation(seq: Sequence[int]) -> list[int]:
    """EIP-4844 bit_reversal_permutation for a power-of-two length."""
    n = len(seq)
    bits = n.bit_length() - 1
    return [seq[int(format(i, f"0{bits}b")[::-1], 2) if bits else 0] for i in range(n)]


@lru_cache(maxsize=None)
def roots_of_unity(order: int = FIELD_ELEMENTS_PER_BLOB) -> tuple[int, ...]:
    """[w^0, w^1, ...] with w = 7^((r-1)/order) mod r, in natural order."""
    w = pow(PRIMITIVE_ROOT_OF_UNITY, (_R - 1) // order, _R)
    out = [1]
    for _ in range(order - 1):
        out.append(out[-1] * w % _R)
    return tuple(out)


@lru_cache(maxsize=None)
def roots_of_unity_brp() -> tuple[int, ...]:
    """The 4096th roots of unity in bit-reversed order (the blob domain)."""
    return tuple(bit_reversal_permutation(roots_of_unity(FIELD_ELEMENTS_PER_BLOB)))


def evaluate(blob: bytes, z: int) -> int:
    """p(z) for the blob's polynomial in evaluation form (EIP-4844 barycentric formula)."""
    poly = blob_to_ints(blob)
    if any(v >= _R for v in poly) or not 0 <= z < _R:
        raise ValueError("non-canonical field element")
    roots = roots_of_unity_brp()
    if z in roots:
        return poly[roots.index(z)]
    inv_den = batch_inverse([(z - w) % _R for w in roots])
    total = sum(f * w % _R * d for f, w, d in zip(poly, roots, inv_den)) % _R
    width = FIELD_ELEMENTS_PER_BLOB
    return total * (pow(z, width, _R) - 1) * pow(width, _R - 2, _R) % _R
