"""Fixtures of the Keeper tests: a fake chain, a shared commit pool, two real Providers
(one honest, one whose blob is altered) and three real Keepers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from memo_py.provider import Committer

from .fakes import FakeNetwork
from .support import CHEATER, PROVIDER, START, USER, Keepers, StoredProvider, start_keepers, start_provider


@pytest.fixture(scope="session")
def committer() -> Iterator[Committer]:
    with Committer(2) as pool:
        yield pool


@pytest.fixture
def network() -> FakeNetwork:
    return FakeNetwork(users=[USER.address], epoch=START)


@pytest.fixture
def providers(tmp_path, network, committer) -> Iterator[tuple[StoredProvider, StoredProvider]]:
    honest = start_provider(PROVIDER, tmp_path / "provider", network, committer)
    cheater = start_provider(CHEATER, tmp_path / "cheater", network, committer)
    cheater.tamper(0)
    yield honest, cheater
    honest.server.stop()
    cheater.server.stop()


@pytest.fixture
def make_keepers(tmp_path, network) -> Iterator:
    made: list[Keepers] = []

    def make(overrides: list[dict] | None = None) -> Keepers:
        keepers = start_keepers(network, tmp_path / "keepers", overrides)
        made.append(keepers)
        return keepers

    yield make
    for keepers in made:
        keepers.close()
