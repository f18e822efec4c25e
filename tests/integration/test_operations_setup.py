"""docs/operations.md's set-up of a new Provider and a new Keeper, on a running devnet, with
the commands it names: a new wallet, funded (`memo devnet fund`), the role registered,
a BLS key made (`memo role bls-keygen`), a TOML config written as the page describes,
and the daemon run as its own process (`python -m memo_py.<role> --config FILE`) until
`memo provider|keeper status` finds it up. The new Keeper joins a network that has
attested work: it judges the current epoch within a few epochs, and attestation goes on."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from memo_py.cli import main
from memo_py.cli.settings import Settings, save_settings
from memo_py.devnet import network
from memo_py.devnet.anvil import free_port


@pytest.fixture(scope="module")
def devnet(tmp_path_factory):
    directory = tmp_path_factory.mktemp("opsnet")
    record = network.up(directory, providers=3, keepers=3, users=1)  # 3 Keepers: a 4th keeps the quorum reachable
    home = tmp_path_factory.mktemp("opshome")
    save_settings(home, Settings(rpc_url=record["rpc_url"], deployment=record["deployment_file"],
                                 keepers=tuple(k["url"] for k in record["keepers"])))
    try:
        yield home, record
    finally:
        network.down(directory)


def cli(home, *args):
    env = {"MEMO_PASSWORD": "pw"}
    for name in ("MEMO_RPC_URL", "MEMO_DEPLOYMENT", "MEMO_WALLET", "MEMO_KEEPERS", "MEMO_HOME", "MEMO_PASSWORD_FILE"):
        env[name] = None
    takes_no_home = args[0] == "devnet" or args[:2] == ("role", "bls-keygen")  # they touch no wallet or setting
    home_option = [] if takes_no_home else ["--home", str(home)]
    return CliRunner(mix_stderr=False).invoke(main, [*args, *home_option], env=env)


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return json.loads(result.stdout)


def new_funded_wallet(home, record, name: str) -> dict:
    wallet = ok(cli(home, "wallet", "new", name, "--json"))
    funded = ok(cli(home, "devnet", "fund", wallet["address"], "--dir", record["directory"], "--json"))
    assert funded["token"] == "1000" and funded["eth"] == "10"
    return wallet


def toml_list(entries: list[dict]) -> str:
    return "[" + ", ".join("{ " + ", ".join(f'{k} = "{v}"' for k, v in e.items()) + " }" for e in entries) + "]"


def run_daemon(role: str, config: Path, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", f"memo_py.{role}", "--config", str(config)],
                                stdout=out, stderr=subprocess.STDOUT)


def wait_up(home, args, log: Path, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = ok(cli(home, *args, "--json"))
        if status.get("health") == "up" or time.monotonic() > deadline:
            assert status.get("health") == "up", (status, log.read_text()[-3000:])
            return status
        time.sleep(1)


def stop(process: subprocess.Popen) -> int:
    process.terminate()
    return process.wait(timeout=30)


def test_a_new_provider_and_a_new_keeper_join_as_the_page_says(devnet, tmp_path):
    home, record = devnet
    keepers = [{"address": k["address"], "url": k["url"]} for k in record["keepers"]]
    (tmp_path / "password").write_text("pw\n")

    prov = new_funded_wallet(home, record, "prov")
    port = free_port()
    ok(cli(home, "role", "register", "provider", "--endpoint", f"http://127.0.0.1:{port}", "--capacity", "1GiB",
           "--price", "1000", "--wallet", "prov", "--json"))
    provider_toml = tmp_path / "provider.toml"
    provider_toml.write_text(f'''rpc_url = "{record["rpc_url"]}"
deployment = "{record["deployment_file"]}"
private_key_file = "{prov["keystore"]}"
key_password_file = "password"
data_dir = "provider-data"
port = {port}
capacity = 1_073_741_824
price = 1000
workers = 1
keepers = {toml_list(keepers)}
''')
    provider = run_daemon("provider", provider_toml, tmp_path / "provider.log")
    try:
        status = wait_up(home, ["provider", "status", prov["address"]], tmp_path / "provider.log")
        assert status["registered"] and status["active"] and status["endpoint"] == f"http://127.0.0.1:{port}"
    finally:
        assert stop(provider) == 0  # a clean stop on SIGTERM
    assert (tmp_path / "provider-data").is_dir()  # relative paths are the config file's

    keep = new_funded_wallet(home, record, "keep")
    made = ok(cli(home, "role", "bls-keygen", str(tmp_path / "keeper.bls"), "--json"))
    registered = ok(cli(home, "role", "register", "keeper", "--bls-key-file", str(tmp_path / "keeper.bls"),
                        "--wallet", "keep", "--json"))
    assert registered["bls_pubkey"] == made["bls_pubkey"]
    keeper_port = free_port()
    keeper_toml = tmp_path / "keeper.toml"
    keeper_toml.write_text(f'''rpc_url = "{record["rpc_url"]}"
deployment = "{record["deployment_file"]}"
private_key_file = "{keep["keystore"]}"
key_password_file = "password"
bls_key_file = "keeper.bls"
data_dir = "keeper-data"
port = {keeper_port}
peers = {toml_list(keepers)}
proof_grace = 6.0
''')
    keeper = run_daemon("keeper", keeper_toml, tmp_path / "keeper.log")
    try:
        status = wait_up(home, ["keeper", "status", keep["address"], "--url", f"http://127.0.0.1:{keeper_port}"],
                         tmp_path / "keeper.log")
        assert status["registered"] and status["slot"] == registered["slot"]
        # It joined a running network: it adopts the attested history and judges the
        # current epoch within a few epochs, and attestation goes on with its weight counted.
        joined_at, deadline = status["epoch"], time.monotonic() + 90
        with network.user_client(record["directory"], 0, start_delay=2) as user:  # work to attest
            user.deposit(100 * 10**18)
            user.create_bucket("work", k=2, m=1)
            user.put_object("work", "a", b"something to prove")
        while (status.get("judged_epoch") or -1) < joined_at or (status["latest_attested"] or -1) < joined_at:
            assert time.monotonic() < deadline, (json.dumps(status), (tmp_path / "keeper.log").read_text()[-3000:])
            time.sleep(2)
            status = ok(cli(home, "keeper", "status", keep["address"], "--url", f"http://127.0.0.1:{keeper_port}",
                            "--json"))
    finally:
        assert stop(keeper) == 0
