import ape

from epochs_support import EPOCH_LENGTH


def test_set_epoch_length_from_next_boundary(three, owner, keeper, chain):
    d = three
    d.epochs.open_epoch(sender=keeper)
    epoch = d.epochs.current_epoch()
    end = d.epochs.end_block_of(epoch)
    tx = d.epochs.set_epoch_length(20, sender=owner)
    ev = tx.events.filter(d.epochs.EpochLengthUpdated)
    assert len(ev) == 1
    assert ev[0].old_value == EPOCH_LENGTH and ev[0].new_value == 20
    assert ev[0].from_epoch == epoch + 1 and ev[0].from_block == end
    # The running epoch keeps its end; the new length applies from the next one.
    assert d.epochs.current_epoch() == epoch
    assert d.epochs.epoch_length() == EPOCH_LENGTH
    assert d.epochs.epoch_start_block(epoch + 1) == end
    assert d.epochs.epoch_start_block(epoch + 2) == end + 20
    chain.mine(end - chain.blocks.head.number)
    assert d.epochs.current_epoch() == epoch + 1
    assert d.epochs.epoch_length() == 20
    chain.mine(19)
    assert d.epochs.current_epoch() == epoch + 1
    chain.mine(1)
    assert d.epochs.current_epoch() == epoch + 2
    # The opened epoch can still be attested against its recorded end.
    tx = d.epochs.open_epoch(sender=keeper)
    assert tx.events.filter(d.epochs.EpochOpened)[0].end_block == end + 40


def test_set_epoch_length_twice_before_boundary(three, owner):
    d = three
    epoch = d.epochs.current_epoch()
    d.epochs.set_epoch_length(20, sender=owner)
    tx = d.epochs.set_epoch_length(7, sender=owner)
    ev = tx.events.filter(d.epochs.EpochLengthUpdated)[0]
    assert ev.new_value == 7 and ev.from_epoch == epoch + 1
    start = d.epochs.epoch_start_block(epoch + 1)
    assert d.epochs.epoch_start_block(epoch + 3) == start + 14


def test_set_epoch_length_not_owner(three, attacker):
    with ape.reverts("ownable_2step: not the owner"):
        three.epochs.set_epoch_length(20, sender=attacker)


def test_set_epoch_length_zero(three, owner):
    with ape.reverts("epochs: zero epoch length"):
        three.epochs.set_epoch_length(0, sender=owner)
