"""Epochs.open_epoch: the seed of an epoch is the prevrandao of a fixed block after its
universe is frozen, whoever opens it and whenever (the attack on the old rule: the caller
picked the block, and so the seed, among the epoch's blocks)."""

import os

import ape
import pytest
import requests

from epochs_support import EPOCH_LENGTH


def mix_hash(chain, number):
    return bytes(chain.provider.web3.eth.get_block(number)["mixHash"])


def test_schedule_views(three):
    d = three
    start = d.epochs.epoch_start_block(3)
    assert d.epochs.universe_block(3) == start - 1 == d.epochs.epoch_start_block(2) + EPOCH_LENGTH - 1
    assert d.epochs.seed_block(3) == start + 1
    with ape.reverts("epochs: epoch 0 has no universe"):
        d.epochs.universe_block(0)


def test_open_epoch_records_the_seed_blocks_prevrandao(three, keeper, chain):
    d = three
    epoch = d.epochs.current_epoch() + 1
    tx = d.open(epoch, keeper)
    seed_block = d.epochs.seed_block(epoch)
    assert tx.block_number == seed_block + 1
    ev = tx.events.filter(d.epochs.EpochOpened)
    assert len(ev) == 1
    assert ev[0].epoch == epoch and ev[0].seed_block == seed_block
    assert ev[0].seed == mix_hash(chain, seed_block) != mix_hash(chain, tx.block_number)
    assert ev[0].end_block == d.epochs.epoch_start_block(epoch + 1)
    assert d.epochs.seed_of(epoch) == mix_hash(chain, seed_block)
    assert tx.return_value in (None, mix_hash(chain, seed_block))


def test_the_caller_cannot_choose_the_seed_by_timing(three, keeper, attacker, chain):
    """Opening late (in any later block, by anyone) gives the same seed as opening at once."""
    d = three
    epoch = d.epochs.current_epoch() + 1
    seed_block = d.epochs.seed_block(epoch)
    chain.mine(seed_block + 1 - chain.blocks.head.number + 2 * EPOCH_LENGTH + 3)
    tx = d.epochs.open_epoch(epoch, d.header(seed_block), sender=attacker)
    assert tx.events.filter(d.epochs.EpochOpened)[0].seed == mix_hash(chain, seed_block)


def test_open_before_the_seed_block_is_sealed(three, keeper, chain):
    d = three
    epoch = d.epochs.current_epoch() + 1
    seed_block = d.epochs.seed_block(epoch)
    # The next transaction lands in the seed block itself: its prevrandao is not known yet
    # to the contract (and must not be: it is fixed only once the block before is sealed).
    chain.mine(seed_block - 1 - chain.blocks.head.number)
    parent = d.header(seed_block - 1)
    with ape.reverts("epochs: seed block not sealed"):
        d.epochs.open_epoch(epoch, parent, sender=keeper)
    with ape.reverts("epochs: seed block not sealed"):
        d.epochs.open_epoch(epoch + 5, parent, sender=keeper)


def test_a_header_of_another_block_is_refused(three, keeper, attacker, chain):
    """An attacker cannot hand in a header of its choice (another block's, or one with a
    forged mixHash): only the seed block's real header hashes to its block hash."""
    d = three
    epoch = d.epochs.current_epoch() + 1
    seed_block = d.epochs.seed_block(epoch)
    chain.mine(seed_block + 3 - chain.blocks.head.number)
    for number in (seed_block - 1, seed_block + 1):
        with ape.reverts("epochs: header does not match"):
            d.epochs.open_epoch(epoch, d.header(number), sender=attacker)
    real = d.header(seed_block)
    at = real.index(mix_hash(chain, seed_block))
    forged = real[:at] + bytes(32) + real[at + 32 :]
    with ape.reverts("epochs: header does not match"):
        d.epochs.open_epoch(epoch, forged, sender=attacker)
    d.epochs.open_epoch(epoch, real, sender=keeper)
    assert d.epochs.seed_of(epoch) == mix_hash(chain, seed_block)


def test_open_epoch_twice(three, keeper, attacker):
    d = three
    epoch = d.epochs.current_epoch() + 1
    d.open(epoch, keeper)
    with ape.reverts("epochs: epoch already opened"):
        d.epochs.open_epoch(epoch, d.header(d.epochs.seed_block(epoch)), sender=attacker)


def test_open_after_blockhash_forgets_reads_the_history_contract(three, keeper, chain):
    """Past BLOCKHASH's 256 blocks the seed block's hash comes from EIP-2935's history."""
    d = three
    epoch = d.epochs.current_epoch() + 1
    seed_block = d.epochs.seed_block(epoch)
    chain.mine(seed_block + 300 - chain.blocks.head.number)
    d.epochs.open_epoch(epoch, d.header(seed_block), sender=keeper)
    assert d.epochs.seed_of(epoch) == mix_hash(chain, seed_block)


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE") != "deep", reason="mines 8,200 blocks (about 90 s): deep profile only"
)
def test_open_after_the_history_forgets(three, keeper, chain):
    d = three
    epoch = d.epochs.current_epoch() + 1
    seed_block = d.epochs.seed_block(epoch)
    # One anvil_mine call, with a timeout of its own: anvil mines about 100 blocks a second.
    count = seed_block + 8200 - chain.blocks.head.number
    body = {"jsonrpc": "2.0", "id": 1, "method": "anvil_mine", "params": [hex(count)]}
    assert "error" not in requests.post(chain.provider.uri, json=body, timeout=600).json()
    with ape.reverts("epochs: seed block too old"):
        d.epochs.open_epoch(epoch, d.header(seed_block), sender=keeper)
    assert d.epochs.end_block_of(epoch) == 0
