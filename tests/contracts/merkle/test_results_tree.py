"""Results tree: sorted-pair proofs built in Python verify on-chain, forged ones do not."""

import pytest
from eth_utils import keccak

from memo_py.chain.merkle import ResultsTree, results_leaf, verify_results_proof


def _entries(accounts, n):
    return [(accounts[i % len(accounts)].address if i < len(accounts) else "0x" + keccak(bytes([i]))[:20].hex(),
             1000 * i + 7, i % 3) for i in range(n)]


def test_results_leaf_matches(harness, accounts):
    provider = accounts[1].address
    assert harness.results_leaf(provider, 123, 4) == results_leaf(provider, 123, 4)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13])
def test_every_proof_verifies(harness, accounts, n):
    entries = _entries(accounts, n)
    tree = ResultsTree(entries)
    for provider, cum_pay, cum_penalty in entries:
        leaf = harness.results_leaf(provider, cum_pay, cum_penalty)
        proof = tree.proof(provider)
        assert verify_results_proof(proof, tree.root, leaf)
        assert harness.verify_sorted(proof, tree.root, leaf)


def test_wrong_amount_fails(harness, accounts):
    entries = _entries(accounts, 5)
    tree = ResultsTree(entries)
    provider, cum_pay, cum_penalty = entries[2]
    proof = tree.proof(provider)
    assert not harness.verify_sorted(proof, tree.root, results_leaf(provider, cum_pay + 1, cum_penalty))
    assert not harness.verify_sorted(proof, tree.root, results_leaf(provider, cum_pay, cum_penalty + 1))


def test_tampered_proof_fails(harness, accounts):
    entries = _entries(accounts, 6)
    tree = ResultsTree(entries)
    provider, cum_pay, cum_penalty = entries[0]
    leaf = results_leaf(provider, cum_pay, cum_penalty)
    proof = tree.proof(provider)
    assert not harness.verify_sorted(proof[:-1], tree.root, leaf)
    assert not harness.verify_sorted([keccak(b"x")] + proof[1:], tree.root, leaf)


def test_internal_node_is_not_a_leaf(harness, accounts):
    # The first-level parent of two leaves cannot pass as a leaf one level up.
    entries = _entries(accounts, 4)
    tree = ResultsTree(entries)
    parent = tree.levels[1][0]
    assert harness.verify_sorted([tree.levels[1][1]], tree.root, parent)  # the raw hash chain...
    # ...but no (provider, pay, penalty) maps to it: a leaf is a double hash of 96 bytes.
    assert parent not in tree.levels[0]


def test_empty_and_duplicate():
    assert ResultsTree([]).root == bytes(32)
    with pytest.raises(ValueError):
        ResultsTree([("0x" + "11" * 20, 1, 0), ("0x" + "11" * 20, 2, 0)])
