"""The Provider's loop answers on-chain disputes (``Disputes.vy``) against a fake chain
that checks an answer as the contract does: an open dispute is answered once with an
opening that verifies, a restart does not answer again, a failed send is retried with
the loop's back-off, and a blob that is gone is reported, not crashed on."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import ckzg
import pytest

from memo_py.chain.merkle import commitment_leaf, verify_commitment_proof
from memo_py.crypto.setup import trusted_setup
from memo_py.provider import create_app
from memo_py.provider.loop import ANSWERED, MISSING, LoopState, ProviderLoop
from tests.unit.keeper.support import Server, serve

from .support import PROVIDER, grow_order, provider_config, store_order


@pytest.fixture
def provider(tmp_path, chain, committer) -> Iterator[Server]:
    # No Keepers: only the dispute step of the loop has anything to do.
    config = provider_config(tmp_path / "provider", [])
    server = serve(create_app(config, chain, committer=committer))
    yield server
    server.stop()


def new_loop(provider: Server, state: LoopState | None = None) -> ProviderLoop:
    return ProviderLoop(provider.service, state, retry_base=1.0)


def check_answer(chain, dispute_id: int) -> None:
    """The answer the fake accepted verifies on its own (Merkle path and KZG opening)."""
    ((answered_id, commitment, path, y, proof),) = [a for a in chain.answers if a[0] == dispute_id]
    d = chain.disputes[dispute_id]
    assert verify_commitment_proof(path, d.root, commitment_leaf(d.blob_index, commitment), d.blob_index)
    assert ckzg.verify_kzg_proof(commitment, d.z.to_bytes(32, "big"), y, proof, trusted_setup())


def test_an_open_dispute_is_answered_once_with_an_opening_that_verifies(chain, provider):
    stored = store_order(provider.url, chain, blobs=3)
    loop = new_loop(provider)
    assert loop.tick(10.0).answered == []  # no dispute: nothing to do

    dispute_id = chain.challenge(stored.order.order_id, 2)
    report = loop.tick(11.0)
    assert report.answered == [dispute_id] and report.errors == []
    assert chain.disputes[dispute_id].status == "answered"
    check_answer(chain, dispute_id)
    assert chain.answers[0][1] == stored.commitments[2]
    assert loop.state.dispute(dispute_id)["state"] == ANSWERED

    # A node that still lists it open: the loop does not answer again.
    chain.stale_disputes = True
    assert loop.tick(12.0).answered == []
    assert len(chain.answers) == 1

    # A second dispute on another blob is answered too.
    second = chain.challenge(stored.order.order_id, 0)
    assert loop.tick(13.0).answered == [second]
    check_answer(chain, second)
    assert loop.state.answered_disputes() == [dispute_id, second]


def test_a_restarted_loop_does_not_answer_again(tmp_path, chain, provider):
    stored = store_order(provider.url, chain)
    chain.stale_disputes = True  # the answered dispute stays listed open
    dispute_id = chain.challenge(stored.order.order_id, 1)
    state = LoopState(tmp_path / "loop.db")
    assert new_loop(provider, state).tick(10.0).answered == [dispute_id]
    state.close()

    state = LoopState(tmp_path / "loop.db")
    try:
        report = new_loop(provider, state).tick(11.0)
        assert report.answered == [] and report.errors == []
        assert len(chain.answers) == 1
    finally:
        state.close()


def test_a_failed_answer_is_retried_with_back_off(chain, provider):
    stored = store_order(provider.url, chain)
    dispute_id = chain.challenge(stored.order.order_id, 0)
    chain.fail_answers = 1
    loop = new_loop(provider)
    report = loop.tick(10.0)
    assert report.answered == [] and any("node is down" in e for e in report.errors)
    assert loop.tick(10.5).answered == []  # backing off (retry_base 1 s)
    assert loop.tick(11.0).answered == [dispute_id]
    check_answer(chain, dispute_id)


def test_the_dispute_uses_the_root_it_recorded_after_the_order_grew(chain, provider):
    stored = store_order(provider.url, chain, blobs=2)
    dispute_id = chain.challenge(stored.order.order_id, 1)  # over the 2-blob root
    grow_order(provider.url, chain, stored, 3)  # the order now has 5 blobs and another root
    assert new_loop(provider).tick(10.0).answered == [dispute_id]
    check_answer(chain, dispute_id)
    assert len(chain.answers[0][2]) == 1  # the depth of the 2-blob tree


def test_a_missing_blob_is_reported_not_crashed_on(chain, provider, caplog):
    stored = store_order(provider.url, chain)
    provider.service.store.delete_order(stored.order.order_id)
    dispute_id = chain.challenge(stored.order.order_id, 1)
    loop = new_loop(provider)
    with caplog.at_level(logging.ERROR, logger="memo_py.provider.loop"):
        report = loop.tick(10.0)
    assert report.answered == [] and chain.answers == []
    assert any(f"dispute {dispute_id}" in e and "not in the store" in e for e in report.errors)
    assert any("not in the store" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    assert loop.state.dispute(dispute_id)["state"] == MISSING
    assert chain.disputes[dispute_id].status == "open"
    # The loop carries on with its other steps, and retries after the back-off.
    assert loop.tick(10.5).errors == []
    assert loop.tick(11.0).errors != []


def test_a_provider_is_not_asked_about_others_disputes(chain, provider):
    stored = store_order(provider.url, chain)
    dispute_id = chain.challenge(stored.order.order_id, 0)
    chain.disputes[dispute_id].provider = "0x" + "11" * 20
    assert new_loop(provider).tick(10.0).answered == []
    assert chain.answers == []
    assert PROVIDER.address != chain.disputes[dispute_id].provider
