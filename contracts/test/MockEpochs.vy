# pragma version ~=0.4.3
"""
@title Mock Epochs (tests only)
@custom:contract-name MockEpochs
@license MIT
@notice The slice of Epochs that the Market and Disputes read: a settable
        current epoch and settable results roots (as if the Keepers had
        attested them).
@dev No access control: never deploy outside tests. Like the real Epochs it
     only accepts roots for epochs that are over (epoch < current_epoch).
"""

current_epoch: public(uint256)
latest_attested: public(uint256)
results_root: public(HashMap[uint256, bytes32])


@external
def set_current_epoch(epoch: uint256):
    """
    @notice Set the current epoch (never backwards).
    @param epoch The epoch.
    """
    assert epoch >= self.current_epoch, "mockepochs: epoch goes back"
    self.current_epoch = epoch


@external
def set_results_root(epoch: uint256, root: bytes32):
    """
    @notice Record `root` as the attested results root of `epoch`.
    @param epoch An epoch that is over.
    @param root The results root.
    """
    assert epoch < self.current_epoch, "mockepochs: epoch not over"
    assert self.results_root[epoch] == empty(bytes32), "mockepochs: already attested"
    self.results_root[epoch] = root
    if epoch > self.latest_attested:
        self.latest_attested = epoch
