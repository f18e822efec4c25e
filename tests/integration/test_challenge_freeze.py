"""The grinding attack of issue 9, played on anvil with the real contracts.

A Provider that has seen an epoch's seed signs, from a second account registered as a
User, an order of b all-zero blobs (or reshapes an order it already holds with that
account), choosing b so that the sample misses every blob it dropped. Under the old
rules the universe was read at the epoch's last block, so that worked for every epoch.
Now the universe is frozen at ``Epochs.universe_block(e)`` before the seed exists, an
order cannot start in the epoch it is submitted in, and an update takes effect from the
next epoch: whatever the attacker does after the seed, the challenge of the epoch is the
one derived before it.
"""

from __future__ import annotations

import pytest

from memo_py.chain.eip712 import OrderUpdate
from memo_py.chain.errors import ChainRevert
from memo_py.chain.records import blob_universe, universe_order
from memo_py.chain.roles import RoleChain
from memo_py.crypto import challenge
from memo_py.crypto.kzg import ZERO_COMMITMENT
from memo_py.devnet.anvil import start_anvil
from memo_py.native import PAYLOAD_BYTES_PER_BLOB
from tests.integration.chain_support import PRICE, deploy_network, mine, mine_to_epoch, populate

VICTIM_BLOBS = 64
SAMPLE = 48


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with start_anvil(log_path=tmp_path_factory.mktemp("anvil") / "anvil.log") as node:
        memo = deploy_network(node.url)
        actors = populate(memo, providers=1)
        actors.user.market.deposit(1000 * 10**18)
        # The Provider's second account, registered as a User with money to sign orders.
        sock = actors.attacker
        sock.registry.register_user()
        sock.market.deposit(10 * 10**18)
        yield memo, actors, sock


def signed(user, provider, update):
    return (update, user.market.sign_update(update), provider.market.sign_update(update))


def keeper_challenge(keeper: RoleChain, provider: str, epoch: int, sock_user: str) -> challenge.Challenge:
    """The challenge a Keeper derives for ``epoch``: the frozen universe read from the chain."""
    orders = blob_universe(keeper.orders_of(provider, epoch), epoch)
    universe = []
    for order in orders:
        listed = (
            [ZERO_COMMITMENT] * order.blob_count
            if order.user == sock_user
            else [bytes([0xA0]) + bytes(46) + bytes([i % 255 + 1]) for i in range(order.blob_count)]
        )
        universe.append(universe_order(order, listed))
    universe = [u for u in universe if u.live]
    binding = challenge.EpochBinding(keeper.chain_id, keeper.epochs, epoch, keeper.seed_of(epoch))
    return challenge.derive(binding, provider, universe, SAMPLE)


def test_moves_after_the_seed_do_not_change_the_challenge(world):
    memo, actors, sock = world
    provider = actors.providers[0]
    keeper = RoleChain(actors.keepers[0])
    # Start from the first block of an epoch, so that no boundary passes while orders are signed.
    current = memo.epochs.current_epoch() + 1
    mine_to_epoch(memo, current)
    epoch = current + 2
    size = VICTIM_BLOBS * PAYLOAD_BYTES_PER_BLOB
    victim = OrderUpdate(
        user=actors.user.address, provider=provider.address, nonce=1, seq=0, size=size, price=PRICE,
        start_epoch=current + 1, end_epoch=current + 30, root=b"\x11" * 32, blob_count=VICTIM_BLOBS,
    )
    # A sock order the Provider signed with itself earlier, already in force in `epoch`.
    held = OrderUpdate(
        user=sock.address, provider=provider.address, nonce=1, seq=0, size=1, price=1,
        start_epoch=current + 1, end_epoch=current + 30, root=b"\x22" * 32, blob_count=1,
    )
    provider.market.submit_orders([signed(actors.user, provider, victim), signed(sock, provider, held)])

    # The epoch starts; once its seed block is sealed anyone may open it.
    mine_to_epoch(memo, epoch)
    mine(memo.client, memo.epochs.seed_block(epoch) + 1 - memo.client.block_number())
    assert keeper.open_epoch(epoch) is not None
    before = keeper_challenge(keeper, provider.address, epoch, sock.address)
    assert [p for p, _ in before.samples] == [0] * SAMPLE  # only the victim's order has live blobs

    # Move 1: a new sock order of b zero blobs in force now. Refused: it starts too soon.
    for blobs in (1, 7, 1000):
        grind = OrderUpdate(
            user=sock.address, provider=provider.address, nonce=100 + blobs, seq=0, size=1, price=1,
            start_epoch=epoch, end_epoch=epoch + 5, root=b"\x33" * 32, blob_count=blobs,
        )
        with pytest.raises(ChainRevert) as refused:
            provider.market.submit_orders([signed(sock, provider, grind)])
        assert refused.value.reason == "market: start too soon"
    # Move 2: the same order from the next epoch on is accepted, and changes nothing now.
    later = OrderUpdate(
        user=sock.address, provider=provider.address, nonce=200, seq=0, size=1, price=1,
        start_epoch=epoch + 1, end_epoch=epoch + 5, root=b"\x44" * 32, blob_count=977,
    )
    provider.market.submit_orders([signed(sock, provider, later)])
    # Move 3: reshape the sock order already in force (another blob count and root).
    provider.market.submit_orders([signed(sock, provider, held.next(blob_count=5000, root=b"\x55" * 32, size=2))])

    assert keeper.orders_of(provider.address, epoch) == RoleChain(provider).orders_of(provider.address, epoch)
    frozen = {o.order_id: o for o in keeper.orders_of(provider.address, epoch)}
    assert later.order_id not in frozen
    assert frozen[held.order_id].blob_count == 1 and frozen[held.order_id].root == b"\x22" * 32
    after = keeper_challenge(keeper, provider.address, epoch, sock.address)
    assert after == before

    # The moves do take effect, from the next epoch (whose seed nobody knows yet).
    mine_to_epoch(memo, epoch + 1)
    nxt = {o.order_id: o for o in keeper.orders_of(provider.address, epoch + 1)}
    assert later.order_id in nxt and nxt[held.order_id].blob_count == 5000
    assert keeper.seed_of(epoch + 1) is None
