"""The devnet as a user drives it from the CLI, more than once: ``up``, a Provider killed
(its children go with it), ``restart``, ``down``, ``up`` again on the stopped directory
(refused, naming ``--reset``), ``up --reset``, and a write on each chain."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from click.testing import CliRunner

from memo_py.cli import main
from memo_py.devnet import network
from memo_py.devnet.processes import ProcessTable, process_start_time

from tests.integration.proc_support import children_of

SIZE = ["--providers", "3", "--keepers", "1"]


def devnet_cli(*args):
    return CliRunner(mix_stderr=False).invoke(main, ["devnet", *args], env={"MEMO_DEVNET_DIR": None})


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return json.loads(result.stdout)


def store(directory, key: str) -> None:
    with network.user_client(directory, 0) as client:
        client.deposit(100 * 10**18)
        if "box" not in [b.name for b in client.list_buckets()]:
            client.create_bucket("box", k=2, m=1)
        client.put_object("box", key, os.urandom(50_000))
        assert key in [o.key for o in client.list_objects("box")]


def epoch(directory) -> int:
    return network.status(directory)["chain"]["epoch"]


@pytest.fixture
def directory(tmp_path):
    path = tmp_path / "devnet"
    yield path
    if (path / "processes.json").exists():
        network.down(path)


def test_up_restart_down_and_up_again(directory):
    record = ok(devnet_cli("up", "--dir", str(directory), *SIZE, "--json"))
    assert record["directory"] == str(directory.resolve())
    idle_since = epoch(directory)

    # A Provider killed with SIGKILL leaves no commit worker behind.
    victim = ProcessTable(directory).load()["provider-1"]
    workers = children_of(victim.pid)
    assert workers, "a Provider daemon runs its commit workers as child processes"
    os.kill(victim.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while any(process_start_time(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(process_start_time(w) for w in workers)
    dead = devnet_cli("status", "--dir", str(directory), "--json")
    assert dead.exit_code == 1
    assert [d["alive"] for d in json.loads(dead.stdout)["daemons"] if d["name"] == "provider-1"] == [False]

    # `restart NAME` brings it back as a process `status` and `down` know.
    restarted = ok(devnet_cli("restart", "provider-1", "--dir", str(directory), "--json"))
    assert restarted["name"] == "provider-1" and restarted["was_running"] is False
    assert restarted["pid"] != victim.pid
    again = ok(devnet_cli("restart", "keeper-1", "--dir", str(directory), "--json"))
    assert again["was_running"] is True
    report = ok(devnet_cli("status", "--dir", str(directory), "--json"))
    assert report["running"] and all(d["healthy"] for d in report["daemons"])
    assert {d["name"]: d["pid"] for d in report["daemons"]}["provider-1"] == restarted["pid"]
    unknown = devnet_cli("restart", "provider-9", "--dir", str(directory))
    assert unknown.exit_code == 1 and "no daemon 'provider-9'" in unknown.stderr

    # An idle Provider (no orders) logs nothing per epoch at info: only its two start-up lines.
    while epoch(directory) < idle_since + 3:
        time.sleep(0.5)
    idle_log = (directory / "logs" / "provider-3.log").read_text().splitlines()
    assert len(idle_log) == 2, idle_log
    assert "serving on" in idle_log[0] and "serving on" in idle_log[1]

    store(directory, "first.bin")
    stopped = ok(devnet_cli("down", "--dir", str(directory), "--json"))["stopped"]
    assert sorted(stopped) == ["anvil", "keeper-1", "provider-1", "provider-2", "provider-3"]
    assert not any(process_start_time(p.pid) for p in ProcessTable(directory).load().values())

    # The README run twice: plain `up` on the stopped directory is refused, `--reset` starts clean.
    refused = devnet_cli("up", "--dir", str(directory), *SIZE)
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: ") and refused.stderr.count("\n") == 1
    assert "holds a stopped devnet" in refused.stderr and "--reset" in refused.stderr
    assert (directory / "devnet.json").exists() and (directory / "provider-1" / "data").is_dir()  # kept
    record = ok(devnet_cli("up", "--dir", str(directory), *SIZE, "--reset", "--json"))
    assert len((directory / "logs" / "provider-1.log").read_text().splitlines()) == 2  # fresh logs
    store(directory, "second.bin")  # the old chain's agreements are gone: no 409
    running = devnet_cli("up", "--dir", str(directory), *SIZE)
    assert running.exit_code == 2 and "a devnet is running in" in running.stderr
    assert ok(devnet_cli("down", "--dir", str(directory), "--json"))["stopped"]
