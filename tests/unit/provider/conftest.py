"""Fixtures of the Provider tests: a fake chain, a shared commit pool, a running Provider."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from memo_py.protocol.http import SignedClient
from memo_py.provider import Committer

from .fakes import FakeChain
from .support import KEEPER, OTHER_USER, USER, Running, make_config, serve


@pytest.fixture(scope="session")
def committer() -> Iterator[Committer]:
    with Committer(min(2, os.cpu_count() or 1)) as pool:
        yield pool


@pytest.fixture
def chain() -> FakeChain:
    return FakeChain(users=[USER.address, OTHER_USER.address], keepers=[KEEPER.address], epoch=1)


@pytest.fixture
def provider(tmp_path, chain, committer) -> Iterator[Running]:
    running = serve(make_config(tmp_path), chain, committer)
    yield running
    running.stop()


@pytest.fixture
def user(provider) -> Iterator[SignedClient]:
    with provider.client(USER) as client:
        yield client
