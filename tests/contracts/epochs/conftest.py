"""Fixtures for Epochs: a mock Registry holding real BLS keeper keys, and an Epochs contract on it."""

import pytest

from epochs_support import EPOCH_LENGTH, Deployment, Keeper


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def keeper(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def user(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def attacker(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def bls_keepers():
    return [Keeper(i) for i in range(10)]


@pytest.fixture(scope="session")
def outsider():
    return Keeper(100)


@pytest.fixture
def deploy(project, chain, owner, bls_keepers):
    """deploy(weights) -> Deployment with len(weights) keepers in slots 0..n-1."""

    def _deploy(weights, epoch_length=EPOCH_LENGTH):
        registry = owner.deploy(project.MockRegistry, "0x" + "00" * 19 + "01")
        for i, w in enumerate(weights):
            registry.add_keeper(bls_keepers[i].pubkey_xy, w, sender=owner)
        epochs = owner.deploy(project.Epochs, registry, epoch_length)
        return Deployment(chain, registry, epochs, bls_keepers)

    return _deploy


@pytest.fixture
def three(deploy):
    return deploy([100, 100, 100])
