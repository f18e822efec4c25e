"""Reed-Solomon erasure coding of one stripe with zfec.

A stripe is k equal data chunks plus m parity chunks. Any k of the k+m chunks
rebuild the data. Replication is the case k = 1 (every chunk is a full copy).
Chunk i of a stripe is always the zfec block number i, so a chunk's index is
all a reader needs to put it back in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import zfec

from memo_py.errors import InvalidLength, NotEnoughChunks

__all__ = ["MAX_CHUNKS", "encode_stripe", "decode_stripe", "check_params"]

#: zfec works over GF(2^8), so a stripe has at most 256 chunks.
MAX_CHUNKS = 256


def check_params(k: int, m: int) -> None:
    """Raise ``ValueError`` (an ``InvalidLength``) unless 1 ≤ k and 0 ≤ m and k+m ≤ 256."""
    if not isinstance(k, int) or not isinstance(m, int):
        raise InvalidLength(f"k and m must be integers, got {k!r} and {m!r}")
    if k < 1 or m < 0 or k + m > MAX_CHUNKS:
        raise InvalidLength(f"need 1 <= k, 0 <= m and k + m <= {MAX_CHUNKS}; got k={k}, m={m}")


def encode_stripe(data: bytes, k: int, m: int) -> list[bytes]:
    """Split ``data`` into k data chunks and add m parity chunks.

    ``len(data)`` must be a multiple of k (the caller pads the stripe, so every
    chunk of every stripe has the size Providers expect). Returns k+m chunks,
    data chunks first.
    """
    check_params(k, m)
    if len(data) == 0 or len(data) % k:
        raise InvalidLength(f"stripe of {len(data)} bytes does not split into {k} equal non-empty chunks")
    size = len(data) // k
    view = memoryview(data)
    blocks = tuple(bytes(view[i * size : (i + 1) * size]) for i in range(k))
    if m == 0:
        return list(blocks)
    return [bytes(b) for b in zfec.Encoder(k, k + m).encode(blocks)]


def decode_stripe(chunks: Mapping[int, bytes], k: int, m: int) -> bytes:
    """Rebuild a stripe's data from any k chunks, given as ``{index: chunk}``.

    Extra chunks beyond k are ignored (data chunks are preferred, since they
    need no arithmetic). Raises ``NotEnoughChunks`` with fewer than k chunks,
    and ``InvalidLength`` on out-of-range indices or unequal sizes.
    """
    check_params(k, m)
    for index in chunks:
        if not 0 <= index < k + m:
            raise InvalidLength(f"chunk index {index} is outside 0..{k + m - 1}")
    if len(chunks) < k:
        raise NotEnoughChunks(f"need {k} chunks to decode, have {len(chunks)}")
    chosen: Sequence[int] = sorted(chunks)[:k]
    sizes = {len(chunks[i]) for i in chosen}
    if len(sizes) != 1 or 0 in sizes:
        raise InvalidLength(f"chunks of one stripe must be equal and non-empty, got sizes {sorted(sizes)}")
    if list(chosen) == list(range(k)):
        return b"".join(chunks[i] for i in chosen)
    blocks = zfec.Decoder(k, k + m).decode(tuple(chunks[i] for i in chosen), tuple(chosen))
    return b"".join(bytes(b) for b in blocks)
