import ape

from epochs_support import EPOCH_LENGTH


def test_open_epoch_records_seed(three, keeper, chain):
    d = three
    tx = d.epochs.open_epoch(sender=keeper)
    epoch = d.epochs.current_epoch()
    block = chain.provider.web3.eth.get_block(tx.block_number)
    ev = tx.events.filter(d.epochs.EpochOpened)
    assert len(ev) == 1
    assert ev[0].epoch == epoch
    assert ev[0].seed == bytes(block["mixHash"])  # prevrandao
    assert ev[0].end_block == d.epochs.epoch_start_block(epoch + 1)
    assert d.epochs.seed_of(epoch) == bytes(block["mixHash"])
    assert d.epochs.end_block_of(epoch) == d.epochs.epoch_start_block(epoch) + EPOCH_LENGTH


def test_open_epoch_twice(three, keeper, attacker):
    d = three
    tx = d.epochs.open_epoch(sender=keeper)
    opened = tx.events.filter(d.epochs.EpochOpened)[0].epoch
    # The next transaction is one block later; skip ahead if that crossed a boundary.
    if d.epochs.current_epoch() != opened:
        d.epochs.open_epoch(sender=keeper)
    with ape.reverts("epochs: epoch already opened"):
        d.epochs.open_epoch(sender=attacker)


def test_open_next_epoch(three, keeper, chain):
    d = three
    d.epochs.open_epoch(sender=keeper)
    first = d.epochs.current_epoch()
    chain.mine(EPOCH_LENGTH)
    tx = d.epochs.open_epoch(sender=keeper)
    assert tx.events.filter(d.epochs.EpochOpened)[0].epoch == first + 1
