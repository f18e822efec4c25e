from epochs_support import EPOCH_LENGTH


def test_current_epoch_advances_every_epoch_length_blocks(three, chain):
    d = three
    genesis = d.epochs.GENESIS_BLOCK()
    for _ in range(3):
        head = chain.blocks.head.number
        assert d.epochs.current_epoch() == (head - genesis) // EPOCH_LENGTH
        assert d.epochs.epoch_start_block(d.epochs.current_epoch()) <= head
        chain.mine(2)


def test_epoch_zero_starts_at_deployment(three):
    d = three
    assert d.epochs.epoch_start_block(0) == d.epochs.GENESIS_BLOCK()
    assert d.epochs.epoch_length() == EPOCH_LENGTH
    assert d.epochs.latest_attested() == 0


def test_zero_epoch_length_refused(project, owner, three):
    import ape

    with ape.reverts("epochs: zero epoch length"):
        owner.deploy(project.Epochs, three.registry, 0)
