"""Fixtures of the User tests: a shared commit pool, six real Providers and a real Keeper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from memo_py.provider import Committer

from .support import Network, start_network


@pytest.fixture(scope="session")
def committer() -> Iterator[Committer]:
    with Committer(2) as pool:
        yield pool


@pytest.fixture
def network(tmp_path, committer) -> Iterator[Network]:
    net = start_network(tmp_path, committer)
    yield net
    net.close()


@pytest.fixture
def client(network):
    with network.client() as c:
        yield c
