# pragma version ~=0.4.3
"""
@title Token
@custom:contract-name Token
@license MIT
@notice The MEMO devnet token: an ERC-20 with EIP-2612 `permit`, so a user
        can approve the Market and deposit in one transaction.
@dev Trust model: the owner (two-step, see modules/ownable_2step.vy) may mint;
     nothing else is privileged. Real deployments can use any existing ERC-20
     instead: every other MEMO contract takes the token address at deployment
     and only needs `transfer`/`transferFrom` (and `permit` for
     `Market.deposit_with_permit`). The EIP-712 domain separator is cached at
     deployment and recomputed if the chain id changes (fork protection).
"""

from ethereum.ercs import IERC20

from .modules import ownable_2step as ownable

implements: IERC20

initializes: ownable

exports: (
    ownable.owner,
    ownable.pending_owner,
    ownable.transfer_ownership,
    ownable.accept_ownership,
)

EIP712_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
PERMIT_TYPEHASH: constant(bytes32) = keccak256(
    "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
)
VERSION: constant(String[1]) = "1"
# secp256k1n / 2: signatures with a larger s are malleable copies (EIP-2).
MAX_S: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

name: public(String[64])
symbol: public(String[32])
decimals: public(uint8)
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
nonces: public(HashMap[address, uint256])

_NAME_HASH: immutable(bytes32)
_CACHED_CHAIN_ID: immutable(uint256)
_CACHED_DOMAIN_SEPARATOR: immutable(bytes32)


event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256


event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256


@deploy
def __init__(name_: String[64], symbol_: String[32], decimals_: uint8):
    ownable.__init__()
    self.name = name_
    self.symbol = symbol_
    self.decimals = decimals_
    _NAME_HASH = keccak256(name_)
    _CACHED_CHAIN_ID = chain.id
    _CACHED_DOMAIN_SEPARATOR = self._build_domain_separator()


@external
def transfer(receiver: address, amount: uint256) -> bool:
    """
    @notice Move `amount` tokens from the caller to `receiver`.
    @param receiver The recipient (not the zero address).
    @param amount The amount in token wei.
    @return True (reverts on failure).
    """
    self._transfer(msg.sender, receiver, amount)
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    """
    @notice Move `amount` tokens from `sender` to `receiver` using the caller's allowance.
    @param sender The owner of the tokens.
    @param receiver The recipient (not the zero address).
    @param amount The amount in token wei.
    @return True (reverts on failure).
    """
    allowed: uint256 = self.allowance[sender][msg.sender]
    if allowed != max_value(uint256):
        assert allowed >= amount, "token: allowance too low"
        self._approve(sender, msg.sender, allowed - amount)
    self._transfer(sender, receiver, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    """
    @notice Let `spender` move up to `amount` of the caller's tokens (max uint256 = unlimited).
    @param spender The spender.
    @param amount The allowance.
    @return True.
    """
    self._approve(msg.sender, spender, amount)
    return True


@external
def permit(
    owner: address,
    spender: address,
    amount: uint256,
    deadline: uint256,
    v: uint8,
    r: bytes32,
    s: bytes32,
):
    """
    @notice EIP-2612: set an allowance from an off-chain signature of `owner`.
    @param owner The token holder who signed.
    @param spender The spender.
    @param amount The allowance.
    @param deadline Last timestamp at which the signature is valid.
    @param v Signature recovery id (27 or 28).
    @param r Signature r.
    @param s Signature s (lower half of the curve order).
    """
    assert block.timestamp <= deadline, "token: permit expired"
    nonce: uint256 = self.nonces[owner]
    digest: bytes32 = keccak256(
        concat(
            b"\x19\x01",
            self._domain_separator(),
            keccak256(abi_encode(PERMIT_TYPEHASH, owner, spender, amount, nonce, deadline)),
        )
    )
    assert convert(s, uint256) <= MAX_S, "token: invalid signature"
    signer: address = ecrecover(digest, v, r, s)
    assert signer != empty(address) and signer == owner, "token: invalid signature"
    self.nonces[owner] = nonce + 1
    self._approve(owner, spender, amount)


@external
def mint(receiver: address, amount: uint256):
    """
    @notice Create `amount` new tokens for `receiver` (owner only; devnet faucet).
    @param receiver The recipient.
    @param amount The amount in token wei.
    """
    ownable._check_owner()
    assert receiver != empty(address), "token: mint to the zero address"
    self.totalSupply += amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=empty(address), receiver=receiver, value=amount)


@external
@view
def DOMAIN_SEPARATOR() -> bytes32:
    """
    @notice The EIP-712 domain separator used by `permit`.
    @return The separator for the current chain.
    """
    return self._domain_separator()


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    assert receiver != empty(address), "token: transfer to the zero address"
    balance: uint256 = self.balanceOf[sender]
    assert balance >= amount, "token: balance too low"
    self.balanceOf[sender] = balance - amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=sender, receiver=receiver, value=amount)


@internal
def _approve(owner: address, spender: address, amount: uint256):
    assert spender != empty(address), "token: approve to the zero address"
    self.allowance[owner][spender] = amount
    log Approval(owner=owner, spender=spender, value=amount)


@internal
@view
def _domain_separator() -> bytes32:
    if chain.id == _CACHED_CHAIN_ID:
        return _CACHED_DOMAIN_SEPARATOR
    return self._build_domain_separator()


@internal
@view
def _build_domain_separator() -> bytes32:
    return keccak256(abi_encode(EIP712_TYPEHASH, _NAME_HASH, keccak256(VERSION), chain.id, self))
