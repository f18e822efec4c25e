import ape

from disputes_support import MIN_BOND, WINDOW

GAS = {}


def test_answer_with_real_opening(disputes, token, open_dispute, stored, provider):
    dispute_id, z, index = open_dispute()
    y, proof = stored.opening(index, z)
    open_before = disputes.open_disputes(provider)
    balance_before = token.balanceOf(provider)
    tx = disputes.answer(dispute_id, stored.commitments[index], stored.tree.proof(index), y, proof, sender=provider)
    GAS["dispute_answer"] = tx.gas_used
    print(f"\nGAS dispute_answer={tx.gas_used} (depth {stored.tree.depth})")
    assert tx.gas_used <= 150_000
    ev = tx.events.filter(disputes.DisputeAnswered)
    assert len(ev) == 1
    assert ev[0].dispute_id == dispute_id and ev[0]["provider"] == provider
    assert ev[0].y == y and ev[0].bond == MIN_BOND
    assert token.balanceOf(provider) == balance_before + MIN_BOND
    assert disputes.open_disputes(provider) == open_before - 1
    assert disputes.disputes(dispute_id).status == 2
    with ape.reverts("disputes: not open"):
        disputes.answer(dispute_id, stored.commitments[index], stored.tree.proof(index), y, proof, sender=provider)


def test_answer_every_blob(disputes, token, open_dispute, stored, provider):
    for index in range(len(stored.blobs)):
        dispute_id, z, _ = open_dispute(blob_index=index)
        y, proof = stored.opening(index, z)
        balance_before = token.balanceOf(provider)
        tx = disputes.answer(dispute_id, stored.commitments[index], stored.tree.proof(index), y, proof, sender=provider)
        assert tx.events.filter(disputes.DisputeAnswered)[0].dispute_id == dispute_id
        assert disputes.disputes(dispute_id).status == 2  # answered
        assert token.balanceOf(provider) == balance_before + MIN_BOND


def test_answer_unknown_dispute(disputes, stored, provider):
    with ape.reverts("disputes: not open"):
        disputes.answer(10**6, stored.commitments[0], stored.tree.proof(0), bytes(32), bytes(48), sender=provider)


def test_answer_not_the_provider(disputes, open_dispute, stored, attacker):
    dispute_id, z, index = open_dispute()
    y, proof = stored.opening(index, z)
    with ape.reverts("disputes: not the provider"):
        disputes.answer(dispute_id, stored.commitments[index], stored.tree.proof(index), y, proof, sender=attacker)


def test_answer_after_deadline(chain, disputes, open_dispute, stored, provider):
    dispute_id, z, index = open_dispute()
    y, proof = stored.opening(index, z)
    chain.pending_timestamp += WINDOW + 1
    with ape.reverts("disputes: deadline passed"):
        disputes.answer(dispute_id, stored.commitments[index], stored.tree.proof(index), y, proof, sender=provider)


def test_answer_wrong_y(disputes, open_dispute, stored, provider):
    dispute_id, z, index = open_dispute()
    y, proof = stored.opening(index, z)
    wrong_y = ((int.from_bytes(y, "big") + 1) % (2**255)).to_bytes(32, "big")
    with ape.reverts("disputes: invalid KZG opening"):
        disputes.answer(dispute_id, stored.commitments[index], stored.tree.proof(index), wrong_y, proof, sender=provider)


def test_answer_wrong_proof(disputes, open_dispute, stored, provider):
    dispute_id, z, index = open_dispute()
    y, _ = stored.opening(index, z)
    _, other_proof = stored.opening(index, (z + 1) % 2**200)
    with ape.reverts("disputes: invalid KZG opening"):
        disputes.answer(dispute_id, stored.commitments[index], stored.tree.proof(index), y, other_proof, sender=provider)
    with ape.reverts("disputes: invalid KZG opening"):
        disputes.answer(dispute_id, stored.commitments[index], stored.tree.proof(index), y, b"\xc0" + bytes(46) + b"\x01", sender=provider)


def test_answer_other_blob_opening(disputes, open_dispute, stored, provider):
    # A valid opening of another blob, with that blob's own commitment and path, is not an answer.
    dispute_id, z, index = open_dispute(blob_index=3)
    y, proof = stored.opening(2, z)
    with ape.reverts("disputes: bad merkle path"):
        disputes.answer(dispute_id, stored.commitments[2], stored.tree.proof(2), y, proof, sender=provider)


def test_answer_bad_merkle_path(disputes, open_dispute, stored, provider):
    dispute_id, z, index = open_dispute()
    y, proof = stored.opening(index, z)
    path = stored.tree.proof(index)
    with ape.reverts("disputes: bad merkle path"):
        disputes.answer(dispute_id, stored.commitments[index], path[:-1], y, proof, sender=provider)
    tampered = list(path)
    tampered[0] = bytes(31) + b"\x01"
    with ape.reverts("disputes: bad merkle path"):
        disputes.answer(dispute_id, stored.commitments[index], tampered, y, proof, sender=provider)


def test_answer_commitment_not_in_tree(disputes, open_dispute, stored, trusted_setup, provider):
    # A correct opening of a blob the Provider does not store under this order.
    from disputes_support import StoredOrder

    other = StoredOrder(trusted_setup, 1, seed=99)
    dispute_id, z, index = open_dispute()
    y, proof = other.opening(0, z)
    with ape.reverts("disputes: bad merkle path"):
        disputes.answer(dispute_id, other.commitments[0], stored.tree.proof(index), y, proof, sender=provider)


def test_answer_bad_commitment_length(disputes, open_dispute, stored, provider):
    dispute_id, z, index = open_dispute()
    y, proof = stored.opening(index, z)
    with ape.reverts("disputes: bad commitment length"):
        disputes.answer(dispute_id, stored.commitments[index][:47], stored.tree.proof(index), y, proof, sender=provider)


def test_answer_gas_deep_tree(disputes, market, token, funded, owner, user, provider, challenger, stored):
    """Answer gas for an order of 2**16 blobs (depth 16): only the challenged blob is real, the other leaves are random commitments."""
    import os

    from eth_utils import keccak

    from memo_py.chain.merkle import CommitmentTree
    from disputes_support import END, START

    n, index = 1 << 16, 4242
    commitments = [os.urandom(48) for _ in range(n)]
    commitments[index] = stored.commitments[0]
    tree = CommitmentTree(commitments)
    oid = keccak(b"deep-order")
    market.set_order(oid, (user, provider, 1, 0, 2**30, 1, START, END, tree.root, n), sender=owner)
    tx = disputes.challenge(oid, index, MIN_BOND, sender=challenger)
    ev = tx.events.filter(disputes.DisputeOpened)[0]
    y, proof = stored.opening(0, ev.z)
    balance_before = token.balanceOf(provider)
    tx = disputes.answer(ev.dispute_id, commitments[index], tree.proof(index), y, proof, sender=provider)
    print(f"\nGAS dispute_answer depth=16 gas={tx.gas_used}")
    assert tx.gas_used <= 150_000
    assert disputes.disputes(ev.dispute_id).status == 2 and token.balanceOf(provider) == balance_before + MIN_BOND
