"""UserRoleChain (the User client's chain protocol on web3) on a real anvil, with the
semantics of the unit tests' fake (tests/unit/user/fakes.py)."""

from __future__ import annotations

import pytest

from memo_py.chain.eip712 import OrderUpdate
from memo_py.chain.errors import ChainRevert, InsufficientFunds
from memo_py.chain.records import ChainOrder
from memo_py.chain.user import PACE_BLOCKS, UserRoleChain
from memo_py.devnet.anvil import start_anvil
from memo_py.errors import MemoError
from memo_py.user.chain import UserChain
from tests.integration.chain_support import PRICE, SIZE, deploy_network, mine_to_epoch, populate

UNIT = 10**18


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with start_anvil(log_path=tmp_path_factory.mktemp("anvil") / "anvil.log") as node:
        memo = deploy_network(node.url)
        actors = populate(memo, providers=2, keepers=1)
        yield memo, actors


def _update(actors, provider, nonce: int, start: int, **changes) -> OrderUpdate:
    fields = dict(
        user=actors.user.address, provider=provider.address, nonce=nonce, seq=0, size=SIZE, price=PRICE,
        start_epoch=start, end_epoch=start + 10, root=b"\x22" * 32, blob_count=2,
    )
    fields.update(changes)
    return OrderUpdate(**fields)


def _signed(actors, provider, update):
    return update, actors.user.market.sign_update(update), provider.market.sign_update(update)


def test_identity_and_protocol(world):
    memo, actors = world
    chain = UserRoleChain(actors.user)
    assert isinstance(chain, UserChain)
    assert chain.address == actors.user.address
    assert chain.chain_id == memo.client.chain_id
    assert chain.market == memo.deployment.market
    assert chain.current_epoch() == memo.epochs.current_epoch()
    # The pace quotes use: epoch_length blocks at the mean interval of the last PACE_BLOCKS.
    latest = memo.client.get_block("latest")
    first = max(0, int(latest["number"]) - PACE_BLOCKS)
    span = int(latest["number"]) - first
    interval = max((int(latest["timestamp"]) - int(memo.client.get_block(first)["timestamp"])) / span, 0.001)
    assert chain.epoch_seconds() == memo.epochs.epoch_length() * interval


def test_deposit_and_withdraw_move_the_market_balance(world):
    _, actors = world
    chain = UserRoleChain(actors.user)
    before = chain.balance_of(actors.user.address)
    tx = chain.deposit(5 * UNIT)
    assert len(tx) == 32
    assert chain.balance_of(actors.user.address) == before + 5 * UNIT
    chain.withdraw(2 * UNIT)
    assert chain.balance_of(actors.user.address) == before + 3 * UNIT
    with pytest.raises(InsufficientFunds):
        chain.withdraw(10**6 * UNIT)
    assert [r.step for r in chain.receipts][-2:] == ["deposit", "withdraw"]
    assert all(r.gas_used > 0 for r in chain.receipts)


def test_provider_endpoint(world):
    _, actors = world
    chain = UserRoleChain(actors.user)
    assert chain.provider_endpoint(actors.providers[1].address) == "http://127.0.0.1:9101"
    assert chain.provider_endpoint(actors.attacker.address) is None


def test_submit_orders_and_read_them_back_as_the_fake_does(world):
    memo, actors = world
    chain = UserRoleChain(actors.user)
    chain.deposit(100 * UNIT)
    start = memo.epochs.current_epoch() + 1
    first = _update(actors, actors.providers[0], 1, start)
    second = _update(actors, actors.providers[1], 1, start, blob_count=4, size=2 * SIZE)
    tx = chain.submit_orders([_signed(actors, actors.providers[0], first), _signed(actors, actors.providers[1], second)])
    assert len(tx) == 32
    orders = {o.order_id: o for o in chain.orders_of_user(actors.user.address)}
    # The fake stores exactly ChainOrder(order_id, **update.as_message()).
    assert orders[first.order_id] == ChainOrder(order_id=first.order_id, **first.order_fields())
    assert orders[second.order_id] == ChainOrder(order_id=second.order_id, **second.order_fields())

    grown = first.next(blob_count=6, size=3 * SIZE, root=b"\x33" * 32)
    chain.submit_orders([_signed(actors, actors.providers[0], grown)])
    orders = {o.order_id: o for o in chain.orders_of_user(actors.user.address)}
    assert orders[first.order_id] == ChainOrder(order_id=first.order_id, **grown.order_fields())
    assert chain.orders_of_user(actors.attacker.address) == []

    # A revert is a MemoError naming the contract's reason, and changes nothing.
    with pytest.raises(MemoError) as stale:
        chain.submit_orders([_signed(actors, actors.providers[0], first)])
    assert isinstance(stale.value, ChainRevert) and stale.value.reason == "market: stale sequence"
    mine_to_epoch(memo, start + 1)
    late = _update(actors, actors.providers[1], 2, start)
    with pytest.raises(ChainRevert) as past:
        chain.submit_orders([_signed(actors, actors.providers[1], late)])
    assert past.value.reason.startswith("market:")
    assert {o.order_id for o in chain.orders_of_user(actors.user.address)} == {first.order_id, second.order_id}
    with pytest.raises(ValueError):
        chain.submit_orders([_signed(actors, actors.providers[0], grown)] * 33)
