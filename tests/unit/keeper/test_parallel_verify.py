"""A Keeper verifies Providers side by side, and keeps their verdicts in Provider order."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from memo_py.chain.records import RegisteredProvider
from memo_py.keeper.loop import VERIFY_THREADS, EpochLoop
from memo_py.keeper.verify import PASSED, Verdict


def providers(n: int) -> list[RegisteredProvider]:
    return [RegisteredProvider(f"0x{i:040x}", f"http://p{i}", 1, 1) for i in range(n)]


def loop_with(verify) -> EpochLoop:
    ledger = SimpleNamespace(proof=lambda epoch, address: None)
    return EpochLoop(None, ledger, SimpleNamespace(verify=verify), None, None, proof_grace=0, aggregator_timeout=0)  # type: ignore[arg-type]


def test_providers_are_verified_at_the_same_time():
    # Each verification waits until three are under way: one after another, none would finish.
    barrier = threading.Barrier(3, timeout=10)

    def verify(provider, epoch, seed, proof):
        barrier.wait()
        return Verdict(provider.address, epoch, PASSED, 1, "")

    found = loop_with(verify)._verify_all(providers(3), 7, b"s")
    assert [v.provider for v in found] == [p.address for p in providers(3)]


def test_verdicts_keep_the_provider_order_and_nones():
    def verify(provider, epoch, seed, proof):
        return None if provider.address.endswith("2") else Verdict(provider.address, epoch, PASSED, 1, "")

    many = providers(2 * VERIFY_THREADS + 3)
    found = loop_with(verify)._verify_all(many, 7, b"s")
    assert [None if v is None else v.provider for v in found] == [
        None if p.address.endswith("2") else p.address for p in many
    ]
    assert loop_with(verify)._verify_all([], 7, b"s") == []
