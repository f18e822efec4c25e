"""The Provider's HTTP API over a real uvicorn server and real signed httpx clients."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from memo_py import native
from memo_py.crypto import kzg
from memo_py.protocol.auth import HEADER_ADDRESS, sign_request
from memo_py.protocol.http import RemoteError
from memo_py.provider import ChunkStore, order_id

from tests.unit.keeper.support import send_unbounded

from .support import ATTACKER, BLOB, CAPACITY, KEEPER, OTHER_USER, PRICE, PROVIDER, USER, make_config, serve, terms


def status(call) -> tuple[int, str]:
    with pytest.raises(RemoteError) as err:
        call()
    return err.value.status, err.value.message


def agree(client, **kw) -> str:
    return client.request("POST", "/agreements", content=_json(terms(**kw))).json()["order_id"]


def put(client, oid: str, first: int, data: bytes) -> list[str]:
    return client.request("PUT", f"/orders/{oid}/blobs/{first}", content=data).json()["commitments"]


def _json(value) -> bytes:
    import json

    return json.dumps(value).encode()


def expected_commitments(data: bytes) -> list[str]:
    packed = native.pack_blobs(data)
    return ["0x" + kzg.commit(packed[k : k + kzg.BYTES_PER_BLOB]).hex() for k in range(0, len(packed), kzg.BYTES_PER_BLOB)]


# ----------------------------------------------------------------------------- health


def test_health_is_public_and_reports_capacity(provider, user):
    before = httpx.get(provider.url + "/health").json()
    assert before == {
        "address": PROVIDER.address,
        "price": PRICE,
        "capacity": CAPACITY,
        "used": 0,
        "free": CAPACITY,
        "stored": 0,
        "epoch": 1,
        "version": 1,
    }
    agree(user, blob_count=3)
    after = httpx.get(provider.url + "/health").json()
    assert after["used"] == 3 * BLOB and after["free"] == CAPACITY - 3 * BLOB


# ----------------------------------------------------------------------------- authentication


def test_unsigned_requests_get_401(provider):
    reply = httpx.post(provider.url + "/agreements", content=_json(terms()))
    assert reply.status_code == 401 and reply.json()["error"] == "BadRequestSignature"


def test_forged_requests_get_401(provider):
    body = _json(terms())
    headers = sign_request(ATTACKER.key, "POST", "/agreements", body, audience=PROVIDER.address)
    headers[HEADER_ADDRESS] = USER.address
    reply = httpx.post(provider.url + "/agreements", content=body, headers=headers)
    assert reply.status_code == 401 and "does not match" in reply.json()["message"]


def test_expired_requests_get_401(provider):
    body = _json(terms())
    headers = sign_request(USER.key, "POST", "/agreements", body, audience=PROVIDER.address, now=time.time() - 120)
    reply = httpx.post(provider.url + "/agreements", content=body, headers=headers)
    assert reply.status_code == 401 and reply.json()["error"] == "RequestExpired"


def test_requests_for_another_provider_get_401(provider):
    body = _json(terms())
    headers = sign_request(USER.key, "POST", "/agreements", body, audience=OTHER_USER.address)
    assert httpx.post(provider.url + "/agreements", content=body, headers=headers).status_code == 401


def test_replayed_requests_get_401_even_after_a_restart(tmp_path, chain, committer):
    first = serve(make_config(tmp_path), chain, committer)
    body = _json(terms())
    headers = sign_request(USER.key, "POST", "/agreements", body, audience=PROVIDER.address)
    assert httpx.post(first.url + "/agreements", content=body, headers=headers).status_code == 200
    replay = httpx.post(first.url + "/agreements", content=body, headers=headers)
    assert replay.status_code == 401 and replay.json()["error"] == "RequestReplayed"
    first.stop()
    second = serve(make_config(tmp_path), chain, committer)
    try:
        replay = httpx.post(second.url + "/agreements", content=body, headers=headers)
        assert replay.status_code == 401 and replay.json()["error"] == "RequestReplayed"
    finally:
        second.stop()


# ----------------------------------------------------------------------------- agreements


def test_agreement_returns_the_market_order_id(provider, user):
    oid = agree(user, nonce=42)
    assert oid == "0x" + order_id(USER.address, PROVIDER.address, 42).hex()
    assert agree(user, nonce=42) == oid  # identical: idempotent
    assert provider.service.agreements.reserved_bytes() == 2 * BLOB


def test_agreement_grows_with_the_same_nonce(provider, user):
    oid = agree(user, nonce=5, blob_count=2)
    assert agree(user, nonce=5, blob_count=4) == oid
    assert provider.service.agreements.get(bytes.fromhex(oid[2:])).blob_count == 4
    assert httpx.get(provider.url + "/health").json()["used"] == 4 * BLOB


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        (dict(price=PRICE - 1), "below this Provider's price"),
        (dict(start=5, end=5), "must be after start_epoch"),
        (dict(blob_count=3, chunk_blobs=2), "multiple of chunk_blobs"),
        (dict(chunk_blobs=32, blob_count=32), "above this Provider's limit"),
    ],
)
def test_agreement_refuses_bad_terms_with_400(user, changes, fragment):
    code, message = status(lambda: agree(user, **changes))
    assert code == 400 and fragment in message


def test_agreement_refuses_a_malformed_body_with_400(user):
    code, _ = status(lambda: user.request("POST", "/agreements", content=b"{not json"))
    assert code == 400


def test_agreement_beyond_free_capacity_gets_507(provider, user):
    agree(user, nonce=1, blob_count=6)
    with provider.client(OTHER_USER) as other:
        code, message = status(lambda: agree(other, nonce=1, blob_count=4))
    assert code == 507 and "free" in message
    code, _ = status(lambda: agree(user, nonce=1, blob_count=10))  # growth counts too
    assert code == 507


def test_agreement_from_an_unregistered_sender_gets_403(provider):
    with provider.client(ATTACKER) as attacker:
        code, message = status(lambda: agree(attacker))
    assert code == 403 and "not a registered User" in message


def test_agreement_with_other_terms_for_a_used_nonce_gets_409(user):
    oid = agree(user, nonce=9)
    code, _ = status(lambda: agree(user, nonce=9, end=9))  # a shorter term
    assert code == 409
    code, _ = status(lambda: agree(user, nonce=9, blob_count=1))
    assert code == 409
    code, _ = status(lambda: agree(user, nonce=9, end=11, price=PRICE + 1))  # renewed at another price
    assert code == 409
    assert agree(user, nonce=9, end=11) == oid  # a later end at the same price renews it


# ----------------------------------------------------------------------------- put chunk


def test_put_answers_the_blob_commitments_after_storing(provider, user):
    oid = agree(user, blob_count=4, chunk_blobs=2)
    data = os.urandom(2 * BLOB)
    commitments = put(user, oid, 2, data)
    assert commitments == expected_commitments(data)
    assert provider.service.store.get(bytes.fromhex(oid[2:]), 2) == data
    assert put(user, oid, 2, data) == commitments  # identical again: idempotent


def test_an_agreement_answers_the_blobs_it_holds_and_counts_as_receiving_while_filled(provider, user):
    def answer():
        return user.request("POST", "/agreements", content=_json(terms(nonce=9, blob_count=4, chunk_blobs=2))).json()

    assert answer()["stored_blobs"] == 0
    oid = answer()["order_id"]
    assert provider.service.ingest.receiving(600) == set()
    put(user, oid, 2, os.urandom(2 * BLOB))
    assert answer()["stored_blobs"] == 2  # what an earlier run left: a new order moves on
    assert provider.service.ingest.receiving(600) == {bytes.fromhex(oid[2:])}
    assert provider.service.ingest.receiving(0) == set()


def test_put_without_agreement_gets_404(user):
    code, _ = status(lambda: put(user, "0x" + "ab" * 32, 0, os.urandom(BLOB)))
    assert code == 404


def test_put_with_a_malformed_order_id_gets_400(user):
    code, _ = status(lambda: put(user, "0x1234", 0, os.urandom(BLOB)))
    assert code == 400


def test_put_by_another_user_gets_403(provider, user):
    oid = agree(user)
    with provider.client(OTHER_USER) as other:
        code, message = status(lambda: put(other, oid, 0, os.urandom(BLOB)))
    assert code == 403 and "not the User" in message


@pytest.mark.parametrize(
    ("first", "size", "fragment"),
    [
        (1, 2 * BLOB, "not a multiple of chunk_blobs"),
        (4, 2 * BLOB, "beyond the order"),
        (0, 2 * BLOB - 1, "bytes, got"),
        (0, BLOB, "bytes, got"),
    ],
)
def test_put_at_a_bad_position_or_of_the_wrong_size_gets_400(provider, user, first, size, fragment):
    oid = agree(user, blob_count=4, chunk_blobs=2)
    code, message = status(lambda: put(user, oid, first, os.urandom(size)))
    assert code == 400 and fragment in message
    assert provider.service.store.used_bytes() == 0


def test_put_larger_than_any_chunk_is_refused_before_reading(provider, user):
    oid = agree(user)
    code, message = status(lambda: put(user, oid, 0, b"\x00" * (16 * BLOB + 1)))
    assert code == 413 and "at most" in message
    assert provider.service.store.used_bytes() == 0


def test_bodies_over_an_endpoints_limit_get_413_unread_and_unsigned(tmp_path, chain, committer):
    """A hostile peer announces a huge body, or streams one without a length: every endpoint
    answers 413 before the body is whole and before it checks who signed, and nothing changes."""
    running = serve(make_config(tmp_path, max_chunk_blobs=1), chain, committer)
    try:
        with running.client(USER) as client:
            oid = agree(client)
        reserved = running.service.agreements.reserved_bytes()
        chunk = f"/orders/{oid}/blobs/0"
        headers = sign_request(ATTACKER.key, "PUT", chunk, b"", audience=PROVIDER.address)
        cases = [
            ("PUT", chunk, [b"\x01" * 2**16] * 2, None, headers),  # chunked, past one blob
            ("PUT", chunk, [], 10**12, {}),
            ("POST", "/agreements", [], 10**9, {}),
            ("POST", "/agreements", [b"{" * 2**16] * 33, None, {}),  # chunked, past 2 MiB
            ("POST", f"/orders/{oid}/cosign", [], 10**9, {}),
            ("GET", chunk, [b"x"], None, {}),  # a GET takes no body
            ("GET", f"/orders/{oid}/commitments", [], 10, {}),
            ("GET", "/proofs/3", [], 10, {}),
            ("GET", "/health", [b"x"], None, {}),  # public, bounded all the same
        ]
        for method, path, pieces, declared, extra in cases:
            code, answer = send_unbounded(running.url, method, path, pieces, declared=declared, headers=extra)
            assert (code, answer["error"]) == (413, "RequestTooLarge"), (method, path, declared)
        assert running.service.store.used_bytes() == 0
        assert running.service.agreements.reserved_bytes() == reserved
        with running.client(USER) as client:  # the Provider still serves everyone else
            assert len(put(client, oid, 0, os.urandom(BLOB))) == 1
    finally:
        running.stop()


def test_put_of_other_data_at_a_stored_position_gets_409(provider, user):
    oid = agree(user)
    data = os.urandom(BLOB)
    put(user, oid, 0, data)
    code, _ = status(lambda: put(user, oid, 0, os.urandom(BLOB)))
    assert code == 409
    assert provider.service.store.get(bytes.fromhex(oid[2:]), 0) == data


def test_put_over_the_disk_capacity_gets_507(tmp_path, chain, committer):
    store = ChunkStore(tmp_path, capacity=2 * BLOB)
    store.put(b"\xee" * 32, 0, os.urandom(BLOB), [kzg.commit(native.pack_blobs(b"x"))])  # left over from old orders
    running = serve(make_config(tmp_path), chain, committer, store)
    try:
        with running.client(USER) as client:
            oid = agree(client)
            put(client, oid, 0, os.urandom(BLOB))
            code, _ = status(lambda: put(client, oid, 1, os.urandom(BLOB)))
        assert code == 507
    finally:
        running.stop()
        store.close()


def test_parallel_uploads_all_land(provider, user):
    oid = agree(user, blob_count=4)
    chunks = [os.urandom(BLOB) for _ in range(4)]
    clients = [provider.client(USER) for _ in chunks]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda k: put(clients[k], oid, k, chunks[k]), range(4)))
    for client in clients:
        client.close()
    assert [a[0] for a in answers] == [expected_commitments(c)[0] for c in chunks]


# ----------------------------------------------------------------------------- get chunk and commitments


def test_get_chunk_serves_the_user_and_keepers_only(provider, user):
    oid = agree(user)
    data = os.urandom(BLOB)
    put(user, oid, 1, data)
    assert user.request("GET", f"/orders/{oid}/blobs/1").content == data
    with provider.client(KEEPER) as keeper:
        assert keeper.request("GET", f"/orders/{oid}/blobs/1").content == data
    for stranger in (OTHER_USER, ATTACKER):
        with provider.client(stranger) as client:
            code, _ = status(lambda: client.request("GET", f"/orders/{oid}/blobs/1"))
        assert code == 403


def test_get_chunk_not_stored_or_of_an_unknown_order_gets_404(user):
    oid = agree(user)
    code, _ = status(lambda: user.request("GET", f"/orders/{oid}/blobs/0"))
    assert code == 404
    code, _ = status(lambda: user.request("GET", f"/orders/0x{'cd' * 32}/blobs/0"))
    assert code == 404


def test_ranged_get_returns_a_run_of_chunks_to_the_user_and_keepers_only(provider, user):
    oid = agree(user, blob_count=4)
    chunks = [os.urandom(BLOB) for _ in range(4)]
    for i, data in enumerate(chunks):
        put(user, oid, i, data)
    run = {"from": "1", "chunks": "3"}
    assert user.request("GET", f"/orders/{oid}/blobs", params=run).content == b"".join(chunks[1:])
    with provider.client(KEEPER) as keeper:
        assert keeper.request("GET", f"/orders/{oid}/blobs", params={"from": "0", "chunks": "1"}).content == chunks[0]
    with provider.client(OTHER_USER) as other:
        assert status(lambda: other.request("GET", f"/orders/{oid}/blobs", params=run))[0] == 403
    unsigned = httpx.get(f"{provider.url}/orders/{oid}/blobs", params=run)
    assert unsigned.status_code == 401


@pytest.mark.parametrize(
    "params, code, fragment",
    [
        ({"from": "0", "chunks": "3"}, 404, "no chunk of 1 blobs at blob 2"),  # only blobs 0 and 1 are stored
        ({"from": "2", "chunks": "3"}, 400, "beyond the order's 4 blobs"),
        ({"from": "0", "chunks": "0"}, 400, "chunks must be 1.."),
        ({"from": "0", "chunks": "999"}, 400, "chunks must be 1.."),
        ({"from": "-1", "chunks": "1"}, 400, "from must be a non-negative integer"),
        ({"chunks": "1"}, 400, "from must be a non-negative integer"),
        ({"from": "0"}, 400, "chunks must be a non-negative integer"),
    ],
)
def test_ranged_get_refuses_runs_it_cannot_serve_whole(user, params, code, fragment):
    oid = agree(user, blob_count=4)
    put(user, oid, 0, os.urandom(BLOB))
    put(user, oid, 1, os.urandom(BLOB))
    got, message = status(lambda: user.request("GET", f"/orders/{oid}/blobs", params=params))
    assert got == code and fragment in message
    assert status(lambda: user.request("GET", f"/orders/0x{'cd' * 32}/blobs", params={"from": "0", "chunks": "1"}))[0] == 404


def test_commitments_list_what_is_stored_in_blob_order(provider, user):
    oid = agree(user, blob_count=3)
    data = os.urandom(BLOB)
    put(user, oid, 1, data)
    expected = {
        "blob_count": 3,
        "chunk_blobs": 1,
        "stored": 1,
        "released": [],
        "commitments": [None, expected_commitments(data)[0], None],
    }
    assert user.get_json(f"/orders/{oid}/commitments") == expected
    with provider.client(KEEPER) as keeper:
        assert keeper.get_json(f"/orders/{oid}/commitments") == expected
    with provider.client(ATTACKER) as attacker:
        code, _ = status(lambda: attacker.get_json(f"/orders/{oid}/commitments"))
    assert code == 403
    code, _ = status(lambda: user.get_json(f"/orders/0x{'cd' * 32}/commitments"))
    assert code == 404


def test_commitments_are_listed_for_the_blob_count_asked(provider, user):
    """A Keeper judging an epoch asks for the order as it was frozen; an order that grew
    since must not answer more than that, or the Keeper (which reads no further) misses it."""
    oid = agree(user, blob_count=3)
    chunks = [os.urandom(BLOB) for _ in range(3)]
    for first, data in enumerate(chunks):
        put(user, oid, first, data)
    listed = user.get_json(f"/orders/{oid}/commitments", {"blob_count": "2"})
    assert listed["blob_count"] == 2
    assert listed["commitments"] == [expected_commitments(c)[0] for c in chunks[:2]]
    for bad in ("0", "4", "-1", "two"):
        code, message = status(lambda: user.get_json(f"/orders/{oid}/commitments", {"blob_count": bad}))
        assert code == 400 and "blob_count" in message


# ----------------------------------------------------------------------------- restart


def test_a_restarted_provider_serves_everything_it_acknowledged(tmp_path, chain, committer):
    first = serve(make_config(tmp_path), chain, committer)
    with first.client(USER) as client:
        oid = agree(client, blob_count=2)
        data = os.urandom(BLOB)
        commitments = put(client, oid, 0, data)
    first.stop()
    second = serve(make_config(tmp_path), chain, committer)
    try:
        with second.client(USER) as client:
            assert client.request("GET", f"/orders/{oid}/blobs/0").content == data
            assert client.get_json(f"/orders/{oid}/commitments")["commitments"] == [commitments[0], None]
            assert agree(client, blob_count=2) == oid
        assert httpx.get(second.url + "/health").json()["used"] == 2 * BLOB
    finally:
        second.stop()


# ----------------------------------------------------------------------------- chunk tags


def test_chunk_tags_are_kept_and_listed_to_the_user_and_keepers(provider, user):
    oid = agree(user, blob_count=3)
    tag = "0x" + "ab" * 32
    user.request("PUT", f"/orders/{oid}/blobs/0", content=os.urandom(BLOB), params={"tag": tag})
    user.request("PUT", f"/orders/{oid}/blobs/2", content=os.urandom(BLOB))
    listing = user.get_json(f"/orders/{oid}/chunks")
    assert listing == {
        "blob_count": 3,
        "chunks": [{"first_blob": 0, "blob_count": 1, "tag": tag}, {"first_blob": 2, "blob_count": 1, "tag": "0x"}],
    }
    with provider.client(KEEPER) as keeper:
        assert keeper.get_json(f"/orders/{oid}/chunks") == listing
    with provider.client(OTHER_USER) as other:
        assert status(lambda: other.get_json(f"/orders/{oid}/chunks"))[0] == 403


def test_bad_tags_are_refused(provider, user):
    oid = agree(user, blob_count=2)
    data = os.urandom(BLOB)
    assert status(lambda: user.request("PUT", f"/orders/{oid}/blobs/0", content=data, params={"tag": "ab"}))[0] == 400
    too_long = "0x" + "00" * 33
    assert status(lambda: user.request("PUT", f"/orders/{oid}/blobs/0", content=data, params={"tag": too_long}))[0] == 400
    user.request("PUT", f"/orders/{oid}/blobs/0", content=data, params={"tag": "0x" + "01" * 16})
    code, _ = status(lambda: user.request("PUT", f"/orders/{oid}/blobs/0", content=data, params={"tag": "0x" + "02" * 16}))
    assert code == 409
