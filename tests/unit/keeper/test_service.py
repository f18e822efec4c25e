"""The Keeper's HTTP API: health, matching, and the requests it must refuse."""

from __future__ import annotations

import json

import httpx
import pytest
from eth_account import Account
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from memo_py.keeper import EpochResults
from memo_py.protocol.auth import sign_request
from memo_py.protocol.http import RemoteError, SignedClient

from .support import ATTACKER, BLOB, KEEPERS, PRICE, START, USER, send_unbounded, serve

EPOCH = START


@pytest.fixture
def keepers(make_keepers):
    return make_keepers()


def test_health_and_status_need_no_signature(keepers):
    health = httpx.get(keepers[1].url + "/health").json()
    assert health["address"] == KEEPERS[1].address and health["slot"] == 1 and health["version"] == 1
    status = httpx.get(keepers[1].url + "/status").json()
    assert status["last_epoch"] is None and status["verdicts"] == []


def test_match_picks_live_registered_providers(network, providers, keepers):
    with keepers.client(0, USER) as user:
        chosen = user.get_json("/match", {"count": "2", "chunk_bytes": str(BLOB)})["providers"]
        assert {p["address"] for p in chosen} == {p.address for p in providers}
        with pytest.raises(RemoteError) as too_many:
            user.get_json("/match", {"count": "3", "chunk_bytes": str(BLOB)})
        assert too_many.value.status == 409
        with pytest.raises(RemoteError) as bad:
            user.get_json("/match", {"count": "0", "chunk_bytes": "1"})
        assert bad.value.status == 400
    providers[0].server.stop()
    # Keeper 1 never saw the stopped Provider alive; Keeper 0 did, a moment ago, and drops it
    # at its first failed probe: a User would only fail on it.
    for keeper in (1, 0):
        with keepers.client(keeper, USER) as user:
            picked = user.get_json("/match", {"count": "1", "chunk_bytes": str(BLOB)})["providers"]
            assert [p["address"] for p in picked] == [providers[1].address]
            with pytest.raises(RemoteError) as not_live:
                user.get_json("/match", {"count": "2", "chunk_bytes": str(BLOB)})
            assert not_live.value.status == 409
            assert not_live.value.message == "need 2 live Providers with 126976 bytes free, found 1"
    with keepers.client(0, ATTACKER) as stranger, pytest.raises(RemoteError) as refused:
        stranger.get_json("/match", {"count": "1", "chunk_bytes": "1"})
    assert refused.value.status == 403


def test_proof_posts_are_checked(network, providers, keepers):
    honest, cheater = providers
    network.set_epoch(EPOCH, open_it=True)
    body = json.dumps(honest.proof(EPOCH).to_json()).encode()
    url = keepers[0].url
    # Unsigned, then replayed.
    assert httpx.post(url + "/proofs", content=body).status_code == 401
    headers = sign_request(honest.account.key, "POST", "/proofs", body, audience=KEEPERS[0].address)
    assert httpx.post(url + "/proofs", content=body, headers=headers).status_code == 200
    assert httpx.post(url + "/proofs", content=body, headers=headers).status_code == 401
    # Another Provider's proof, or a sender that is no Provider.
    for account in (cheater.account, ATTACKER):
        with keepers.client(0, account) as client, pytest.raises(RemoteError) as refused:
            client.request("POST", "/proofs", content=body)
        assert refused.value.status == 403
    with keepers.client(0, honest.account) as client:
        for bad, status in ((b"not json", 400), (json.dumps({"epoch": 1}).encode(), 400)):
            with pytest.raises(RemoteError) as refused:
                client.request("POST", "/proofs", content=bad)
            assert refused.value.status == status
        unopened = json.loads(body) | {"epoch": 7}
        with pytest.raises(RemoteError) as refused:
            client.request("POST", "/proofs", content=json.dumps(unopened).encode())
        assert refused.value.status == 404
    # Once the epoch is judged, late proofs are refused.
    network.set_epoch(EPOCH + 1)
    keepers.tick(0)
    with keepers.client(0, honest.account) as client, pytest.raises(RemoteError) as late:
        client.request("POST", "/proofs", content=body)
    assert late.value.status == 409


def test_sign_requests_are_checked(network, providers, keepers):
    network.set_epoch(EPOCH, open_it=True)
    network.set_epoch(EPOCH + 1)
    with keepers.client(1, KEEPERS[0]) as peer:
        with pytest.raises(RemoteError) as early:
            peer.request("POST", f"/attestations/{EPOCH}/sign", content=json.dumps({"root": "0x", "results": []}).encode())
        assert early.value.status == 400  # the empty proposal does not hash to the root given
    keepers.tick(1)
    results = keepers[1].service.ledger.results(EPOCH).to_json()
    good = json.dumps({"root": results["root"], "results": results["results"]}).encode()
    with keepers.client(1, ATTACKER) as stranger, pytest.raises(RemoteError) as refused:
        stranger.request("POST", f"/attestations/{EPOCH}/sign", content=good)
    assert refused.value.status == 403
    with keepers.client(1, KEEPERS[0]) as peer:
        signed = peer.request("POST", f"/attestations/{EPOCH}/sign", content=good).json()
        assert signed["slot"] == 1 and signed["root"] == results["root"]
        forged = json.dumps({"root": "0x" + "ab" * 32, "results": results["results"]}).encode()
        with pytest.raises(RemoteError) as mismatch:
            peer.request("POST", f"/attestations/{EPOCH}/sign", content=forged)
        assert mismatch.value.status == 400
        other = [[r[0], str(int(r[1]) + 1), r[2]] for r in results["results"]]
        root = "0x" + EpochResults.from_json(EPOCH, other).root.hex()
        with pytest.raises(RemoteError) as disagree:
            peer.request("POST", f"/attestations/{EPOCH}/sign", content=json.dumps({"root": root, "results": other}).encode())
        assert disagree.value.status == 409
        with pytest.raises(RemoteError) as unknown:
            peer.request("POST", "/attestations/99/sign", content=good)
        assert unknown.value.status == 404  # this Keeper has not judged epoch 99
        with pytest.raises(RemoteError) as not_judged:
            peer.get_json("/results/99")
        assert not_judged.value.status == 404
        with pytest.raises(RemoteError) as bad_address:
            peer.get_json(f"/results/{EPOCH}/nobody")
        assert bad_address.value.status == 400
        with pytest.raises(RemoteError) as bad_epoch:
            peer.get_json("/results/-1")
        assert bad_epoch.value.status == 400


def test_a_wrong_audience_is_refused(keepers):
    # A request signed for Keeper 0 and sent to Keeper 1.
    with SignedClient(USER.key, keepers[1].url, KEEPERS[0].address) as client, pytest.raises(RemoteError) as refused:
        client.get_json("/match", {"count": "1", "chunk_bytes": "1"})
    assert refused.value.status == 401


def test_bodies_over_an_endpoints_limit_get_413_unread_and_unsigned(network, providers, keepers):
    network.set_epoch(EPOCH, open_it=True)
    url = keepers[0].url
    headers = sign_request(providers[0].account.key, "POST", "/proofs", b"", audience=KEEPERS[0].address)
    cases = [
        ("POST", "/proofs", [], 10**9, {}),
        ("POST", "/proofs", [b"[" * 2**16] * 33, None, headers),  # chunked, past 2 MiB, signed
        ("POST", f"/attestations/{EPOCH}/sign", [], 10**10, {}),
        ("GET", "/match?count=1&chunk_bytes=1", [b"x"], None, {}),  # a GET takes no body
        ("GET", f"/results/{EPOCH}", [], 10, {}),
        ("GET", "/health", [], 10, {}),  # public, bounded all the same
        ("GET", "/status", [b"x"], None, {}),
    ]
    for method, path, pieces, declared, extra in cases:
        code, answer = send_unbounded(url, method, path, pieces, declared=declared, headers=extra)
        assert (code, answer["error"]) == (413, "RequestTooLarge"), (method, path, declared)
    assert all(keepers[0].service.ledger.proof(EPOCH, p.address) is None for p in providers)


HOSTILE = Account.from_key(b"\x66" * 32)  # a registered Provider whose /health is malformed


def _health(**fields):
    return {"address": HOSTILE.address, "price": PRICE, "capacity": 8 * BLOB, "used": 0, **fields}


@pytest.mark.parametrize(
    "answer",
    [
        _health(price="abc"),
        _health(price=None),
        _health(capacity=[1]),
        _health(used=True),
        _health(price=-1),
        _health(capacity=2**256),
        ["not", "an", "object"],
        {"address": "not an address"},
        b"\x00\xff not json",
        _health(padding="x" * 4 * 2**20),  # longer than any health answer
    ],
    ids=["price-text", "price-null", "capacity-list", "used-bool", "price-negative", "capacity-huge",
         "list", "bad-address", "not-json", "flood"],
)
def test_a_malformed_provider_health_skips_that_provider_only(network, providers, keepers, answer):
    async def health(request):
        if isinstance(answer, bytes):
            return Response(answer, media_type="application/json")
        return JSONResponse(answer)

    hostile = serve(Starlette(routes=[Route("/health", health)]))
    try:
        network.add_provider(HOSTILE.address, hostile.url, 8 * BLOB, PRICE)
        with keepers.client(0, USER) as user:
            chosen = user.get_json("/match", {"count": "2", "chunk_bytes": str(BLOB)})["providers"]
            assert {p["address"] for p in chosen} == {p.address for p in providers}
            with pytest.raises(RemoteError) as short:  # the hostile one is not live, so not offered
                user.get_json("/match", {"count": "3", "chunk_bytes": str(BLOB)})
            assert short.value.status == 409
    finally:
        hostile.stop()
