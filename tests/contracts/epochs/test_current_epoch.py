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


def test_too_short_an_epoch_is_refused(project, owner, three):
    import ape

    for length in (0, 1):
        with ape.reverts("epochs: epoch too short"):
            owner.deploy(project.Epochs, three.registry, length)


def test_nobody_can_change_the_epoch_length(three):
    """The owner once could make order terms pass in a few blocks, or never: the length is
    now fixed at deployment and no function changes it."""
    abi_names = {item.name for item in three.epochs.contract_type.abi if item.type == "function"}
    assert "set_epoch_length" not in abi_names
    assert {n for n in abi_names if n.startswith("set_")} == {"set_quorum"}
