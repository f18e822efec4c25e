"""KZG storage proofs over blobs: commitments, aggregated openings, batch checks.

A blob is 4096 field elements (131,072 bytes) in evaluation form, committed with
Ethereum's KZG setup (``ckzg``). On top of ckzg's single-blob operations this
module gives the three operations MEMO's proof system needs:

- :func:`prove`: the Provider folds the challenged blobs natively,
  ``F = sum rho_i f_i``, and opens F at z with **one** KZG proof.
- :func:`verify`: a Keeper combines the commitments, ``C = sum rho_i C_i``, with
  one multi-scalar multiplication (py-arkworks-bls12381), then checks the single
  opening of C at z. :class:`Commitments` holds commitments that were decoded and
  subgroup-checked once, so a Keeper pays that cost once per Provider, not per epoch.
- :func:`batch_check`: whoever is handed commitments (User, Provider) checks them
  all at once against the blobs with random coefficients: one fold, one commit
  and one MSM instead of one commit per blob.

Errors: wrong sizes raise :class:`~memo_py.errors.InvalidLength`; field elements
not below r raise :class:`~memo_py.errors.NonCanonicalElement`; bytes that are
not a G1 point of the subgroup raise :class:`~memo_py.errors.InvalidPoint`; a
proof that does not verify makes :func:`verify` return ``False``
(:func:`verify_or_raise` raises :class:`~memo_py.errors.InvalidProof`).

``ckzg`` holds the GIL while it works, so :func:`commit_many` spreads commits
over processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, overload

import ckzg
import py_arkworks_bls12381 as ark

from memo_py import native
from memo_py.children import worker_pool
from memo_py.cores import usable_cores
from memo_py.crypto.setup import trusted_setup
from memo_py.errors import InvalidLength, InvalidPoint, InvalidProof, NonCanonicalElement

__all__ = [
    "BLS_MODULUS",
    "BYTES_PER_BLOB",
    "BYTES_PER_COMMITMENT",
    "BYTES_PER_PROOF",
    "BYTES_PER_FIELD_ELEMENT",
    "ZERO_BLOB",
    "ZERO_COMMITMENT",
    "with_released",
    "Opening",
    "Commitments",
    "commit",
    "commit_many",
    "fold",
    "open_blob",
    "prove",
    "combine",
    "verify_opening",
    "verify",
    "verify_or_raise",
    "batch_check",
    "batch_check_or_raise",
    "random_coefficients",
]

BLS_MODULUS = native.BLS_MODULUS
BYTES_PER_BLOB = native.BYTES_PER_BLOB
BYTES_PER_FIELD_ELEMENT = native.BYTES_PER_FIELD_ELEMENT
BYTES_PER_COMMITMENT = 48
BYTES_PER_PROOF = 48
#: The all-zero blob, and its commitment: the G1 point at infinity, compressed. An order
#: root puts ZERO_COMMITMENT where the blobs of a chunk the User deleted were, so that
#: the chunk is proven (and answered in a dispute) without being stored.
ZERO_BLOB = bytes(BYTES_PER_BLOB)
ZERO_COMMITMENT = b"\xc0" + bytes(BYTES_PER_COMMITMENT - 1)


def with_released(commitments: Sequence[bytes | None], released: Iterable[int], chunk_blobs: int) -> list[bytes | None]:
    """``commitments`` of an order with the blobs of its released chunks (by first blob) set to
    ZERO_COMMITMENT: what the order's root covers (the User and the Provider both build it so)."""
    out = list(commitments)
    for first in released:
        for k in range(first, min(first + chunk_blobs, len(out))):
            out[k] = ZERO_COMMITMENT
    return out

Blobs = bytes | bytearray | memoryview | Sequence[bytes]


class Opening(NamedTuple):
    """A KZG opening: the value ``y = p(z)`` and the 48-byte proof."""

    y: int
    proof: bytes

    @property
    def y_bytes(self) -> bytes:
        """y as 32 big-endian bytes."""
        return self.y.to_bytes(BYTES_PER_FIELD_ELEMENT, "big")


# ----------------------------------------------------------------------------- argument checks


def _as_bytes(name: str, value: bytes) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    return bytes(value)


def _blob(blob: bytes) -> bytes:
    blob = _as_bytes("blob", blob)
    if len(blob) != BYTES_PER_BLOB:
        raise InvalidLength(f"a blob is {BYTES_PER_BLOB} bytes, got {len(blob)}")
    return blob


def _blob_list(blobs: Blobs) -> list[bytes]:
    """Blobs given as one concatenation or as a sequence, as a list of 131072-byte strings."""
    if isinstance(blobs, (bytes, bytearray, memoryview)):
        data = bytes(blobs)
        if len(data) == 0 or len(data) % BYTES_PER_BLOB:
            raise InvalidLength(f"blob data must be a positive multiple of {BYTES_PER_BLOB} bytes, got {len(data)}")
        return [data[k : k + BYTES_PER_BLOB] for k in range(0, len(data), BYTES_PER_BLOB)]
    return [_blob(b) for b in blobs]


def _field_element(name: str, value: int | bytes) -> int:
    """An int in [0, r), from an int or 32 big-endian bytes."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        if len(value) != BYTES_PER_FIELD_ELEMENT:
            raise InvalidLength(f"{name} must be {BYTES_PER_FIELD_ELEMENT} bytes, got {len(value)}")
        value = int.from_bytes(value, "big")
    elif not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int or 32 bytes, not {type(value).__name__}")
    if not 0 <= value < BLS_MODULUS:
        raise NonCanonicalElement(f"{name} is not in [0, r)")
    return value


def _coefficients(coeffs: Sequence[int], count: int) -> list[int]:
    if len(coeffs) != count:
        raise InvalidLength(f"{count} blobs or commitments but {len(coeffs)} coefficients")
    if count == 0:
        raise InvalidLength("at least one blob is required")
    return [_field_element(f"coefficient {i}", c) for i, c in enumerate(coeffs)]


def _decode_g1(name: str, data: bytes) -> ark.G1Point:
    data = _as_bytes(name, data)
    if len(data) != BYTES_PER_COMMITMENT:
        raise InvalidLength(f"{name} must be {BYTES_PER_COMMITMENT} bytes, got {len(data)}")
    try:
        return ark.G1Point.from_compressed_bytes(data)  # on-curve and subgroup checks
    except ValueError as exc:
        raise InvalidPoint(f"{name} is not a G1 point of the subgroup: {exc}") from None


def _ckzg_blob_error(blob: bytes) -> NonCanonicalElement:
    """ckzg rejected a blob of the right size: name the offending element."""
    try:
        native.check_blob(blob)
    except NonCanonicalElement as exc:
        return exc
    return NonCanonicalElement("ckzg rejected the blob")


# ----------------------------------------------------------------------------- commitments


def commit(blob: bytes) -> bytes:
    """The 48-byte KZG commitment of one blob."""
    blob = _blob(blob)
    try:
        return bytes(ckzg.blob_to_kzg_commitment(blob, trusted_setup()))
    except RuntimeError:
        raise _ckzg_blob_error(blob) from None


def _commit_chunk(blobs: list[bytes]) -> list[bytes]:
    return [commit(b) for b in blobs]


def commit_many(blobs: Blobs, workers: int | None = None) -> list[bytes]:
    """Commitments of many blobs, spread over ``workers`` processes (default: every core).

    ckzg holds the GIL, so threads do not help. Workers are forked after the trusted
    setup is loaded here, so they inherit it instead of loading it again.
    """
    items = _blob_list(blobs)
    if workers is None:
        workers = usable_cores()
    workers = max(1, min(workers, len(items)))
    trusted_setup()
    if workers == 1 or len(items) < 4:
        return _commit_chunk(items)
    step = -(-len(items) // (workers * 4))  # a few chunks per worker, to balance load
    chunks = [items[k : k + step] for k in range(0, len(items), step)]
    with worker_pool(workers) as pool:  # workers die with this process (memo_py.children)
        return [c for part in pool.map(_commit_chunk, chunks) for c in part]


class Commitments(Sequence[bytes]):
    """Commitments decoded and subgroup-checked once, kept as G1 points.

    A Keeper builds one per Provider when it learns its commitments and reuses it
    every epoch; :meth:`subset` selects a challenge's commitments without checking
    them again.
    """

    __slots__ = ("_raw", "_points")

    def __init__(self, commitments: Iterable[bytes]) -> None:
        raw = [_as_bytes("commitment", c) for c in commitments]
        self._raw: tuple[bytes, ...] = tuple(raw)
        self._points: tuple[ark.G1Point, ...] = tuple(_decode_g1(f"commitment {i}", c) for i, c in enumerate(raw))

    @classmethod
    def _trusted(cls, raw: tuple[bytes, ...], points: tuple[ark.G1Point, ...]) -> Commitments:
        self = cls.__new__(cls)
        self._raw, self._points = raw, points
        return self

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> Commitments: ...
    def __getitem__(self, index: int | slice) -> bytes | Commitments:
        if isinstance(index, slice):
            return Commitments._trusted(self._raw[index], self._points[index])
        return self._raw[index]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._raw)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Commitments):
            return self._raw == other._raw
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return f"Commitments({len(self)} points)"

    @property
    def points(self) -> tuple[ark.G1Point, ...]:
        return self._points

    def subset(self, indices: Iterable[int]) -> Commitments:
        """The commitments at ``indices`` (e.g. a challenge's sample), already validated."""
        idx = list(indices)
        for i in idx:
            if not 0 <= i < len(self._raw):
                raise InvalidLength(f"commitment index {i} out of range [0, {len(self._raw)})")
        return Commitments._trusted(tuple(self._raw[i] for i in idx), tuple(self._points[i] for i in idx))

    def combine(self, coeffs: Sequence[int]) -> bytes:
        """``sum coeffs[i] * C_i``, compressed (48 B): one multi-scalar multiplication."""
        values = _coefficients(coeffs, len(self._points))
        scalars = [ark.Scalar(c) for c in values]
        return ark.G1Point.multiexp_unchecked(list(self._points), scalars).to_compressed_bytes()


def _commitments(commitments: Commitments | Sequence[bytes]) -> Commitments:
    return commitments if isinstance(commitments, Commitments) else Commitments(commitments)


def combine(commitments: Commitments | Sequence[bytes], coeffs: Sequence[int]) -> bytes:
    """``sum coeffs[i] * commitments[i]`` as a 48-byte compressed point."""
    return _commitments(commitments).combine(coeffs)


# ----------------------------------------------------------------------------- openings


def fold(blobs: Blobs, coeffs: Sequence[int]) -> bytes:
    """The folded blob ``F[j] = sum coeffs[i] * blobs[i][j] mod r`` (native)."""
    items = _blob_list(blobs)
    values = _coefficients(coeffs, len(items))
    return native.fold_blobs(items, values)


def open_blob(blob: bytes, z: int | bytes) -> Opening:
    """A KZG opening of one blob at z."""
    blob = _blob(blob)
    point = _field_element("z", z).to_bytes(BYTES_PER_FIELD_ELEMENT, "big")
    try:
        proof, y = ckzg.compute_kzg_proof(blob, point, trusted_setup())
    except RuntimeError:
        raise _ckzg_blob_error(blob) from None
    return Opening(int.from_bytes(y, "big"), bytes(proof))


def prove(blobs: Blobs, coeffs: Sequence[int], z: int | bytes) -> Opening:
    """The aggregated proof: open ``F = sum coeffs[i] * blobs[i]`` at z with one KZG proof.

    Its size (32 + 48 bytes) does not depend on the number of blobs.
    """
    return open_blob(fold(blobs, coeffs), z)


def verify_opening(commitment: bytes, z: int | bytes, y: int | bytes, proof: bytes) -> bool:
    """Check one KZG opening ``p(z) = y`` against a 48-byte commitment."""
    _decode_g1("commitment", commitment)
    return _verify_point(bytes(commitment), z, y, proof)


def _verify_point(commitment: bytes, z: int | bytes, y: int | bytes, proof: bytes) -> bool:
    zb = _field_element("z", z).to_bytes(BYTES_PER_FIELD_ELEMENT, "big")
    yb = _field_element("y", y).to_bytes(BYTES_PER_FIELD_ELEMENT, "big")
    proof = _as_bytes("proof", proof)
    if len(proof) != BYTES_PER_PROOF:
        raise InvalidLength(f"proof must be {BYTES_PER_PROOF} bytes, got {len(proof)}")
    try:
        return bool(ckzg.verify_kzg_proof(commitment, zb, yb, proof, trusted_setup()))
    except RuntimeError:
        _decode_g1("proof", proof)  # raises InvalidPoint when the proof is not a point
        raise InvalidPoint("ckzg rejected the commitment or proof") from None


def verify(
    commitments: Commitments | Sequence[bytes],
    coeffs: Sequence[int],
    z: int | bytes,
    y: int | bytes,
    proof: bytes,
) -> bool:
    """Check an aggregated proof: the opening of ``sum coeffs[i] * commitments[i]`` at z is y.

    Pass a :class:`Commitments` (e.g. ``provider_commitments.subset(challenge.indices)``)
    to skip decoding and subgroup checks; raw bytes are checked on every call.
    """
    combined = _commitments(commitments).combine(coeffs)
    return _verify_point(combined, z, y, proof)


def verify_or_raise(
    commitments: Commitments | Sequence[bytes],
    coeffs: Sequence[int],
    z: int | bytes,
    y: int | bytes,
    proof: bytes,
) -> None:
    """Like :func:`verify`, but raise InvalidProof instead of returning False."""
    if not verify(commitments, coeffs, z, y, proof):
        raise InvalidProof("aggregated KZG proof does not verify")


# ----------------------------------------------------------------------------- batch check


def random_coefficients(count: int) -> list[int]:
    """``count`` non-zero coefficients, uniform in [1, r) (64 random bytes each, from os.urandom)."""
    out = []
    while len(out) < count:
        value = int.from_bytes(os.urandom(64), "big") % BLS_MODULUS
        if value:
            out.append(value)
    return out


def batch_check(blobs: Blobs, commitments: Commitments | Sequence[bytes]) -> bool:
    """Whether every ``commitments[i]`` is the commitment of ``blobs[i]``, checked all at once.

    Draws fresh random coefficients rho_i and compares ``sum rho_i C_i`` with
    ``commit(sum rho_i f_i)``. If any commitment is wrong the two differ except with
    probability 1/r: the cost is one native fold, one commit and one MSM, instead of
    one commit per blob.
    """
    items = _blob_list(blobs)
    points = _commitments(commitments)
    if len(points) != len(items):
        raise InvalidLength(f"{len(items)} blobs but {len(points)} commitments")
    rho = random_coefficients(len(items))
    return points.combine(rho) == commit(native.fold_blobs(items, rho))


def batch_check_or_raise(blobs: Blobs, commitments: Commitments | Sequence[bytes]) -> None:
    """Like :func:`batch_check`, but raise InvalidProof naming the failure."""
    if not batch_check(blobs, commitments):
        raise InvalidProof("at least one commitment does not match its blob")
