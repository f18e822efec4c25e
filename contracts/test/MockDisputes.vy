# pragma version ~=0.4.3
"""
@title Mock Disputes (tests only)
@custom:contract-name MockDisputes
@license MIT
@notice The slice of Disputes that the Registry reads (`open_disputes`), settable,
        plus a `slash` passthrough so tests can slash as the Disputes contract.
@dev No access control: never deploy outside tests.
"""

from ..interfaces import IRegistry


open_disputes: public(HashMap[address, uint256])


@external
def set_open_disputes(provider: address, count: uint256):
    """
    @notice Set how many disputes are open against `provider`.
    @param provider The Provider.
    @param count The number of open disputes.
    """
    self.open_disputes[provider] = count


@external
def slash(registry: address, provider: address, amount: uint256, recipient: address) -> uint256:
    """
    @notice Call `Registry.slash` as this contract.
    @param registry The Registry.
    @param provider The Provider.
    @param amount The amount asked for.
    @param recipient Who receives it.
    @return What was taken.
    """
    return extcall IRegistry(registry).slash(provider, amount, recipient)
