"""Objects through real Provider apps and a real Keeper matcher: put, get, head, list."""

from __future__ import annotations

import hashlib
import os
import signal
from datetime import datetime, timedelta, timezone

import pytest

from memo_py.errors import NoSuchBucket, NoSuchKey, WrongType
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
    # A page at a time, S3's way: the delimiter rolls a/ up, the token resumes past it.
    first = client.list_objects_page("docs", delimiter="/", max_keys=1)
    assert (first.common_prefixes, first.items, first.is_truncated) == (("a/",), (), True)
    rest = client.list_objects_page("docs", delimiter="/", continuation_token=first.next_token)
    assert [o.key for o in rest.items] == ["b"] and not rest.is_truncated and rest.next_token is None
    with pytest.raises(NoSuchBucket):
        client.list_objects_page("nope")


def test_timestamps_are_utc_datetimes(client):
    before = datetime.now(timezone.utc)
    bucket = client.create_bucket("docs")
    info = client.put_object("docs", "k", b"x")
    after = datetime.now(timezone.utc)
    assert bucket.created.tzinfo is not None and before - timedelta(seconds=1) <= bucket.created <= after
    assert before - timedelta(seconds=1) <= info.last_modified <= after
    assert client.head_object("docs", "k").last_modified == info.last_modified


def test_progress_is_reported_as_chunks_are_stored_and_segments_read(client):
    client.create_bucket("docs")
    data = os.urandom(2 * SEGMENT + 100)
    sent: list[tuple[int, int]] = []
    client.put_object("docs", "big", data, progress=lambda done, total: sent.append((done, total)))
    stored = client.head_manifest("docs", "big")
    chunk_bytes = CHUNK_BLOBS * PAYLOAD_BYTES_PER_BLOB  # a chunk as sent (the Provider packs it into blobs)
    total = len(stored.segments) * (K + M) * chunk_bytes
    assert len(sent) == len(stored.segments) * (K + M)  # one call per chunk stored
    assert [d for d, _ in sent] == [chunk_bytes * (i + 1) for i in range(len(sent))] and {t for _, t in sent} == {total}
    read: list[tuple[int, int]] = []
    assert client.get_object("docs", "big", progress=lambda done, size: read.append((done, size))) == data
    assert read == [(SEGMENT, len(data)), (2 * SEGMENT, len(data)), (len(data), len(data))]


@pytest.mark.parametrize("data", [5, 5.0, True, "five", None, [1, 2], {"a": 1}], ids=repr)
def test_an_object_that_is_not_bytes_is_a_type_error_and_nothing_is_stored(network, client, data):
    client.create_bucket("bkt")
    orders = network.chain.orders_of_user(USER.address)
    stored = {a: s.service.store.used_bytes() for a, s in network.providers.items()}
    with pytest.raises(WrongType) as info:
        client.put_object("bkt", "k", data)  # bytes(5) would be five zero bytes
    named = "int" if isinstance(data, list) else type(data).__name__  # a list is an iterable: of ints here
    assert isinstance(info.value, TypeError) and f"not {named}" in str(info.value)
    with pytest.raises(NoSuchKey):
        client.head_object("bkt", "k")
    assert network.chain.orders_of_user(USER.address) == orders
    assert {a: s.service.store.used_bytes() for a, s in network.providers.items()} == stored
    assert client.put_object("bkt", "k", memoryview(b"view")).size == 4  # any bytes-like object is bytes
    assert client.get_object("bkt", "k") == b"view"


@pytest.mark.parametrize("amount", [1.5, 1.0, True, "1", None], ids=repr)
def test_an_amount_that_is_not_an_int_is_a_type_error_and_nothing_moves(network, client, amount):
    balance = client.balance()
    for move in (client.deposit, client.withdraw):
        with pytest.raises(WrongType):
            move(amount)  # deposit(1.5) would deposit 1 wei
    assert client.balance() == balance
    client.deposit(7)
    assert client.balance() == balance + 7


def test_a_user_config_refuses_a_max_price_that_is_not_an_int():
    from pydantic import ValidationError

    from memo_py.user import UserConfig

    from .support import MASTER

    good = dict(master_secret=MASTER, private_key=USER.key.hex(), keepers=("http://127.0.0.1:8800",))
    assert UserConfig(**good, max_price=10).max_price == 10
    for bad in (True, 1.0, "10"):
        with pytest.raises(ValidationError):
            UserConfig(**good, max_price=bad)


def test_an_interrupted_put_stops_sending_chunks_and_stores_no_object(client):
    """Ctrl-C during a put once waited for every chunk already queued to be sent (7.5 s):
    now the upload threads send nothing after the PUTs in flight. The test sends itself a
    real SIGINT once the first chunk is stored, as a terminal would."""
    client.create_bucket("docs")
    stripes = 30
    data = os.urandom(stripes * SEGMENT)
    calls: list[int] = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # ape's handler would exit the run
    try:
        with pytest.raises(KeyboardInterrupt):
            client.put_object("docs", "big", data, progress=progress)
    finally:
        signal.signal(signal.SIGINT, previous)
    client.close()  # waits for the upload threads: they have stopped
    in_flight = (K + M) * 4  # PUTS_IN_FLIGHT per Provider
    assert len(calls) <= 1 + in_flight < stripes * (K + M)
    assert client.list_objects("docs") == []
