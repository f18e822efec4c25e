"""The client tells the truth about the index: a fresh client finds it on first use, and an
index that cannot be read is an error (IndexUnavailable), never an empty account."""

from __future__ import annotations

import pytest

from memo_py.errors import IndexUnavailable

from .support import USER


def _holders(network) -> list[str]:
    """The Providers holding the User's orders, in a fixed order."""
    return sorted({o.provider for o in network.chain.orders_of_user(USER.address) if o.blob_count > 0})


def test_a_fresh_client_finds_its_index_on_first_use_and_writes_on(network, client):
    client.create_bucket("photos")
    client.put_object("photos", "cat.jpg", b"meow")
    orders = {o.order_id for o in network.chain.orders_of_user(USER.address)}
    with network.client() as fresh:  # no recover_index() by hand
        assert [b.name for b in fresh.list_buckets()] == ["photos"]
        assert fresh.get_object("photos", "cat.jpg") == b"meow"
    with network.client() as fresh:  # a write first: it goes on in the orders already there
        fresh.put_object("photos", "dog.jpg", b"woof")
        assert {o.order_id for o in network.chain.orders_of_user(USER.address)} == orders
        assert [o.key for o in fresh.list_objects("photos")] == ["cat.jpg", "dog.jpg"]
    with network.client() as fresh:
        fresh.create_bucket("logs")
        assert [b.name for b in fresh.list_buckets()] == ["logs", "photos"]


def test_a_new_account_reads_as_empty(network):
    with network.client() as fresh:
        assert fresh.list_buckets() == []
        assert fresh.recover_index().unreachable == []


def test_more_than_m_providers_down_is_an_error_not_an_empty_account(network, client):
    client.create_bucket("photos")  # k=2, m=2: one record on 4 Providers
    holders = _holders(network)
    assert len(holders) == 4
    down = holders[:3]
    for address in down:
        network.stop_provider(address)
    with network.client() as fresh:
        with pytest.raises(IndexUnavailable) as caught:
            fresh.list_buckets()
        assert str(caught.value) == (
            f"cannot read the index: 3 of 4 Providers unreachable, 2 needed (unreachable: {', '.join(down)})"
        )
        assert sorted(caught.value.unreachable) == down
        assert (caught.value.providers, caught.value.needed) == (4, 2)
        with pytest.raises(IndexUnavailable):  # a write does not start on an unread index either
            fresh.create_bucket("photos")
        with pytest.raises(IndexUnavailable):  # and every later call tries again, and says so again
            fresh.head_bucket("photos")


def test_every_provider_down_is_an_error(network, client):
    client.create_bucket("photos")
    holders = _holders(network)
    for address in holders:
        network.stop_provider(address)
    with network.client() as fresh, pytest.raises(IndexUnavailable) as caught:
        fresh.recover_index()
    assert str(caught.value) == (
        "cannot read the index: 4 of 4 Providers unreachable, and an index record of 2+2 chunks could lie on"
        f" them alone (unreachable: {', '.join(holders)})"
    )


def test_m_providers_down_still_read_in_full(network, client):
    client.create_bucket("photos")
    client.put_object("photos", "cat.jpg", b"meow")
    down = _holders(network)[:2]
    for address in down:
        network.stop_provider(address)
    with network.client() as fresh:
        report = fresh.recover_index()
        assert (report.buckets, report.objects, report.unreachable) == (1, 1, down)
        assert fresh.get_object("photos", "cat.jpg") == b"meow"
