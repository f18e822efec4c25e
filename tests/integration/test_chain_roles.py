"""RoleChain (the daemons' chain protocols on web3) answers what the unit-test fakes answer.

The same situation is built on a real anvil and in the fakes of tests/unit/provider/fakes.py
and tests/unit/keeper/fakes.py; every protocol method is compared.
"""

from __future__ import annotations

import pytest

from memo_py.chain.eip712 import OrderUpdate
from memo_py.chain.errors import ChainRevert
from memo_py.chain.merkle import ResultsTree
from memo_py.chain.records import ChainOrder
from memo_py.chain.roles import RoleChain
from memo_py.crypto import bls
from memo_py.devnet.anvil import start_anvil
from memo_py.keeper.chain import KeeperChain
from memo_py.provider.chain import ProviderChain
from tests.integration.chain_support import (
    CAPACITY,
    PRICE,
    SIZE,
    aggregate_attestation,
    deploy_network,
    mine_to_epoch,
    mine_to_seed,
    populate,
)
from tests.unit.keeper.fakes import FakeNetwork
from tests.unit.provider.fakes import FakeChain


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with start_anvil(log_path=tmp_path_factory.mktemp("anvil") / "anvil.log") as node:
        memo = deploy_network(node.url)
        actors = populate(memo)
        actors.user.market.deposit(1000 * 10**18)
        yield memo, actors


@pytest.fixture(scope="module")
def fakes(world):
    """The fakes holding the same roles as the chain (orders and epochs are replayed by the tests)."""
    memo, actors = world
    provider_fake = FakeChain(users=[actors.user.address], keepers=[k.address for k in actors.keepers])
    keeper_fake = FakeNetwork(users=[actors.user.address])
    # The same chain and contracts, so the same attestation message (and signatures) fit both.
    for fake in (provider_fake, keeper_fake):
        fake.chain_id, fake.market = memo.client.chain_id, memo.deployment.market
    keeper_fake.epochs = memo.deployment.epochs
    for i, p in enumerate(actors.providers):
        keeper_fake.add_provider(p.address, f"http://127.0.0.1:{9100 + i}", CAPACITY, PRICE)
    for slot, (k, key) in enumerate(zip(actors.keepers, actors.bls_keys)):
        keeper_fake.add_keeper(slot, k.address, bls.public_key(key), 50 * 10**18)
    return provider_fake, keeper_fake


def test_role_chain_satisfies_both_protocols(world):
    memo, actors = world
    chain = RoleChain(actors.providers[0])
    assert isinstance(chain, ProviderChain)
    assert isinstance(chain, KeeperChain)
    assert chain.chain_id == memo.client.chain_id
    assert chain.market == memo.deployment.market
    assert chain.epochs == memo.deployment.epochs
    assert chain.address == actors.providers[0].address


def test_roles_match_the_fakes(world, fakes):
    memo, actors = world
    provider_fake, keeper_fake = fakes
    chain = RoleChain(memo)
    for address in [actors.user.address, actors.providers[0].address, actors.keepers[1].address, actors.attacker.address]:
        assert chain.is_user(address) == provider_fake.is_user(address) == keeper_fake.is_user(address)
        assert chain.is_keeper(address) == provider_fake.is_keeper(address) == keeper_fake.is_keeper(address)
    assert chain.providers() == keeper_fake.providers()
    assert chain.keepers() == keeper_fake.keepers()
    assert chain.quorum() == keeper_fake.quorum()
    assert chain.latest_attested() is keeper_fake.latest_attested() is None
    assert chain.results_root(0) is keeper_fake.results_root(0) is None


def test_orders_epochs_and_attestation_match_the_fakes(world, fakes):
    memo, actors = world
    provider_fake, keeper_fake = fakes
    keeper = RoleChain(actors.keepers[0])
    provider = actors.providers[1]
    provider_chain = RoleChain(provider)

    epoch = memo.epochs.current_epoch() + 1
    # An order starts no earlier than the epoch after the one it is signed in.
    update = OrderUpdate(
        user=actors.user.address, provider=provider.address, nonce=7, seq=0, size=SIZE, price=PRICE,
        start_epoch=epoch, end_epoch=epoch + 3, root=b"\x11" * 32, blob_count=2,
    )
    triple = (update, actors.user.market.sign_update(update), provider.market.sign_update(update))
    tx = provider_chain.submit_orders([triple])
    assert len(tx) == 32
    provider_fake.submit_orders([triple])
    keeper_fake.add_order(provider_fake.orders[update.order_id])
    mine_to_epoch(memo, epoch)
    keeper_fake.set_epoch(epoch)
    provider_fake.epoch = epoch
    assert keeper.current_epoch() == keeper_fake.current_epoch() == provider_fake.current_epoch()
    assert keeper.seed_of(epoch) is keeper_fake.seed_of(epoch) is provider_fake.seed_of(epoch) is None
    mine_to_seed(memo, epoch)
    assert keeper.open_epoch(epoch) is not None
    assert keeper_fake.open_epoch(epoch) is not None
    assert len(keeper.seed_of(epoch)) == len(keeper_fake.seed_of(epoch)) == 32
    # Opening again is a no-op for both; the contract itself refuses it.
    assert keeper.open_epoch(epoch) is None and keeper_fake.open_epoch(epoch) is None
    with pytest.raises(ChainRevert) as real:
        actors.keepers[0].epochs.open_epoch(epoch)
    assert real.value.reason == "epochs: epoch already opened"
    # A future epoch's seed block is not sealed: nothing to open yet.
    assert keeper.open_epoch(epoch + 1) is None and keeper_fake.open_epoch(epoch + 1) is None

    assert provider_chain.orders_of(provider.address) == provider_fake.orders_of(provider.address)
    assert keeper.orders_of(provider.address, epoch) == keeper_fake.orders_of(provider.address, epoch)
    assert keeper.orders_of(actors.providers[0].address, epoch) == []

    # An update in the next epoch shows in the current view and from the epoch after it on,
    # never in the frozen views of `epoch` and `epoch + 1`.
    mine_to_epoch(memo, epoch + 1)
    keeper_fake.set_epoch(epoch + 1)
    grown = update.next(end_epoch=epoch + 5, blob_count=4, size=2 * SIZE)
    triple2 = (grown, actors.user.market.sign_update(grown), provider.market.sign_update(grown))
    provider_chain.submit_orders([triple2])
    provider_fake.submit_orders([triple2])
    assert provider_chain.orders_of(provider.address) == provider_fake.orders_of(provider.address)
    original = [ChainOrder(order_id=update.order_id, **update.order_fields())]
    assert keeper.orders_of(provider.address, epoch) == original
    assert keeper.orders_of(provider.address, epoch + 1) == original
    assert keeper.orders_of(provider.address, epoch + 2) == provider_fake.orders_of(provider.address)
    # A frozen view is replayed once for every Provider: asked again, it reads no logs.
    client = keeper.contracts.client
    reads: list[str] = []
    real_get_logs = client.get_logs
    client.get_logs = lambda event, **kw: reads.append(event.event_name) or real_get_logs(event, **kw)
    try:
        assert keeper.orders_of(provider.address, epoch) == original
        assert keeper.orders_of(actors.providers[0].address, epoch) == []
        assert reads == []
        assert keeper.orders_of(provider.address, epoch + 2) == provider_fake.orders_of(provider.address)
        assert sorted(reads) == ["OrderCreated", "OrderUpdated"]  # not frozen yet: the latest state, read again
    finally:
        client.get_logs = real_get_logs

    tree = ResultsTree([(provider.address, SIZE * PRICE, 0)])
    bitmap, signature = aggregate_attestation(memo, actors.bls_keys, [0, 2], epoch, tree.root)
    keeper.attest(epoch, tree.root, bitmap, signature)
    keeper_fake.attest(epoch, tree.root, bitmap, signature)
    assert keeper.results_root(epoch) == keeper_fake.results_root(epoch) == tree.root
    assert keeper.latest_attested() == keeper_fake.latest_attested() == epoch

    before = provider.token.balance_of()
    provider_chain.withdraw_pay(epoch, SIZE * PRICE, 0, tree.proof(provider.address))
    assert provider.token.balance_of() > before
