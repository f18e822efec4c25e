"""``memo user`` object commands, ``provider status|withdraw`` and ``keeper status`` against a
running devnet (anvil, 3 Provider daemons and 1 Keeper daemon, each its own process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from memo_py.cli import main
from memo_py.cli.settings import Settings, save_settings
from memo_py.devnet import network
from memo_py.devnet.processes import ProcessTable
from memo_py.errors import DecryptionFailed
from memo_py.user.download import Downloader
from memo_py.wallet import WalletStore


@pytest.fixture(scope="module")
def devnet(tmp_path_factory):
    directory = tmp_path_factory.mktemp("devnet")
    record = network.up(directory, providers=3, keepers=1, users=1)
    home = tmp_path_factory.mktemp("home")
    user = record["users"][0]
    WalletStore(home / "wallets").import_key("user", Path(user["key_file"]).read_text().strip(), "pw")
    save_settings(home, Settings(rpc_url=record["rpc_url"], deployment=record["deployment_file"],
                                 keepers=tuple(k["url"] for k in record["keepers"]), wallet="user"))
    try:
        yield home, record
    finally:
        network.down(directory)


def cli(home, *args, stdin=None):
    env = {"MEMO_PASSWORD": "pw"}
    for name in ("MEMO_RPC_URL", "MEMO_DEPLOYMENT", "MEMO_WALLET", "MEMO_KEEPERS", "MEMO_HOME", "MEMO_SECRET_FILE"):
        env[name] = None
    return CliRunner(mix_stderr=False).invoke(main, [*args, "--home", str(home)], env=env, input=stdin)


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return json.loads(result.stdout)


def test_put_ls_get_rm(devnet, tmp_path):
    home, _ = devnet
    ok(cli(home, "user", "deposit", "100", "--json"))
    assert ok(cli(home, "user", "buckets", "ls", "--json")) == []
    bucket = ok(cli(home, "user", "buckets", "create", "photos", "-k", "2", "-m", "1", "--json"))
    assert (bucket["k"], bucket["m"]) == (2, 1)
    data = os.urandom(300_000)
    source = tmp_path / "cat.jpg"
    source.write_bytes(data)
    quote = ok(cli(home, "user", "put", "photos/2024/cat.jpg", str(source), "--dry-run", "--json"))
    stored = ok(cli(home, "user", "put", "photos/2024/cat.jpg", str(source), "--json"))
    assert stored["size"] == len(data) and stored["content_type"] == "image/jpeg"
    # The real Market escrowed what was quoted (less, if an epoch began in between: fewer left to pay).
    assert 0 < stored["balance_change_wei"] <= quote["escrow_wei"]
    account = ok(cli(home, "user", "status", "--json"))
    (obj,) = account["objects"]
    assert (obj["key"], obj["health"], obj["chunks_reachable"]) == ("2024/cat.jpg", "healthy", 3)
    assert obj["paid_through"] > account["current_epoch"] and account["epoch_seconds"] > 0
    listed = ok(cli(home, "user", "ls", "photos", "--json"))
    assert [o["key"] for o in listed] == ["2024/cat.jpg"]
    assert [b["name"] for b in ok(cli(home, "user", "ls", "--json"))] == ["photos"]
    out = tmp_path / "back.jpg"
    read = ok(cli(home, "user", "get", "photos/2024/cat.jpg", str(out), "--json"))
    assert out.read_bytes() == data and read["etag"] == stored["etag"]
    missing = cli(home, "user", "get", "photos/nope", str(tmp_path / "x"))
    assert missing.exit_code == 1 and missing.stderr.startswith("error: ") and missing.stderr.count("\n") == 1
    full = cli(home, "user", "buckets", "rm", "photos")
    assert full.exit_code == 1 and "error:" in full.stderr
    ok(cli(home, "user", "rm", "photos/2024/cat.jpg", "--json"))
    assert ok(cli(home, "user", "ls", "photos", "--json")) == []
    ok(cli(home, "user", "buckets", "rm", "photos", "--json"))
    assert ok(cli(home, "user", "buckets", "ls", "--json")) == []


def test_a_download_that_fails_half_way_leaves_the_file_as_it_was(devnet, tmp_path, monkeypatch):
    home, _ = devnet
    ok(cli(home, "user", "deposit", "100", "--json"))
    ok(cli(home, "user", "buckets", "create", "big", "-k", "2", "-m", "1", "--json"))
    data = os.urandom(1_200_000)  # three segments of this layout
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    ok(cli(home, "user", "put", "big/big.bin", str(source), "--json"))
    out = tmp_path / "kept.bin"
    out.write_bytes(b"what was there")
    decode = Downloader._decode

    def fail_on_the_second(self, layout, key, object_id, held):
        if held.segment.index == 1:
            raise DecryptionFailed("segment 1 failed authentication (test)")
        return decode(self, layout, key, object_id, held)

    monkeypatch.setattr(Downloader, "_decode", fail_on_the_second)
    failed = cli(home, "user", "get", "big/big.bin", str(out))
    assert failed.exit_code == 1 and "segment 1 failed authentication" in failed.stderr
    assert out.read_bytes() == b"what was there"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.bin", "kept.bin"]  # no temporary file left
    monkeypatch.undo()
    ok(cli(home, "user", "get", "big/big.bin", str(out), "--json"))
    assert out.read_bytes() == data
    ok(cli(home, "user", "rm", "big/big.bin", "--json"))
    ok(cli(home, "user", "buckets", "rm", "big", "--json"))


def test_daemon_status_and_withdraw(devnet, tmp_path):
    home, record = devnet
    # Something stored and kept, so that some epoch's frozen universe holds a paid order
    # (the other tests delete what they wrote, possibly before their orders start).
    ok(cli(home, "user", "deposit", "100", "--json"))
    ok(cli(home, "user", "buckets", "create", "kept", "-k", "2", "-m", "1", "--json"))
    kept = tmp_path / "kept.bin"
    kept.write_bytes(os.urandom(100_000))
    ok(cli(home, "user", "put", "kept/kept.bin", str(kept), "--json"))
    prov = record["providers"][0]
    status = ok(cli(home, "provider", "status", prov["address"], "--json"))
    assert status["registered"] and status["health"] == "up" and status["endpoint"] == prov["endpoint"]
    by_config = ok(cli(home, "provider", "status", "--config", prov["config"], "--json"))
    assert by_config["address"] == prov["address"]
    keeper = record["keepers"][0]
    kstatus = ok(cli(home, "keeper", "status", "--config", keeper["config"], "--json"))
    assert kstatus["address"] == keeper["address"] and kstatus["slot"] == 0 and kstatus["health"] == "up"
    # The first attestation comes once an order is in force (orders start two epochs after they
    # are signed) and its epoch is proven and over: a few 8-second epochs after the put.
    # (The orders grow with each test's put: once, the Keeper's whole tick failed on a grown
    # order's commitments answer, and nothing was attested.)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and ok(cli(home, "keeper", "status", keeper["address"], "--json"))["latest_attested"] is None:
        time.sleep(1)
    withdrawn = ok(cli(home, "provider", "withdraw", "--config", prov["config"], "--json"))
    log_tail = Path(keeper["log"]).read_text().splitlines()[-30:]
    assert withdrawn["address"] == prov["address"] and withdrawn["latest_attested"] is not None, "\n".join(log_tail)
    assert set(withdrawn) >= {"withdrew", "received", "paid_total", "epoch", "tx"}


def test_the_sdk_and_the_cli_see_one_account(devnet, tmp_path):
    """What the SDK (``user_client``, i.e. ``MemoClient.open`` with the wallet's key) writes,
    ``memo user`` reads, and the other way round: one master secret per account."""
    home, record = devnet
    ok(cli(home, "user", "deposit", "100", "--json"))
    with network.user_client(record["directory"], 0) as sdk:
        sdk.create_bucket("shared", k=2, m=1)
        sdk.put_object("shared", "from-sdk.txt", b"written by the SDK")
    assert "shared" in [b["name"] for b in ok(cli(home, "user", "buckets", "ls", "--json"))]
    out = tmp_path / "from-sdk.txt"
    ok(cli(home, "user", "get", "shared/from-sdk.txt", str(out), "--json"))
    assert out.read_bytes() == b"written by the SDK"
    source = tmp_path / "from-cli.txt"
    source.write_bytes(b"written by the CLI")
    ok(cli(home, "user", "put", "shared/from-cli.txt", str(source), "--json"))
    assert list((home / "cache").iterdir())  # the CLI keeps its index cache in its home
    ok(cli(home, "user", "ls", "shared", "--json"))  # lists the orders the put changed, saves the cache
    began = time.monotonic()
    listed = ok(cli(home, "user", "ls", "shared", "--json"))  # nothing changed: from the cache
    took = time.monotonic() - began
    assert took < 2.0, f"a read-only command on an unchanged account took {took:.2f} s"  # 0.6 s measured, wallet unlock included
    assert [o["key"] for o in listed] == ["from-cli.txt", "from-sdk.txt"]
    with network.user_client(record["directory"], 0) as sdk:  # fresh: finds the index on first use
        assert [o.key for o in sdk.list_objects("shared")] == ["from-cli.txt", "from-sdk.txt"]
        assert sdk.get_object("shared", "from-cli.txt") == b"written by the CLI"


def test_the_node_dying_in_the_middle_of_a_put_is_one_short_error(devnet, tmp_path):
    """Last in the module: it kills the devnet's anvil. ``memo user put`` runs as its own
    process; anvil is killed once a Provider holds some of the object's chunks. The put
    fails with one error line naming the node (not one per Provider and Keeper), exit 1."""
    home, record = devnet
    ok(cli(home, "user", "deposit", "100", "--json"))
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(12 * 2**20))
    ok(cli(home, "user", "buckets", "create", "doomed", "-k", "2", "-m", "1", "--json"))
    stored = {p["endpoint"]: network._health(p["endpoint"])["stored"] for p in record["providers"]}
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMO_")} | {"MEMO_PASSWORD": "pw"}
    put = subprocess.Popen(
        [sys.executable, "-m", "memo_py.cli", "user", "put", "doomed/big.bin", str(source), "--home", str(home)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while not any(network._health(url)["stored"] > before for url, before in stored.items()):
            assert put.poll() is None and time.monotonic() < deadline, put.communicate()
            time.sleep(0.05)
        ProcessTable(Path(record["directory"])).stop("anvil", timeout=5)
        _, stderr = put.communicate(timeout=180)
    finally:
        put.kill()
    assert put.returncode == 1, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: no answer from the chain node at {record['rpc_url']}"], stderr
    assert "Traceback" not in stderr
