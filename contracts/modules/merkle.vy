# pragma version ~=0.4.3
"""
@title Merkle proofs for MEMO's two trees
@license MIT
@notice Verification of the two Merkle trees the settlement layer uses:
        - the results tree attested by Keepers each epoch, with sorted-pair
          internal nodes (OpenZeppelin style) and double-hashed leaves
          `keccak256(keccak256(abi_encode(provider, cum_pay, cum_penalty)))`;
        - an order's commitment tree, with positional internal nodes
          `keccak256(left ++ right)` (the bits of the leaf index choose the
          sides, least significant bit at the bottom), leaves
          `keccak256(uint256 index ++ commitment)` and bytes32(0) padding up
          to a power of two.
        memo_py/chain/merkle.py builds the same trees and proofs.
@dev A library module: no storage, only `@internal` functions. It trusts
     nothing: a proof is accepted only if it hashes up to the given root.
     Leaves and internal nodes never collide: a results leaf is a hash of a
     32-byte hash (not of 64 bytes) and a commitment leaf hashes 80 bytes, while
     internal nodes hash 64 bytes.
"""

# The deepest tree a proof may climb: 2**32 leaves.
MAX_DEPTH: constant(uint256) = 32


@internal
@pure
def results_leaf(provider: address, cum_pay: uint256, cum_penalty: uint256) -> bytes32:
    """
    @notice The results-tree leaf of a Provider.
    @param provider The Provider.
    @param cum_pay Its cumulative pay up to the attested epoch.
    @param cum_penalty Its cumulative penalty up to the attested epoch.
    @return keccak256(keccak256(abi_encode(provider, cum_pay, cum_penalty))).
    """
    return keccak256(keccak256(abi_encode(provider, cum_pay, cum_penalty)))


@internal
@pure
def verify_sorted(proof: DynArray[bytes32, MAX_DEPTH], root: bytes32, leaf: bytes32) -> bool:
    """
    @notice Verify a sorted-pair (OpenZeppelin style) Merkle proof.
    @param proof The sibling hashes from the leaf up.
    @param root The expected root.
    @param leaf The leaf hash.
    @return True if the proof hashes up to `root`.
    """
    node: bytes32 = leaf
    for sibling: bytes32 in proof:
        # Inlined (no internal call per level): this runs inside every withdrawal.
        if convert(node, uint256) < convert(sibling, uint256):
            node = keccak256(concat(node, sibling))
        else:
            node = keccak256(concat(sibling, node))
    return node == root


@internal
@pure
def commitment_leaf(index: uint256, commitment: Bytes[48]) -> bytes32:
    """
    @notice The commitment-tree leaf of blob `index`.
    @param index The blob's position in the order.
    @param commitment The blob's 48-byte KZG commitment.
    @return keccak256(uint256 index ++ commitment).
    """
    return keccak256(concat(convert(index, bytes32), commitment))


@internal
@pure
def verify_positional(
    proof: DynArray[bytes32, MAX_DEPTH], root: bytes32, leaf: bytes32, index: uint256
) -> bool:
    """
    @notice Verify a positional Merkle proof: bit k of `index` says whether the
            node at height k is a right child (1) or a left child (0).
    @param proof The sibling hashes from the leaf up; its length is the tree depth.
    @param root The expected root.
    @param leaf The leaf hash.
    @param index The leaf's position; must fit in len(proof) bits.
    @return True if the proof hashes up to `root` at position `index`.
    """
    if index >> len(proof) != 0:
        return False
    node: bytes32 = leaf
    position: uint256 = index
    for sibling: bytes32 in proof:
        if position & 1 == 0:
            node = keccak256(concat(node, sibling))
        else:
            node = keccak256(concat(sibling, node))
        position = position >> 1
    return node == root


@internal
@pure
def depth_of(leaf_count: uint256) -> uint256:
    """
    @notice The depth of a positional tree over `leaf_count` leaves (padded up
            to a power of two); 0 for a single leaf.
    @param leaf_count The number of real leaves (≥ 1).
    @return The smallest d with 2**d ≥ leaf_count.
    """
    depth: uint256 = 0
    for _: uint256 in range(MAX_DEPTH + 1):
        if 1 << depth >= leaf_count:
            break
        depth += 1
    return depth

