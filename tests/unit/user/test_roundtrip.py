"""Objects through real Provider apps and a real Keeper matcher: put, get, head, list."""

from __future__ import annotations

import hashlib
import os

import pytest

from memo_py.errors import NoSuchBucket, NoSuchKey
from memo_py.native import PAYLOAD_BYTES_PER_BLOB

from .support import CHUNK_BLOBS, K, M, SEGMENT, USER


@pytest.mark.parametrize("size", [0, 1000, 2 * SEGMENT + 12345], ids=["empty", "small", "three-segments"])
def test_objects_of_several_sizes_come_back_byte_for_byte(client, size):
    client.create_bucket("photos")
    data = os.urandom(size)
    info = client.put_object("photos", "a/b.bin", data, content_type="image/png", metadata={"owner": "me"})
    assert info.size == size and info.etag == hashlib.md5(data).hexdigest()
    assert client.get_object("photos", "a/b.bin") == data
    head = client.head_object("photos", "a/b.bin")
    assert head.content_type == "image/png" and head.metadata == {"owner": "me"} and head.etag == info.etag
    manifest = client.head_manifest("photos", "a/b.bin")
    assert len(manifest.segments) == -(-size // SEGMENT)
    for segment in manifest.segments:
        providers = [c.provider for c in segment.chunks]
        assert len(providers) == K + M and len(set(providers)) == K + M  # one chunk per Provider


def test_one_order_per_provider_grows_with_every_upload(network, client):
    client.create_bucket("bkt")
    client.put_object("bkt", "one", os.urandom(5000))
    before = {o.order_id: o for o in network.chain.orders_of_user(USER.address)}
    client.put_object("bkt", "two", os.urandom(5000))
    after = {o.order_id: o for o in network.chain.orders_of_user(USER.address)}
    providers = [o.provider for o in after.values()]
    assert len(providers) == len(set(providers))  # never a second order with the same Provider
    assert before.keys() <= after.keys()
    grown = [oid for oid in before if after[oid].blob_count > before[oid].blob_count]
    assert grown  # the matcher spreads load, but an order it lands on again grows in place
    for oid in grown:
        old, new = before[oid], after[oid]
        assert new.seq == old.seq + 1 and new.root != old.root
        assert (new.start_epoch, new.end_epoch, new.price) == (old.start_epoch, old.end_epoch, old.price)
    for order in after.values():
        assert order.size == order.blob_count * PAYLOAD_BYTES_PER_BLOB
    # bucket record, two objects and their records: 5 stripes of k+m one-blob chunks
    assert sum(o.blob_count for o in after.values()) == 5 * (K + M) * CHUNK_BLOBS
    assert client.get_object("bkt", "one") != client.get_object("bkt", "two")


def test_list_objects_and_buckets(client):
    client.create_bucket("logs", k=1, m=1)
    client.create_bucket("docs")
    for key in ["b", "a/1", "a/2"]:
        client.put_object("docs", key, key.encode())
    assert [b.name for b in client.list_buckets()] == ["docs", "logs"]
    assert client.head_bucket("logs").layout.k == 1
    assert [o.key for o in client.list_objects("docs")] == ["a/1", "a/2", "b"]
    assert [o.key for o in client.list_objects("docs", prefix="a/")] == ["a/1", "a/2"]
    assert client.list_objects("logs") == []
    client.put_object("docs", "b", b"replaced")
    assert client.get_object("docs", "b") == b"replaced"
    with pytest.raises(NoSuchKey):
        client.get_object("docs", "c")
    with pytest.raises(NoSuchBucket):
        client.put_object("nope", "x", b"")
