# pragma version ~=0.4.3
"""
@title EIP-712 order updates
@custom:contract-name eip712_orders
@license MIT
@notice The signed side of MEMO orders: the `OrderUpdate` type, its EIP-712
        digest under the domain ("MEMO Market", "1", chainId,
        verifyingContract = the contract that uses this module), and the
        recovery of 65-byte `r || s || v` signatures. An update carries a
        `deadline` epoch after which it may not be submitted (the Market
        checks it), so a co-signed update does not stay usable forever. memo_py/chain/eip712.py
        builds and signs the same messages.
@dev Trust model: none; it only hashes and recovers. The domain is
     snekmate's eip712_domain_separator (cached at deployment, recomputed if
     the chain id or the address changes) and the recovery is snekmate's
     ecdsa, which refuses high-s (malleable, EIP-2) signatures
     ("ecdsa: invalid signature `s` value") and signatures that recover to
     nothing ("ecdsa: invalid signature"). This module adds what snekmate's
     `_recover_sig` does differently: only the 65-byte form is accepted (no
     EIP-2098 64-byte second encoding of the same signature), and v may be
     0/1 as well as 27/28. So `recover` never returns the zero address: it
     returns a signer or reverts. A deployable `initializes: eip712_orders`
     and calls `__init__()` in its constructor.
"""

from snekmate.utils import ecdsa
from snekmate.utils import eip712_domain_separator

initializes: eip712_domain_separator

ORDER_UPDATE_TYPEHASH: constant(bytes32) = keccak256(
    "OrderUpdate(address user,address provider,uint256 nonce,uint256 seq,uint256 size,uint256 price,uint256 start_epoch,uint256 end_epoch,bytes32 root,uint256 blob_count,uint256 deadline)"
)
DOMAIN_NAME: constant(String[11]) = "MEMO Market"
DOMAIN_VERSION: constant(String[1]) = "1"


struct OrderUpdate:
    user: address
    provider: address
    nonce: uint256
    seq: uint256
    size: uint256
    price: uint256
    start_epoch: uint256
    end_epoch: uint256
    root: bytes32
    blob_count: uint256
    # The last epoch in which the update may be submitted.
    deadline: uint256


@deploy
def __init__():
    eip712_domain_separator.__init__(DOMAIN_NAME, DOMAIN_VERSION)


@internal
@view
def digest(update: OrderUpdate) -> bytes32:
    """
    @notice The EIP-712 digest of `update` that both sides sign.
    @param update The update.
    @return keccak256(0x1901 ++ domain separator ++ hashStruct(update)).
    """
    struct_hash: bytes32 = keccak256(
        abi_encode(
            ORDER_UPDATE_TYPEHASH,
            update.user,
            update.provider,
            update.nonce,
            update.seq,
            update.size,
            update.price,
            update.start_epoch,
            update.end_epoch,
            update.root,
            update.blob_count,
            update.deadline,
        )
    )
    return eip712_domain_separator._hash_typed_data_v4(struct_hash)


@internal
@pure
def recover(digest: bytes32, sig: Bytes[65]) -> address:
    """
    @notice The signer of `digest`; reverts for a malformed or high-s signature.
    @param digest The signed digest.
    @param sig 65 bytes, r || s || v (v 27/28, or 0/1).
    @return The signer (never the zero address).
    """
    assert len(sig) == 65, "eip712_orders: signature is not 65 bytes"
    r: uint256 = extract32(sig, 0, output_type=uint256)
    s: uint256 = extract32(sig, 32, output_type=uint256)
    v: uint256 = convert(slice(sig, 64, 1), uint256)
    if v < 27:
        v += 27
    # Any v other than 27/28 makes ecrecover return nothing: "ecdsa: invalid signature".
    return ecdsa._recover_vrs(digest, v, r, s)


@internal
@view
def domain_separator() -> bytes32:
    """
    @notice The EIP-712 domain separator of this contract on this chain.
    @return The separator.
    """
    return eip712_domain_separator._domain_separator_v4()
