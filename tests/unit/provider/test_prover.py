"""Epoch proofs served by GET /proofs/{epoch}, checked the way a Keeper checks them."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import threading
import time

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from memo_py.protocol.auth import RequestVerifier
from memo_py.protocol.http import RemoteError, authenticate
from memo_py.protocol.limits import MAX_MESSAGE_BYTES
from memo_py.provider import ChainOrder, KeeperEndpoint, blob_universe
from memo_py.provider.agreements import order_id

from .support import BLOB, KEEPER, PROVIDER, USER, free_port, keeper_verifies, make_config, serve, terms

START, END = 2, 10


def _stored_order(client, chain, nonce: int, blob_count: int, chunk_blobs: int) -> tuple[bytes, list[bytes]]:
    """Agree, upload every chunk, and put the order on the fake chain; its id and commitments."""
    body = json.dumps(terms(nonce, blob_count=blob_count, chunk_blobs=chunk_blobs, start=START, end=END)).encode()
    oid = client.request("POST", "/agreements", content=body).json()["order_id"]
    commitments: list[bytes] = []
    for first in range(0, blob_count, chunk_blobs):
        answer = client.request("PUT", f"/orders/{oid}/blobs/{first}", content=os.urandom(chunk_blobs * BLOB)).json()
        commitments += [bytes.fromhex(c[2:]) for c in answer["commitments"]]
    raw = bytes.fromhex(oid[2:])
    chain.add_order(
        ChainOrder(raw, USER.address, PROVIDER.address, nonce, 0, blob_count * BLOB, 10, START, END, b"\x00" * 32, blob_count)
    )
    return raw, commitments


@pytest.fixture
def stored(provider, user, chain):
    """Two orders (2 blobs in one chunk, 1 blob) on a Provider; their commitments by order id."""
    return dict([_stored_order(user, chain, 1, 2, 2), _stored_order(user, chain, 2, 1, 1)])


def keeper_checks(proof: dict, epoch: int, seed: bytes, chain, stored: dict[bytes, list[bytes]], sample_size: int) -> bool:
    return keeper_verifies(chain, epoch, seed, proof, stored, sample_size)


def test_the_proof_verifies_against_the_stored_commitments(provider, chain, stored):
    seed = chain.open_epoch(3)
    with provider.client(KEEPER) as keeper:
        proof = keeper.get_json("/proofs/3")
        assert keeper.get_json("/proofs/3") == proof  # cached, same answer
    assert proof["provider"] == PROVIDER.address and proof["epoch"] == 3
    assert keeper_checks(proof, 3, seed, chain, stored, 16)


def test_each_order_is_sampled_on_its_own_and_indices_map_into_it(tmp_path, chain, committer):
    running = serve(make_config(tmp_path, sample_size=2), chain, committer)
    try:
        with running.client(USER) as user:
            orders = dict([_stored_order(user, chain, 1, 2, 1), _stored_order(user, chain, 2, 4, 2)])
        for epoch in (3, 4, 5):
            seed = chain.open_epoch(epoch)
            with running.client(KEEPER) as keeper:
                proof = keeper.get_json(f"/proofs/{epoch}")
            # Each order is sampled on its own: 2 blobs of each (both orders hold 2).
            assert [p for p, _ in proof["samples"]] == [0, 0, 1, 1]
            assert keeper_checks(proof, epoch, seed, chain, orders, 2)
    finally:
        running.stop()


def test_only_orders_active_in_the_epoch_are_challenged(chain):
    def order(n, start, end):
        return ChainOrder(bytes([n]) * 32, USER.address, PROVIDER.address, n, 0, BLOB, 1, start, end, b"\x00" * 32, 1)

    orders = [order(3, 2, 5), order(1, 4, 9), order(2, 1, 4)]
    assert [o.order_id[0] for o in blob_universe(orders, 4)] == [1, 3]
    assert [o.order_id[0] for o in blob_universe(orders, 9)] == []


def test_a_tampered_blob_makes_the_proof_fail(provider, chain, stored, tmp_path):
    seed = chain.open_epoch(3)
    oid = min(order_id(USER.address, PROVIDER.address, n) for n in (1, 2))
    path = tmp_path / "chunks" / oid.hex() / f"{0:010d}.chunk"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    with provider.client(KEEPER) as keeper:
        # The store notices the file no longer matches its digest.
        with pytest.raises(RemoteError) as err:
            keeper.get_json("/proofs/3")
        assert err.value.status == 404 and "corrupted" in err.value.message
        # A Provider that also rewrites the digest still cannot prove the original data.
        db = sqlite3.connect(tmp_path / "store.db")
        db.execute("UPDATE chunks SET sha256 = ? WHERE order_id = ? AND first_blob = 0", (hashlib.sha256(data).digest(), oid))
        db.commit()
        db.close()
        proof = keeper.get_json("/proofs/3")
    assert not keeper_checks(proof, 3, seed, chain, stored, 16)


def test_proofs_are_for_keepers_only(provider, user, stored, chain):
    chain.open_epoch(3)
    with pytest.raises(RemoteError) as err:
        user.get_json("/proofs/3")
    assert err.value.status == 403


def test_an_epoch_without_seed_or_without_active_orders_gets_404(provider, chain, stored):
    with provider.client(KEEPER) as keeper:
        with pytest.raises(RemoteError) as err:
            keeper.get_json("/proofs/7")
        assert err.value.status == 404 and "no seed" in err.value.message
        chain.open_epoch(END)
        with pytest.raises(RemoteError) as err:
            keeper.get_json(f"/proofs/{END}")
        assert err.value.status == 404 and "no live blobs" in err.value.message


def test_the_proof_is_pushed_to_every_keeper_signed_by_the_provider(tmp_path, chain, committer):
    received = []
    verifier = RequestVerifier(KEEPER.address)

    async def proofs(request):
        signer, body = await authenticate(request, verifier, limit=MAX_MESSAGE_BYTES)
        received.append((signer, json.loads(body)))
        return JSONResponse({"ok": True})

    port = free_port()
    keeper_app = Starlette(routes=[Route("/proofs", proofs, methods=["POST"])])
    keeper_server = uvicorn.Server(uvicorn.Config(keeper_app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=keeper_server.run, daemon=True)
    thread.start()
    while not keeper_server.started:
        time.sleep(0.01)
    up, down = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{free_port()}"
    keepers = (KeeperEndpoint(address=KEEPER.address, url=up), KeeperEndpoint(address=KEEPER.address, url=down))
    running = serve(make_config(tmp_path, keepers=keepers), chain, committer)
    try:
        with running.client(USER) as user:
            raw, commitments = _stored_order(user, chain, 1, 1, 1)
        seed = chain.open_epoch(3)
        outcome = asyncio.run(running.service.push_epoch(3))
    finally:
        running.stop()
        keeper_server.should_exit = True
        thread.join(5)
    assert outcome[up] == "ok" and outcome[down].startswith("ConnectError")  # one Keeper down: the others still get it
    assert len(received) == 1 and received[0][0] == PROVIDER.address
    assert keeper_checks(received[0][1], 3, seed, chain, {raw: commitments}, 16)
