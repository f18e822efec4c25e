"""The whole epoch cycle with real Provider and Keeper servers on a fake chain:
verify, pay or penalise, sign, aggregate, submit; disagreement, failover, quorum, restart."""

from __future__ import annotations

import pytest

from memo_py.chain.merkle import ResultsTree, attestation_message, results_leaf, verify_results_proof
from memo_py.crypto import bls
from memo_py.keeper import FAILED, PASSED

from .support import BLS_KEYS, DUE, PROVIDER, START

EPOCH = START


def prove_epoch(network, providers, keepers, *, push_cheater: bool = False) -> None:
    """Open EPOCH, have the honest Provider push its proof (the cheater's is pulled), end EPOCH."""
    honest, cheater = providers
    network.set_epoch(EPOCH, open_it=True)
    assert set(honest.push(EPOCH, keepers.servers).values()) == {"ok"}
    if push_cheater:
        assert set(cheater.push(EPOCH, keepers.servers).values()) == {"ok"}
    network.set_epoch(EPOCH + 1)


def test_good_proof_is_paid_bad_one_penalised_and_the_root_attested(network, providers, make_keepers):
    honest, cheater = providers
    keepers = make_keepers()
    for i in range(3):
        keepers[i].service.risk.track("stripe", 1, 1, [honest.address, cheater.address], 0.0)
    prove_epoch(network, providers, keepers)

    # Slots 1 and 2 judge first; slot 0 is up, so it is their aggregator.
    opened = []
    for i in (1, 2):
        report = keepers.tick(i)
        assert EPOCH in report.recorded and report.attestation is None
        opened.append(report.opened)
    assert opened == [True, False]  # epoch 3 had no seed: the first Keeper to tick opened it
    assert network.seed_of(EPOCH + 1) is not None
    report = keepers.tick(0)
    attestation = report.attestation
    assert attestation is not None and attestation.epoch == EPOCH

    # The chain accepted it (FakeNetwork.attest checks quorum and the aggregate signature).
    assert network.attestations == [(EPOCH, attestation.root, 0b011, attestation.signature)]
    message = attestation_message(network.chain_id, network.epochs, EPOCH, attestation.root)
    signers = [bls.public_key(BLS_KEYS[0]), bls.public_key(BLS_KEYS[1])]
    assert bls.fast_aggregate_verify(signers, message, attestation.signature)

    # Pay and penalty: the root is the results tree of exactly these totals.
    expected = ResultsTree([(honest.address, DUE, 0), (cheater.address, 0, DUE)])
    assert attestation.root == expected.root
    verdicts = {v["provider"]: v for v in keepers[0].service.ledger.verdicts(EPOCH)}
    assert verdicts[honest.address]["outcome"] == PASSED
    assert verdicts[cheater.address]["outcome"] == FAILED
    assert "does not verify" in verdicts[cheater.address]["reason"]

    # A Provider's withdrawal arguments verify against the attested root.
    with keepers.client(2, honest.account) as client:
        answer = client.get_json(f"/results/{EPOCH}/{honest.address}")
    assert answer["cum_pay"] == str(DUE) and answer["cum_penalty"] == "0"
    proof = [bytes.fromhex(p[2:]) for p in answer["proof"]]
    assert verify_results_proof(proof, attestation.root, results_leaf(honest.address, DUE, 0))

    # Slot 2 learns the attestation on its next tick; RAFI saw the cheater fail.
    keepers.tick(2)
    assert keepers[2].service.ledger.attested_root(EPOCH) == attestation.root
    health = keepers[0].service.risk.health("stripe", 1_000.0)
    assert health.states == ("ok", "failed")


def test_a_missing_chunk_is_a_missed_proof(network, providers, make_keepers):
    honest, cheater = providers
    cheater.server.service.store._path(cheater.order_id, 1).unlink()
    keepers = make_keepers()
    prove_epoch(network, providers, keepers)
    keepers.tick(1)
    report = keepers.tick(0)
    assert report.attestation is not None
    verdicts = {v["provider"]: v for v in keepers[0].service.ledger.verdicts(EPOCH)}
    assert verdicts[cheater.address]["outcome"] == "missed"
    assert verdicts[cheater.address]["penalty"] == str(DUE) and verdicts[cheater.address]["pay"] == "0"


def test_proofs_are_awaited_during_the_grace_period(network, providers, make_keepers):
    keepers = make_keepers([{"proof_grace": 30.0}, {}, {}])
    prove_epoch(network, providers, keepers)  # the cheater did not push
    report = keepers.tick(0, now=1_000.0)
    assert report.waiting == EPOCH and EPOCH not in report.recorded
    report = keepers.tick(0, now=1_031.0)
    assert EPOCH in report.recorded


def test_a_keeper_behind_by_several_epochs_waits_one_grace_period_for_all_of_them(network, providers, make_keepers):
    """Each finished epoch's grace runs from when the Keeper first saw it over, side by side:
    one that is behind (it joined late, or was down) does not wait a grace period per epoch."""
    honest, _ = providers
    keepers = make_keepers([{"proof_grace": 30.0}, {}, {}])
    for epoch in (EPOCH, EPOCH + 1):  # the cheater pushes neither proof: both wait for the grace period
        network.set_epoch(epoch, open_it=True)
        assert set(honest.push(epoch, keepers.servers).values()) == {"ok"}
    network.set_epoch(EPOCH + 2)
    report = keepers.tick(0, now=1_000.0)
    assert report.waiting == EPOCH and EPOCH not in report.recorded
    report = keepers.tick(0, now=1_031.0)
    assert report.recorded == [EPOCH, EPOCH + 1]


def test_a_keeper_that_disagrees_does_not_sign_and_later_adopts_the_attested_root(network, providers, make_keepers):
    keepers = make_keepers([{}, {"penalty_bps": 5_000}, {}])
    prove_epoch(network, providers, keepers)
    for i in (1, 2):
        keepers.tick(i)
    dissent = keepers[1].service.ledger.results(EPOCH).root
    attestation = keepers.tick(0).attestation
    assert attestation is not None and attestation.bitmap == 0b101 and attestation.root != dissent
    assert keepers[1].service.ledger.proposal(EPOCH, attestation.root) is not None

    report = keepers.tick(1)
    assert report.adopted == [EPOCH]
    assert keepers[1].service.ledger.results(EPOCH).root == attestation.root


def test_no_quorum_means_no_submission(network, providers, make_keepers):
    keepers = make_keepers([{}, {"penalty_bps": 5_000}, {"penalty_bps": 2_000}])
    prove_epoch(network, providers, keepers)
    for i in (1, 2):
        keepers.tick(i)
    report = keepers.tick(0)
    assert report.attestation is None and report.no_quorum == EPOCH
    assert network.attestations == []


def test_the_next_keeper_takes_over_when_the_aggregator_is_down(network, providers, make_keepers):
    keepers = make_keepers()
    prove_epoch(network, providers, keepers)
    keepers.stop(0)
    keepers.tick(2)
    attestation = keepers.tick(1).attestation
    assert attestation is not None and attestation.bitmap == 0b110
    assert network.attestations[0][2] == 0b110


def test_the_next_keeper_takes_over_after_a_timeout_when_the_aggregator_is_stuck(network, providers, make_keepers):
    keepers = make_keepers()
    prove_epoch(network, providers, keepers)
    keepers.tick(2)
    # Slot 0 answers /health but never ticks: slot 1 waits one timeout, then aggregates.
    assert keepers.tick(1, now=1_000.0).attestation is None
    assert keepers.tick(1, now=1_059.0).attestation is None
    attestation = keepers.tick(1, now=1_060.0).attestation
    assert attestation is not None and attestation.bitmap == 0b110  # slot 0 has not judged: 404


def test_a_restart_keeps_the_ledger(network, providers, make_keepers):
    honest, _ = providers
    keepers = make_keepers()
    prove_epoch(network, providers, keepers)
    keepers.tick(1)
    root = keepers.tick(0).attestation.root
    keepers.stop(0)
    keepers.start(0)
    service = keepers[0].service
    assert service.ledger.last_epoch() == EPOCH and service.ledger.results(EPOCH).root == root
    assert service.ledger.attested_root(EPOCH) == root
    report = keepers.tick(0, now=2_000.0)
    assert report.recorded == [] and report.attestation is None
    with keepers.client(0, honest.account) as client:
        assert client.get_json(f"/results/{EPOCH}/{PROVIDER.address}")["cum_pay"] == str(DUE)


def test_a_late_keeper_starts_from_the_attested_results_and_judges_only_new_epochs(network, providers, make_keepers):
    """A Keeper that joins (or comes back) after an epoch was attested does not judge that
    epoch against today's data: it takes the attested totals, checked against the root on
    chain, and from the next epoch on computes, signs and attests the same roots as its peers."""
    honest, cheater = providers
    keepers = make_keepers()
    keepers.stop(2)  # away while EPOCH is proven and attested
    network.set_epoch(EPOCH, open_it=True)
    assert set(honest.push(EPOCH, [keepers[0], keepers[1]]).values()) == {"ok"}
    network.set_epoch(EPOCH + 1)
    keepers.tick(1)
    root = keepers.tick(0).attestation.root
    keepers.stop(0)
    keepers.stop(1)
    keepers.start(2)
    late = keepers[2].service.ledger
    report = keepers.tick(2)  # no peer serves the attested results: it waits, judging nothing
    assert report.caught_up is None and report.recorded == [] and "attested results of epoch" in report.error
    assert late.last_epoch() is None
    keepers.start(0)
    keepers.start(1)
    report = keepers.tick(2)
    assert report.caught_up == EPOCH and report.recorded == []
    assert late.results(EPOCH).root == root and late.attested_root(EPOCH) == root and late.verdicts(EPOCH) == []

    # The next epoch: all three judge it and agree, on top of the attested totals.
    network.set_epoch(EPOCH + 1, open_it=True)
    for provider in providers:
        assert set(provider.push(EPOCH + 1, keepers.servers).values()) == {"ok"}
    network.set_epoch(EPOCH + 2)
    for i in (2, 1):
        assert EPOCH + 1 in keepers.tick(i).recorded
    keepers.stop(1)  # so the quorum needs the late Keeper's signature
    attestation = keepers.tick(0).attestation
    assert attestation is not None and attestation.epoch == EPOCH + 1 and attestation.bitmap == 0b101
    assert late.results(EPOCH + 1).root == attestation.root
    assert attestation.root == ResultsTree([(honest.address, 2 * DUE, 0), (cheater.address, 0, 2 * DUE)]).root


def test_results_that_do_not_hash_to_the_attested_root_are_not_a_start(tmp_path):
    from memo_py.keeper.ledger import EpochResults, Ledger

    ledger = Ledger(tmp_path / "ledger.db")
    results = EpochResults.of(EPOCH, [(PROVIDER.address, DUE, 0)])
    with pytest.raises(ValueError, match="do not hash to the attested root"):
        ledger.start_from(results, b"\x11" * 32)
    assert ledger.last_epoch() is None
    ledger.start_from(results, results.root)
    assert ledger.last_epoch() == EPOCH and ledger.results(EPOCH).root == results.root


def test_an_idle_keeper_reads_only_the_epoch_until_it_ends_or_the_quiet_runs_out(network, providers, make_keepers):
    """Once an epoch is judged and attested, the Keeper's steps in that epoch read the current
    epoch only (quiet_seconds 60, the default); the next epoch, or the end of the quiet, brings
    a full step."""
    keepers = make_keepers()
    prove_epoch(network, providers, keepers)
    for i in (1, 2, 0):
        keepers.tick(i, now=1_000.0)
    assert network.results_root(EPOCH) is not None
    service = keepers[1].service
    assert service.config.quiet_seconds == 60.0
    service.tick(1_001.0)  # sees the root: nothing pending any more
    calls: list[str] = []
    for name in ("current_epoch", "seed_of", "latest_attested", "results_root", "providers"):
        real = getattr(network, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        setattr(network, name, counted)
    for now in (1_002.0, 1_030.0, 1_060.9):
        report = service.tick(now)
        assert report.recorded == [] and report.attestation is None
    assert calls == ["current_epoch"] * 3
    calls.clear()
    service.tick(1_061.5)  # the quiet ran out: a full step
    assert {"seed_of", "latest_attested"} <= set(calls)
    network.set_epoch(EPOCH + 2)
    calls.clear()
    report = service.tick(1_062.0)  # a new epoch: a full step at once
    assert "seed_of" in calls and report.recorded == [EPOCH + 1]
