"""Commitment tree: positional proofs built in Python verify on-chain, forged ones do not."""

import os

import pytest

from memo_py.chain.merkle import (
    CommitmentTree,
    commitment_depth,
    commitment_leaf,
    verify_commitment_proof,
)


def _commitments(n):
    return [bytes([0xC0 | (i % 16)]) + os.urandom(47) for i in range(n)]


def test_commitment_leaf_matches(harness):
    c = _commitments(1)[0]
    assert harness.commitment_leaf(5, c) == commitment_leaf(5, c)


@pytest.mark.parametrize("n,depth", [(1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (8, 3), (9, 4)])
def test_depth(harness, n, depth):
    assert commitment_depth(n) == depth
    assert harness.depth_of(n) == depth


@pytest.mark.parametrize("n", [1, 2, 3, 6, 8])
def test_every_proof_verifies(harness, n):
    tree = CommitmentTree(_commitments(n))
    for i, c in enumerate(tree.commitments):
        proof = tree.proof(i)
        assert len(proof) == tree.depth
        leaf = commitment_leaf(i, c)
        assert verify_commitment_proof(proof, tree.root, leaf, i)
        assert harness.verify_positional(proof, tree.root, leaf, i)


def test_wrong_index_fails(harness):
    tree = CommitmentTree(_commitments(5))
    proof = tree.proof(2)
    leaf_at_2 = commitment_leaf(2, tree.commitments[2])
    # Same proof, claimed at another position: the sides change, the root does not match.
    assert not harness.verify_positional(proof, tree.root, leaf_at_2, 3)
    # An index that does not fit in the proof's depth is refused outright.
    assert not harness.verify_positional(proof, tree.root, leaf_at_2, 2 + (1 << len(proof)))
    # The leaf binds the index: blob 2's commitment does not prove as blob 3.
    assert not harness.verify_positional(tree.proof(3), tree.root, commitment_leaf(3, tree.commitments[2]), 3)


def test_wrong_commitment_fails(harness):
    tree = CommitmentTree(_commitments(4))
    other = _commitments(1)[0]
    assert not harness.verify_positional(tree.proof(1), tree.root, commitment_leaf(1, other), 1)


def test_tampered_proof_fails(harness):
    tree = CommitmentTree(_commitments(8))
    proof = tree.proof(6)
    leaf = commitment_leaf(6, tree.commitments[6])
    assert not harness.verify_positional(proof[:-1], tree.root, leaf, 6)
    bad = list(proof)
    bad[1] = bytes(32)
    assert not harness.verify_positional(bad, tree.root, leaf, 6)


def test_padding_leaf_cannot_be_proven(harness):
    tree = CommitmentTree(_commitments(3))  # padded to 4 leaves, leaf 3 is bytes32(0)
    with pytest.raises(IndexError):
        tree.proof(3)
    sibling_proof = [tree.levels[0][2], tree.levels[1][0]]
    # The raw zero leaf hashes up, but no 48-byte commitment has leaf bytes32(0).
    assert harness.verify_positional(sibling_proof, tree.root, bytes(32), 3)
