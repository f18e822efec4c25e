# pragma version ~=0.4.3
"""
@title Mock ERC-20 (tests only)
@license MIT
@notice A bare ERC-20 with open minting, for the Epochs and Disputes tests.
@dev No access control on `mint`: never deploy outside tests.
"""

from ethereum.ercs import IERC20

implements: IERC20

name: public(String[32])
symbol: public(String[8])
decimals: public(uint8)
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256


@deploy
def __init__():
    self.name = "Mock MEMO"
    self.symbol = "mMEMO"
    self.decimals = 18


@external
def mint(receiver: address, amount: uint256):
    """
    @notice Mint tokens to anyone (tests only).
    @param receiver Who receives them.
    @param amount How many.
    """
    self.totalSupply += amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=empty(address), receiver=receiver, value=amount)


@external
def transfer(receiver: address, amount: uint256) -> bool:
    """
    @notice ERC-20 transfer.
    @param receiver Who receives.
    @param amount How much.
    @return True.
    """
    self._transfer(msg.sender, receiver, amount)
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    """
    @notice ERC-20 transferFrom.
    @param sender Whose tokens.
    @param receiver Who receives.
    @param amount How much.
    @return True.
    """
    allowed: uint256 = self.allowance[sender][msg.sender]
    assert allowed >= amount, "mocktoken: insufficient allowance"
    if allowed != max_value(uint256):
        self.allowance[sender][msg.sender] = allowed - amount
    self._transfer(sender, receiver, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    """
    @notice ERC-20 approve.
    @param spender Who may spend.
    @param amount How much.
    @return True.
    """
    self.allowance[msg.sender][spender] = amount
    log Approval(owner=msg.sender, spender=spender, value=amount)
    return True


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    assert self.balanceOf[sender] >= amount, "mocktoken: insufficient balance"
    self.balanceOf[sender] -= amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=sender, receiver=receiver, value=amount)
