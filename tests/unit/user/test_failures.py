"""Providers that are down, serve corrupted chunks, or lie about commitments; Keepers
whose matcher answers are malformed."""

from __future__ import annotations

import os

import pytest

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from memo_py.devnet.anvil import free_port
from memo_py.errors import NotEnoughChunks, UploadFailed
from memo_py.user.network import Matcher
from tests.unit.keeper.support import serve

from .support import BLOB, KEEPER, PROVIDERS, SEGMENT, USER, lie_about_commitments, start_network, tamper

ROGUE = "0x" + "66" * 20  # the address a hostile Keeper claims


def _holders(client, bucket, key, chunks):
    segment = client.head_manifest(bucket, key).segments[0]
    return [c for c in segment.chunks if c.chunk in chunks]


def test_download_survives_m_providers_down(network, client):
    client.create_bucket("bkt")
    data = os.urandom(SEGMENT + 777)
    client.put_object("bkt", "obj", data)
    down = _holders(client, "bkt", "obj", {0, 1})  # both data chunks: decoding must use parity
    for placement in down:
        network.stop_provider(placement.provider)
    assert client.get_object("bkt", "obj") == data
    third = _holders(client, "bkt", "obj", {2})[0]
    network.stop_provider(third.provider)
    with pytest.raises(NotEnoughChunks) as caught:
        client.get_object("bkt", "obj")
    # The error names exactly the Providers that did not serve a chunk, and each one's chunk.
    assert set(caught.value.failures) == {p.provider for p in [*down, third]}
    for placement in [*down, third]:
        assert caught.value.failures[placement.provider].startswith(f"chunk {placement.chunk}: ")
        assert placement.provider in str(caught.value)


def test_a_corrupted_chunk_is_skipped(network, client):
    client.create_bucket("bkt")
    data = os.urandom(5000)
    client.put_object("bkt", "obj", data)
    bad = _holders(client, "bkt", "obj", {0})[0]
    tamper(network.providers[bad.provider], bytes.fromhex(bad.order_id[2:]), bad.first_blob)
    assert client.get_object("bkt", "obj") == data
    # Corrupted and down together, m = 2 of them: still readable.
    down = _holders(client, "bkt", "obj", {1})[0]
    network.stop_provider(down.provider)
    assert client.get_object("bkt", "obj") == data


def test_a_provider_with_wrong_commitments_is_never_cosigned_and_is_replaced(tmp_path, committer):
    network = start_network(tmp_path, committer, providers=5)
    try:
        liar = PROVIDERS[5]
        lie_about_commitments(network.start_provider(liar, price=5))  # the cheapest: matched first
        with network.client() as client:
            client.create_bucket("bkt")
            client.put_object("bkt", "obj", b"hello")
            assert liar.address in client._ctx.banned
            assert all(update.provider != liar.address for update, _, _ in network.chain.submitted)
            assert all(o.provider != liar.address for o in network.chain.orders_of_user(client.address))
            manifest = client.head_manifest("bkt", "obj")
            assert all(c.provider != liar.address for s in manifest.segments for c in s.chunks)
            assert client.get_object("bkt", "obj") == b"hello"
    finally:
        network.close()


def test_without_a_replacement_the_upload_refuses_to_sign(tmp_path, committer):
    network = start_network(tmp_path, committer, providers=3)
    try:
        lie_about_commitments(network.start_provider(PROVIDERS[5], price=5))
        with network.client() as client:
            with pytest.raises(UploadFailed, match="do not match") as caught:
                client.create_bucket("bkt")
            assert caught.value.failures[PROVIDERS[5].address] == "returned commitments that do not match the chunks"
            assert network.chain.submitted == [] and client.list_buckets() == []
    finally:
        network.close()


def _offer(network, i, **fields):
    address = PROVIDERS[i].address
    return {"address": address, "endpoint": network.providers[address].url, "price": 10, "free": 10**9, **fields}


@pytest.mark.parametrize(
    ("health", "match"),
    [
        (["not", "an", "object"], None),
        ({"address": 42}, None),
        ({"address": ROGUE}, {"providers": "everyone"}),
        ({"address": ROGUE}, {"offers": []}),
        ({"address": ROGUE}, "providers"),
        ({"address": ROGUE}, lambda net: {"providers": [_offer(net, 0, address="nobody"), _offer(net, 1)]}),
        ({"address": ROGUE}, lambda net: {"providers": [_offer(net, 0, price="10"), _offer(net, 1)]}),
        ({"address": ROGUE}, lambda net: {"providers": [_offer(net, 0, endpoint="file:///etc"), _offer(net, 1)]}),
        ({"address": ROGUE}, lambda net: {"providers": [_offer(net, 0), _offer(net, 0)]}),  # one Provider twice
        ({"address": ROGUE}, {"providers": [], "padding": "x" * 4 * 2**20}),  # longer than any answer
    ],
    ids=["health-list", "health-address", "providers-text", "no-providers", "match-text", "bad-address",
         "price-text", "bad-endpoint", "duplicate", "flood"],
)
def test_the_matcher_moves_on_past_a_keeper_with_a_malformed_answer(network, health, match):
    asked = []

    async def health_route(request):
        return JSONResponse(health)

    async def match_route(request):
        asked.append(request.url.query)
        return JSONResponse(match(network) if callable(match) else match)

    rogue = serve(Starlette(routes=[Route("/health", health_route), Route("/match", match_route)]))
    matcher = Matcher(USER.key, [rogue.url, network.keeper.url], timeout=10)
    try:
        chosen = matcher.match(2, BLOB)
    finally:
        matcher.close()
        rogue.stop()
    addresses = [p.address for p in chosen]
    assert len(set(addresses)) == 2 and set(addresses) <= {a.address for a in PROVIDERS}
    assert len(asked) == (0 if match is None else 1)  # the rogue was asked first, and passed over
    assert KEEPER.address not in addresses


def test_when_no_keeper_can_match_the_error_names_each_and_why(network):
    down = f"http://127.0.0.1:{free_port()}"
    matcher = Matcher(USER.key, [down, network.keeper.url], timeout=5)
    try:
        with pytest.raises(UploadFailed) as caught:
            matcher.match(len(network.providers) + 1, BLOB)
    finally:
        matcher.close()
    failures = caught.value.failures
    assert set(failures) == {down, network.keeper.url}
    assert "Connection refused" in failures[down]
    n = len(network.providers)
    assert failures[network.keeper.url] == f"HTTP 409: need {n + 1} live Providers with {BLOB} bytes free, found {n}"
