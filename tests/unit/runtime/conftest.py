"""Fixtures of the runtime tests: a fake chain shared by every daemon, a shared commit
pool, and Keeper apps on fixed ports (ticked by hand) for the loop tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from memo_py.provider import Committer
from memo_py.devnet.anvil import free_ports
from tests.unit.keeper.support import Keepers

from .fakes import RuntimeChain
from .support import keeper_configs, network


@pytest.fixture(scope="session")
def committer() -> Iterator[Committer]:
    with Committer(2) as pool:
        yield pool


@pytest.fixture
def chain() -> RuntimeChain:
    return network()


@pytest.fixture
def keepers(tmp_path, chain) -> Iterator[Keepers]:
    """Three Keeper apps served on threads; their epoch cycle runs only when a test ticks them."""
    ports = free_ports(3)
    made = Keepers(chain, tmp_path / "keepers", ports, configs=keeper_configs(tmp_path / "keepers", ports), servers=[None] * 3)
    for i in range(3):
        made.start(i)
    yield made
    made.close()
