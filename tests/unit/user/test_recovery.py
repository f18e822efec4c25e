"""Recovery of the index from the master secret, the chain and the Providers; delete."""

from __future__ import annotations

import os

import pytest

from memo_py.errors import BucketAlreadyExists, BucketNotEmpty, NoSuchBucket, NoSuchKey

from .support import MASTER, SEGMENT, USER


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
        assert fresh.list_buckets() == []
        report = fresh.recover_index()
        assert report.buckets == 2 and report.objects == 3 and report.records == 10
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


def test_delete_removes_the_object_and_keeps_the_orders_running(network, client):
    client.create_bucket("bkt")
    client.put_object("bkt", "obj", b"x" * 1000)
    client.put_object("bkt", "keep", b"y")
    orders = {o.order_id: o for o in network.chain.orders_of_user(USER.address)}
    client.delete_object("bkt", "obj")
    with pytest.raises(NoSuchKey):
        client.head_object("bkt", "obj")
    with pytest.raises(NoSuchKey):
        client.delete_object("bkt", "obj")
    assert [o.key for o in client.list_objects("bkt")] == ["keep"]
    # Nothing in the Market lets an order shrink or end early: the orders keep their terms.
    for order in network.chain.orders_of_user(USER.address):
        if order.order_id in orders:
            old = orders[order.order_id]
            assert order.end_epoch == old.end_epoch and order.blob_count >= old.blob_count
    with pytest.raises(BucketNotEmpty):
        client.delete_bucket("bkt")
    client.delete_object("bkt", "keep")
    client.delete_bucket("bkt")
    with pytest.raises(NoSuchBucket):
        client.list_objects("bkt")
    client.create_bucket("bkt")  # the name is free again
    with pytest.raises(BucketAlreadyExists):
        client.create_bucket("bkt")
