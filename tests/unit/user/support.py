"""Helpers of the User tests: a network of real Provider apps and a real Keeper app on
loopback (uvicorn), an in-memory Market, and clients built from secrets only."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from eth_account import Account

from memo_py.crypto import bls
from memo_py.keeper import KeeperConfig
from memo_py.keeper import create_app as create_keeper_app
from memo_py.native import PAYLOAD_BYTES_PER_BLOB
from memo_py.provider import ProviderConfig
from memo_py.provider import create_app as create_provider_app
from memo_py.user import MemoClient, UserConfig
from tests.unit.keeper.support import Server, serve

from .fakes import MarketNetwork, UserView

USER = Account.from_key(b"\x41" * 32)
MASTER = "0x" + "5e" * 32
PROVIDERS = [Account.from_key(bytes([0x51 + i]) * 32) for i in range(6)]
KEEPER = Account.from_key(b"\x61" * 32)
KEEPER_BLS = bls.key_from_seed(b"\x62" * 32)

PRICE = 10
BLOB = PAYLOAD_BYTES_PER_BLOB
EPOCH = 3
#: Small layout for fast tests: 2 data + 2 parity chunks of one blob.
K, M, CHUNK_BLOBS = 2, 2, 1
SEGMENT = K * CHUNK_BLOBS * BLOB - 16


@dataclass
class Network:
    chain: MarketNetwork
    root: Path
    committer: object
    providers: dict[str, Server] = field(default_factory=dict)
    keeper: Server | None = None

    def start_provider(self, account, price: int = PRICE) -> Server:
        config = ProviderConfig(
            private_key=account.key.hex(),
            data_dir=self.root / f"provider-{account.address}",
            capacity=400 * BLOB,
            price=price,
            workers=2,
        )
        server = serve(create_provider_app(config, self.chain, committer=self.committer))
        self.providers[account.address] = server
        self.chain.add_provider(account.address, server.url, 400 * BLOB, price)
        return server

    def stop_provider(self, address: str) -> None:
        self.providers[address].stop()

    def client(self, **overrides) -> MemoClient:
        values = dict(
            master_secret=MASTER,
            private_key=USER.key.hex(),
            keepers=(self.keeper.url,),
            k=K,
            m=M,
            chunk_blobs=CHUNK_BLOBS,
            order_epochs=50,
            min_remaining=10,
        )
        values.update(overrides)
        return MemoClient(UserConfig(**values), UserView(self.chain, USER.address))

    def close(self) -> None:
        for server in self.providers.values():
            server.stop()
        if self.keeper is not None:
            self.keeper.stop()


def start_network(root: Path, committer, providers: int = 6) -> Network:
    chain = MarketNetwork(users=[USER.address], epoch=EPOCH)
    chain.balances[USER.address] = 10**30
    network = Network(chain, root, committer)
    for account in PROVIDERS[:providers]:
        network.start_provider(account)
    chain.add_keeper(0, KEEPER.address, bls.public_key(KEEPER_BLS), 100)
    config = KeeperConfig(
        private_key=KEEPER.key.hex(), bls_key=KEEPER_BLS.hex(), data_dir=root / "keeper", request_timeout=5.0
    )
    network.keeper = serve(create_keeper_app(config, chain))
    return network


def lie_about_commitments(server: Server) -> None:
    """Make a Provider answer chunk PUTs with commitments that are not its chunks' (valid points)."""
    ingest = server.service.ingest
    honest = ingest.put

    async def put(agreement, signer, first_blob, data, tag=b""):
        commitments = await honest(agreement, signer, first_blob, data, tag)
        return [b"\xc0" + bytes(47)] * len(commitments)  # the point at infinity

    ingest.put = put


def tamper(server: Server, order_id: bytes, first_blob: int) -> None:
    """Alter a stored chunk (and its digest, so the Provider still serves it)."""
    store = server.service.store
    path = store._path(order_id, first_blob)
    data = bytearray(path.read_bytes())
    data[:64] = os.urandom(64)
    path.write_bytes(bytes(data))
    store._db.execute(
        "UPDATE chunks SET sha256 = ? WHERE order_id = ? AND first_blob = ?",
        (hashlib.sha256(bytes(data)).digest(), order_id, first_blob),
    )
