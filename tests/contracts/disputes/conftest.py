"""Fixtures for Disputes: mocks of the Market, Registry and Epochs, a token, and real KZG openings.

KZG inputs come from ckzg with Ethereum's trusted setup (the library memo_py.crypto.kzg wraps).
"""

import ckzg
import pytest
from eth_utils import keccak

from disputes_support import (
    END,
    MIN_BOND,
    MIN_BOND_FLOOR,
    NOW,
    ORDER_PRICE,
    ORDER_SIZE,
    PLEDGE,
    SLASH,
    SLASH_CAP,
    START,
    TRUSTED_SETUP,
    WINDOW,
    WINDOW_CEILING,
    WINDOW_FLOOR,
    StoredOrder,
)


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
    return owner.deploy(
        project.Disputes,
        token,
        market,
        epochs,
        registry,
        MIN_BOND,
        WINDOW,
        SLASH,
        MIN_BOND_FLOOR,
        WINDOW_FLOOR,
        WINDOW_CEILING,
        SLASH_CAP,
    )


@pytest.fixture(scope="session")
def order_id(market, owner, user, provider, stored):
    oid = keccak(b"order-1")
    market.set_order(oid, (user, provider, 0, 0, ORDER_SIZE, ORDER_PRICE, START, END, stored.tree.root, len(stored.blobs)), sender=owner)
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
