"""Fixtures for Disputes: mocks of the Market, Registry and Epochs, a token, and real KZG openings.

KZG inputs come from ckzg with Ethereum's trusted setup (the same library memo_py.crypto.kzg wraps).
"""

import os

import ckzg
import pytest
from eth_utils import keccak

from memo_py.chain.merkle import CommitmentTree

TRUSTED_SETUP = os.path.join(os.path.dirname(__file__), "..", "..", "..", "memo_py", "data", "trusted_setup.txt")
BLS_MODULUS = 52435875175126190479447740508185965837690552500527637822603658699938581184513
FIELD_ELEMENTS_PER_BLOB = 4096

MIN_BOND = 10**18
WINDOW = 3600
SLASH = 5 * 10**18
PLEDGE = 100 * 10**18
START, END, NOW = 2, 50, 10


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def provider(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def user(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def challenger(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def attacker(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def trusted_setup():
    return ckzg.load_trusted_setup(TRUSTED_SETUP, 0)


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


@pytest.fixture(scope="session")
def stored(trusted_setup):
    return StoredOrder(trusted_setup, 5, seed=1)


@pytest.fixture(scope="session")
def token(project, owner):
    return owner.deploy(project.MockToken)


@pytest.fixture(scope="session")
def market(project, owner):
    return owner.deploy(project.MockMarket)


@pytest.fixture(scope="session")
def epochs(project, owner):
    contract = owner.deploy(project.MockEpochs)
    contract.set_current_epoch(NOW, sender=owner)
    return contract


@pytest.fixture(scope="session")
def registry(project, owner, token):
    return owner.deploy(project.MockRegistry, token)


@pytest.fixture(scope="session")
def disputes(project, owner, token, market, epochs, registry):
    return owner.deploy(project.Disputes, token, market, epochs, registry, MIN_BOND, WINDOW, SLASH)


@pytest.fixture(scope="session")
def order_id(market, owner, user, provider, stored):
    oid = keccak(b"order-1")
    market.set_order(oid, (user, provider, 0, 0, 2**20, 1, START, END, stored.tree.root, len(stored.blobs)), sender=owner)
    return oid


@pytest.fixture(scope="session")
def funded(token, registry, disputes, owner, challenger, attacker, provider):
    for who in (challenger, attacker):
        token.mint(who, 100 * MIN_BOND, sender=owner)
        token.approve(disputes, 2**256 - 1, sender=who)
    token.mint(owner, PLEDGE, sender=owner)
    token.approve(registry, PLEDGE, sender=owner)
    registry.fund_pledge(provider, PLEDGE, sender=owner)
    return True


@pytest.fixture
def open_dispute(disputes, order_id, funded, challenger):
    """Open a dispute on blob 3; returns (dispute_id, z, blob_index)."""
    def _open(blob_index=3, bond=MIN_BOND, sender=None):
        tx = disputes.challenge(order_id, blob_index, bond, sender=sender or challenger)
        event = tx.events.filter(disputes.DisputeOpened)[0]
        return event.dispute_id, event.z, blob_index

    return _open
