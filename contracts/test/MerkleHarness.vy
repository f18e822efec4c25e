# pragma version ~=0.4.3
"""
@title Merkle harness (tests only)
@license MIT
@notice Exposes contracts/modules/merkle.vy so tests can check it against memo_py/chain/merkle.py.
@dev Test helper; never deployed outside tests.
"""

from ..modules import merkle


@external
@pure
def results_leaf(provider: address, cum_pay: uint256, cum_penalty: uint256) -> bytes32:
    """@notice merkle.results_leaf."""
    return merkle.results_leaf(provider, cum_pay, cum_penalty)


@external
@pure
def verify_sorted(proof: DynArray[bytes32, 32], root: bytes32, leaf: bytes32) -> bool:
    """@notice merkle.verify_sorted."""
    return merkle.verify_sorted(proof, root, leaf)


@external
@pure
def commitment_leaf(index: uint256, commitment: Bytes[48]) -> bytes32:
    """@notice merkle.commitment_leaf."""
    return merkle.commitment_leaf(index, commitment)


@external
@pure
def verify_positional(proof: DynArray[bytes32, 32], root: bytes32, leaf: bytes32, index: uint256) -> bool:
    """@notice merkle.verify_positional."""
    return merkle.verify_positional(proof, root, leaf, index)


@external
@pure
def depth_of(leaf_count: uint256) -> uint256:
    """@notice merkle.depth_of."""
    return merkle.depth_of(leaf_count)
