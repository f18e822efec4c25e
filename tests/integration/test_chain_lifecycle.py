"""The chain layer against a real anvil: deploy, roles, orders, epochs, attestation, pay, reverts.

Runs on anvil with the Prague hardfork (BLS and point-evaluation precompiles), started
by memo_py.devnet.anvil.start_anvil on a free port for this module.
"""

from __future__ import annotations

import os
import threading

import pytest

from memo_py import native
from memo_py.chain.client import ChainClient
from memo_py.chain.contracts import MemoContracts
from memo_py.chain.deploy import UNIT
from memo_py.chain.deployment import Deployment
from memo_py.chain.eip712 import OrderUpdate, digest
from memo_py.chain.errors import (
    AlreadyRegistered,
    ChainRevert,
    ExitNotReady,
    InsufficientFunds,
    NoSigner,
    PledgeTooSmall,
)
from memo_py.chain.merkle import CommitmentTree, ResultsTree
from memo_py.chain.registry import KEEPER, PROVIDER, USER, Role
from memo_py.crypto import bls, kzg
from memo_py.devnet.anvil import start_anvil
from memo_py.errors import InvalidProof, InvalidSignature, UnknownOrder
from tests.integration.chain_support import (
    CAPACITY,
    EPOCH_LENGTH,
    FUNDS,
    PRICE,
    SIZE,
    Actors,
    aggregate_attestation,
    deploy_network,
    increase_time,
    mine,
    mine_to_epoch,
    mine_to_seed,
    mnemonic_account,
    populate,
)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    with start_anvil(log_path=tmp_path_factory.mktemp("anvil") / "anvil.log") as node:
        yield node


@pytest.fixture(scope="module")
def memo(node) -> MemoContracts:
    return deploy_network(node.url)


@pytest.fixture(scope="module")
def actors(memo) -> Actors:
    return populate(memo)


def signed(actors: Actors, update: OrderUpdate, provider: MemoContracts):
    return (update, actors.user.market.sign_update(update), provider.market.sign_update(update))


# ----------------------------------------------------------------------------- deployment


def test_deploy_wires_the_set_and_records_it(memo, node, tmp_path):
    d = memo.deployment
    assert d.chain_id == node.chain_id == memo.client.chain_id
    d.check(memo.client)
    registry = memo.client.contract("Registry", d.registry).functions
    assert registry.market().call() == d.market
    assert registry.disputes().call() == d.disputes
    assert registry.token().call() == d.token
    assert memo.epochs.registry() == d.registry
    assert memo.epochs.epoch_length() == EPOCH_LENGTH
    assert memo.market.fee_bps() == 500
    assert memo.disputes.min_bond() == 10 * UNIT
    assert [memo.registry.min_pledge(r) for r in (USER, PROVIDER, KEEPER)] == [UNIT, 100 * UNIT, 50 * UNIT]
    path = d.save(tmp_path / "deployments" / "local.json")
    again = Deployment.load(path)
    assert again == d and again.parameters == d.parameters and again.block == d.block


# ----------------------------------------------------------------------------- roles


def test_roles_are_registered(actors):
    registry = actors.deployer.registry
    assert registry.is_user(actors.user.address)
    assert registry.roles_of(actors.providers[0].address) == Role.PROVIDER
    assert not registry.is_user(actors.attacker.address)
    providers = registry.providers()
    assert [p.address for p in providers] == [p.address for p in actors.providers]
    assert providers[0].endpoint == "http://127.0.0.1:9100"
    assert (providers[0].capacity, providers[0].price, providers[0].active) == (CAPACITY, PRICE, True)
    keepers = registry.keepers()
    assert [k.slot for k in keepers] == [0, 1, 2]
    assert [k.address for k in keepers] == [k.address for k in actors.keepers]
    assert [k.pubkey for k in keepers] == [bls.public_key(sk) for sk in actors.bls_keys]
    assert all(k.weight == 50 * UNIT for k in keepers)
    assert actors.keepers[1].registry.keeper_slot() == 1
    assert registry.keeper_slot(actors.user.address) is None


def test_register_checks_run_before_sending(actors):
    with pytest.raises(AlreadyRegistered, match="already registered as user"):
        actors.user.registry.register_user()
    with pytest.raises(PledgeTooSmall, match=r"^the provider pledge is at least 100 tokens, got 1$"):  # tokens, not wei
        actors.attacker.registry.register_provider("http://x", 1, 1, pledge=UNIT)
    with pytest.raises(AlreadyRegistered, match="BLS key"):
        actors.attacker.registry.register_keeper(actors.bls_keys[0])
    broke = actors.deployer.with_account(mnemonic_account(18))
    with pytest.raises(InsufficientFunds, match=r"needs 1 tokens; 0x[0-9a-fA-F]{40} holds 0$"):
        broke.registry.register_user()
    with pytest.raises(ExitNotReady, match="not requested"):
        actors.user.registry.complete_exit("user")


def test_top_up_and_exit_queue(memo, actors):
    member = actors.deployer.with_account(mnemonic_account(17))
    actors.deployer.token.mint(member.address, 10 * UNIT)
    member.registry.register_user(2 * UNIT)
    member.registry.top_up(USER, UNIT)
    assert member.registry.pledge_of(None, USER) == 3 * UNIT
    member.registry.request_exit("user")
    assert not member.registry.is_user()
    with pytest.raises(ExitNotReady, match=r"unbonds at 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ s from now\)"):
        member.registry.complete_exit(USER)
    increase_time(memo.client, 3601)
    before = member.token.balance_of()
    member.registry.complete_exit(USER)
    assert member.token.balance_of() == before + 3 * UNIT
    assert member.registry.roles_of() == Role(0)


# ----------------------------------------------------------------------------- balances


def test_deposit_approves_then_withdraw(actors):
    market = actors.user.market
    market.deposit(100 * UNIT)
    assert market.balance_of() == 100 * UNIT
    market.withdraw(10 * UNIT)
    assert market.balance_of() == 90 * UNIT
    with pytest.raises(InsufficientFunds, match="market balance"):
        market.withdraw(1000 * UNIT)
    with pytest.raises(InsufficientFunds):
        market.deposit(FUNDS * 2)


def test_deposit_with_permit(actors):
    market = actors.user.market
    before = market.balance_of()
    allowance_before = actors.user.token.allowance(actors.user.address, market.address)
    market.deposit_with_permit(5 * UNIT)
    assert market.balance_of() == before + 5 * UNIT
    assert actors.user.token.allowance(actors.user.address, market.address) == allowance_before


def test_read_only_client_cannot_send(memo, node):
    reader = MemoContracts(ChainClient.connect(node.url), memo.deployment)
    assert reader.epochs.current_epoch() >= 0
    with pytest.raises(NoSigner):
        reader.epochs.open_epoch(0)


# ----------------------------------------------------------------------------- the lifecycle


@pytest.fixture(scope="module")
def stored():
    """Two real blobs, their commitments and commitment tree."""
    blobs = native.pack_blobs(os.urandom(SIZE - 1000))
    blobs = [blobs[i : i + native.BYTES_PER_BLOB] for i in range(0, len(blobs), native.BYTES_PER_BLOB)]
    commitments = [kzg.commit(b) for b in blobs]
    return blobs, commitments, CommitmentTree(commitments)


@pytest.fixture(scope="module")
def order(memo, actors, stored):
    """A co-signed order of the User with Provider 0, starting in a fresh epoch (opened), 4 epochs long."""
    _, _, tree = stored
    provider = actors.providers[0]
    # An order starts no earlier than the epoch after the one it is signed in.
    epoch = memo.epochs.current_epoch() + 1
    update = OrderUpdate(
        user=actors.user.address, provider=provider.address, nonce=1, seq=0, size=SIZE, price=PRICE,
        start_epoch=epoch, end_epoch=epoch + 4, root=tree.root, blob_count=2,
    )
    balance = actors.user.market.balance_of()
    provider.market.submit_orders([signed(actors, update, provider)])
    assert actors.user.market.balance_of() == balance - SIZE * PRICE * 4
    mine_to_epoch(memo, epoch)
    assert actors.keepers[0].epochs.seed_of(epoch) is None
    assert actors.keepers[0].epochs.ensure_open() is None  # its seed block is not sealed yet
    mine_to_seed(memo, epoch)
    assert actors.keepers[0].epochs.ensure_open() is not None
    assert actors.keepers[0].epochs.ensure_open() is None
    return update


def test_order_is_stored(memo, order):
    stored_order = memo.market.order(order.order_id)
    assert stored_order.order_id == order.order_id
    assert (stored_order.user, stored_order.provider, stored_order.seq) == (order.user, order.provider, 0)
    assert (stored_order.size, stored_order.price, stored_order.root, stored_order.blob_count) == (
        order.size, order.price, order.root, order.blob_count,
    )
    assert memo.market.order_update_digest(order) == digest(order, memo.client.chain_id, memo.market.address)
    assert memo.market.orders_of(order.provider) == [stored_order]
    assert memo.market.orders_of_user(order.user) == [stored_order]
    assert memo.market.order_of(b"\x01" * 32) is None
    with pytest.raises(UnknownOrder):
        memo.market.order(b"\x01" * 32)


def test_stale_sequence_surfaces_the_exact_reason(actors, order):
    provider = actors.providers[0]
    with pytest.raises(ChainRevert) as info:
        provider.market.submit_orders([signed(actors, order, provider)])
    assert info.value.reason == "market: stale sequence"
    assert str(info.value) == "market: stale sequence"
    assert info.value.tx_hash is None  # caught by gas estimation: nothing was sent


def test_a_mined_revert_is_replayed_for_its_reason(actors, order):
    """A transaction sent without estimation (fixed gas) reverts on-chain; the reason still comes back."""
    provider = actors.providers[0]
    market = provider.market
    update, user_sig, provider_sig = signed(actors, order, provider)
    fn = market.contract.functions.submit_orders([update.as_tuple()], [user_sig], [provider_sig])
    with pytest.raises(ChainRevert) as info:
        provider.client.send(fn, gas=500_000)
    assert info.value.reason == "market: stale sequence"
    assert info.value.tx_hash is not None


def test_bad_signature_is_refused_before_sending(actors, order):
    provider = actors.providers[0]
    update = order.next(end_epoch=order.end_epoch + 1)
    forged = provider.market.sign_update(update)
    with pytest.raises(InvalidSignature, match="user signature"):
        provider.market.submit_orders([(update, forged, forged)])


def test_epoch_attest_and_withdraw_pay(memo, actors, order):
    epochs = actors.keepers[0].epochs
    epoch = order.start_epoch
    assert epochs.current_epoch() == epoch
    assert epochs.seed_of(epoch + 5) is None
    seed = epochs.seed_of(epoch)
    assert seed is not None and len(seed) == 32
    with pytest.raises(ChainRevert, match="^epochs: epoch already opened$"):
        epochs.open_epoch(epoch)
    assert epochs.latest_attested() is None

    # Extend the order during epoch + 1: the Keeper's view of `epoch` must not show it.
    mine_to_epoch(memo, epoch + 1)
    provider = actors.providers[0]
    extended = order.next(end_epoch=order.end_epoch + 2)
    provider.market.submit_orders([signed(actors, extended, provider)])
    assert memo.market.order(order.order_id).seq == 1
    past = memo.market.orders_of(provider.address, block=memo.epochs.epoch_last_block(epoch))
    assert [o.seq for o in past] == [0] and past[0].end_epoch == order.end_epoch

    rate = SIZE * PRICE
    tree = ResultsTree([(provider.address, rate, 0), (actors.providers[1].address, 0, 0)])
    bitmap, signature = aggregate_attestation(memo, actors.bls_keys, [0, 1, 2], epoch, tree.root)
    # Two of three keepers (2/3 of the weight) is a quorum; one is not.
    one_bitmap, one_signature = aggregate_attestation(memo, actors.bls_keys, [0], epoch, tree.root)
    with pytest.raises(ChainRevert, match="^epochs: below quorum$"):
        epochs.attest(epoch, tree.root, one_bitmap, one_signature)
    actors.keepers[2].epochs.attest(epoch, tree.root, bitmap, signature)
    assert memo.epochs.results_root(epoch) == tree.root
    assert memo.epochs.latest_attested() == epoch

    before = provider.token.balance_of()
    provider.market.withdraw_pay(epoch, rate, 0, tree.proof(provider.address))
    fee = rate * 500 // 10_000
    assert provider.token.balance_of() == before + rate - fee
    assert provider.market.provider_books()["paid"] == rate
    with pytest.raises(InvalidProof):  # checked locally against the attested root, before sending
        provider.market.withdraw_pay(epoch, rate * 2, 0, tree.proof(provider.address))
    with pytest.raises(ValueError, match="no attested results root"):
        provider.market.withdraw_pay(epoch + 1, rate, 0, tree.proof(provider.address))


def test_concurrent_senders_share_one_nonce_sequence(actors):
    token = actors.deployer.token
    recipients = [mnemonic_account(30 + i).address for i in range(8)]
    errors: list[BaseException] = []

    def send(to: str) -> None:
        try:
            token.mint(to, UNIT)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(r,)) for r in recipients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [token.balance_of(r) for r in recipients] == [UNIT] * 8


def test_dispute_answered_with_a_real_opening(memo, actors, order, stored):
    blobs, commitments, tree = stored
    challenger = actors.attacker
    bond = challenger.disputes.min_bond()
    dispute_id = challenger.disputes.challenge(order.order_id, 1, bond)
    dispute = memo.disputes.dispute(dispute_id)
    assert (dispute.order_id, dispute.blob_index, dispute.provider, dispute.status) == (order.order_id, 1, order.provider, 1)
    with pytest.raises(ChainRevert, match="^disputes: deadline not passed$"):
        challenger.disputes.resolve_timeout(dispute_id)
    opening = kzg.open_blob(blobs[1], dispute.z)
    provider = actors.providers[0]
    before = provider.token.balance_of()
    provider.disputes.answer(dispute_id, commitments[1], tree.proof(1), opening.y_bytes, opening.proof)
    assert memo.disputes.dispute(dispute_id).status == 2
    assert provider.token.balance_of() == before + bond
    with pytest.raises(ChainRevert, match="^disputes: not open$"):
        provider.client.send(provider.disputes.contract.functions.answer(
            dispute_id, commitments[1], tree.proof(1), opening.y_bytes, opening.proof
        ))


def test_mine_helper_moves_epochs(memo):
    epoch = memo.epochs.current_epoch()
    mine(memo.client, EPOCH_LENGTH)
    assert memo.epochs.current_epoch() == epoch + 1


def test_a_revert_caused_by_the_block_it_was_mined_in_keeps_its_reason(memo, actors, stored, order):
    """An order that starts in the next epoch, mined in the first block of that epoch: the
    revert depends on the block, so replaying it on the block before would pass. The client
    replays it in the mined block's own context and still names the reason."""
    _, _, tree = stored
    provider = actors.providers[0]
    epoch = memo.epochs.current_epoch() + 1
    mine(memo.client, memo.epochs.epoch_start_block(epoch) - memo.client.block_number() - 1)
    assert memo.epochs.current_epoch() == epoch - 1  # the next block opens `epoch`
    update = OrderUpdate(
        user=actors.user.address, provider=provider.address, nonce=77, seq=0, size=SIZE, price=PRICE,
        start_epoch=epoch, end_epoch=epoch + 4, root=tree.root, blob_count=2,
    )
    update, user_sig, provider_sig = signed(actors, update, provider)
    fn = provider.market.contract.functions.submit_orders([update.as_tuple()], [user_sig], [provider_sig])
    with pytest.raises(ChainRevert) as info:
        provider.client.send(fn, gas=1_000_000)
    assert info.value.reason == "market: start too soon"
    assert info.value.tx_hash is not None
