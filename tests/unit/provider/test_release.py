"""Releases: a co-signed update that drops chunks a User deleted, and what the Provider
does with them (serve either root, prove and answer without the data, delete the files
once no older root can be asked about)."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import replace

import pytest

from memo_py.chain import eip712, merkle
from memo_py.chain.records import Dispute
from memo_py.crypto import kzg
from memo_py.crypto.kzg import ZERO_COMMITMENT
from memo_py.protocol.http import RemoteError
from memo_py.provider.housekeeping import ChunkRelease, releasable_chunks, release_chunks

from .fakes import CHAIN_ID, MARKET
from .support import BLOB, CAPACITY, KEEPER, PRICE, PROVIDER, USER, keeper_verifies, terms

NONCE, START, END = 4, 2, 10


def _update(commitments, released=(), seq=0, **changes):
    listed = [ZERO_COMMITMENT if i in released else c for i, c in enumerate(commitments)]
    update = eip712.OrderUpdate(
        user=USER.address,
        provider=PROVIDER.address,
        nonce=NONCE,
        seq=seq,
        size=(len(commitments) - len(released)) * BLOB,
        price=PRICE,
        start_epoch=START,
        end_epoch=END,
        root=merkle.CommitmentTree(listed).root,
        blob_count=len(commitments),
        deadline=eip712.deadline_after(0),
    )
    return replace(update, **changes)


def _signed(update):
    return eip712.sign_order_update(update, USER.key, CHAIN_ID, MARKET)


def _body(update, released=None) -> bytes:
    fields = {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in update.as_message().items()}
    body = {"update": fields, "user_signature": "0x" + _signed(update).hex()}
    if released is not None:
        body["released"] = released
    return json.dumps(body).encode()


def cosign(client, oid, update, released=None) -> bytes:
    answer = client.request("POST", f"/orders/{oid}/cosign", content=_body(update, released)).json()
    return bytes.fromhex(answer["provider_signature"][2:])


def refused(client, oid, update, released=None) -> tuple[int, str]:
    with pytest.raises(RemoteError) as err:
        cosign(client, oid, update, released)
    return err.value.status, err.value.message


@pytest.fixture
def order(user, chain):
    """An order of 3 one-blob chunks, all stored, created on chain: (order id hex, commitments)."""
    body = json.dumps(terms(NONCE, blob_count=3, chunk_blobs=1, start=START, end=END)).encode()
    oid = user.request("POST", "/agreements", content=body).json()["order_id"]
    commitments = []
    for first in range(3):
        answer = user.request("PUT", f"/orders/{oid}/blobs/{first}", content=os.urandom(BLOB)).json()
        commitments.append(bytes.fromhex(answer["commitments"][0][2:]))
    created = _update(commitments)
    chain.submit_orders([(created, _signed(created), cosign(user, oid, created))])
    return oid, commitments


def _release(user, chain, oid, commitments, released, seq=1):
    update = _update(commitments, released=released, seq=seq)
    chain.submit_orders([(update, _signed(update), cosign(user, oid, update, sorted(released)))])
    return update


def test_a_release_is_cosigned_and_both_roots_stay_servable(provider, user, chain, order):
    oid, commitments = order
    old_root = merkle.CommitmentTree(commitments).root
    update = _release(user, chain, oid, commitments, {1})
    signature = chain.submitted[-1][2]
    assert eip712.recover_signer(update, signature, CHAIN_ID, MARKET) == PROVIDER.address
    raw = bytes.fromhex(oid[2:])
    book = provider.service.agreements
    assert book.version(raw, update.root) == {1} and book.version(raw, old_root) == frozenset()
    assert [(r.first_blob, r.seq, r.deleted) for r in book.released(raw).values()] == [(1, 1, False)]
    with provider.client(KEEPER) as keeper:
        new = keeper.get_json(f"/orders/{oid}/commitments", {"root": "0x" + update.root.hex()})
        old = keeper.get_json(f"/orders/{oid}/commitments", {"root": "0x" + old_root.hex()})
    listed = lambda answer: [bytes.fromhex(c[2:]) for c in answer["commitments"]]  # noqa: E731
    assert listed(new) == [commitments[0], ZERO_COMMITMENT, commitments[2]] and new["released"] == [1]
    assert listed(old) == commitments and old["released"] == []
    assert merkle.CommitmentTree(listed(new)).root == update.root


def test_a_released_chunk_stays_released(user, chain, order):
    oid, commitments = order
    _release(user, chain, oid, commitments, {1})
    code, message = refused(user, oid, _update(commitments, seq=2))
    assert code == 409 and "stays released" in message


@pytest.mark.parametrize(
    "released, changes, fragment",
    [
        ([1], {}, "update.size is"),  # the size still counts the released blob
        ([5], {}, "does not start a chunk"),  # outside the order
        ([-1], {}, "non-negative integers"),
        ("1", {}, "must be a list"),
    ],
)
def test_a_release_that_does_not_add_up_gets_400(user, order, released, changes, fragment):
    oid, commitments = order
    update = _update(commitments, seq=1, size=3 * BLOB)
    code, message = refused(user, oid, update, released)
    assert code == 400 and fragment in message


def test_a_root_with_the_data_still_in_it_is_refused(user, order):
    oid, commitments = order
    update = _update(commitments, seq=1, size=2 * BLOB)  # size says released, root does not
    code, message = refused(user, oid, update, [1])
    assert code == 400 and "not the root" in message


def test_a_released_position_takes_no_chunk(provider, user, chain, order):
    oid, commitments = order
    _release(user, chain, oid, commitments, {1})
    raw = bytes.fromhex(oid[2:])
    provider.service.store.delete_chunk(raw, 1)
    with pytest.raises(RemoteError) as err:
        user.request("PUT", f"/orders/{oid}/blobs/1", content=os.urandom(BLOB))
    assert err.value.status == 409 and "released" in err.value.message


def test_proofs_under_the_new_root_need_no_released_data(provider, user, chain, order):
    oid, commitments = order
    update = _release(user, chain, oid, commitments, {0, 2})
    raw = bytes.fromhex(oid[2:])
    for first in (0, 2):  # the files are gone: the proof must not read them
        provider.service.store.delete_chunk(raw, first)
    seed = chain.open_epoch(START)
    with provider.client(KEEPER) as keeper:
        proof = keeper.get_json(f"/proofs/{START}")
    listed = [ZERO_COMMITMENT, commitments[1], ZERO_COMMITMENT]
    assert merkle.CommitmentTree(listed).root == update.root
    # Only the live blob is in the universe: released blobs are never sampled.
    assert proof["samples"] == [[0, 1]]
    assert keeper_verifies(chain, START, seed, proof, {raw: listed})


def test_an_epoch_under_the_old_root_is_proven_with_the_data(provider, user, chain, order):
    oid, commitments = order
    raw = bytes.fromhex(oid[2:])
    old = chain.orders[raw]
    _release(user, chain, oid, commitments, {0})
    chain.orders[raw] = old  # the epoch a Keeper judges still had the old root
    seed = chain.open_epoch(START)
    proof = asyncio.run(provider.service.prover.build_proof(START, seed))
    assert len(proof.samples) == 3  # the old root has every blob live
    assert keeper_verifies(chain, START, seed, proof, {raw: commitments})


def test_housekeeping_deletes_a_released_chunk_once_the_older_roots_are_judged(provider, user, chain, order):
    oid, commitments = order
    _release(user, chain, oid, commitments, {1})
    service = provider.service
    raw = bytes.fromhex(oid[2:])
    orders = {o.order_id: o for o in chain.orders_of(PROVIDER.address)}
    reserved = service.agreements.reserved_bytes()
    # First seen on chain in epoch 5: nothing goes while epoch 5 is not attested,
    # nor while a dispute against the order is open.
    assert releasable_chunks(service.agreements, orders, 5, 4, set()) == []
    assert releasable_chunks(service.agreements, orders, 6, 5, {raw}) == []
    found = releasable_chunks(service.agreements, orders, 6, 5, set())
    assert found == [ChunkRelease(raw, 1)]
    assert release_chunks(service, found) == BLOB
    assert [r.first_blob for r in service.store.records(raw)] == [0, 2]
    assert service.agreements.released(raw)[1].deleted
    assert service.agreements.reserved_bytes() == reserved - BLOB
    assert service.agreements.free_bytes() == CAPACITY - 2 * BLOB
    assert releasable_chunks(service.agreements, orders, 7, 6, set()) == []  # done once


def test_a_root_never_cosigned_here_releases_nothing(provider, user, chain, order):
    oid, commitments = order
    raw = bytes.fromhex(oid[2:])
    orders = {raw: replace(chain.orders[raw], root=b"\x42" * 32)}
    _release(user, chain, oid, commitments, {1})
    assert releasable_chunks(provider.service.agreements, orders, 9, 9, set()) == []


def test_a_dispute_on_a_released_blob_is_answered_without_data(provider, user, chain, order):
    from memo_py.provider.loop import ProviderLoop

    oid, commitments = order
    update = _release(user, chain, oid, commitments, {1})
    raw = bytes.fromhex(oid[2:])
    loop = ProviderLoop(provider.service)
    z = 0x1234
    # A dispute opened under the old root (before the release) needs, and gets, the data.
    old_root = merkle.CommitmentTree(commitments).root
    before = Dispute(8, raw, 1, KEEPER.address, PROVIDER.address, 1, z, 0, old_root, 3, 1)
    commitment, _, y, proof = loop._dispute_answer(before)
    assert commitment == commitments[1] and y != bytes(32) and kzg.verify_opening(commitment, z, y, proof)
    # Under the new root the released blob is the zero blob: no file needed.
    provider.service.store.delete_chunk(raw, 1)
    dispute = Dispute(7, raw, 1, KEEPER.address, PROVIDER.address, 1, z, 0, update.root, 3, 1)
    commitment, path, y, proof = loop._dispute_answer(dispute)
    assert commitment == ZERO_COMMITMENT and y == bytes(32)
    assert merkle.CommitmentTree([commitments[0], ZERO_COMMITMENT, commitments[2]]).proof(1) == path
    assert kzg.verify_opening(commitment, z, y, proof)
    loop.close()


def test_an_order_of_size_zero_is_not_challenged(provider, user, chain, order):
    oid, commitments = order
    _release(user, chain, oid, commitments, {0, 1, 2})
    raw = bytes.fromhex(oid[2:])
    assert chain.orders[raw].size == 0
    chain.open_epoch(START)
    with provider.client(KEEPER) as keeper, pytest.raises(RemoteError) as err:
        keeper.get_json(f"/proofs/{START}")
    assert err.value.status == 404

