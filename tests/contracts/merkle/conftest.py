"""Fixtures for the merkle module: a harness contract that exposes its functions."""

import pytest


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def harness(project, owner):
    return owner.deploy(project.MerkleHarness)
