"""Cost before paying, term and renewal, and the account's status, through real Provider
apps, a real Keeper matcher and the in-memory Market (which escrows as ``Market.vy``)."""

from __future__ import annotations

import os

import pytest

from memo_py.native import BYTES_PER_BLOB, PAYLOAD_BYTES_PER_BLOB
from memo_py.user.costs import GB, MONTH_SECONDS, price_for_gb_month, wei_per_gb_month

from .support import CHUNK_BLOBS, K, M, PRICE, SEGMENT, USER, start_network

N = K + M


@pytest.fixture
def network(tmp_path, committer):
    net = start_network(tmp_path, committer, providers=N)  # the matcher must pick all four: quotes are exact
    yield net
    net.close()


def orders(network):
    return {o.order_id: o for o in network.chain.orders_of_user(USER.address)}


def test_prices_per_gb_month_and_back():
    assert wei_per_gb_month(1, MONTH_SECONDS) == GB  # one epoch a month: a wei per byte is 10^9 per GB
    assert wei_per_gb_month(10, 8.0) == 10 * GB * MONTH_SECONDS // 8
    assert price_for_gb_month(wei_per_gb_month(10, 8.0), 8.0) == 10
    assert price_for_gb_month(wei_per_gb_month(10, 8.0) - 1, 8.0) == 9  # never above the cap


def test_a_quote_is_what_the_put_then_escrows_and_costs_nothing(network):
    with network.client() as client:
        client.create_bucket("photos")
        size = 2 * SEGMENT + 100  # three stripes, and one of the index record
        before_balance, before_orders, before_tx = client.balance(), orders(network), network.chain.transactions
        quote = client.quote_put("photos", "cat.jpg", size, content_type="image/jpeg")
        assert (client.balance(), orders(network), network.chain.transactions) == (before_balance, before_orders, before_tx)
        assert (quote.stripes, quote.record_stripes, len(quote.slots)) == (3, 1, N)
        assert all(not s.new_order and s.blobs == 4 * CHUNK_BLOBS and s.price == PRICE for s in quote.slots)
        assert quote.stored_bytes == N * 4 * CHUNK_BLOBS * BYTES_PER_BLOB
        client.put_object("photos", "cat.jpg", os.urandom(size), content_type="image/jpeg")
        assert before_balance - client.balance() == quote.escrow  # to the wei
        ends = {o.end_epoch for o in orders(network).values()}
        assert quote.paid_through == min(ends) - 1
        assert quote.monthly == round(N * 4 * CHUNK_BLOBS * PAYLOAD_BYTES_PER_BLOB * PRICE * MONTH_SECONDS / 8.0)


def test_a_put_that_opens_new_orders_is_quoted_for_the_whole_term(network):
    with network.client(order_epochs=40) as client:
        client.create_bucket("bkt")
        for order in client.orders.all():
            order.retired = True  # as after a price rise: the next put opens new orders
        quote = client.quote_put("bkt", "k", 10)
        current = network.chain.current_epoch()
        assert all(s.new_order and s.epochs == 40 for s in quote.slots)
        assert quote.paid_through == current + 2 + 40 - 1  # start_delay 2, term 40
        assert quote.escrow == N * 2 * CHUNK_BLOBS * PAYLOAD_BYTES_PER_BLOB * PRICE * 40
        balance = client.balance()
        client.put_object("bkt", "k", b"0123456789")
        assert balance - client.balance() == quote.escrow


def test_renew_lengthens_every_order_and_escrows_exactly_the_added_epochs(network):
    with network.client() as client:
        client.create_bucket("bkt")
        client.put_object("bkt", "k", os.urandom(1000))
        before, balance = orders(network), client.balance()
        current = network.chain.current_epoch()
        renewals = client.renew(200)
        after = orders(network)
        assert len(renewals) == N and all(r.renewed for r in renewals)
        assert {o.end_epoch for o in after.values()} == {current + 200}
        added = sum(o.size * o.price * (current + 200 - before[oid].end_epoch) for oid, o in after.items())
        assert balance - client.balance() == added == sum(r.escrow for r in renewals)
        for oid, o in after.items():
            assert (o.seq, o.size, o.root, o.blob_count) == (before[oid].seq + 1, before[oid].size, before[oid].root, before[oid].blob_count)
        assert client.renew(100) == []  # every order already runs longer
        assert client.get_object("bkt", "k") and client.status(check_health=False).objects[0].paid_through == current + 199
        client.put_object("bkt", "k2", b"grows the renewed orders")  # the Provider agreed to the new end
        assert {o.end_epoch for o in orders(network).values()} == {current + 200}


def test_a_provider_that_does_not_answer_is_reported_and_the_others_renewed(network):
    with network.client() as client:
        client.create_bucket("bkt")
        client.put_object("bkt", "k", b"x" * 100)
        down = sorted(network.providers)[0]
        network.stop_provider(down)
        balance = client.balance()
        renewals = {r.provider: r for r in client.renew(300)}
        assert not renewals[down].renewed and renewals[down].escrow == 0 and "ConnectError" in renewals[down].error
        assert all(r.renewed for p, r in renewals.items() if p != down)
        assert balance - client.balance() == sum(r.escrow for r in renewals.values())
        ends = {o.provider: o.end_epoch for o in orders(network).values()}
        assert ends[down] == renewals[down].old_end and ends[sorted(network.providers)[1]] == renewals[down].new_end


def test_a_fresh_client_renews_what_ends_soon_on_first_use(network):
    with network.client(order_epochs=50) as client:
        client.create_bucket("bkt")
        client.put_object("bkt", "k", b"kept")
    ends = {o.end_epoch for o in orders(network).values()}
    with network.client(order_epochs=500, renew_within=max(ends)) as client:  # everything ends "soon"
        assert client.list_objects("bkt")[0].key == "k"  # the first use renews as it reads the index
        current = network.chain.current_epoch()
        assert all(r.renewed and r.new_end == current + 500 for r in client.renewals) and len(client.renewals) == N
    assert {o.end_epoch for o in orders(network).values()} == {current + 500}
    with network.client(order_epochs=900, renew_within=10) as client:  # nothing ends within 10 epochs
        client.list_objects("bkt")
        assert client.renewals == []


def test_status_shows_where_each_object_is_its_health_its_term_and_its_cost(network):
    with network.client(warn_within=1000) as client:
        client.create_bucket("bkt", k=K, m=M)
        client.put_object("bkt", "two-stripes", os.urandom(SEGMENT + 1))
        status = client.status()
        current = network.chain.current_epoch()
        (obj,) = status.objects
        assert (obj.bucket, obj.key, obj.size) == ("bkt", "two-stripes", SEGMENT + 1)
        assert obj.stored_bytes == 2 * N * CHUNK_BLOBS * BYTES_PER_BLOB
        assert set(obj.providers) == set(network.providers) and obj.health == "healthy" and obj.weakest_stripe == N
        assert obj.paid_through == min(o.end_epoch for o in orders(network).values()) - 1
        assert obj.monthly == round(2 * N * CHUNK_BLOBS * PAYLOAD_BYTES_PER_BLOB * PRICE * MONTH_SECONDS / 8.0)
        assert obj.paid_through_date > status.objects[0].paid_through_date.replace(year=2000)
        assert status.expiring == (obj,) and status.current_epoch == current  # ends within 1000 epochs
        with network.client(warn_within=1) as other:  # nothing ends within one epoch
            assert other.status(check_health=False).expiring == ()
        stopped = sorted(network.providers)[: M]
        for address in stopped:
            network.stop_provider(address)
        degraded = client.status()
        assert degraded.objects[0].health == "degraded" and set(degraded.unreachable) == set(stopped)
        network.stop_provider(sorted(network.providers)[M])
        assert client.status().objects[0].health == "unreadable"
