"""The User's data path for one object: segments, encryption, stripes, chunks.

object → segments of ``layout.segment_bytes`` plaintext → AES-256-GCM (one key
per object, nonce from the segment index) → the ciphertext, zero-padded to a
full stripe, is split into k data chunks plus m zfec parity chunks, each of
``layout.chunk_bytes`` (2 blobs of payload by default, 248 KiB, like MEMO's
segment). Every chunk of every stripe has the same size, so a Provider can
refuse any chunk of the wrong size. The last segment is shorter; its length
follows from the object size, which the manifest records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from memo_py.codec.erasure import check_params, decode_stripe, encode_stripe
from memo_py.crypto.aead import TAG_BYTES, decrypt_segment, encrypt_segment
from memo_py.errors import InvalidLength

__all__ = ["PAYLOAD_BYTES_PER_BLOB", "DEFAULT_CHUNK_BLOBS", "StripeLayout", "encode_segment", "decode_segment"]

#: Payload bytes one blob carries: 4096 field elements of 31 bytes.
PAYLOAD_BYTES_PER_BLOB = 4096 * 31
#: Blobs per chunk by default (253,952 bytes, 248 KiB).
DEFAULT_CHUNK_BLOBS = 2


@dataclass(frozen=True)
class StripeLayout:
    """How a bucket cuts objects: k data + m parity chunks of ``chunk_blobs`` blobs each."""

    k: int
    m: int
    chunk_blobs: int = DEFAULT_CHUNK_BLOBS

    def __post_init__(self) -> None:
        check_params(self.k, self.m)
        if not 1 <= self.chunk_blobs <= 64:
            raise InvalidLength(f"a chunk must be 1..64 blobs, got {self.chunk_blobs}")

    @property
    def chunk_bytes(self) -> int:
        return self.chunk_blobs * PAYLOAD_BYTES_PER_BLOB

    @property
    def stripe_bytes(self) -> int:
        """Ciphertext bytes one stripe carries (its k data chunks)."""
        return self.k * self.chunk_bytes

    @property
    def segment_bytes(self) -> int:
        """Plaintext bytes per segment: a stripe less the GCM tag."""
        return self.stripe_bytes - TAG_BYTES

    def segment_count(self, size: int) -> int:
        if size < 0:
            raise InvalidLength(f"object size must be non-negative, got {size}")
        return -(-size // self.segment_bytes)

    def segment_length(self, size: int, index: int) -> int:
        """Plaintext length of segment ``index`` of an object of ``size`` bytes."""
        if not 0 <= index < self.segment_count(size):
            raise InvalidLength(f"segment {index} is outside an object of {size} bytes")
        return min(self.segment_bytes, size - index * self.segment_bytes)

    def segments(self, data: bytes) -> Iterator[tuple[int, bytes]]:
        view = memoryview(data)
        for i in range(self.segment_count(len(data))):
            yield i, bytes(view[i * self.segment_bytes : (i + 1) * self.segment_bytes])


def encode_segment(layout: StripeLayout, key: bytes, object_id: bytes, index: int, plaintext: bytes) -> list[bytes]:
    """Encrypt one segment and erasure-code it into k+m chunks of ``layout.chunk_bytes``."""
    if not 0 < len(plaintext) <= layout.segment_bytes:
        raise InvalidLength(f"a segment holds 1..{layout.segment_bytes} bytes, got {len(plaintext)}")
    ciphertext = encrypt_segment(key, object_id, index, plaintext)
    padded = ciphertext + bytes(layout.stripe_bytes - len(ciphertext))
    return encode_stripe(padded, layout.k, layout.m)


def decode_segment(
    layout: StripeLayout, key: bytes, object_id: bytes, index: int, chunks: Mapping[int, bytes], length: int
) -> bytes:
    """Rebuild segment ``index`` (``length`` plaintext bytes) from any k of its chunks, and authenticate it."""
    if not 0 < length <= layout.segment_bytes:
        raise InvalidLength(f"a segment holds 1..{layout.segment_bytes} bytes, got {length}")
    for i, chunk in chunks.items():
        if len(chunk) != layout.chunk_bytes:
            raise InvalidLength(f"chunk {i} is {len(chunk)} bytes, the layout needs {layout.chunk_bytes}")
    stripe = decode_stripe(chunks, layout.k, layout.m)
    return decrypt_segment(key, object_id, index, stripe[: length + TAG_BYTES])
