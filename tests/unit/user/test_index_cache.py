"""The local index cache: checked against the chain, only changed orders listed, ignored
when damaged or made under another secret; the master secret alone still recovers."""

from __future__ import annotations

import os
import stat

from .support import USER, start_network


def _snapshot(client):
    return {b.name: sorted((o.key, o.etag) for o in client.list_objects(b.name)) for b in client.list_buckets()}


def test_an_unchanged_account_reads_from_the_cache_without_asking_a_provider(network, tmp_path):
    cache = tmp_path / "cache"
    with network.client(cache_dir=cache) as writer:
        writer.create_bucket("photos")
        writer.put_object("photos", "cat.jpg", b"meow")
        writer.put_object("photos", "dog.jpg", b"woof")
        writer.delete_object("photos", "dog.jpg")
        expected = _snapshot(writer)
    (path,) = cache.iterdir()  # one file, no temporary one left
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with network.client(cache_dir=cache) as first:  # lists the orders its own writes changed
        assert first.recover_index().cached == 4
    for address in list(network.providers):
        network.stop_provider(address)
    with network.client(cache_dir=cache) as fresh:
        report = fresh.recover_index()
        assert (report.cached, report.listed_orders, report.records) == (4, 0, 4)
        assert _snapshot(fresh) == expected


def test_writes_of_another_client_are_found_in_the_changed_orders_only(network, tmp_path):
    cache = tmp_path / "cache"
    with network.client(cache_dir=cache) as mine:
        mine.create_bucket("photos")
        mine.put_object("photos", "cat.jpg", b"meow")
    with network.client(cache_dir=cache) as mine:
        mine.recover_index()  # the cache now matches the chain
    with network.client() as other:  # no cache: another machine
        other.create_bucket("logs", k=1, m=1)
        other.put_object("photos", "new", b"from elsewhere")
        expected = _snapshot(other)
    orders = len(network.chain.orders_of_user(USER.address))
    with network.client(cache_dir=cache) as mine:
        report = mine.recover_index()
        assert report.cached == 2 and report.records == 4 and 0 < report.listed_orders < orders
        assert _snapshot(mine) == expected
        assert mine.get_object("photos", "new") == b"from elsewhere"


def test_a_damaged_cache_or_another_secret_is_ignored(network, tmp_path):
    cache = tmp_path / "cache"
    with network.client(cache_dir=cache) as writer:
        writer.create_bucket("photos")
        writer.put_object("photos", "cat.jpg", b"meow")
        expected = _snapshot(writer)
    (path,) = cache.iterdir()
    with network.client(cache_dir=cache, master_secret="0x" + "77" * 32) as stranger:
        report = stranger.recover_index()  # the owner's cache is not its own
        assert (report.cached, report.buckets) == (0, 0)
    assert len(list(cache.iterdir())) == 2  # each secret its own file: the owner's is intact
    with network.client(cache_dir=cache) as owner:
        assert owner.recover_index().cached == 2
    path.write_bytes(os.urandom(100))
    with network.client(cache_dir=cache) as owner:
        report = owner.recover_index()
        assert (report.cached, report.records) == (0, 2)
        assert _snapshot(owner) == expected
    with network.client(cache_dir=cache) as owner:  # and it was written again
        assert owner.recover_index().cached == 2


def test_a_cache_from_another_history_of_the_chain_is_not_believed(network, tmp_path, committer):
    """A devnet started again has the same chain id and contract addresses but none of the old
    orders: the cache made against them once showed a bucket that was not there (the README
    walk-through run twice), and a write into it failed."""
    cache = tmp_path / "cache"
    with network.client(cache_dir=cache) as old:
        old.create_bucket("photos")
    fresh = start_network(tmp_path / "again", committer)
    try:
        with fresh.client(cache_dir=cache) as client:
            assert client.list_buckets() == []
            client.create_bucket("photos")  # not "already exists"
            assert [b.name for b in client.list_buckets()] == ["photos"]
    finally:
        fresh.close()
