"""POST /orders/{id}/cosign: the Provider signs only updates its stored commitments back."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from memo_py.chain import eip712, merkle
from memo_py.protocol.http import RemoteError

from .fakes import CHAIN_ID, MARKET
from .support import BLOB, KEEPER, OTHER_USER, PRICE, PROVIDER, USER, keeper_verifies, terms

NONCE, START, END = 3, 2, 10


def _update(commitments, **changes):
    update = eip712.OrderUpdate(
        user=USER.address,
        provider=PROVIDER.address,
        nonce=NONCE,
        seq=0,
        size=len(commitments) * BLOB,
        price=PRICE,
        start_epoch=START,
        end_epoch=END,
        root=merkle.CommitmentTree(commitments).root,
        blob_count=len(commitments),
        deadline=eip712.deadline_after(0),
    )
    return replace(update, **changes)


def _body(update, signer=USER) -> bytes:
    fields = {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in update.as_message().items()}
    signature = eip712.sign_order_update(update, signer.key, CHAIN_ID, MARKET)
    return json.dumps({"update": fields, "user_signature": "0x" + signature.hex()}).encode()


@pytest.fixture
def order(user):
    """An agreement for 2 blobs (chunks of 1) with both blobs stored: (order id, commitments)."""
    body = json.dumps(terms(NONCE, blob_count=2, chunk_blobs=1, start=START, end=END)).encode()
    oid = user.request("POST", "/agreements", content=body).json()["order_id"]
    commitments = []
    for first in (0, 1):
        answer = user.request("PUT", f"/orders/{oid}/blobs/{first}", content=os.urandom(BLOB)).json()
        commitments.append(bytes.fromhex(answer["commitments"][0][2:]))
    return oid, commitments


def cosign(client, oid, body):
    return client.request("POST", f"/orders/{oid}/cosign", content=body).json()


def refused(client, oid, body) -> tuple[int, str]:
    with pytest.raises(RemoteError) as err:
        cosign(client, oid, body)
    return err.value.status, err.value.message


def test_cosign_returns_the_providers_eip712_signature(provider, user, order, chain):
    oid, commitments = order
    update = _update(commitments)
    answer = cosign(user, oid, _body(update))
    signature = bytes.fromhex(answer["provider_signature"][2:])
    assert eip712.recover_signer(update, signature, CHAIN_ID, MARKET) == PROVIDER.address
    kept = provider.service.agreements.cosigned(bytes.fromhex(oid[2:]))
    assert kept[0][2] == signature
    # The co-signed update goes on-chain and becomes part of the Provider's proofs.
    chain.submit_orders([(update, bytes.fromhex(json.loads(_body(update))["user_signature"][2:]), signature)])
    seed = chain.open_epoch(START)
    with provider.client(KEEPER) as keeper:
        proof = keeper.get_json(f"/proofs/{START}")
    assert keeper_verifies(chain, START, seed, proof, {bytes.fromhex(oid[2:]): commitments})


def test_a_root_that_does_not_match_the_stored_commitments_gets_400(user, order):
    oid, commitments = order
    code, message = refused(user, oid, _body(_update(commitments, root=b"\x01" * 32)))
    assert code == 400 and "not the root" in message


@pytest.mark.parametrize(
    "changes",
    [dict(price=PRICE + 1), dict(end_epoch=END + 1), dict(start_epoch=START - 1), dict(size=2 * BLOB + 1), dict(blob_count=3)],
)
def test_an_update_that_differs_from_the_agreement_gets_400(user, order, changes):
    oid, commitments = order
    code, message = refused(user, oid, _body(_update(commitments, **changes)))
    assert code == 400 and "the agreement says" in message


def test_an_update_for_another_order_gets_400(user, order):
    oid, commitments = order
    code, message = refused(user, oid, _body(_update(commitments, nonce=NONCE + 1)))
    assert code == 400 and "not this order" in message


def test_a_signature_by_someone_else_gets_400(user, order):
    oid, commitments = order
    code, message = refused(user, oid, _body(_update(commitments), signer=OTHER_USER))
    assert code == 400 and "not the User's signature" in message


def test_another_user_gets_403(provider, order):
    oid, commitments = order
    with provider.client(OTHER_USER) as other:
        code, _ = refused(other, oid, _body(_update(commitments), signer=OTHER_USER))
    assert code == 403


def test_unknown_order_gets_404(user, order):
    _, commitments = order
    code, _ = refused(user, "0x" + "ef" * 32, _body(_update(commitments)))
    assert code == 404


def test_an_order_with_blobs_missing_gets_409(user, order):
    oid, commitments = order
    grown = json.dumps(terms(NONCE, blob_count=3, chunk_blobs=1, start=START, end=END)).encode()
    user.request("POST", "/agreements", content=grown)
    code, message = refused(user, oid, _body(_update(commitments + [commitments[0]])))
    assert code == 409 and "not stored yet" in message


def test_a_malformed_body_gets_400(user, order):
    oid, _ = order
    code, _ = refused(user, oid, json.dumps({"update": {"user": 1}, "user_signature": "0x00"}).encode())
    assert code == 400


@pytest.mark.parametrize("deadline", [eip712.NO_DEADLINE, 1000])
def test_an_update_that_would_stay_valid_too_long_gets_400(user, order, deadline):
    """A co-signed update expires (Market: "market: update expired"); the Provider signs
    none whose deadline is more than MAX_COSIGN_TTL epochs ahead."""
    oid, commitments = order
    code, message = refused(user, oid, _body(_update(commitments, deadline=deadline)))
    assert code == 400 and "update.deadline" in message
