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
@dev Trust model: none; it only hashes and recovers. `recover` returns the
     zero address for anything that is not a well-formed, low-s (EIP-2)
     signature, so a caller that compares the result with a non-zero signer
     can never accept a malformed or malleable copy. The domain separator is
     computed at deployment and recomputed if the chain id changes (a fork).
     A deployable `initializes: eip712_orders` and calls `__init__()` in its
     constructor.
"""

# secp256k1n / 2: signatures with a larger s are malleable copies (EIP-2).
MAX_S: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

EIP712_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
ORDER_UPDATE_TYPEHASH: constant(bytes32) = keccak256(
    "OrderUpdate(address user,address provider,uint256 nonce,uint256 seq,uint256 size,uint256 price,uint256 start_epoch,uint256 end_epoch,bytes32 root,uint256 blob_count,uint256 deadline)"
)
NAME_HASH: constant(bytes32) = keccak256("MEMO Market")
VERSION_HASH: constant(bytes32) = keccak256("1")


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


_CACHED_CHAIN_ID: immutable(uint256)
_CACHED_DOMAIN_SEPARATOR: immutable(bytes32)


@deploy
def __init__():
    _CACHED_CHAIN_ID = chain.id
    _CACHED_DOMAIN_SEPARATOR = self._build_domain_separator()


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
    return keccak256(concat(b"\x19\x01", self.domain_separator(), struct_hash))


@internal
@pure
def recover(digest: bytes32, sig: Bytes[65]) -> address:
    """
    @notice The signer of `digest`, or the zero address for a malformed or high-s signature.
    @param digest The signed digest.
    @param sig 65 bytes, r || s || v (v 27/28, or 0/1).
    @return The signer.
    """
    if len(sig) != 65:
        return empty(address)
    r: uint256 = extract32(sig, 0, output_type=uint256)
    s: uint256 = extract32(sig, 32, output_type=uint256)
    v: uint256 = convert(slice(sig, 64, 1), uint256)
    if v < 27:
        v += 27
    if s > MAX_S or (v != 27 and v != 28):
        return empty(address)
    return ecrecover(digest, v, r, s)


@internal
@view
def domain_separator() -> bytes32:
    """
    @notice The EIP-712 domain separator of this contract on this chain.
    @return The separator.
    """
    if chain.id == _CACHED_CHAIN_ID:
        return _CACHED_DOMAIN_SEPARATOR
    return self._build_domain_separator()


@internal
@view
def _build_domain_separator() -> bytes32:
    return keccak256(abi_encode(EIP712_TYPEHASH, NAME_HASH, VERSION_HASH, chain.id, self))
