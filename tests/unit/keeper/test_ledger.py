"""The ledger: the pay/penalty rule, cumulative totals, roots, persistence and adoption."""

from __future__ import annotations

import pytest

from memo_py.chain.merkle import ZERO, ResultsTree, results_leaf, verify_results_proof
from memo_py.errors import UnknownEpoch
from memo_py.keeper import FAILED, MISSED, PASSED, EpochResults, Ledger, PayPolicy, ProofMessage, Verdict

PROVIDER = "0x" + "11" * 20
CHEATER = "0x" + "22" * 20


def verdicts(epoch: int, good: str = PASSED, bad: str = FAILED) -> list[Verdict]:
    return [Verdict(PROVIDER, epoch, good, 1_000), Verdict(CHEATER, epoch, bad, 400)]


@pytest.fixture
def ledger(tmp_path):
    ledger = Ledger(tmp_path / "ledger.db", PayPolicy(penalty_bps=5_000))
    yield ledger
    ledger.close()


def test_a_passed_proof_earns_its_due_and_a_failed_or_missed_one_a_penalty(ledger):
    first = ledger.record_epoch(3, verdicts(3))
    second = ledger.record_epoch(4, verdicts(4, bad=MISSED))
    assert first.entry(PROVIDER)[1:] == (1_000, 0) and first.entry(CHEATER)[1:] == (0, 200)
    assert second.entry(PROVIDER)[1:] == (2_000, 0) and second.entry(CHEATER)[1:] == (0, 400)
    tree = ResultsTree(second.entries)
    assert second.root == tree.root
    leaf = results_leaf(PROVIDER, 2_000, 0)
    assert verify_results_proof(tree.proof(PROVIDER), second.root, leaf)


def test_a_provider_without_verdict_keeps_its_totals_and_an_unopened_epoch_changes_nothing(ledger):
    ledger.record_epoch(3, verdicts(3))
    skipped = ledger.record_epoch(4, [], opened=False)
    later = ledger.record_epoch(5, [Verdict(PROVIDER, 5, PASSED, 1_000)])
    assert skipped.root == ledger.results(3).root and not ledger.opened(4)
    assert later.entry(CHEATER)[1:] == (0, 200) and later.entry(PROVIDER)[1:] == (2_000, 0)


def test_epochs_are_recorded_in_order_once(ledger):
    ledger.record_epoch(3, verdicts(3))
    with pytest.raises(ValueError, match="not after"):
        ledger.record_epoch(3, verdicts(3))
    with pytest.raises(ValueError, match="epoch 4 in epoch 5"):
        ledger.record_epoch(5, verdicts(4))
    with pytest.raises(UnknownEpoch):
        ledger.results(9)


def test_no_provider_gives_the_zero_root(ledger):
    assert ledger.record_epoch(0, []).root == ZERO


def test_the_ledger_survives_a_restart(tmp_path):
    ledger = Ledger(tmp_path / "l.db")
    root = ledger.record_epoch(3, verdicts(3)).root
    proof = ProofMessage(PROVIDER, 4, b"\x03" * 32, ((0, 0), (0, 1)), b"\x01" * 32, b"\x02" * 48)
    ledger.record_proof(proof)
    ledger.mark_attested(3, root)
    ledger.close()
    again = Ledger(tmp_path / "l.db")
    assert again.last_epoch() == 3 and again.results(3).root == root and again.attested_root(3) == root
    assert again.proof(4, PROVIDER) == proof
    again.close()


def test_adopting_attested_results_recomputes_later_epochs(ledger):
    ledger.record_epoch(3, verdicts(3))
    ledger.record_epoch(4, verdicts(4))
    attested = EpochResults.of(3, [(PROVIDER, 1_000, 0), (CHEATER, 400, 0)])  # the quorum saw a pass
    ledger.adopt(attested)
    assert ledger.results(3).root == attested.root
    assert ledger.results(4).entry(CHEATER)[1:] == (400, 200)
    assert ledger.results(4).entry(PROVIDER)[1:] == (2_000, 0)


def test_results_from_json_are_checked():
    good = EpochResults.of(3, [(PROVIDER, 5, 1)])
    assert EpochResults.from_json(3, good.to_json()["results"]).root == good.root
    for bad in ("x", [["0x12", "1", "0"]], [[PROVIDER, "-1", "0"]], [[PROVIDER, "1"]], [[PROVIDER, 1, 0]] * 2):
        with pytest.raises(ValueError):
            EpochResults.from_json(3, bad)
