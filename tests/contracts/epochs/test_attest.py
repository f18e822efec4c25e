import ape
import pytest
from eth_utils import keccak

from epochs_support import aggregate

ROOT = keccak(b"results-root")
GAS = {}


def test_attest_all_signers(three, keeper):
    d = three
    epoch = d.finished_epoch(keeper)
    sig = d.signature([0, 1, 2], epoch, ROOT)
    tx = d.epochs.attest(epoch, ROOT, 0b111, sig, sender=keeper)
    ev = tx.events.filter(d.epochs.EpochAttested)
    assert len(ev) == 1
    assert ev[0].epoch == epoch and ev[0].results_root == ROOT
    assert ev[0].signer_bitmap == 0b111 and ev[0].signer_weight == 300 and ev[0].submitter == keeper
    assert d.epochs.results_root(epoch) == ROOT
    assert d.epochs.latest_attested() == epoch


def test_attest_exactly_two_thirds(three, keeper):
    d = three
    epoch = d.finished_epoch(keeper)
    tx = d.epochs.attest(epoch, ROOT, 0b101, d.signature([0, 2], epoch, ROOT), sender=keeper)
    assert tx.events.filter(d.epochs.EpochAttested)[0].signer_weight == 200


def test_attest_heavy_keeper_alone(deploy, keeper):
    d = deploy([700, 100, 100, 100])
    epoch = d.finished_epoch(keeper)
    d.epochs.attest(epoch, ROOT, 0b0001, d.signature([0], epoch, ROOT), sender=keeper)
    assert d.epochs.results_root(epoch) == ROOT


def test_attest_below_quorum(three, keeper):
    d = three
    epoch = d.finished_epoch(keeper)
    with ape.reverts("epochs: below quorum"):
        d.epochs.attest(epoch, ROOT, 0b001, d.signature([0], epoch, ROOT), sender=keeper)
    with ape.reverts("epochs: below quorum"):
        d.epochs.attest(epoch, ROOT, 0, d.signature([0], epoch, ROOT), sender=keeper)


def test_attest_below_quorum_by_weight(deploy, keeper):
    d = deploy([100, 100, 401])
    epoch = d.finished_epoch(keeper)
    with ape.reverts("epochs: below quorum"):
        d.epochs.attest(epoch, ROOT, 0b011, d.signature([0, 1], epoch, ROOT), sender=keeper)


def test_attest_wrong_message(three, keeper):
    d = three
    epoch = d.finished_epoch(keeper)
    with ape.reverts("epochs: invalid signature"):
        d.epochs.attest(epoch, ROOT, 0b111, d.signature([0, 1, 2], epoch, keccak(b"other root")), sender=keeper)
    with ape.reverts("epochs: invalid signature"):
        d.epochs.attest(epoch, ROOT, 0b111, d.signature([0, 1, 2], epoch + 1, ROOT), sender=keeper)


def test_attest_wrong_key(three, keeper, outsider):
    d = three
    epoch = d.finished_epoch(keeper)
    msg = d.message(epoch, ROOT)
    sig = aggregate([d.keepers[0].sign(msg), d.keepers[1].sign(msg), outsider.sign(msg)])
    with ape.reverts("epochs: invalid signature"):
        d.epochs.attest(epoch, ROOT, 0b111, sig, sender=keeper)


def test_attest_missing_signer(three, keeper):
    # All three signed, but the bitmap leaves slot 2 out (2/3 is still a quorum).
    d = three
    epoch = d.finished_epoch(keeper)
    with ape.reverts("epochs: invalid signature"):
        d.epochs.attest(epoch, ROOT, 0b011, d.signature([0, 1, 2], epoch, ROOT), sender=keeper)


def test_attest_forged_bitmap(three, keeper):
    d = three
    epoch = d.finished_epoch(keeper)
    # Claims slot 2 signed, but only slots 0 and 1 did: the aggregate key no longer matches.
    with ape.reverts("epochs: invalid signature"):
        d.epochs.attest(epoch, ROOT, 0b111, d.signature([0, 1], epoch, ROOT), sender=keeper)
    # Bits of slots that hold no active keeper are refused by the Registry.
    with ape.reverts("registry: inactive signer"):
        d.epochs.attest(epoch, ROOT, 0b1011, d.signature([0, 1], epoch, ROOT), sender=keeper)


def test_attest_malformed_signature(three, keeper):
    d = three
    epoch = d.finished_epoch(keeper)
    with ape.reverts("epochs: invalid signature"):
        d.epochs.attest(epoch, ROOT, 0b111, b"\x01" * 256, sender=keeper)
    with ape.reverts("epochs: invalid signature"):
        d.epochs.attest(epoch, ROOT, 0b111, d.signature([0, 1, 2], epoch, ROOT)[:255], sender=keeper)


def test_attest_replay(three, keeper):
    d = three
    epoch = d.finished_epoch(keeper)
    sig = d.signature([0, 1, 2], epoch, ROOT)
    d.epochs.attest(epoch, ROOT, 0b111, sig, sender=keeper)
    with ape.reverts("epochs: already attested"):
        d.epochs.attest(epoch, ROOT, 0b111, sig, sender=keeper)
    # The same signature does not carry over to the next epoch.
    nxt = d.finished_epoch(keeper)
    with ape.reverts("epochs: invalid signature"):
        d.epochs.attest(nxt, ROOT, 0b111, sig, sender=keeper)


def test_attest_other_contract_replay(deploy, three, keeper):
    # A signature for another Epochs deployment (same keepers, same epoch) is refused.
    d, other = three, deploy([100, 100, 100])
    epoch = d.finished_epoch(keeper)
    # Bring the other deployment to the same epoch number, over and opened.
    other.open(epoch, keeper)
    chain = other.chain
    chain.mine(max(0, other.epochs.end_block_of(epoch) - chain.blocks.head.number))
    sig = other.signature([0, 1, 2], epoch, ROOT)
    with ape.reverts("epochs: invalid signature"):
        d.epochs.attest(epoch, ROOT, 0b111, sig, sender=keeper)
    # The signature itself is good: the other contract takes it.
    other.epochs.attest(epoch, ROOT, 0b111, sig, sender=keeper)
    assert other.epochs.results_root(epoch) == ROOT and d.epochs.results_root(epoch) == bytes(32)


def test_attest_not_opened(three, keeper, chain):
    d = three
    chain.mine(3 * d.epochs.epoch_length())
    with ape.reverts("epochs: epoch not opened"):
        d.epochs.attest(0, ROOT, 0b111, d.signature([0, 1, 2], 0, ROOT), sender=keeper)


def test_attest_not_over(three, keeper):
    d = three
    epoch = d.epochs.current_epoch() + 1
    d.open(epoch, keeper)
    assert d.epochs.current_epoch() == epoch
    with ape.reverts("epochs: epoch not over"):
        d.epochs.attest(epoch, ROOT, 0b111, d.signature([0, 1, 2], epoch, ROOT), sender=keeper)


def test_attest_empty_root(three, keeper):
    d = three
    epoch = d.finished_epoch(keeper)
    with ape.reverts("epochs: empty results root"):
        d.epochs.attest(epoch, bytes(32), 0b111, d.signature([0, 1, 2], epoch, bytes(32)), sender=keeper)


def test_attest_older_than_latest(three, keeper):
    d = three
    first = d.finished_epoch(keeper)
    second = d.finished_epoch(keeper)
    d.epochs.attest(second, ROOT, 0b111, d.signature([0, 1, 2], second, ROOT), sender=keeper)
    with ape.reverts("epochs: older than latest attested"):
        d.epochs.attest(first, ROOT, 0b111, d.signature([0, 1, 2], first, ROOT), sender=keeper)


def test_attest_after_keeper_left(three, keeper, owner):
    d = three
    d.registry.remove_keeper(1, sender=owner)
    epoch = d.finished_epoch(keeper)
    # Two keepers left: both must sign (1 of 2 is below 2/3), slot 1 may not be claimed.
    with ape.reverts("epochs: below quorum"):
        d.epochs.attest(epoch, ROOT, 0b001, d.signature([0], epoch, ROOT), sender=keeper)
    with ape.reverts("registry: inactive signer"):
        d.epochs.attest(epoch, ROOT, 0b111, d.signature([0, 1, 2], epoch, ROOT), sender=keeper)
    d.epochs.attest(epoch, ROOT, 0b101, d.signature([0, 2], epoch, ROOT), sender=keeper)


def test_attestation_message_matches_python(three):
    d = three
    assert d.epochs.attestation_message(7, ROOT) == d.message(7, ROOT)


@pytest.mark.parametrize("n", [1, 3, 8])
def test_attest_gas(deploy, keeper, n):
    """Whole-transaction gas with n keepers, all signing: the first attestation and a steady-state one."""
    d = deploy([100] * n)
    d.finished_epoch(keeper)  # epoch 0 stays unattested: the first attestation is at a non-zero epoch
    gas = []
    for _ in range(2):
        epoch = d.finished_epoch(keeper)
        tx = d.epochs.attest(epoch, ROOT, (1 << n) - 1, d.signature(range(n), epoch, ROOT), sender=keeper)
        gas.append(tx.gas_used)
    GAS[n] = gas
    print(f"\nGAS attest signers={n} first={gas[0]} steady={gas[1]}")
    assert max(gas) <= 250_000 + 3_000 * (n - 1)


def test_attest_gas_with_non_signers(deploy, keeper):
    """8 keepers, 6 sign: each non-signer costs one G1 subtraction in the Registry."""
    d = deploy([100] * 8)
    epoch = d.finished_epoch(keeper)
    tx = d.epochs.attest(epoch, ROOT, 0b00111111, d.signature(range(6), epoch, ROOT), sender=keeper)
    print(f"\nGAS attest keepers=8 signers=6 gas={tx.gas_used}")
    assert d.epochs.results_root(epoch) == ROOT
    # Each non-signer costs about 15.6k gas (one G1 subtraction through EIP-2537).
    assert tx.gas_used <= 250_000 + 2 * 20_000
