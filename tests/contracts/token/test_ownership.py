"""transfer_ownership / accept_ownership (modules/ownable_2step.vy, as exported by Token)."""

import ape

from tests.contracts.support import event_args


def test_two_step_transfer(token, owner, keeper):
    receipt = token.transfer_ownership(keeper, sender=owner)
    assert token.pending_owner() == keeper.address
    assert token.owner() == owner.address
    assert event_args(receipt, token, "OwnershipTransferStarted") == [{"previous_owner": owner.address, "new_owner": keeper.address}]
    receipt = token.accept_ownership(sender=keeper)
    assert token.owner() == keeper.address
    assert token.pending_owner() == "0x0000000000000000000000000000000000000000"
    assert event_args(receipt, token, "OwnershipTransferred") == [{"previous_owner": owner.address, "new_owner": keeper.address}]


def test_transfer_ownership_by_attacker_reverts(token, attacker):
    with ape.reverts("ownable_2step: not the owner"):
        token.transfer_ownership(attacker, sender=attacker)


def test_accept_ownership_by_attacker_reverts(token, owner, keeper, attacker):
    token.transfer_ownership(keeper, sender=owner)
    with ape.reverts("ownable_2step: not the pending owner"):
        token.accept_ownership(sender=attacker)
