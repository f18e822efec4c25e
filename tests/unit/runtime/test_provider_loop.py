"""The Provider's epoch loop, one tick at a time, against three real Keeper apps and a
fake chain: prove ended epochs with that epoch's orders, push, retry, withdraw once."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest

from memo_py.keeper import PASSED
from memo_py.provider import create_app
from memo_py.protocol.http import RemoteError, SignedClient
from memo_py.provider.housekeeping import ENDED_GRACE_EPOCHS, UNSETTLED_GRACE_EPOCHS, UPLOAD_IDLE_SECONDS
from memo_py.provider.loop import DELIVERED, EMPTY, PROVED, REFUSED, RETRY, SKIPPED, UNOPENED, ProviderLoop
from tests.unit.keeper.support import Server, serve

from .support import BLOB, BLOBS, DUE, END, PRICE, PROVIDER, START, USER, grow_order, provider_config, store_order

EPOCH = START


@pytest.fixture
def provider(tmp_path, chain, keepers, committer) -> Iterator[Server]:
    config = provider_config(tmp_path / "provider", keepers.ports, push_retry_seconds=100.0)
    server = serve(create_app(config, chain, committer=committer))
    yield server
    server.stop()


def new_loop(provider: Server) -> ProviderLoop:
    return ProviderLoop(provider.service, retry_base=1.0)


def url(keepers, i: int) -> str:
    return f"http://127.0.0.1:{keepers.ports[i]}"


def judge_and_attest(keepers, now: float = 1_000.0, order=(1, 2, 0)):
    """Each Keeper ticks once (slot 0 last, so its peers have judged when it aggregates)."""
    reports = [keepers.tick(i, now) for i in order]
    return reports[-1]


def test_an_honest_provider_is_proven_attested_and_paid_its_cumulative_pay(chain, keepers, provider):
    store_order(provider.url, chain)
    loop = new_loop(provider)
    chain.set_epoch(EPOCH, open_it=True)

    # Epoch 2 has not ended: nothing to prove, nothing to withdraw.
    report = loop.tick(10.0)
    assert report.proved == [] and report.withdrawal is None and report.errors == []

    chain.set_epoch(EPOCH + 1)
    report = loop.tick(11.0)
    assert report.proved == [EPOCH]
    assert set(report.pushed[EPOCH].values()) == {"ok"}
    for i in range(3):  # the proof reached every Keeper
        assert keepers[i].service.ledger.proof(EPOCH, PROVIDER.address) is not None

    attested = judge_and_attest(keepers)
    assert attested.attestation is not None and attested.attestation.epoch == EPOCH
    assert chain.roots[EPOCH] == attested.attestation.root
    verdicts = keepers[0].service.ledger.verdicts(EPOCH)
    assert [(v["provider"], v["outcome"]) for v in verdicts] == [(PROVIDER.address, PASSED)]

    report = loop.tick(12.0)
    assert report.withdrawal is not None
    assert (report.withdrawal.epoch, report.withdrawal.cum_pay, report.withdrawal.cum_penalty) == (EPOCH, DUE, 0)
    assert chain.received(PROVIDER.address) == DUE

    # The next epoch: proven, attested, and only the new pay withdrawn.
    chain.set_epoch(EPOCH + 2)
    assert loop.tick(13.0).proved == [EPOCH + 1]
    assert judge_and_attest(keepers).attestation.epoch == EPOCH + 1
    report = loop.tick(14.0)
    assert report.withdrawal.cum_pay == 2 * DUE
    assert chain.received(PROVIDER.address) == 2 * DUE
    assert [w[:3] for w in chain.withdrawals] == [(EPOCH, DUE, 0), (EPOCH + 1, 2 * DUE, 0)]

    # Nothing new: later ticks neither prove nor withdraw.
    report = loop.tick(15.0)
    assert report.proved == [] and report.pushed == {} and report.withdrawal is None
    assert len(chain.withdrawals) == 2


def test_a_restarted_loop_neither_proves_again_nor_withdraws_twice(chain, keepers, provider):
    store_order(provider.url, chain)
    chain.set_epoch(EPOCH, open_it=True)
    chain.set_epoch(EPOCH + 1)
    loop = new_loop(provider)
    assert loop.tick(1.0).proved == [EPOCH]
    loop.close()

    # Restarted before the attestation: the epoch is not proven or pushed again.
    loop = new_loop(provider)
    report = loop.tick(2.0)
    assert report.proved == [] and report.pushed == {}
    judge_and_attest(keepers)
    assert loop.tick(3.0).withdrawal.cum_pay == DUE
    loop.close()

    # Restarted after withdrawing: no second withdrawal from the same root.
    loop = new_loop(provider)
    report = loop.tick(4.0)
    assert report.proved == [] and report.pushed == {} and report.withdrawal is None
    assert len(chain.withdrawals) == 1 and chain.received(PROVIDER.address) == DUE
    assert loop.state.epoch(EPOCH)["state"] == PROVED
    assert [w.cum_pay for w in loop.state.withdrawals()] == [DUE]
    loop.close()


def test_a_keeper_down_gets_the_proof_later_and_the_others_attest_meanwhile(chain, keepers, provider):
    store_order(provider.url, chain)
    chain.set_epoch(EPOCH, open_it=True)
    keepers.stop(2)
    chain.set_epoch(EPOCH + 1)
    loop = new_loop(provider)

    report = loop.tick(100.0)
    assert report.proved == [EPOCH]
    outcomes = report.pushed[EPOCH]
    assert [outcomes[url(keepers, i)] for i in (0, 1)] == ["ok", "ok"]
    assert outcomes[url(keepers, 2)].startswith("ConnectError")
    pushes = loop.state.pushes(EPOCH)
    assert sorted(p["state"] for p in pushes.values()) == [DELIVERED, DELIVERED, RETRY]

    # Two Keepers of three are a quorum: the epoch is attested and paid without the third.
    assert judge_and_attest(keepers, order=(1, 0)).attestation.epoch == EPOCH
    assert loop.tick(100.5).withdrawal.cum_pay == DUE

    # Within the back-off nothing is retried; once the Keeper is back, the proof reaches it.
    keepers.start(2)
    assert loop.tick(100.6).pushed == {}
    report = loop.tick(102.0)
    assert report.pushed == {EPOCH: {url(keepers, 2): "ok"}}
    assert keepers[2].service.ledger.proof(EPOCH, PROVIDER.address) is not None
    assert sorted(p["state"] for p in loop.state.pushes(EPOCH).values()) == [DELIVERED] * 3
    assert loop.tick(200.0).pushed == {}

    # The returning Keeper finds EPOCH attested already: it starts from the attested results
    # (checked against the root on chain) instead of judging it again, so it agrees from here on.
    assert keepers.tick(2).caught_up == EPOCH
    ledger = keepers[2].service.ledger
    assert ledger.verdicts(EPOCH) == [] and ledger.attested_root(EPOCH) == chain.roots[EPOCH]
    assert ledger.results(EPOCH).root == chain.roots[EPOCH]


def test_pushes_stop_after_the_retry_window_and_after_a_keeper_judged(chain, keepers, provider):
    store_order(provider.url, chain)
    chain.set_epoch(EPOCH, open_it=True)
    keepers.stop(2)
    chain.set_epoch(EPOCH + 1)
    # No push came within proof_grace (60 s): Keepers 0 and 1 judge with a pulled proof and attest.
    judge_and_attest(keepers, order=(1, 0), now=0.0)
    assert judge_and_attest(keepers, order=(1, 0), now=100.0).attestation.epoch == EPOCH
    loop = new_loop(provider)

    report = loop.tick(1_000.0)
    assert report.proved == [EPOCH]
    pushes = loop.state.pushes(EPOCH)
    states = {p["url"]: p["state"] for p in pushes.values()}
    assert states[url(keepers, 0)] == REFUSED  # 409: already judged
    assert states[url(keepers, 2)] == RETRY  # down

    report = loop.tick(1_200.0)  # past push_retry_seconds (100 s): the last try, then give up
    assert list(report.pushed[EPOCH]) == [url(keepers, 2)]
    assert {p["state"] for p in loop.state.pushes(EPOCH).values()} == {REFUSED}
    assert loop.tick(1_300.0).pushed == {}


def test_an_epoch_is_proven_with_its_own_orders_not_later_updates(chain, keepers, provider):
    stored = store_order(provider.url, chain)
    chain.set_epoch(EPOCH, open_it=True)
    # The Keepers know the order's commitments already (as after judging an earlier epoch).
    registered = chain.providers()[0]
    for i in range(3):
        keepers[i].service.verifier.commitments(registered, stored.order)
    chain.set_epoch(EPOCH + 1, open_it=True)
    # During epoch 3 (epoch 2 is over, not yet proven) the order grows to 4 blobs.
    grow_order(provider.url, chain, stored, 2)
    loop = new_loop(provider)
    report = loop.tick(1.0)
    assert report.proved == [EPOCH]
    proof = provider.service.prover._cache[next(iter(provider.service.prover._cache))]
    assert proof.samples == ((0, 0), (0, 1))  # the order had 2 blobs in the epoch's universe
    assert loop.state.epoch(EPOCH)["blob_count"] == 2
    judge_and_attest(keepers)
    assert [v["outcome"] for v in keepers[0].service.ledger.verdicts(EPOCH)] == [PASSED]
    assert loop.tick(2.0).withdrawal.cum_pay == DUE

    chain.set_epoch(EPOCH + 2)
    assert loop.tick(3.0).proved == [EPOCH + 1]
    assert loop.state.epoch(EPOCH + 1)["blob_count"] == 4
    judge_and_attest(keepers)
    for i in range(3):
        assert [v["outcome"] for v in keepers[i].service.ledger.verdicts(EPOCH + 1)] == [PASSED]
    assert loop.tick(4.0).withdrawal.cum_pay == DUE + 4 * BLOB * PRICE
    assert chain.received(PROVIDER.address) == DUE + 4 * BLOB * PRICE


def test_keepers_judge_an_epoch_by_its_orders_when_the_order_grew_after_it(chain, keepers, provider):
    stored = store_order(provider.url, chain)
    chain.set_epoch(EPOCH, open_it=True)
    chain.set_epoch(EPOCH + 1, open_it=True)
    grow_order(provider.url, chain, stored, 2)
    loop = new_loop(provider)
    assert loop.tick(1.0).proved == [EPOCH]
    judge_and_attest(keepers)
    assert [v["outcome"] for v in keepers[0].service.ledger.verdicts(EPOCH)] == [PASSED]


def test_epochs_without_seed_or_orders_and_epochs_missed_long_ago(chain, keepers, provider):
    loop = new_loop(provider)
    chain.set_epoch(5)  # first tick at epoch 5: only the last catch_up_epochs (2) ended epochs count
    chain.open_seed(4)
    report = loop.tick(1.0)
    assert report.proved == [] and report.empty == [4]
    assert loop.state.epoch(3)["state"] == UNOPENED
    assert loop.state.epoch(4)["state"] == EMPTY
    assert loop.state.epoch(2) is None

    loop.close()
    chain.set_epoch(9)  # down for a while: epochs 5 and 6 are too old now
    loop = new_loop(provider)
    loop.tick(2.0)
    assert loop.state.epoch(5)["state"] == SKIPPED and loop.state.epoch(6)["state"] == SKIPPED
    assert loop.state.epoch(7)["state"] == UNOPENED and loop.state.epoch(8)["state"] == UNOPENED
    assert loop.state.cursor() == 9
    loop.close()


def test_a_failed_withdrawal_is_retried_and_a_missing_proof_build_is_retried(chain, keepers, provider):
    stored = store_order(provider.url, chain)
    chain.set_epoch(EPOCH, open_it=True)
    chain.set_epoch(EPOCH + 1)
    loop = new_loop(provider)

    # A chunk is gone from disk: the proof cannot be built; retried later (the Keepers pull or miss it).
    path = provider.service.store._path(stored.order.order_id, 0)
    data = path.read_bytes()
    path.unlink()
    report = loop.tick(1.0)
    if report.proved:  # the sample may miss blob 0; then there is nothing to retry
        assert loop.state.epoch(EPOCH)["state"] == PROVED
    else:
        assert loop.state.epoch(EPOCH)["state"] == "pending" and report.errors
        path.write_bytes(data)
        assert loop.tick(1.5).proved == []  # backing off
        assert loop.tick(3.0).proved == [EPOCH]
    path.write_bytes(data)

    judge_and_attest(keepers)
    chain.fail_withdrawals = 1
    report = loop.tick(10.0)
    assert report.withdrawal is None and any("withdrawal" in e for e in report.errors)
    assert loop.tick(10.1).withdrawal is None  # backing off, not asking again at once
    assert loop.tick(12.0).withdrawal.cum_pay == DUE
    assert chain.received(PROVIDER.address) == DUE


def test_agreements_that_are_over_give_back_their_space_once_an_epoch(chain, keepers, provider):
    stored = store_order(provider.url, chain)  # on-chain, epochs START..END
    terms = {"nonce": 2, "price": PRICE, "start_epoch": START + 1, "end_epoch": END, "blob_count": 1, "chunk_blobs": 1}
    with SignedClient(USER.key, provider.url, PROVIDER.address) as user:
        dead = user.request("POST", "/agreements", content=json.dumps(terms).encode()).json()["order_id"]
        user.request("PUT", f"/orders/{dead}/blobs/0", content=os.urandom(BLOB))  # never settled on-chain
        health = lambda: user.get_json("/health")  # noqa: E731
        full = health()
        loop = new_loop(provider)

        chain.set_epoch(START + 1 + UNSETTLED_GRACE_EPOCHS)  # the dead agreement's start has not passed by the grace yet
        assert loop.tick(1.0).released == []
        chain.set_epoch(START + 2 + UNSETTLED_GRACE_EPOCHS)
        assert loop.tick(2.0).released == []  # past the grace, but its last chunk came just now: an upload
        later = time.monotonic() + UPLOAD_IDLE_SECONDS + 1
        provider.service.ingest.clock = lambda: later
        chain.set_epoch(START + 3 + UNSETTLED_GRACE_EPOCHS)
        report = loop.tick(3.0)
        assert [r.order_id.hex() for r in report.released] == [dead[2:]] and report.freed_bytes == BLOB
        assert health()["used"] == full["used"] - BLOB and health()["stored"] == full["stored"] - BLOB
        with pytest.raises(RemoteError) as err:
            user.request("GET", f"/orders/{dead}/blobs/0")
        assert err.value.status == 404
        assert loop.tick(3.5).released == []  # once an epoch

        oid = "0x" + stored.order.order_id.hex()
        chain.set_epoch(END + ENDED_GRACE_EPOCHS)  # ended, but its last paid epoch is not attested
        assert loop.tick(4.0).released == []
        assert user.request("GET", f"/orders/{oid}/blobs/0").content
        chain.roots[END - 1] = b"\x01" * 32
        chain.set_epoch(END + ENDED_GRACE_EPOCHS + 1)
        report = loop.tick(5.0)
        assert [r.order_id for r in report.released] == [stored.order.order_id]
        assert report.freed_bytes == BLOBS * BLOB
        assert health()["used"] == 0 and health()["stored"] == 0
    loop.close()


def test_an_idle_provider_reads_only_the_epoch_until_it_ends_or_the_quiet_runs_out(
    tmp_path, chain, keepers, committer
):
    """After a step that left nothing pending, the steps of that epoch read the current epoch
    and nothing else, for ``quiet_seconds``: an attested root that appears meanwhile is
    withdrawn when the quiet runs out or the next epoch begins, not before."""
    server = serve(create_app(provider_config(tmp_path / "p", keepers.ports, quiet_seconds=60.0), chain, committer=committer))
    calls: list[str] = []
    for name in ("current_epoch", "latest_attested", "orders_of", "open_disputes_of", "seed_of"):
        if hasattr(chain, name):
            real = getattr(chain, name)

            def counted(*args, _real=real, _name=name, **kwargs):
                calls.append(_name)
                return _real(*args, **kwargs)

            setattr(chain, name, counted)
    try:
        store_order(server.url, chain)
        loop = new_loop(server)
        chain.set_epoch(EPOCH + 1, open_it=True)
        chain.seeds.setdefault(EPOCH, b"\x07" * 32)
        assert loop.tick(100.0).proved == [EPOCH]
        judge_and_attest(keepers)
        assert loop.tick(101.0).withdrawal is not None  # the push left a step pending: a full step
        chain.roots[EPOCH + 5] = b"\x01" * 32  # a root mid-epoch (never valid, so never withdrawn)
        calls.clear()
        for now in (102.0, 130.0, 160.9):
            report = loop.tick(now)
            assert report.withdrawal is None and report.errors == []
        assert calls == ["current_epoch"] * 3  # quiet: one read per step
        calls.clear()
        report = loop.tick(161.5)  # 60 s after the last full step
        assert "latest_attested" in calls and "current_epoch" in calls
        calls.clear()
        loop.tick(162.0)
        assert calls == ["current_epoch"]
        chain.set_epoch(EPOCH + 2)
        calls.clear()
        loop.tick(162.5)  # a new epoch: a full step at once
        assert "latest_attested" in calls
        loop.close()
    finally:
        server.stop()
