"""Recovery of the index from the master secret, the chain and the Providers; delete."""

from __future__ import annotations

import os

import pytest

from memo_py.errors import BucketAlreadyExists, BucketNotEmpty, NoSuchBucket, NoSuchKey

from .support import BLOB, MASTER, SEGMENT, USER


def _snapshot(client):
    return {
        b.name: (b.layout, [(o.key, o.size, o.etag, o.content_type, o.metadata) for o in client.list_objects(b.name)])
        for b in client.list_buckets()
    }


def test_a_fresh_client_with_only_the_master_secret_finds_everything_again(network, client):
    client.create_bucket("photos")
    client.create_bucket("logs", k=1, m=1)
    client.create_bucket("gone")
    photos = {"cat.jpg": os.urandom(SEGMENT + 99), "empty": b"", "dog.jpg": os.urandom(3000)}
    for key, data in photos.items():
        client.put_object("photos", key, data, content_type="image/jpeg", metadata={"k": key})
    client.put_object("logs", "day1", b"log line")
    client.delete_object("photos", "dog.jpg")
    client.delete_bucket("gone")
    client.put_object("logs", "day1", b"log line, replaced")
    expected = _snapshot(client)

    with network.client() as fresh:  # same secrets, nothing else
        report = fresh.recover_index()
        assert report.buckets == 2 and report.objects == 3 and report.records == 10
        assert report.unreachable == []
        assert _snapshot(fresh) == expected
        assert fresh.get_object("photos", "cat.jpg") == photos["cat.jpg"]
        assert fresh.get_object("photos", "empty") == b""
        assert fresh.get_object("logs", "day1") == b"log line, replaced"
        with pytest.raises(NoSuchKey):
            fresh.get_object("photos", "dog.jpg")
        # It goes on writing into the recovered orders (checked against their on-chain roots).
        before = {o.order_id: o.seq for o in network.chain.orders_of_user(USER.address)}
        fresh.put_object("photos", "new", b"after recovery")
        after = {o.order_id: o.seq for o in network.chain.orders_of_user(USER.address)}
        assert any(oid in before and seq == before[oid] + 1 for oid, seq in after.items())
        assert fresh.get_object("photos", "new") == b"after recovery"


def test_another_master_secret_finds_nothing(network, client):
    client.create_bucket("mine")
    client.put_object("mine", "secret", b"data")
    with network.client(master_secret="0x" + "77" * 32) as stranger:
        report = stranger.recover_index()
        assert report.orders > 0 and report.index_chunks == 0 and stranger.list_buckets() == []
    with network.client(master_secret=MASTER) as owner:
        assert owner.recover_index().objects == 1


def test_delete_releases_the_objects_chunks_and_refunds_their_escrow(network, client):
    client.create_bucket("bkt")
    client.put_object("bkt", "obj", os.urandom(SEGMENT + 1000))
    client.put_object("bkt", "keep", b"y")
    manifest = client.head_manifest("bkt", "obj")
    chunks: dict[str, set[int]] = {}
    for segment in manifest.segments:
        for chunk in segment.chunks:
            chunks.setdefault(chunk.order_id, set()).add(chunk.first_blob)
    before = {"0x" + o.order_id.hex(): o for o in network.chain.orders_of_user(USER.address)}
    network.chain.epoch += 1  # a later epoch: only the epochs after it come back

    report = client.delete_object("bkt", "obj")

    after = {"0x" + o.order_id.hex(): o for o in network.chain.orders_of_user(USER.address)}
    expected = 0
    for oid, firsts in chunks.items():
        old, new, state = before[oid], after[oid], client.orders.get(bytes.fromhex(oid[2:]))
        assert firsts <= state.released and new.root != old.root and new.blob_count >= old.blob_count
        # the delete record may have grown the order first; the release took the chunks out of its size
        assert new.size == (new.blob_count - len(state.released) * state.chunk_blobs) * BLOB
        freed = len(firsts) * state.chunk_blobs * BLOB
        expected += freed * new.price * (new.end_epoch - max(network.chain.epoch + 1, new.start_epoch))
    assert expected > 0
    assert (report.chunks, report.orders, report.refunded, report.kept) == (
        sum(len(f) for f in chunks.values()), len(chunks), expected, {}
    )
    with pytest.raises(NoSuchKey):
        client.head_object("bkt", "obj")
    with pytest.raises(NoSuchKey):
        client.delete_object("bkt", "obj")
    assert [o.key for o in client.list_objects("bkt")] == ["keep"]
    assert client.get_object("bkt", "keep") == b"y"
    # The released orders go on growing: the next updates keep the chunks released.
    client.put_object("bkt", "more", b"z" * 5000)
    assert client.get_object("bkt", "more") == b"z" * 5000
    for oid in chunks:
        order = {"0x" + o.order_id.hex(): o for o in network.chain.orders_of_user(USER.address)}[oid]
        assert order.size <= after[oid].size + 4 * manifest.layout.chunk_blobs * BLOB
    with pytest.raises(BucketNotEmpty):
        client.delete_bucket("bkt")
    client.delete_object("bkt", "keep")
    client.delete_object("bkt", "more")
    client.delete_bucket("bkt")
    with pytest.raises(NoSuchBucket):
        client.list_objects("bkt")
    client.create_bucket("bkt")  # the name is free again
    with pytest.raises(BucketAlreadyExists):
        client.create_bucket("bkt")


def test_replacing_an_object_releases_the_old_one(network, client):
    client.create_bucket("bkt")
    client.put_object("bkt", "obj", os.urandom(3000))
    old = client.head_manifest("bkt", "obj")
    client.put_object("bkt", "obj", b"new contents")
    assert client.get_object("bkt", "obj") == b"new contents"
    on_chain = {o.order_id: o for o in network.chain.orders_of_user(USER.address)}
    for chunk in (c for s in old.segments for c in s.chunks):
        state = client.orders.get(bytes.fromhex(chunk.order_id[2:]))
        assert chunk.first_blob in state.released
        order = on_chain[state.order_id]
        assert order.size == (order.blob_count - len(state.released) * state.chunk_blobs) * BLOB


def test_a_delete_whose_provider_is_down_keeps_that_order_paid(network, client):
    client.create_bucket("bkt")
    client.put_object("bkt", "obj", os.urandom(3000))
    manifest = client.head_manifest("bkt", "obj")
    down = manifest.segments[0].chunks[0]
    network.stop_provider(down.provider)
    report = client.delete_object("bkt", "obj")
    assert down.order_id in report.kept and report.orders == len(manifest.orders()) - 1
    assert report.refunded > 0
    with pytest.raises(NoSuchKey):
        client.head_object("bkt", "obj")
