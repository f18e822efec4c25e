"""Glue to the native Fr core (``memo_py._memo_native``, built by cffi).

This is the only module that touches ``ffi``/``lib``. Every function checks
lengths and ranges in Python first, then turns the C status into a typed
:class:`~memo_py.errors.MemoError`:

- a byte string of the wrong size: :class:`~memo_py.errors.InvalidLength`;
- a field element (blob element, coefficient, point) not below r:
  :class:`~memo_py.errors.NonCanonicalElement`, naming its index;
- inversion of zero: :class:`~memo_py.errors.ZeroInverse`;
- anything else the C code reports: :class:`~memo_py.errors.NativeError`.

Blobs follow EIP-4844: 4096 field elements of 32 big-endian bytes. Packing puts
31 payload bytes behind a 0x00 byte in each element. The C calls release the
GIL, so threads can fold or evaluate in parallel.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from memo_py.errors import InvalidLength, NativeError, NonCanonicalElement, ZeroInverse

try:
    from memo_py._memo_native import ffi, lib
except ImportError as exc:  # pragma: no cover - depends on the build
    raise ImportError(
        "memo_py._memo_native is not built: run `make setup` or `python native/build_ffi.py`"
    ) from exc

__all__ = [
    "BLS_MODULUS",
    "FIELD_ELEMENTS_PER_BLOB",
    "BYTES_PER_FIELD_ELEMENT",
    "BYTES_PER_BLOB",
    "PAYLOAD_BYTES_PER_ELEMENT",
    "PAYLOAD_BYTES_PER_BLOB",
    "pack_blobs",
    "unpack_blobs",
    "fold_blobs",
    "evaluate_blob",
    "batch_inverse",
    "check_blob",
    "check_blobs",
    "roots_of_unity",
]

BLS_MODULUS = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
FIELD_ELEMENTS_PER_BLOB: int = lib.MEMO_FIELD_ELEMENTS_PER_BLOB
BYTES_PER_FIELD_ELEMENT: int = lib.MEMO_BYTES_PER_FIELD_ELEMENT
BYTES_PER_BLOB: int = lib.MEMO_BYTES_PER_BLOB
PAYLOAD_BYTES_PER_ELEMENT: int = lib.MEMO_PAYLOAD_BYTES_PER_ELEMENT
PAYLOAD_BYTES_PER_BLOB: int = lib.MEMO_PAYLOAD_BYTES_PER_BLOB

_BYTES_LIKE = (bytes, bytearray, memoryview)


def _nbytes(data: Any, name: str) -> int:
    """Size in bytes of a bytes-like object (TypeError for anything else)."""
    if isinstance(data, (bytes, bytearray)):
        return len(data)
    if isinstance(data, memoryview):
        return data.nbytes
    raise TypeError(f"{name} must be bytes-like, not {type(data).__name__}")


def _in(data: Any) -> Any:
    """A read-only C view of a bytes-like object (no copy)."""
    return ffi.from_buffer("uint8_t[]", data)


def _element(value: Any, name: str) -> bytes:
    """A Python int in [0, r) as 32 big-endian bytes."""
    v = operator.index(value)
    if not 0 <= v < BLS_MODULUS:
        raise NonCanonicalElement(f"{name} is not in [0, r): {v:#x}")
    return v.to_bytes(32, "big")


def _blob_element_error(status: int, index: int) -> Exception:
    blob, element = divmod(index, FIELD_ELEMENTS_PER_BLOB)
    where = f"element {index} (blob {blob}, element {element})"
    if status == lib.MEMO_NONCANONICAL:
        return NonCanonicalElement(f"{where} is not below the field modulus")
    if status == lib.MEMO_NOT_PACKED:
        return NonCanonicalElement(f"{where} has a non-zero top byte, so it is not packed data")
    return NativeError(f"native call failed with status {status}")


def _check(status: int, bad_index: Any = None) -> None:
    """Raise the typed error for a non-OK status."""
    if status == lib.MEMO_OK:
        return
    index = int(bad_index[0]) if bad_index is not None else -1
    if status in (lib.MEMO_NONCANONICAL, lib.MEMO_NOT_PACKED):
        raise _blob_element_error(status, index)
    if status == lib.MEMO_NONCANONICAL_COEFF:
        raise NonCanonicalElement(f"coefficient {index} is not below the field modulus")
    if status == lib.MEMO_ZERO_INVERSE:
        raise ZeroInverse(f"element {index} is zero and has no inverse")
    if status == lib.MEMO_NOMEM:
        raise MemoryError("native allocation failed")
    raise NativeError(f"native call failed with status {status}")


def pack_blobs(data: bytes) -> bytes:
    """Pack bytes into ``max(1, ceil(len(data) / 126976))`` blobs.

    Each element is 0x00 followed by 31 payload bytes; the last blob is
    zero-padded. Returns ``n * 131072`` bytes.
    """
    size = _nbytes(data, "data")
    n_blobs = max(1, -(-size // PAYLOAD_BYTES_PER_BLOB))
    out = ffi.new("uint8_t[]", n_blobs * BYTES_PER_BLOB)
    _check(lib.memo_pack_blobs(out, len(out), _in(data) if size else ffi.NULL, size))
    return ffi.buffer(out)[:]


def unpack_blobs(blobs: bytes, length: int | None = None) -> bytes:
    """The payload of packed blobs, cut to ``length`` bytes when given.

    Raises :class:`InvalidLength` unless ``blobs`` is whole blobs and ``length``
    fits in them, and :class:`NonCanonicalElement` (naming the element) when an
    element's top byte is not zero.
    """
    size = _nbytes(blobs, "blobs")
    if size % BYTES_PER_BLOB:
        raise InvalidLength(f"blob data must be a multiple of {BYTES_PER_BLOB} bytes, got {size}")
    n_blobs = size // BYTES_PER_BLOB
    capacity = n_blobs * PAYLOAD_BYTES_PER_BLOB
    if length is not None:
        length = operator.index(length)
        if not 0 <= length <= capacity:
            raise InvalidLength(f"length {length} is outside the {capacity} payload bytes of {n_blobs} blob(s)")
    if n_blobs == 0:
        return b""
    out = ffi.new("uint8_t[]", capacity)
    bad = ffi.new("uint64_t *")
    _check(lib.memo_unpack_blobs(out, _in(blobs), n_blobs, bad), bad)
    return ffi.buffer(out, capacity if length is None else length)[:]


def check_blobs(blobs: bytes) -> None:
    """Raise unless ``blobs`` is whole blobs of canonical elements."""
    size = _nbytes(blobs, "blobs")
    if size % BYTES_PER_BLOB:
        raise InvalidLength(f"blob data must be a multiple of {BYTES_PER_BLOB} bytes, got {size}")
    if size == 0:
        return
    bad = ffi.new("uint64_t *")
    _check(lib.memo_check_blobs(_in(blobs), size // BYTES_PER_BLOB, bad), bad)


def check_blob(blob: bytes) -> None:
    """Raise :class:`InvalidLength` or :class:`NonCanonicalElement` (naming the element) for a bad blob."""
    size = _nbytes(blob, "blob")
    if size != BYTES_PER_BLOB:
        raise InvalidLength(f"a blob is {BYTES_PER_BLOB} bytes, got {size}")
    check_blobs(blob)


def fold_blobs(blobs: bytes | Sequence[bytes], coeffs: Sequence[int]) -> bytes:
    """``F[j] = sum_i coeffs[i] * blobs[i][j] mod r``, one 131072-byte blob.

    ``blobs`` is either a sequence of blobs or their concatenation; ``coeffs``
    holds one int in [0, r) per blob. No blobs gives the zero blob.
    """
    coeff_bytes = b"".join(_element(c, f"coefficient {i}") for i, c in enumerate(coeffs))
    n = len(coeff_bytes) // 32
    keep: list[Any] = []
    if isinstance(blobs, _BYTES_LIKE):
        size = _nbytes(blobs, "blobs")
        if size != n * BYTES_PER_BLOB:
            raise InvalidLength(f"{n} coefficient(s) need {n * BYTES_PER_BLOB} bytes of blobs, got {size}")
        if n:
            base = _in(blobs)
            keep.append(base)
            pointers = [base + i * BYTES_PER_BLOB for i in range(n)]
        else:
            pointers = []
    else:
        if len(blobs) != n:
            raise InvalidLength(f"{len(blobs)} blob(s) but {n} coefficient(s)")
        pointers = []
        for i, blob in enumerate(blobs):
            size = _nbytes(blob, f"blob {i}")
            if size != BYTES_PER_BLOB:
                raise InvalidLength(f"blob {i} is {size} bytes, not {BYTES_PER_BLOB}")
            view = _in(blob)
            keep.append(view)
            pointers.append(view)
    out = ffi.new("uint8_t[]", BYTES_PER_BLOB)
    bad = ffi.new("uint64_t *")
    array = ffi.new("const uint8_t *[]", pointers) if n else ffi.NULL
    coeff_buf = ffi.from_buffer("uint8_t[]", coeff_bytes) if n else ffi.NULL
    _check(lib.memo_fold_blobs(out, array, coeff_buf, n, bad), bad)
    del keep
    return ffi.buffer(out)[:]


def evaluate_blob(blob: bytes, z: int) -> int:
    """``p(z)`` for the blob's polynomial in evaluation form over the bit-reversed roots of unity.

    Equals the ``y`` of ``ckzg.compute_kzg_proof(blob, z)``; when z is a root of
    unity it is the blob's element there.
    """
    check_size = _nbytes(blob, "blob")
    if check_size != BYTES_PER_BLOB:
        raise InvalidLength(f"a blob is {BYTES_PER_BLOB} bytes, got {check_size}")
    z_bytes = _element(z, "z")
    out = ffi.new("uint8_t[32]")
    bad = ffi.new("uint64_t *")
    _check(lib.memo_evaluate_blob(out, _in(blob), z_bytes, bad), bad)
    return int.from_bytes(ffi.buffer(out), "big")


def batch_inverse(values: Sequence[int]) -> list[int]:
    """The inverses mod r of ints in [0, r); :class:`ZeroInverse` names a zero."""
    data = b"".join(_element(v, f"element {i}") for i, v in enumerate(values))
    n = len(data) // 32
    if n == 0:
        return []
    out = ffi.new("uint8_t[]", len(data))
    bad = ffi.new("uint64_t *")
    status = lib.memo_batch_inverse(out, data, n, bad)
    if status == lib.MEMO_NONCANONICAL:  # cannot happen after _element, but stay typed
        raise NonCanonicalElement(f"element {int(bad[0])} is not below the field modulus")
    _check(status, bad)
    raw = ffi.buffer(out)
    return [int.from_bytes(raw[k : k + 32], "big") for k in range(0, len(data), 32)]


def roots_of_unity() -> tuple[int, ...]:
    """The blob domain: the 4096th roots of unity (root 7^((r-1)/4096)) in bit-reversed order."""
    global _ROOTS
    if _ROOTS is None:
        out = ffi.new("uint8_t[]", BYTES_PER_BLOB)
        _check(lib.memo_roots_of_unity_brp(out))
        raw = ffi.buffer(out)
        _ROOTS = tuple(int.from_bytes(raw[k : k + 32], "big") for k in range(0, BYTES_PER_BLOB, 32))
    return _ROOTS


_ROOTS: tuple[int, ...] | None = None
