"""Helpers of the Disputes tests: constants, random blobs and an order's blobs with real KZG commitments (ckzg)."""

import os

import ckzg
from eth_utils import keccak

from memo_py.chain.merkle import CommitmentTree

TRUSTED_SETUP = os.path.join(os.path.dirname(__file__), "..", "..", "..", "memo_py", "data", "trusted_setup.txt")
BLS_MODULUS = 52435875175126190479447740508185965837690552500527637822603658699938581184513
FIELD_ELEMENTS_PER_BLOB = 4096

MIN_BOND = 10**18
WINDOW = 3600
SLASH = 5 * 10**18
PLEDGE = 100 * 10**18
# The immutable bounds of the owner's setters in these tests.
MIN_BOND_FLOOR = 10**17
WINDOW_FLOOR = 3600
WINDOW_CEILING = 7 * 24 * 3600
SLASH_CAP = 2 * PLEDGE
BURN_ADDRESS = "0x000000000000000000000000000000000000dEaD"
ORDER_SIZE, ORDER_PRICE = 2**20, 1
START, END, NOW = 2, 50, 10


def random_blob(seed: int) -> bytes:
    out = bytearray()
    for i in range(FIELD_ELEMENTS_PER_BLOB):
        out += (int.from_bytes(keccak(seed.to_bytes(8, "big") + i.to_bytes(4, "big")), "big") % BLS_MODULUS).to_bytes(32, "big")
    return bytes(out)


class StoredOrder:
    """Blobs of one order with their commitments and commitment tree."""

    def __init__(self, trusted_setup, n_blobs, seed=0):
        self.ts = trusted_setup
        self.blobs = [random_blob(seed * 1000 + i) for i in range(n_blobs)]
        self.commitments = [bytes(ckzg.blob_to_kzg_commitment(b, trusted_setup)) for b in self.blobs]
        self.tree = CommitmentTree(self.commitments)

    def opening(self, index: int, z: int):
        proof, y = ckzg.compute_kzg_proof(self.blobs[index], z.to_bytes(32, "big"), self.ts)
        return bytes(y), bytes(proof)
