# pragma version ~=0.4.3
"""
@title Mock Epochs (tests only)
@license MIT
@notice A settable current epoch, for the Disputes tests.
@dev No access control: never deploy outside tests.
"""

current_epoch: public(uint256)


@external
def set_current_epoch(epoch: uint256):
    """
    @notice Set the current epoch.
    @param epoch The epoch.
    """
    self.current_epoch = epoch
