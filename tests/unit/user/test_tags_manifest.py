"""Chunk tags and index-record framing (no network)."""

from __future__ import annotations

import os

import pytest

from memo_py.codec.segments import StripeLayout
from memo_py.user import ChunkTag, IndexRecord, Layout, Manifest, TagKey
from memo_py.user.manifest import record_from_segments, record_segment_count, record_segments
from memo_py.user.tags import DATA, INDEX, TAG_BYTES

SECRET = b"\x5e" * 32


def test_tags_round_trip_and_look_random():
    key = TagKey(SECRET)
    tags = [ChunkTag(INDEX, 2**64 - 1, 65535, 5, 4, 2), ChunkTag(DATA, 7, 0, 0, 1, 0)]
    made = [key.make(t) for t in tags]
    assert all(len(m) == TAG_BYTES for m in made)
    assert [key.read(m) for m in made] == tags
    assert key.make(ChunkTag(INDEX, 1, 0, 0, 2, 1)) != key.make(ChunkTag(INDEX, 1, 0, 1, 2, 1))


def test_only_the_owner_recognises_tags_and_junk_is_ignored():
    mine = TagKey(SECRET).make(ChunkTag(INDEX, 1, 0, 0, 2, 1))
    assert TagKey(b"\x01" * 32).read(mine) is None
    assert TagKey(SECRET).read(os.urandom(TAG_BYTES)) is None
    assert TagKey(SECRET).read(b"") is None and TagKey(SECRET).read(mine[:-1]) is None
    flipped = bytes([mine[0] ^ 1]) + mine[1:]
    assert TagKey(SECRET).read(flipped) is None


@pytest.mark.parametrize("bad", [dict(chunk=3, k=2, m=1), dict(segment=65536), dict(kind=9)])
def test_tags_refuse_what_they_cannot_hold(bad):
    values = dict(kind=INDEX, ident=1, segment=0, chunk=0, k=2, m=1) | bad
    with pytest.raises(ValueError):
        ChunkTag(**values)


def test_records_span_as_many_full_segments_as_they_need():
    layout = StripeLayout(1, 0, 1)
    manifest = Manifest(
        bucket="bkt",
        key="k",
        object_id="00" * 16,
        size=0,
        etag="d41d8cd98f00b204e9800998ecf8427e",
        created=1.0,
        layout=Layout(k=1, m=0, chunk_blobs=1),
        metadata={"big": "x" * (2 * layout.segment_bytes)},
    )
    record = IndexRecord(record_id=42, op="put_object", bucket="bkt", time=1.0, key="k", manifest=manifest)
    segments = record_segments(record, layout)
    assert len(segments) == 3 and all(len(s) == layout.segment_bytes for s in segments)
    assert record_segment_count(segments[0]) == 3
    assert record_from_segments(segments) == record
