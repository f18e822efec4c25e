"""Merkle trees of the settlement layer, byte for byte as the contracts check them.

Two trees (verified on-chain by ``contracts/modules/merkle.vy``):

**Results tree** (attested by Keepers every epoch, proven by Providers at withdrawal)

- leaf = ``keccak256(keccak256(abi_encode(address provider, uint256 cum_pay, uint256 cum_penalty)))``;
- internal node = ``keccak256(min(a, b) ++ max(a, b))`` (sorted pair, OpenZeppelin style),
  so a proof is just the list of siblings from the leaf up;
- the leaves are sorted by hash and paired level by level; an odd node at the end of a
  level is carried up unchanged. One leaf: the root is the leaf. No leaf: the root is
  ``bytes32(0)``, which the Epochs contract refuses to attest.

**Commitment tree** (one per order; its root is co-signed in the order)

- leaf_i = ``keccak256(uint256 i ++ commitment_i)`` (32 + 48 bytes);
- padded with ``bytes32(0)`` leaves up to a power of two;
- internal node = ``keccak256(left ++ right)``; bit k of the index says whether the node at
  height k is a right child. A proof has exactly ``depth`` siblings, with
  ``depth = ceil(log2(blob_count))`` (0 for a single blob, whose root is its leaf).

:func:`attestation_message` builds the bytes Keepers BLS-sign for an epoch's results root.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_abi import encode
from eth_utils import keccak, to_canonical_address

__all__ = [
    "ZERO",
    "COMMITMENT_BYTES",
    "ResultsTree",
    "CommitmentTree",
    "results_leaf",
    "verify_results_proof",
    "commitment_leaf",
    "commitment_depth",
    "verify_commitment_proof",
    "attestation_message",
]

ZERO = bytes(32)
COMMITMENT_BYTES = 48
MAX_DEPTH = 32


def _hash_pair_sorted(a: bytes, b: bytes) -> bytes:
    return keccak(a + b) if a < b else keccak(b + a)


# ----------------------------------------------------------------------------- results tree


def results_leaf(provider: str | bytes, cum_pay: int, cum_penalty: int) -> bytes:
    """The results-tree leaf of a Provider (double keccak of the ABI-encoded triple)."""
    address = to_canonical_address(provider)
    return keccak(keccak(encode(["address", "uint256", "uint256"], [address, cum_pay, cum_penalty])))


def verify_results_proof(proof: Sequence[bytes], root: bytes, leaf: bytes) -> bool:
    """Check a sorted-pair proof the way ``merkle.verify_sorted`` does."""
    node = leaf
    for sibling in proof:
        node = _hash_pair_sorted(node, sibling)
    return node == root


class ResultsTree:
    """Results tree over ``(provider, cum_pay, cum_penalty)`` entries.

    >>> tree = ResultsTree([(provider, 10, 0), (other, 5, 1)])
    >>> tree.root, tree.proof(provider)
    """

    def __init__(self, entries: Sequence[tuple[str | bytes, int, int]]):
        self.entries = {}
        for provider, cum_pay, cum_penalty in entries:
            address = to_canonical_address(provider)
            if address in self.entries:
                raise ValueError(f"provider {provider!r} appears twice")
            self.entries[address] = (cum_pay, cum_penalty)
        self._leaf_of = {a: results_leaf(a, *v) for a, v in self.entries.items()}
        self.levels: list[list[bytes]] = [sorted(self._leaf_of.values())]
        while len(self.levels[-1]) > 1:
            level = self.levels[-1]
            parents = [_hash_pair_sorted(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                parents.append(level[-1])
            self.levels.append(parents)

    @property
    def root(self) -> bytes:
        return self.levels[-1][0] if self.levels[0] else ZERO

    def leaf(self, provider: str | bytes) -> bytes:
        return self._leaf_of[to_canonical_address(provider)]

    def proof(self, provider: str | bytes) -> list[bytes]:
        """Siblings from the Provider's leaf up to the root."""
        index = self.levels[0].index(self.leaf(provider))
        proof = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                proof.append(level[sibling])
            index //= 2
        return proof


# ----------------------------------------------------------------------------- commitment tree


def commitment_leaf(index: int, commitment: bytes) -> bytes:
    """keccak256(uint256 index ++ commitment)."""
    if len(commitment) != COMMITMENT_BYTES:
        raise ValueError(f"a KZG commitment is {COMMITMENT_BYTES} bytes, got {len(commitment)}")
    return keccak(index.to_bytes(32, "big") + bytes(commitment))


def commitment_depth(blob_count: int) -> int:
    """Depth of the commitment tree of ``blob_count`` blobs (the length of every proof)."""
    if blob_count < 1:
        raise ValueError("an order's commitment tree has at least one blob")
    return (blob_count - 1).bit_length()


def verify_commitment_proof(proof: Sequence[bytes], root: bytes, leaf: bytes, index: int) -> bool:
    """Check a positional proof the way ``merkle.verify_positional`` does."""
    if index >> len(proof):
        return False
    node = leaf
    for sibling in proof:
        node = keccak(node + sibling) if index & 1 == 0 else keccak(sibling + node)
        index >>= 1
    return node == root


class CommitmentTree:
    """Positional tree over an order's blob commitments (48-byte KZG commitments, in blob order)."""

    def __init__(self, commitments: Sequence[bytes]):
        self.commitments = [bytes(c) for c in commitments]
        depth = commitment_depth(len(self.commitments))
        if depth > MAX_DEPTH:
            raise ValueError(f"too many blobs for a depth-{MAX_DEPTH} tree")
        leaves = [commitment_leaf(i, c) for i, c in enumerate(self.commitments)]
        leaves += [ZERO] * ((1 << depth) - len(leaves))
        self.levels: list[list[bytes]] = [leaves]
        while len(self.levels[-1]) > 1:
            level = self.levels[-1]
            self.levels.append([keccak(level[i] + level[i + 1]) for i in range(0, len(level), 2)])

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    @property
    def depth(self) -> int:
        return len(self.levels) - 1

    def proof(self, index: int) -> list[bytes]:
        """Siblings of blob ``index`` from the leaf up (exactly ``depth`` of them)."""
        if not 0 <= index < len(self.commitments):
            raise IndexError(f"blob index {index} out of range")
        proof = []
        for level in self.levels[:-1]:
            proof.append(level[index ^ 1])
            index //= 2
        return proof


# ----------------------------------------------------------------------------- attestation


def attestation_message(chain_id: int, epochs: str | bytes, epoch: int, results_root: bytes) -> bytes:
    """The 128 bytes Keepers BLS-sign (DST ``BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_``).

    ``abi_encode(uint256 chain_id, address epochs_contract, uint256 epoch, bytes32 results_root)``,
    exactly what ``Epochs.attest`` rebuilds on-chain.
    """
    if len(results_root) != 32:
        raise ValueError("a results root is 32 bytes")
    return encode(
        ["uint256", "address", "uint256", "bytes32"],
        [chain_id, to_canonical_address(epochs), epoch, bytes(results_root)],
    )
