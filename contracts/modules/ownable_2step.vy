# pragma version ~=0.4.3
"""
@title Two-step ownership
@custom:contract-name ownable_2step
@license MIT
@notice Owner-only access for the admin functions of every MEMO deployable.
        The owner proposes a successor with `transfer_ownership`; the
        successor takes over with `accept_ownership`, so a typo in an address
        cannot lose the contract.
@dev Trust model: the owner can change the parameters of the contract that
     uses this module (each setter emits an event) and nothing else; it holds
     no funds of its own. A deployable `initializes: ownable_2step`, exports
     `owner`, `pending_owner`, `transfer_ownership` and `accept_ownership`, and
     calls `_check_owner()` at the top of its setters. Proposing the zero
     address cancels a pending transfer.
"""

owner: public(address)
pending_owner: public(address)


event OwnershipTransferStarted:
    previous_owner: indexed(address)
    new_owner: indexed(address)


event OwnershipTransferred:
    previous_owner: indexed(address)
    new_owner: indexed(address)


@deploy
def __init__():
    self._transfer_ownership(msg.sender)


@external
def transfer_ownership(new_owner: address):
    """
    @notice Propose `new_owner` as the next owner; it must call `accept_ownership`.
    @param new_owner The proposed owner (the zero address cancels a pending proposal).
    """
    self._check_owner()
    self.pending_owner = new_owner
    log OwnershipTransferStarted(previous_owner=self.owner, new_owner=new_owner)


@external
def accept_ownership():
    """
    @notice Accept a pending ownership transfer; only the proposed owner may call it.
    """
    assert msg.sender == self.pending_owner, "ownable_2step: not the pending owner"
    self._transfer_ownership(msg.sender)


@internal
@view
def _check_owner():
    assert msg.sender == self.owner, "ownable_2step: not the owner"


@internal
def _transfer_ownership(new_owner: address):
    previous: address = self.owner
    self.owner = new_owner
    self.pending_owner = empty(address)
    log OwnershipTransferred(previous_owner=previous, new_owner=new_owner)
