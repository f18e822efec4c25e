"""Helpers of the runtime tests: actors, configs, uploads to a running Provider, and
daemons run on threads."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from eth_account import Account

from memo_py.chain.merkle import CommitmentTree
from memo_py.crypto import bls
from memo_py.keeper import KeeperConfig, PeerEndpoint
from memo_py.native import PAYLOAD_BYTES_PER_BLOB
from memo_py.protocol.http import SignedClient
from memo_py.provider import ChainOrder, KeeperEndpoint, ProviderConfig
from tests.unit.keeper.support import BLS_KEYS, KEEPERS, WEIGHT, free_port

from .fakes import RuntimeChain

USER = Account.from_key(b"\x13" * 32)
PROVIDER = Account.from_key(b"\x41" * 32)

PRICE = 10
BLOB = PAYLOAD_BYTES_PER_BLOB
BLOBS = 2
START, END = 2, 20
DUE = BLOBS * BLOB * PRICE  # what the order vests per epoch


def network(epoch: int = START) -> RuntimeChain:
    chain = RuntimeChain(users=[USER.address], epoch=epoch, caller=PROVIDER.address)
    for i, keeper in enumerate(KEEPERS):
        chain.add_keeper(i, keeper.address, bls.public_key(BLS_KEYS[i]), WEIGHT)
    return chain


def keeper_configs(root: Path, ports: list[int], **overrides) -> list[KeeperConfig]:
    """Three Keepers in slots 0..2 on ``ports``, each knowing the others."""
    configs = []
    for i in range(len(KEEPERS)):
        peers = tuple(
            PeerEndpoint(address=KEEPERS[j].address, url=f"http://127.0.0.1:{ports[j]}")
            for j in range(len(KEEPERS))
            if j != i
        )
        values = dict(
            private_key=KEEPERS[i].key.hex(),
            bls_key=BLS_KEYS[i].hex(),
            data_dir=root / f"keeper{i}",
            port=ports[i],
            peers=peers,
            sample_size=4,
            quiet_seconds=1.0,  # the tests move the fake chain's epochs by hand, mid-"epoch"
            proof_grace=60.0,
            aggregator_timeout=60.0,
            request_timeout=5.0,
        )
        values.update(overrides)
        configs.append(KeeperConfig(**values))
    return configs


def provider_config(data_dir: Path, keeper_ports: list[int], **overrides) -> ProviderConfig:
    keepers = tuple(
        KeeperEndpoint(address=KEEPERS[i].address, url=f"http://127.0.0.1:{p}") for i, p in enumerate(keeper_ports)
    )
    values = dict(
        private_key=PROVIDER.key.hex(),
        data_dir=data_dir,
        capacity=16 * BLOB,
        price=PRICE,
        workers=1,
        sample_size=4,
        keepers=keepers,
        tick_seconds=0.1,
        quiet_seconds=1.0,  # the tests move the fake chain's epochs by hand, mid-"epoch"
    )
    values.update(overrides)
    return ProviderConfig(**values)


@dataclass
class Order:
    order: ChainOrder
    commitments: list[bytes]


def store_order(url: str, chain: RuntimeChain, *, blobs: int = BLOBS, nonce: int = 1) -> Order:
    """Agree on and upload an order of ``blobs`` blobs (chunk_blobs 1), and put it on the chain."""
    terms = {"nonce": nonce, "price": PRICE, "start_epoch": START, "end_epoch": END, "blob_count": blobs, "chunk_blobs": 1}
    with SignedClient(USER.key, url, PROVIDER.address) as user:
        oid = user.request("POST", "/agreements", content=json.dumps(terms).encode()).json()["order_id"]
        commitments = []
        for first in range(blobs):
            answer = user.request("PUT", f"/orders/{oid}/blobs/{first}", content=os.urandom(BLOB)).json()
            commitments += [bytes.fromhex(c[2:]) for c in answer["commitments"]]
    order = ChainOrder(
        bytes.fromhex(oid[2:]), USER.address, PROVIDER.address, nonce, 0, blobs * BLOB, PRICE, START, END,
        CommitmentTree(commitments).root, blobs,
    )
    chain.add_order(order)
    chain.add_provider(PROVIDER.address, url, 16 * BLOB, PRICE)
    return Order(order, commitments)


def grow_order(url: str, chain: RuntimeChain, stored: Order, extra: int) -> Order:
    """Upload ``extra`` more blobs and submit the grown order now (in force from the current epoch)."""
    old = stored.order
    blobs = old.blob_count + extra
    terms = {"nonce": old.nonce, "price": PRICE, "start_epoch": START, "end_epoch": END, "blob_count": blobs, "chunk_blobs": 1}
    oid = "0x" + old.order_id.hex()
    commitments = list(stored.commitments)
    with SignedClient(USER.key, url, PROVIDER.address) as user:
        user.request("POST", "/agreements", content=json.dumps(terms).encode())
        for first in range(old.blob_count, blobs):
            answer = user.request("PUT", f"/orders/{oid}/blobs/{first}", content=os.urandom(BLOB)).json()
            commitments += [bytes.fromhex(c[2:]) for c in answer["commitments"]]
    order = replace(old, seq=old.seq + 1, size=blobs * BLOB, blob_count=blobs, root=CommitmentTree(commitments).root)
    chain.update_order(order)
    return Order(order, commitments)


def wait_for(condition: Callable[[], object], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/health", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Daemon:
    """A daemon function run on a thread, stopped through its stop event."""

    thread: threading.Thread
    stop_event: threading.Event
    url: str
    errors: list[BaseException]

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(20)
        assert not self.thread.is_alive(), "the daemon did not stop"
        assert not self.errors, self.errors


def run_in_thread(target: Callable, config, chain, url: str, **kwargs) -> Daemon:
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target(config, chain, stop_event=stop, **kwargs)
        except BaseException as exc:  # reported by Daemon.stop
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_for(lambda: healthy(url) or not thread.is_alive(), 30, f"{url} to answer")
    assert thread.is_alive(), errors
    return Daemon(thread, stop, url, errors)


__all__ = [
    "BLOB",
    "BLOBS",
    "DUE",
    "END",
    "PRICE",
    "PROVIDER",
    "START",
    "USER",
    "Daemon",
    "Order",
    "free_port",
    "grow_order",
    "healthy",
    "keeper_configs",
    "network",
    "provider_config",
    "run_in_thread",
    "store_order",
    "wait_for",
]
