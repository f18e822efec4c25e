"""Verification against real Providers: commitments checked against the on-chain root once,
then reused; a wrong root, a wrong challenge or an unreachable Provider."""

from __future__ import annotations

from dataclasses import replace

import pytest

from memo_py.crypto import bls
from memo_py.chain.merkle import CommitmentTree
import memo_py.keeper.verify as keeper_verify
from memo_py.keeper import FAILED, MISSED, PASSED, Verifier

from .support import BLS_KEYS, KEEPERS, START, WEIGHT

EPOCH = START


@pytest.fixture
def verifier(network):
    network.add_keeper(0, KEEPERS[0].address, bls.public_key(BLS_KEYS[0]), WEIGHT)
    return Verifier(KEEPERS[0].key, network, 16, timeout=5.0)


def registered(network, provider):
    return next(p for p in network.providers() if p.address == provider.address)


def test_commitments_are_fetched_and_checked_once(network, providers, verifier):
    honest, _ = providers
    provider = registered(network, honest)
    assert verifier.verify(provider, EPOCH, network.open_seed(EPOCH), None).outcome == PASSED
    assert len(verifier.cache) == 1
    seed = network.open_seed(EPOCH + 1)
    pushed = verifier.pull_proof(provider, EPOCH + 1)
    honest.server.stop()  # from now on only the cache can give the commitments
    assert verifier.verify(provider, EPOCH + 1, seed, pushed).outcome == PASSED


def test_commitments_that_do_not_match_the_root_fail(network, providers, verifier):
    honest, _ = providers
    order = network.orders[honest.order_id]
    network.add_order(replace(order, root=b"\x42" * 32))
    seed = network.open_seed(EPOCH)
    verdict = verifier.verify(registered(network, honest), EPOCH, seed, None)
    assert verdict.outcome == FAILED and "on-chain root" in verdict.reason
    assert len(verifier.cache) == 0


def test_an_order_that_grew_since_the_frozen_epoch_is_judged_as_it_was(network, providers, verifier, monkeypatch):
    """The Keeper names the frozen blob count, so a grown order's answer stays within what it
    reads (once, every commitment of a grown order was listed, the answer was refused as too
    large, and the Keeper's whole tick failed)."""
    honest, _ = providers
    order = network.orders[honest.order_id]
    frozen = replace(order, blob_count=1, size=order.size // order.blob_count, root=CommitmentTree(honest.commitments[:1]).root)
    network.add_order(frozen)
    # Read no further than one commitment's answer (about 175 bytes), as for a grown order
    # whose every commitment would overflow the real bound.
    monkeypatch.setattr(keeper_verify, "commitments_answer_bytes", lambda blob_count: 90 + 100 * blob_count)
    seed = network.open_seed(EPOCH)
    assert verifier.verify(registered(network, honest), EPOCH, seed, None).outcome == PASSED


def test_an_answer_longer_than_asked_is_the_providers_miss(network, providers, verifier, monkeypatch):
    honest, _ = providers
    monkeypatch.setattr(keeper_verify, "commitments_answer_bytes", lambda blob_count: 64)
    verdict = verifier.verify(registered(network, honest), EPOCH, network.open_seed(EPOCH), None)
    assert verdict.outcome == MISSED and "AnswerTooLarge" in verdict.reason and verdict.due > 0


def test_a_proof_for_another_challenge_fails(network, providers, verifier):
    honest, _ = providers
    seed = network.open_seed(EPOCH)
    proof = verifier.pull_proof(registered(network, honest), EPOCH)
    verdict = verifier.verify(registered(network, honest), EPOCH, network.open_seed(EPOCH + 1), proof)
    assert verdict.outcome == FAILED  # every blob is sampled, so only the opening betrays it
    fewer = replace(proof, samples=proof.samples[:1])
    verdict = verifier.verify(registered(network, honest), EPOCH, seed, fewer)
    assert verdict.outcome == FAILED and "another challenge" in verdict.reason
    other_universe = replace(proof, universe=bytes(32))
    verdict = verifier.verify(registered(network, honest), EPOCH, seed, other_universe)
    assert verdict.outcome == FAILED and "another challenge" in verdict.reason
    wrong_epoch = replace(proof, epoch=EPOCH + 1)
    assert verifier.verify(registered(network, honest), EPOCH, seed, wrong_epoch).outcome == FAILED


def test_an_unreachable_provider_misses_and_one_with_nothing_due_has_no_verdict(network, providers, verifier):
    honest, _ = providers
    seed = network.open_seed(EPOCH)
    honest.server.stop()
    verdict = verifier.verify(registered(network, honest), EPOCH, seed, None)
    assert verdict.outcome == MISSED and verdict.due > 0
    network.open_seed(20)
    assert verifier.verify(registered(network, honest), 20, network.seeds[20], None) is None  # orders ended


class KeeperBug(RuntimeError):
    """An error of the Keeper's own code (not the Provider's, not the network's)."""


def test_a_keepers_own_failure_is_not_recorded_as_the_providers_miss(network, providers, verifier, monkeypatch):
    """The Keeper once turned any exception into MISSED, so its own bug cost an honest
    Provider its pay. Now only network errors are the Provider's: anything else propagates
    and no verdict is given."""
    honest, _ = providers
    seed = network.open_seed(EPOCH)
    proof = verifier.pull_proof(registered(network, honest), EPOCH)

    def broken(*args, **kwargs):
        raise KeeperBug("the Keeper's multiexp is broken")

    monkeypatch.setattr("memo_py.keeper.verify.challenge.derive", broken)
    with pytest.raises(KeeperBug):
        verifier.verify(registered(network, honest), EPOCH, seed, proof)
    monkeypatch.undo()
    assert verifier.verify(registered(network, honest), EPOCH, seed, proof).outcome == PASSED

