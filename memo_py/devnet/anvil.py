"""Starting and stopping a local anvil node for the devnet and the integration tests.

The binary comes from, in order: ``$MEMO_ANVIL``, the pinned npm package in the
repository (``node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil``, which
``make`` installs), then ``anvil`` on ``PATH``. The node runs the Prague
hardfork so the EIP-2537 (BLS12-381) and 0x0A (point evaluation) precompiles
exist.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from memo_py.errors import ConfigError, MemoError

__all__ = ["DEFAULT_MNEMONIC", "AnvilNode", "anvil_args", "find_anvil", "free_port", "free_ports", "start_anvil", "wait_for_rpc"]

#: anvil's well-known development mnemonic: its keys are public, never use them on a real network.
DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"

_REPO = Path(__file__).resolve().parents[2]
_NPM_BINARY = _REPO / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


class NodeFailed(MemoError, RuntimeError):
    """The local node did not start or stopped answering."""


def find_anvil() -> str:
    """Path of the anvil binary, or a ConfigError that says how to get one."""
    candidates = [os.environ.get("MEMO_ANVIL"), str(_NPM_BINARY), shutil.which("anvil")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ConfigError("no anvil binary: run `make setup` (npm installs the pinned one) or set MEMO_ANVIL")


def free_ports(n: int) -> list[int]:
    """``n`` distinct free TCP ports on 127.0.0.1.

    Every socket stays bound until all ``n`` are chosen: the kernel may hand a port just
    released by one ``bind(0)`` to the next, and two daemons of one devnet given the same
    port left one of them dead and its /health answered by the other.
    """
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]


def free_port() -> int:
    return free_ports(1)[0]


def wait_for_rpc(url: str, timeout: float = 20.0) -> int:
    """Block until the JSON-RPC endpoint answers; return its chain id."""
    deadline = time.monotonic() + timeout
    payload = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, payload, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=2) as response:
                return int(json.loads(response.read())["result"], 16)
        except Exception as exc:  # connection refused while the node boots
            last = exc
            time.sleep(0.1)
    raise NodeFailed(f"no JSON-RPC answer from {url} within {timeout:.0f} s: {last}")


@dataclass
class AnvilNode:
    """A running anvil process that this program started."""

    process: subprocess.Popen[bytes]
    url: str
    chain_id: int
    log_path: Path | None

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> AnvilNode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def anvil_args(
    *,
    port: int,
    block_time: float | None = None,
    accounts: int = 20,
    chain_id: int = 31337,
    mnemonic: str = DEFAULT_MNEMONIC,
) -> list[str]:
    """The command line of an anvil node on 127.0.0.1:``port`` (Prague, the given accounts)."""
    args = [
        find_anvil(),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--hardfork", "prague",
        "--accounts", str(accounts),
        "--chain-id", str(chain_id),
        "--mnemonic", mnemonic,
    ]
    if block_time is not None:
        args += ["--block-time", str(block_time)]
    return args


def start_anvil(
    *,
    port: int | None = None,
    log_path: str | os.PathLike[str] | None = None,
    block_time: float | None = None,
    accounts: int = 20,
    chain_id: int = 31337,
    mnemonic: str = DEFAULT_MNEMONIC,
) -> AnvilNode:
    """Start anvil on 127.0.0.1 (a free port unless given) and wait until it answers."""
    port = port or free_port()
    args = anvil_args(port=port, block_time=block_time, accounts=accounts, chain_id=chain_id, mnemonic=mnemonic)
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        if log_path:
            log.close()  # the child keeps its own descriptor
    url = f"http://127.0.0.1:{port}"
    try:
        found_chain = wait_for_rpc(url)
    except NodeFailed:
        process.kill()
        raise
    return AnvilNode(process, url, found_chain, Path(log_path) if log_path else None)
