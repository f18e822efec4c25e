"""Whole daemons: a Provider and three Keepers run by run_provider/run_keeper (threads,
real uvicorn on loopback, one fake chain), and single daemons in subprocesses stopped
by signals."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from memo_py.devnet.anvil import free_ports
from memo_py.keeper.daemon import run_keeper
from memo_py.provider.daemon import run_provider
from memo_py.runner import DaemonFailed, serve_daemon
from tests.unit.keeper.support import BLS_KEYS, KEEPERS

from .support import (
    DUE,
    PROVIDER,
    START,
    free_port,
    healthy,
    keeper_configs,
    provider_config,
    run_in_thread,
    store_order,
    wait_for,
)

REPO = Path(__file__).resolve().parents[3]


def url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def test_daemons_prove_attest_and_withdraw_and_a_restart_does_not_withdraw_twice(tmp_path, chain, committer):
    *kports, pport = free_ports(4)
    configs = keeper_configs(tmp_path / "keepers", kports, tick_seconds=0.1, proof_grace=30.0)
    keepers = [run_in_thread(run_keeper, c, chain, url(c.port)) for c in configs]
    pconfig = provider_config(tmp_path / "provider", kports, port=pport, tick_seconds=0.1)
    provider = run_in_thread(run_provider, pconfig, chain, url(pport), committer=committer)
    try:
        chain.set_epoch(START)
        wait_for(lambda: chain.seed_of(START) is not None, 10, "a Keeper to open the epoch")
        store_order(url(pport), chain)

        chain.set_epoch(START + 1)
        wait_for(lambda: chain.received(PROVIDER.address) == DUE, 30, "the first withdrawal")
        assert chain.roots.keys() == {START}
        chain.set_epoch(START + 2)
        wait_for(lambda: chain.received(PROVIDER.address) == 2 * DUE, 30, "the second withdrawal")
        assert [w[:3] for w in chain.withdrawals] == [(START, DUE, 0), (START + 1, 2 * DUE, 0)]
        provider.stop()

        # A restarted Provider resumes: it proves nothing again and withdraws nothing twice.
        provider = run_in_thread(run_provider, pconfig, chain, url(pport), committer=committer)
        time.sleep(1.0)  # about ten ticks
        provider.stop()
        assert len(chain.withdrawals) == 2 and chain.received(PROVIDER.address) == 2 * DUE
        db = sqlite3.connect(pconfig.data_dir / "loop.db")
        rows = db.execute("SELECT epoch, state, tries FROM epochs WHERE state = 'proved' ORDER BY epoch").fetchall()
        db.close()
        assert rows == [(START, "proved", 1), (START + 1, "proved", 1)]
    finally:
        for daemon in [provider, *keepers]:
            if daemon.thread.is_alive():
                daemon.stop()
    for daemon in keepers:
        assert not healthy(daemon.url)


def test_a_taken_port_is_a_clear_error(tmp_path, chain):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = keeper_configs(tmp_path, [port, port, port])[0]
        with pytest.raises(DaemonFailed, match="could not listen"):
            run_keeper(config, chain)


def test_a_failing_tick_does_not_stop_the_daemon(tmp_path):
    import threading

    from starlette.applications import Starlette

    calls = []
    stop = threading.Event()

    def tick() -> None:
        calls.append(1)
        if len(calls) >= 3:
            stop.set()
        raise RuntimeError("the node is down")

    serve_daemon(Starlette(), host="127.0.0.1", port=free_port(), tick=tick, tick_seconds=0.01, stop_event=stop)
    assert len(calls) >= 3


def write_config(tmp_path: Path, role: str, port: int) -> Path:
    keys = tmp_path / "keys"
    keys.mkdir()
    key_file = keys / "eth.key"
    if role == "provider":
        key_file.write_text(PROVIDER.key.hex() + "\n")
        values = {"data_dir": "data", "capacity": 1 << 20, "price": 10, "workers": 1, "port": port, "tick_seconds": 0.1}
    else:
        key_file.write_text(KEEPERS[0].key.hex() + "\n")
        bls_file = keys / "bls.key"
        bls_file.write_text(BLS_KEYS[0].hex())
        bls_file.chmod(0o600)
        values = {"data_dir": "data", "port": port, "tick_seconds": 0.1, "bls_key_file": "keys/bls.key"}
    key_file.chmod(0o600)
    values["private_key_file"] = "keys/eth.key"
    path = tmp_path / f"{role}.json"
    path.write_text(json.dumps(values))
    return path


@pytest.mark.parametrize(
    ("role", "signum"),
    [("provider", signal.SIGTERM), ("keeper", signal.SIGTERM), ("provider", signal.SIGINT)],
)
def test_a_signal_stops_a_daemon_cleanly(tmp_path, role, signum):
    port = free_port()
    config = write_config(tmp_path, role, port)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.unit.runtime.daemon_main", role, str(config)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: healthy(url(port)) or child.poll() is not None, 60, f"the {role} daemon to start")
        assert child.poll() is None, child.communicate()
        time.sleep(0.3)  # a few ticks
        child.send_signal(signum)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    assert out.strip().endswith("clean exit"), (out, err)
    assert "stopped" in err
    data = tmp_path / "data"
    databases = ["loop.db", "agreements.db", "store.db", "nonces.db"] if role == "provider" else ["ledger.db", "nonces.db"]
    for name in databases:
        db = sqlite3.connect(data / name)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()
    assert not healthy(url(port))
