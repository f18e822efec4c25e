"""Helpers of the Provider tests: actors, config, and a real uvicorn server on a free
loopback port that can be stopped and started again on the same data directory."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from eth_account import Account

from memo_py.devnet.anvil import free_port
from memo_py.native import PAYLOAD_BYTES_PER_BLOB
from memo_py.protocol.http import SignedClient
from memo_py.provider import ChunkStore, Committer, ProviderConfig, ProviderService, create_app
from .fakes import FakeChain

PROVIDER = Account.from_key(b"\x01" * 32)
USER = Account.from_key(b"\x02" * 32)
OTHER_USER = Account.from_key(b"\x03" * 32)
KEEPER = Account.from_key(b"\x04" * 32)
ATTACKER = Account.from_key(b"\x05" * 32)  # registered in no role

PRICE = 10
BLOB = PAYLOAD_BYTES_PER_BLOB
CAPACITY = 8 * BLOB


@dataclass
class Running:
    url: str
    service: ProviderService
    server: uvicorn.Server
    thread: threading.Thread

    def client(self, account) -> SignedClient:
        return SignedClient(account.key, self.url, PROVIDER.address)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        assert not self.thread.is_alive(), "the server did not stop"


def make_config(data_dir: Path, **overrides) -> ProviderConfig:
    values = dict(
        private_key=PROVIDER.key.hex(),
        data_dir=data_dir,
        capacity=CAPACITY,
        price=PRICE,
        workers=2,
        sample_size=16,
    )
    values.update(overrides)
    return ProviderConfig(**values)


def serve(config: ProviderConfig, chain: FakeChain, committer: Committer, store: ChunkStore | None = None) -> Running:
    app = create_app(config, chain, store, committer=committer)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    return Running(f"http://127.0.0.1:{port}", app.state.service, server, thread)


def terms(nonce: int = 1, *, blob_count: int = 2, chunk_blobs: int = 1, price: int = PRICE, start: int = 2, end: int = 10):
    return {
        "nonce": nonce,
        "price": price,
        "start_epoch": start,
        "end_epoch": end,
        "blob_count": blob_count,
        "chunk_blobs": chunk_blobs,
    }


def keeper_verifies(chain: FakeChain, epoch: int, seed: bytes, proof, commitments: dict[bytes, list[bytes]], sample_size: int = 16) -> bool:
    """The Keeper's check of a proof (JSON or EpochProof), written out: the universe from the
    chain's orders and ``commitments`` (by order id, as that epoch's roots cover them), the
    bound challenge, the MSM of the sampled commitments, then the opening."""
    from memo_py.chain.records import blob_universe, universe_order
    from memo_py.crypto import challenge, kzg

    if not isinstance(proof, dict):
        proof = proof.to_json()
    orders = blob_universe(chain.orders_of(PROVIDER.address, epoch), epoch)
    universe = [universe_order(o, commitments[o.order_id]) for o in orders]
    kept = [k for k, u in enumerate(universe) if u.live]
    orders, universe = [orders[k] for k in kept], [universe[k] for k in kept]
    binding = challenge.EpochBinding(chain.chain_id, chain.epochs, epoch, seed)
    ch = challenge.derive(binding, PROVIDER.address, universe, sample_size)
    assert proof["universe"] == "0x" + ch.universe.hex()
    assert proof["samples"] == [list(pair) for pair in ch.samples]
    sampled = kzg.Commitments([commitments[orders[p].order_id][i] for p, i in ch.samples])
    return kzg.verify(sampled, ch.coeffs, ch.z, bytes.fromhex(proof["y"][2:]), bytes.fromhex(proof["proof"][2:]))
