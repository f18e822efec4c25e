"""Shared pieces of the chain-layer integration tests (tests/integration/test_chain_*.py).

A real anvil (memo_py.devnet.anvil.start_anvil), the set deployed with
memo_py.chain.deploy, actors from anvil's default mnemonic, and helpers to mine
blocks and to move time.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount

from memo_py.chain.client import ChainClient
from memo_py.chain.contracts import MemoContracts
from memo_py.chain.deploy import UNIT, deploy_all
from memo_py.crypto import bls
from memo_py.devnet.anvil import DEFAULT_MNEMONIC

Account.enable_unaudited_hdwallet_features()

EPOCH_LENGTH = 10
PRICE = 10**6  # token wei per byte per epoch
SIZE = 2 * 126_976
CAPACITY = 10 * 2**30
FUNDS = 10_000 * UNIT


def mnemonic_account(index: int) -> LocalAccount:
    return Account.from_mnemonic(DEFAULT_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


@dataclass
class Actors:
    deployer: MemoContracts
    user: MemoContracts
    providers: list[MemoContracts]
    keepers: list[MemoContracts]
    attacker: MemoContracts
    bls_keys: list[bytes]


def deploy_network(url: str) -> MemoContracts:
    client = ChainClient.connect(url, mnemonic_account(0), poll_latency=0.01)
    deployment = deploy_all(client, epoch_length=EPOCH_LENGTH)
    return MemoContracts(client, deployment)


def populate(deployer: MemoContracts, *, providers: int = 2, keepers: int = 3) -> Actors:
    """Fund and register one User, ``providers`` Providers and ``keepers`` Keepers (real BLS keys)."""
    def actor(index: int) -> MemoContracts:
        member = deployer.with_account(mnemonic_account(index))
        deployer.token.mint(member.address, FUNDS)
        return member

    user = actor(1)
    user.registry.register_user()
    provider_actors = []
    for i in range(providers):
        member = actor(2 + i)
        member.registry.register_provider(f"http://127.0.0.1:{9100 + i}", CAPACITY, PRICE)
        provider_actors.append(member)
    keeper_actors, keys = [], []
    for i in range(keepers):
        member = actor(10 + i)
        key = bls.key_from_seed(bytes([i + 1]) * 32)
        member.registry.register_keeper(key)
        keeper_actors.append(member)
        keys.append(key)
    return Actors(deployer, user, provider_actors, keeper_actors, actor(19), keys)


def mine(client: ChainClient, blocks: int = 1) -> None:
    client.w3.provider.make_request("anvil_mine", [hex(blocks)])


def mine_to_epoch(memo: MemoContracts, epoch: int) -> None:
    """Mine until ``epoch`` is the current epoch."""
    start = memo.epochs.epoch_start_block(epoch)
    head = memo.client.block_number()
    if head < start:
        mine(memo.client, start - head)
    assert memo.epochs.current_epoch() == epoch


def mine_to_seed(memo: MemoContracts, epoch: int) -> None:
    """Mine until ``epoch``'s seed block is sealed, so that it can be opened."""
    seed_block = memo.epochs.seed_block(epoch)
    head = memo.client.block_number()
    if head <= seed_block:
        mine(memo.client, seed_block + 1 - head)


def increase_time(client: ChainClient, seconds: int) -> None:
    client.w3.provider.make_request("evm_increaseTime", [seconds])
    mine(client)


def aggregate_attestation(memo: MemoContracts, keys: list[bytes], slots: list[int], epoch: int, root: bytes) -> tuple[int, bytes]:
    """(bitmap, 96-byte aggregate signature) of the Keepers in ``slots`` over ``epoch``'s root."""
    message = memo.epochs.attestation_message(epoch, root)
    signatures = [bls.sign(keys[s], message) for s in slots]
    return sum(1 << s for s in slots), bls.aggregate(signatures)
