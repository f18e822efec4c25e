"""Writes that survive failure: a put that fails leaves nothing that hurts the next one,
a put that outlasts its orders' start still settles, and one the balance cannot pay for
is refused before a byte leaves (real Provider and Keeper apps, the in-memory Market)."""

from __future__ import annotations

import json
import os

import pytest

from memo_py.chain.errors import InsufficientFunds
from memo_py.display import format_tokens
from memo_py.errors import UploadFailed
from memo_py.user.upload import START_MARGIN

from .fakes import Reverted
from .support import K, M, USER


def _agreement(network, provider: str, order_id: bytes):
    return network.providers[provider].service.agreements.get(order_id)


def _slow_uploads(network, epochs: int = 10) -> None:
    """The chain moves ``epochs`` epochs during the next chunk upload, as in a long put."""
    chain = network.chain
    moved = []
    for server in network.providers.values():
        honest = server.service.ingest.put

        async def slow_put(*args, _honest=honest, **kwargs):
            if not moved:
                moved.append(True)
                chain.epoch += epochs
            return await _honest(*args, **kwargs)

        server.service.ingest.put = slow_put


def test_a_put_that_outlasts_its_orders_start_is_re_timed_and_settles(network, client):
    """The chain moves 10 epochs while the chunks are uploaded: the orders the put opened
    would start in the past, so they are moved later, with their Providers, and settle."""
    chain = network.chain
    _slow_uploads(network)
    opened_at = chain.epoch
    client.create_bucket("bkt")  # the first write opens the orders
    assert chain.epoch == opened_at + 10
    orders = chain.orders_of_user(USER.address)
    assert len(orders) == K + M
    for order in orders:
        assert order.start_epoch == chain.epoch + max(client.config.policy.start_delay, START_MARGIN)
        assert order.end_epoch - order.start_epoch == client.config.order_epochs  # the same term
        agreement = _agreement(network, order.provider, order.order_id)
        assert (agreement.start_epoch, agreement.end_epoch) == (order.start_epoch, order.end_epoch)
    data = os.urandom(5000)
    client.put_object("bkt", "obj", data)
    assert client.get_object("bkt", "obj") == data


def test_a_provider_re_times_only_an_order_the_chain_does_not_hold(network, client):
    """Once an order is on chain its start is the Market's: a later start is refused as other terms."""
    client.create_bucket("bkt")
    order = network.chain.orders_of_user(USER.address)[0]
    terms = {"nonce": order.nonce, "price": order.price, "start_epoch": order.start_epoch + 5,
             "end_epoch": order.end_epoch + 5, "blob_count": order.blob_count,
             "chunk_blobs": _agreement(network, order.provider, order.order_id).chunk_blobs}
    provider = client._ctx.providers.client(order.provider)
    with pytest.raises(Exception, match="exists with other terms"):
        provider.request("POST", "/agreements", content=json.dumps(terms).encode())
    assert _agreement(network, order.provider, order.order_id).start_epoch == order.start_epoch


def test_puts_that_failed_at_settlement_leave_nothing_that_hurts_the_next(network, monkeypatch):
    """Two clients in turn (two runs of the CLI) fail after their chunks were stored and
    co-signed: the Providers keep those agreements under nonces the chain never saw. A third,
    knowing orders from the chain only, skips those nonces and stores and reads back."""
    chain = network.chain
    honest = chain.submit_orders

    def refuse(updates):
        raise Reverted("market: provider not active")

    monkeypatch.setattr(chain, "submit_orders", refuse)
    for _ in range(2):
        with network.client() as failing:
            with pytest.raises(Reverted, match="market: provider not active"):
                failing.create_bucket("bkt")
    assert chain.orders_of_user(USER.address) == []
    failed = {a: {g.nonce for g in s.service.agreements.all()} for a, s in network.providers.items()}
    assert set().union(*failed.values()) == {1, 2}  # both runs' agreements are still held
    monkeypatch.setattr(chain, "submit_orders", honest)
    with network.client() as client:
        client.create_bucket("bkt")
        data = os.urandom(3000)
        client.put_object("bkt", "obj", data)
        assert client.get_object("bkt", "obj") == data
    orders = chain.orders_of_user(USER.address)
    assert len(orders) >= K + M and all(o.nonce not in failed[o.provider] for o in orders)


def test_a_put_the_balance_cannot_pay_for_is_refused_before_a_byte_leaves(network, client):
    client.create_bucket("bkt")
    chain = network.chain
    stored = {a: s.service.store.used_bytes() for a, s in network.providers.items()}
    submitted = len(chain.submitted)
    chain.balances[USER.address] = 1000
    size = 20_000
    quote = client.quote_put("bkt", "big", size)
    assert quote.escrow > 1000
    with pytest.raises(InsufficientFunds) as refused:
        client.put_object("bkt", "big", os.urandom(size))
    assert str(refused.value) == (
        f"this put escrows {format_tokens(quote.escrow)} tokens and the Market balance holds "
        f"{format_tokens(1000)}: deposit {format_tokens(quote.escrow - 1000)} more (memo user deposit)"
    )
    assert {a: s.service.store.used_bytes() for a, s in network.providers.items()} == stored  # nothing sent
    assert len(chain.submitted) == submitted and chain.balances[USER.address] == 1000
    chain.balances[USER.address] = quote.escrow  # exactly enough
    client.put_object("bkt", "big", os.urandom(size))
    assert chain.balances[USER.address] == 0


def test_a_failed_re_timing_names_the_provider(network, client):
    """A Provider that will not move its order's start fails the put with its name; nothing settles."""
    chain = network.chain
    _slow_uploads(network)
    for server in network.providers.values():
        honest_propose = server.service.agreements.propose

        def stubborn(user, terms, *, unsettled=False, _honest=honest_propose):
            return _honest(user, terms, unsettled=False)

        server.service.agreements.propose = stubborn
    with pytest.raises(UploadFailed, match="did not move order") as failed:
        client.create_bucket("bkt")
    assert len(failed.value.failures) == 1
    assert "did not re-time its order: HTTP 409: order 0x" in next(iter(failed.value.failures.values()))
    assert chain.orders_of_user(USER.address) == []
