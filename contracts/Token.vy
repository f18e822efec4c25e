# pragma version ~=0.4.3
"""
@title Token
@custom:contract-name Token
@license MIT
@notice The MEMO devnet token: snekmate's audited ERC-20 with EIP-2612
        `permit` (snekmate.tokens.erc20), so a user can approve the Market
        and deposit in one transaction. The EIP-712 domain of `permit` is
        (token name, "1", chainId, this token); `eip712Domain` (EIP-5267)
        returns it, and memo_py/chain/token.py reads it from there.
@dev Trust model: the owner may mint; nothing else is privileged. Ownership
     changes hands in two steps (snekmate.auth.ownable_2step) and the power
     to mint follows it: `mint` checks the current owner, not snekmate's
     minter list, whose `mint`, `set_minter`, `transfer_ownership` (one
     step) and `renounce_ownership` are not exported. (snekmate's constructor
     still marks the deployer in `is_minter` and logs `RoleMinterChanged`
     once; nothing reads that list.) `burn` is not exported either: the
     supply only changes by `mint`. Signatures for `permit` are recovered by
     snekmate's ecdsa module, which refuses high-s (malleable, EIP-2) copies.
     The domain separator is cached at deployment and recomputed if the
     chain id changes (fork protection).
     Real deployments can use any existing ERC-20 instead: every other MEMO
     contract takes the token address at deployment and only needs
     `transfer`/`transferFrom` (and `permit` for `Market.deposit_with_permit`).
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.tokens import erc20

implements: IERC20

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: erc20[ownable := ownable]

exports: (
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.nonces,
    erc20.transfer,
    erc20.transferFrom,
    erc20.approve,
    erc20.permit,
    erc20.DOMAIN_SEPARATOR,
    erc20.eip712Domain,
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)

# The version of the EIP-712 domain of `permit`.
EIP712_VERSION: constant(String[1]) = "1"


@deploy
def __init__(name_: String[25], symbol_: String[5], decimals_: uint8):
    """
    @notice Deploy the token; the deployer becomes its owner.
    @param name_ The token name (at most 25 characters); also the EIP-712 domain name.
    @param symbol_ The token symbol (at most 5 characters).
    @param decimals_ The decimal places (MEMO uses 18).
    """
    ownable.__init__()
    ownable_2step.__init__()
    erc20.__init__(name_, symbol_, decimals_, name_, EIP712_VERSION)


@external
def mint(receiver: address, amount: uint256):
    """
    @notice Create `amount` new tokens for `receiver` (owner only; devnet faucet).
    @param receiver The recipient (not the zero address).
    @param amount The amount in token wei.
    """
    ownable._check_owner()
    erc20._mint(receiver, amount)
