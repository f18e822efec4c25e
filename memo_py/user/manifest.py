"""Manifests and index records (pydantic), and how records become stripes.

A :class:`Manifest` describes one stored object: its name, size, etag (MD5 hex of
the plaintext, as S3 gives for a single-part upload), content type, user metadata,
layout, and for every segment where its k+m chunks live (Provider, order, first
blob), the chunk's SHA-256 and its blob commitments.

The User's index is an append-only journal of :class:`IndexRecord`s: create or
delete a bucket, put or delete an object (a put carries the whole manifest).
Every record is encrypted and stored like data, in stripes of the bucket's
layout, and its chunks are tagged (:mod:`memo_py.user.tags`) so the User finds
them again with only the master secret. Replaying the records in ``record_id``
order rebuilds the index.

Record framing: ``u32 length || JSON || zero padding`` up to a whole number of
segments, so every record segment is full and the first one says how many follow.
Record ``r`` is encrypted as the object ``b"MEMO-INDEX-V1" || r (8 bytes)``.
"""

from __future__ import annotations

import struct
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from memo_py.codec.segments import StripeLayout
from memo_py.errors import InvalidLength

__all__ = [
    "Layout",
    "ChunkPlacement",
    "SegmentEntry",
    "Manifest",
    "PackedAt",
    "Pack",
    "ObjectInfo",
    "BucketInfo",
    "IndexRecord",
    "record_object_id",
    "record_segments",
    "record_segment_count",
    "record_from_segments",
]

_LENGTH = struct.Struct(">I")
_RECORD_OBJECT = b"MEMO-INDEX-V1"


class Layout(BaseModel):
    """A bucket's stripe layout: k data + m parity chunks of ``chunk_blobs`` blobs."""

    model_config = ConfigDict(frozen=True)

    k: int = Field(ge=1, le=255)
    m: int = Field(ge=0, le=255)
    chunk_blobs: int = Field(ge=1, le=64)

    @property
    def stripe(self) -> StripeLayout:
        return StripeLayout(self.k, self.m, self.chunk_blobs)


class ChunkPlacement(BaseModel):
    """Chunk ``chunk`` of a stripe: where it lives and what it must be."""

    model_config = ConfigDict(frozen=True)

    chunk: int = Field(ge=0, le=255)
    provider: str
    order_id: str  # 0x + 32 bytes hex
    first_blob: int = Field(ge=0)
    sha256: str  # hex of the chunk bytes
    commitments: tuple[str, ...]  # 0x + 48 bytes hex, one per blob


class SegmentEntry(BaseModel):
    """One segment of an object: its plaintext length and its chunks."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=0)
    length: int = Field(ge=1)
    chunks: tuple[ChunkPlacement, ...]


class PackedAt(BaseModel):
    """Where a packed object's sealed bytes lie: ``length`` bytes at ``offset`` of pack
    ``pack_id``'s plaintext; ``pack_id`` None while they are only in the local write buffer."""

    model_config = ConfigDict(frozen=True)

    pack_id: str | None  # hex
    offset: int = Field(ge=0)
    length: int = Field(ge=1)


class Pack(BaseModel):
    """Stripes shared by small objects: their sealed bytes end to end (:mod:`memo_py.user.packing`)."""

    model_config = ConfigDict(frozen=True)

    pack_id: str  # hex; the pack's segments are encrypted under the key derived from it
    size: int = Field(ge=1)
    layout: Layout
    segments: tuple[SegmentEntry, ...]

    def orders(self) -> set[tuple[str, str]]:
        return {(c.provider, c.order_id) for s in self.segments for c in s.chunks}


class Manifest(BaseModel):
    """Everything needed to read one object back (with the master secret).

    A packed object (smaller than a segment) has no segments of its own: ``packed``
    says where its bytes, sealed under its own key, lie in a :class:`Pack`."""

    model_config = ConfigDict(frozen=True)

    version: Literal[1] = 1
    bucket: str
    key: str
    object_id: str  # hex; the object's AES key is derived from it
    size: int = Field(ge=0)
    etag: str
    content_type: str = "application/octet-stream"
    metadata: dict[str, str] = Field(default_factory=dict)
    created: float
    layout: Layout
    segments: tuple[SegmentEntry, ...] = ()
    packed: PackedAt | None = None

    @property
    def info(self) -> ObjectInfo:
        return ObjectInfo(
            bucket=self.bucket,
            key=self.key,
            size=self.size,
            etag=self.etag,
            content_type=self.content_type,
            metadata=self.metadata,
            last_modified=datetime.fromtimestamp(self.created, timezone.utc),
        )

    def orders(self) -> set[tuple[str, str]]:
        """The (provider, order id) pairs holding the object's chunks."""
        return {(c.provider, c.order_id) for s in self.segments for c in s.chunks}


class ObjectInfo(BaseModel):
    """What ``head`` and ``list`` show of an object."""

    model_config = ConfigDict(frozen=True)

    bucket: str
    key: str
    size: int
    etag: str
    content_type: str
    metadata: dict[str, str]
    #: When it was written (UTC).
    last_modified: datetime


class BucketInfo(BaseModel):
    """A bucket: its name, layout and creation time."""

    model_config = ConfigDict(frozen=True)

    name: str
    layout: Layout
    #: When it was created (UTC).
    created: datetime


class IndexRecord(BaseModel):
    """One change to the User's index, or a batch of them (``op == "batch"``: the changes a
    write-buffer flush settles, in ``records``, and the packs their objects lie in)."""

    model_config = ConfigDict(frozen=True)

    record_id: int = Field(ge=0, lt=2**64)
    op: Literal["create_bucket", "delete_bucket", "put_object", "delete_object", "batch"]
    bucket: str
    time: float
    key: str | None = None
    layout: Layout | None = None
    manifest: Manifest | None = None
    records: tuple[IndexRecord, ...] = ()
    packs: tuple[Pack, ...] = ()

    @model_validator(mode="after")
    def _flat(self) -> IndexRecord:
        if any(r.op == "batch" for r in self.records):
            raise ValueError("a batch record holds no batch")
        if self.op != "batch" and (self.records or self.packs):
            raise ValueError(f"a {self.op} record holds no records or packs")
        return self

    def leaves(self) -> list[IndexRecord]:
        """The single changes this record holds (itself, unless it is a batch)."""
        return list(self.records) if self.op == "batch" else [self]


def record_object_id(record_id: int) -> bytes:
    """The object id a record is encrypted under."""
    return _RECORD_OBJECT + record_id.to_bytes(8, "big")


def record_segments(record: IndexRecord, layout: StripeLayout) -> list[bytes]:
    """The record as full plaintext segments of ``layout``."""
    body = record.model_dump_json().encode()
    framed = _LENGTH.pack(len(body)) + body
    size = layout.segment_bytes
    count = -(-len(framed) // size)
    framed += bytes(count * size - len(framed))
    return [framed[i * size : (i + 1) * size] for i in range(count)]


def record_segment_count(first_segment: bytes) -> int:
    """How many segments a record has, from its decrypted first segment."""
    if len(first_segment) < _LENGTH.size:
        raise InvalidLength("a record segment is shorter than its length prefix")
    (length,) = _LENGTH.unpack_from(first_segment)
    return -(-(length + _LENGTH.size) // len(first_segment))


def record_from_segments(segments: list[bytes]) -> IndexRecord:
    """The record from its decrypted segments (in order)."""
    framed = b"".join(segments)
    (length,) = _LENGTH.unpack_from(framed)
    if _LENGTH.size + length > len(framed):
        raise InvalidLength(f"the record says {length} bytes but its segments hold {len(framed) - _LENGTH.size}")
    return IndexRecord.model_validate_json(framed[_LENGTH.size : _LENGTH.size + length])
