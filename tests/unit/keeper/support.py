"""Helpers of the Keeper tests: actors, real uvicorn servers on loopback, Providers with
stored orders, and Keepers wired to each other."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from eth_account import Account

from memo_py.chain.merkle import CommitmentTree
from memo_py.devnet.anvil import free_port, free_ports
from memo_py.crypto import bls
from memo_py.keeper import KeeperConfig, PeerEndpoint
from memo_py.keeper import create_app as create_keeper_app
from memo_py.native import PAYLOAD_BYTES_PER_BLOB
from memo_py.protocol.http import SignedClient
from memo_py.provider import ChainOrder, KeeperEndpoint, ProviderConfig, push_proof
from memo_py.provider import create_app as create_provider_app

from .fakes import FakeNetwork

USER = Account.from_key(b"\x13" * 32)
PROVIDER = Account.from_key(b"\x11" * 32)
CHEATER = Account.from_key(b"\x12" * 32)  # a Provider whose blob was altered
KEEPERS = [Account.from_key(bytes([0x21 + i]) * 32) for i in range(3)]
BLS_KEYS = [bls.key_from_seed(bytes([0x31 + i]) * 32) for i in range(3)]
ATTACKER = Account.from_key(b"\x05" * 32)  # registered in no role

PRICE = 10
BLOB = PAYLOAD_BYTES_PER_BLOB
BLOBS = 2
START, END = 2, 10
DUE = BLOBS * BLOB * PRICE  # what one order of BLOBS blobs vests per epoch
WEIGHT = 100


@dataclass
class Server:
    url: str
    app: Any
    server: uvicorn.Server
    thread: threading.Thread
    port: int

    @property
    def service(self):
        return self.app.state.service

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.should_exit = True
            self.thread.join(10)
            assert not self.thread.is_alive(), "the server did not stop"


def serve(app, port: int | None = None, **options: Any) -> Server:
    """Run ``app`` under uvicorn on loopback in a thread (``options`` go to ``uvicorn.Config``)."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    return Server(f"http://127.0.0.1:{port}", app, server, thread, port)


def send_unbounded(
    url: str,
    method: str,
    path: str,
    pieces: list[bytes],
    *,
    declared: int | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> tuple[int, dict[str, Any]]:
    """Play a peer that sends more than an endpoint takes: the body is ``pieces``, announced
    with a Content-Length of ``declared`` bytes (however many are sent), or chunked when
    ``declared`` is None, and never finished. The status and JSON of the answer, which must
    come without the rest of the body (a server that waits for it times out here)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.putrequest(method, path)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if declared is None:
            conn.putheader("Transfer-Encoding", "chunked")
        else:
            conn.putheader("Content-Length", str(declared))
        conn.endheaders()
        try:
            for piece in pieces:
                conn.send(b"%x\r\n%s\r\n" % (len(piece), piece) if declared is None else piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped listening once it had enough: its answer is waiting
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


# ----------------------------------------------------------------------------- providers


@dataclass
class StoredProvider:
    account: Any
    server: Server
    order_id: bytes
    commitments: list[bytes]

    @property
    def address(self) -> str:
        return self.account.address

    def proof(self, epoch: int):
        return asyncio.run(self.server.service.prover.proof_for(epoch))

    def push(self, epoch: int, keepers: list[Server]) -> dict[str, str]:
        endpoints = [KeeperEndpoint(address=k.service.address, url=k.url) for k in keepers]
        return push_proof(self.proof(epoch), endpoints, self.account.key)

    def tamper(self, first_blob: int = 0) -> None:
        """Alter a stored blob (and its digest, so the Provider still serves it)."""
        import hashlib

        store = self.server.service.store
        path = store._path(self.order_id, first_blob)
        data = bytearray(path.read_bytes())
        data[:64] = os.urandom(64)
        path.write_bytes(bytes(data))
        store._db.execute(
            "UPDATE chunks SET sha256 = ? WHERE order_id = ? AND first_blob = ?",
            (hashlib.sha256(bytes(data)).digest(), self.order_id, first_blob),
        )


def start_provider(account, data_dir: Path, network: FakeNetwork, committer) -> StoredProvider:
    """A real Provider app holding one order of BLOBS blobs (chunk_blobs 1), registered on the fake chain."""
    config = ProviderConfig(
        private_key=account.key.hex(), data_dir=data_dir, capacity=8 * BLOB, price=PRICE, workers=1, sample_size=16
    )
    server = serve(create_provider_app(config, network, committer=committer))
    terms = {"nonce": 1, "price": PRICE, "start_epoch": START, "end_epoch": END, "blob_count": BLOBS, "chunk_blobs": 1}
    with SignedClient(USER.key, server.url, account.address) as user:
        oid = user.request("POST", "/agreements", content=json.dumps(terms).encode()).json()["order_id"]
        commitments = []
        for first in range(BLOBS):
            answer = user.request("PUT", f"/orders/{oid}/blobs/{first}", content=os.urandom(BLOB)).json()
            commitments += [bytes.fromhex(c[2:]) for c in answer["commitments"]]
    order_id = bytes.fromhex(oid[2:])
    root = CommitmentTree(commitments).root
    network.add_order(
        ChainOrder(order_id, USER.address, account.address, 1, 0, BLOBS * BLOB, PRICE, START, END, root, BLOBS)
    )
    network.add_provider(account.address, server.url, 8 * BLOB, PRICE)
    return StoredProvider(account, server, order_id, commitments)


# ----------------------------------------------------------------------------- keepers


@dataclass
class Keepers:
    """Keeper apps on fixed ports, so a stopped one can be started again on its data directory."""

    network: FakeNetwork
    root: Path
    ports: list[int]
    configs: list[KeeperConfig] = field(default_factory=list)
    servers: list[Server | None] = field(default_factory=list)

    def start(self, i: int) -> Server:
        server = serve(create_keeper_app(self.configs[i], self.network), self.ports[i])
        self.servers[i] = server
        return server

    def stop(self, i: int) -> None:
        server = self.servers[i]
        if server is not None:
            server.stop()
            self.servers[i] = None

    def __getitem__(self, i: int) -> Server:
        server = self.servers[i]
        assert server is not None
        return server

    def tick(self, i: int, now: float = 1_000.0):
        return self[i].service.tick(now)

    def client(self, i: int, account) -> SignedClient:
        return SignedClient(account.key, self[i].url, KEEPERS[i].address)

    def close(self) -> None:
        for i in range(len(self.servers)):
            self.stop(i)


def start_keepers(network: FakeNetwork, root: Path, overrides: list[dict] | None = None) -> Keepers:
    """Three Keepers in slots 0..2 with equal weight, each knowing the others."""
    n = len(KEEPERS)
    overrides = overrides or [{} for _ in range(n)]
    ports = free_ports(n)
    keepers = Keepers(network, root, ports, servers=[None] * n)
    for i in range(n):
        network.add_keeper(i, KEEPERS[i].address, bls.public_key(BLS_KEYS[i]), WEIGHT)
    for i in range(n):
        peers = tuple(
            PeerEndpoint(address=KEEPERS[j].address, url=f"http://127.0.0.1:{ports[j]}") for j in range(n) if j != i
        )
        values = dict(
            private_key=KEEPERS[i].key.hex(),
            bls_key=BLS_KEYS[i].hex(),
            data_dir=root / f"keeper{i}",
            peers=peers,
            sample_size=16,
            proof_grace=0.0,
            aggregator_timeout=60.0,
            request_timeout=5.0,
        )
        values.update(overrides[i])
        keepers.configs.append(KeeperConfig(**values))
    for i in range(n):
        keepers.start(i)
    return keepers
