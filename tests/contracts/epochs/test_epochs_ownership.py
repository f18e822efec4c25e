import ape


def test_two_step_ownership(three, owner, user, attacker):
    epochs = three.epochs
    with ape.reverts("epochs: not the owner"):
        epochs.transfer_ownership(attacker, sender=attacker)
    tx = epochs.transfer_ownership(user, sender=owner)
    ev = tx.events.filter(epochs.OwnershipTransferStarted)
    assert ev[0].previous_owner == owner and ev[0].new_owner == user
    assert epochs.owner() == owner and epochs.pending_owner() == user
    with ape.reverts("epochs: not the pending owner"):
        epochs.accept_ownership(sender=attacker)
    tx = epochs.accept_ownership(sender=user)
    ev = tx.events.filter(epochs.OwnershipTransferred)
    assert ev[0].previous_owner == owner and ev[0].new_owner == user
    assert epochs.owner() == user and epochs.pending_owner() == "0x" + "00" * 20
    with ape.reverts("epochs: not the owner"):
        epochs.set_quorum(1, 1, sender=owner)
