"""An honest Provider answers an on-chain dispute on a real devnet (anvil, 3 Provider and
1 Keeper daemons as OS processes): the User challenges one blob it stored, the Provider's
loop answers with the blob's commitment, Merkle path and KZG opening before the deadline,
the dispute ends answered, the bond goes to the Provider, its pledge is intact, and
``resolve_timeout`` after the window reverts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from memo_py.chain.contracts import MemoContracts
from memo_py.chain.disputes import STATUS_ANSWERED, STATUS_OPEN
from memo_py.chain.registry import PROVIDER
from memo_py.devnet import network

UNIT = 10**18


@pytest.fixture(scope="module")
def devnet(tmp_path_factory):
    directory = tmp_path_factory.mktemp("disputes")
    record = network.up(directory, providers=3, keepers=1, users=1)
    try:
        yield directory, record
    finally:
        network.down(directory)


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def test_an_honest_provider_answers_a_dispute_and_keeps_its_pledge(devnet):
    directory, record = devnet
    client = network.user_client(directory, 0, start_delay=1)
    try:
        client.deposit(100 * UNIT)
        client.create_bucket("disputed", k=2, m=1)
        client.put_object("disputed", "small.bin", os.urandom(200_000))
        target = client.head_manifest("disputed", "small.bin").segments[0].chunks[0]
    finally:
        client.close()

    key = Path(record["users"][0]["key_file"]).read_text().strip()
    memo = MemoContracts.connect(record["rpc_url"], record["deployment_file"], check=False)
    challenger = memo.with_account(key)
    disputes = challenger.disputes
    oid = bytes.fromhex(target.order_id[2:])
    order = memo.market.order(oid)
    provider = order.provider
    assert provider == target.provider
    _wait(lambda: memo.epochs.current_epoch() >= order.start_epoch, 60, "the order to start")

    bond = disputes.min_bond()
    pledge_before = memo.registry.pledge_of(provider, PROVIDER)
    provider_before = memo.token.balance_of(provider)
    desk_before = memo.token.balance_of(disputes.address)
    dispute_id = disputes.challenge(oid, target.first_blob, bond)
    dispute = disputes.dispute(dispute_id)
    assert dispute.status == STATUS_OPEN and dispute.provider == provider
    assert memo.token.balance_of(disputes.address) == desk_before + bond

    # The Provider's loop (one tick a second) answers well within the window.
    answered = _wait(
        lambda: (d := disputes.dispute(dispute_id)).status != STATUS_OPEN and d, 60, "the Provider to answer"
    )
    assert answered.status == STATUS_ANSWERED
    (event,) = disputes._logs("DisputeAnswered", dispute_id=dispute_id)
    assert event["args"]["provider"] == provider and event["args"]["bond"] == bond
    assert memo.token.balance_of(disputes.address) == desk_before
    assert memo.token.balance_of(provider) >= provider_before + bond  # the bond (and any pay withdrawn meanwhile)
    assert memo.registry.pledge_of(provider, PROVIDER) == pledge_before
    assert disputes.open_disputes(provider) == 0

    # After the window, nobody can slash it.
    w3 = memo.client.w3
    now = w3.eth.get_block("latest")["timestamp"]
    w3.provider.make_request("evm_increaseTime", [int(dispute.deadline - now + 1)])
    w3.provider.make_request("evm_mine", [])
    with pytest.raises(Exception, match="not open"):
        disputes.resolve_timeout(dispute_id)
    assert memo.registry.pledge_of(provider, PROVIDER) == pledge_before
    assert disputes.dispute(dispute_id).status == STATUS_ANSWERED
