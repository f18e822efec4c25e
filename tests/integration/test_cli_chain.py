"""The ``memo`` commands that talk to the chain, against a real anvil with the contracts deployed.

The CLI runs in-process (click's CliRunner) with a home of its own: wallets imported
from anvil's development keys, and settings naming the node and the deployment.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from memo_py.cli import main
from memo_py.cli.settings import Settings, save_settings
from memo_py.crypto import bls
from memo_py.devnet.anvil import free_port, start_anvil
from memo_py.wallet import WalletStore
from tests.integration.chain_support import FUNDS, deploy_network, increase_time, mnemonic_account

UNIT = 10**18
NAMES = {"alice": 1, "prov": 2, "keep": 3, "poor": 4}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    with start_anvil(log_path=tmp_path_factory.mktemp("anvil") / "anvil.log") as node:
        memo = deploy_network(node.url)
        deployment = memo.deployment.save(home / "deployment.json")
        store = WalletStore(home / "wallets")
        for name, index in NAMES.items():
            account = mnemonic_account(index)
            store.import_key(name, account.key, "pw")
            if name != "poor":
                memo.token.mint(account.address, FUNDS)
        save_settings(home, Settings(rpc_url=node.url, deployment=deployment, wallet="alice"))
        yield home, memo


def cli(home, *args, password="pw"):
    env = {"MEMO_PASSWORD": password}
    for name in ("MEMO_RPC_URL", "MEMO_DEPLOYMENT", "MEMO_WALLET", "MEMO_KEEPERS", "MEMO_HOME"):
        env[name] = None
    return CliRunner(mix_stderr=False).invoke(main, [*args, "--home", str(home)], env=env)


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return json.loads(result.stdout)


def one_error(result, *fragments):
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_wallet_balance(world):
    home, memo = world
    alice = mnemonic_account(1).address
    record = ok(cli(home, "wallet", "balance", "--json"))
    assert record["wallet"] == "alice" and record["address"] == alice
    assert record["token_wei"] == FUNDS and record["token"] == "10000"
    assert record["market_wei"] == 0 and record["eth_wei"] == memo.client.balance(alice) > 0
    by_address = ok(cli(home, "wallet", "balance", alice, "--json"))
    assert by_address["wallet"] is None and by_address["token_wei"] == FUNDS
    table = cli(home, "wallet", "balance", "poor")
    assert table.exit_code == 0 and "0" in table.stdout


def test_register_user_deposit_withdraw(world):
    home, memo = world
    alice = mnemonic_account(1).address
    record = ok(cli(home, "role", "register", "user", "--json"))
    assert record["role"] == "user" and record["tx"].startswith("0x")
    assert memo.registry.is_user(alice) and record["pledge_wei"] == memo.registry.min_pledge("user")
    one_error(cli(home, "role", "register", "user"), "already registered")

    record = ok(cli(home, "user", "deposit", "10.5", "--json"))
    assert record["market_wei"] == memo.market.balance_of(alice) == 10_500_000_000_000_000_000
    record = ok(cli(home, "user", "withdraw", "0.5", "--json"))
    assert record["market"] == "10" and memo.market.balance_of(alice) == 10 * UNIT
    one_error(cli(home, "user", "withdraw", "100"), "cannot withdraw")
    one_error(cli(home, "user", "deposit", "1,5"), "not a number")
    one_error(cli(home, "user", "deposit", "20000"), "needs", "holds")
    assert memo.market.balance_of(alice) == 10 * UNIT
    record = ok(cli(home, "wallet", "balance", "--json"))
    assert record["market"] == "10"


def test_register_provider_pledge_and_status(world):
    home, memo = world
    prov = mnemonic_account(2).address
    record = ok(cli(home, "role", "register", "provider", "--endpoint", f"http://127.0.0.1:{free_port()}/",
                    "--capacity", "2GiB", "--price", "1000000", "--pledge", "150", "--wallet", "prov", "--json"))
    info = memo.registry.provider_info(prov)
    assert info.capacity == 2 * 2**30 and info.price == 10**6 and info.active and not info.endpoint.endswith("/")
    assert record["pledge_wei"] == 150 * UNIT == memo.registry.pledge_of(prov, "provider")
    record = ok(cli(home, "role", "pledge", "provider", "2.5", "--wallet", "prov", "--json"))
    assert record["pledge"] == "152.5" and memo.registry.pledge_of(prov, "provider") == 152_500_000_000_000_000_000
    one_error(cli(home, "role", "pledge", "keeper", "1", "--wallet", "prov"), "does not hold the keeper role")

    status = ok(cli(home, "provider", "status", "prov", "--json"))
    assert status["registered"] and status["active"] and status["capacity"] == 2 * 2**30
    assert status["pledge"] == "152.5" and status["orders"] == 0 and status["paid_wei"] == 0
    assert status["health"].startswith("down")  # no daemon runs at the endpoint
    assert not ok(cli(home, "provider", "status", "alice", "--json"))["registered"]


def register_keeper(home, directory):
    """`memo role register keeper` for the "keep" wallet; the command's JSON record."""
    key_file = directory / "bls.key"
    key_file.write_text("0x" + bls.key_from_seed(b"\x07" * 32).hex() + "\n")
    return ok(cli(home, "role", "register", "keeper", "--bls-key-file", str(key_file), "--wallet", "keep", "--json"))


def test_register_keeper_and_status(world, tmp_path):
    home, memo = world
    keep = mnemonic_account(3).address
    key = bls.key_from_seed(b"\x07" * 32)
    record = register_keeper(home, tmp_path)
    assert record["bls_pubkey"] == "0x" + bls.public_key(key).hex()
    assert memo.registry.keeper_slot(keep) == record["slot"] is not None
    status = ok(cli(home, "keeper", "status", "keep", "--json"))
    assert status["registered"] and status["active"] and status["slot"] == record["slot"]
    assert status["weight_wei"] > 0 and status["fees_wei"] == 0 and status["latest_attested"] is None
    unreachable = ok(cli(home, "keeper", "status", "keep", "--url", f"http://127.0.0.1:{free_port()}", "--json"))
    assert unreachable["health"].startswith("down")


def test_exit_then_complete_after_the_delay(world, tmp_path):
    home, memo = world
    keep = mnemonic_account(3).address
    if memo.registry.keeper_slot(keep) is None:  # run alone, without the registration test
        register_keeper(home, tmp_path)
    one_error(cli(home, "role", "exit", "keeper", "--complete", "--wallet", "keep"), "has not requested")
    record = ok(cli(home, "role", "exit", "keeper", "--wallet", "keep", "--json"))
    assert record["state"] == "leaving" and record["unbond_at"] > 0
    one_error(cli(home, "role", "exit", "keeper", "--complete", "--wallet", "keep"), "unbonds at")
    before = memo.token.balance_of(keep)
    pledge = memo.registry.pledge_of(keep, "keeper")
    increase_time(memo.client, record["unbond_at"] - int(memo.client.get_block("latest")["timestamp"]) + 1)
    record = ok(cli(home, "role", "exit", "keeper", "--complete", "--wallet", "keep", "--json"))
    assert record["state"] == "exited" and record["returned_wei"] == pledge
    assert memo.token.balance_of(keep) == before + pledge
    assert not memo.registry.is_keeper(keep)


def test_bad_input_on_a_live_chain(world):
    home, memo = world
    one_error(cli(home, "user", "deposit", "1", "--wallet", "nobody"), "no wallet named 'nobody'")
    one_error(cli(home, "user", "deposit", "1", password="wrong"), "password does not open wallet 'alice'")
    one_error(cli(home, "user", "deposit", "1", "--rpc", f"http://127.0.0.1:{free_port()}"), "no answer from the chain node")
    one_error(cli(home, "user", "deposit", "1", "--wallet", "poor"), "needs", "holds 0")
    one_error(cli(home, "role", "register", "provider", "--endpoint", "http://p:1", "--capacity", "1GB", "--price", "1",
                  "--wallet", "poor"), "holds 0")
    other_chain = home / "other.json"
    data = json.loads((home / "deployment.json").read_text())
    other_chain.write_text(json.dumps({**data, "chain_id": 1}))
    one_error(cli(home, "wallet", "balance", "--deployment", str(other_chain)), "chain 1")


def test_wallet_send_moves_eth(world):
    home, memo = world
    poor = mnemonic_account(4).address
    before = memo.client.balance(poor)
    record = ok(cli(home, "wallet", "send", "poor", "0.25", "--json"))
    assert record["to"] == poor and record["wallet"] == "poor" and record["eth_wei"] == UNIT // 4
    assert memo.client.balance(poor) == before + UNIT // 4
    one_error(cli(home, "wallet", "send", poor, "ten"), "'ten' is not a number")
    result = cli(home, "wallet", "send", poor, "-1")
    assert (result.exit_code, result.stderr) == (
        1, "error: amount -1 is negative: give a positive number of tokens like 10 or 10.5\n")


def test_devnet_fund_sends_eth_and_mints_tokens(world, tmp_path):
    home, memo = world
    devnet = tmp_path / "devnet"
    devnet.mkdir()
    deployment = memo.deployment.save(devnet / "deployment.json")
    (devnet / "devnet.json").write_text(json.dumps({"rpc_url": memo.client.rpc_url, "deployment_file": str(deployment)}))
    newcomer = "0x" + "5e" * 20
    result = CliRunner(mix_stderr=False).invoke(
        main, ["devnet", "fund", newcomer, "--eth", "1.5", "--tokens", "20", "--dir", str(devnet), "--json"])
    record = ok(result)
    assert record["eth_wei"] == 3 * UNIT // 2 == memo.client.balance(newcomer)
    assert record["token_wei"] == 20 * UNIT == memo.token.balance_of(newcomer)
    bad = CliRunner(mix_stderr=False).invoke(main, ["devnet", "fund", "0x1234", "--dir", str(devnet)])
    one_error(bad, "'0x1234' is not an Ethereum address")
    missing = CliRunner(mix_stderr=False).invoke(main, ["devnet", "fund", newcomer, "--dir", str(tmp_path / "none")])
    one_error(missing, "no devnet in")
