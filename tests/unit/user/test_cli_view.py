"""``memo user`` and the SDK on one account: the CLI reads what an SDK client wrote with
the same key (one master secret per account), and says so when the index cannot be read.

The chain is the in-memory Market of these tests (``UserRoleChain`` is swapped for the
User's view of it); the Providers and the Keeper are real apps on loopback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from memo_py.cli import main
from memo_py.cli.settings import Settings, save_settings
from memo_py.wallet import WalletStore

from .fakes import UserView
from .support import USER


@pytest.fixture
def home(tmp_path, network, monkeypatch):
    """A CLI home with the User's key as wallet ``user``, on the test network."""
    home = tmp_path / "home"
    WalletStore(home / "wallets").import_key("user", USER.key.hex(), "pw")
    deployment = tmp_path / "deployment.json"
    deployment.write_text("{}")
    save_settings(home, Settings(rpc_url="http://127.0.0.1:1", deployment=deployment,
                                 keepers=(network.keeper.url,), wallet="user"))
    monkeypatch.setattr("memo_py.cli.common.Network.contracts", lambda self, **kw: None)
    monkeypatch.setattr("memo_py.chain.user.UserRoleChain", lambda contracts: UserView(network.chain, USER.address))
    return home


def cli(home, *args):
    env = {"MEMO_PASSWORD": "pw"}
    for name in ("MEMO_RPC_URL", "MEMO_DEPLOYMENT", "MEMO_WALLET", "MEMO_KEEPERS", "MEMO_HOME", "MEMO_SECRET_FILE"):
        env[name] = None
    return CliRunner(mix_stderr=False).invoke(main, [*args, "--home", str(home)], env=env)


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return json.loads(result.stdout)


def test_the_cli_reads_what_the_sdk_wrote_with_the_same_key(network, home, tmp_path):
    with network.client(master_secret=None) as sdk:  # no secret given: derived from the key
        sdk.create_bucket("photos")
        sdk.put_object("photos", "cat.jpg", b"meow")
    assert [b["name"] for b in ok(cli(home, "user", "buckets", "ls", "--json"))] == ["photos"]
    out = tmp_path / "cat.jpg"
    ok(cli(home, "user", "get", "photos/cat.jpg", str(out), "--json"))
    assert out.read_bytes() == b"meow"
    source = tmp_path / "dog.jpg"
    source.write_bytes(b"woof")
    ok(cli(home, "user", "put", "photos/dog.jpg", str(source), "--json"))
    with network.client(master_secret=None) as sdk:
        assert sdk.get_object("photos", "dog.jpg") == b"woof"


def test_an_unreadable_index_is_an_error_with_exit_1_not_an_empty_account(network, home):
    with network.client(master_secret=None) as sdk:
        sdk.create_bucket("photos")  # k=2, m=2 on 4 Providers
    holders = sorted({o.provider for o in network.chain.orders_of_user(USER.address)})
    for address in holders[:3]:
        network.stop_provider(address)
    for args in (["user", "buckets", "ls", "--json"], ["user", "ls"], ["user", "get", "photos/cat.jpg", "-"]):
        result = cli(home, *args)
        assert result.exit_code == 1 and result.stdout == "", (args, result.stdout, result.stderr)
        assert result.stderr == (
            "error: cannot read the index: 3 of 4 Providers unreachable, 2 needed"
            f" (unreachable: {', '.join(holders[:3])})\n"
        )


def test_put_quotes_first_refuses_what_the_balance_cannot_pay_and_dry_run_stores_nothing(network, home, tmp_path):
    ok(cli(home, "user", "buckets", "create", "photos", "--json"))
    source = tmp_path / "cat.jpg"
    source.write_bytes(b"meow" * 1000)
    before = (network.chain.balances[USER.address], network.chain.transactions)
    quote = ok(cli(home, "user", "put", "photos/cat.jpg", str(source), "--dry-run", "--json"))
    assert (network.chain.balances[USER.address], network.chain.transactions) == before
    assert ok(cli(home, "user", "ls", "photos", "--json")) == []
    assert quote["size"] == 4000 and quote["affordable"] and len(quote["providers"]) == 6  # k=4, m=2
    assert quote["escrow_wei"] > 0 and quote["balance_wei"] == before[0]
    text = cli(home, "user", "put", "photos/cat.jpg", str(source), "--dry-run")
    assert text.exit_code == 0 and "escrows" in text.stdout and "paid through epoch" in text.stdout
    stored = ok(cli(home, "user", "put", "photos/cat.jpg", str(source), "--json"))
    assert stored["balance_change_wei"] == quote["escrow_wei"] == before[0] - network.chain.balances[USER.address]
    # An empty Market balance: refused before a byte is uploaded.
    network.chain.balances[USER.address] = 1
    orders = {o.order_id: (o.seq, o.size) for o in network.chain.orders_of_user(USER.address)}
    poor = cli(home, "user", "put", "photos/dog.jpg", str(source))
    assert poor.exit_code == 1 and "Market balance is 0.000000000000000001: `memo user deposit` first" in poor.stderr
    assert {o.order_id: (o.seq, o.size) for o in network.chain.orders_of_user(USER.address)} == orders
    network.chain.balances[USER.address] = 10**30
    # No Provider asks so little: the put names the cap, and nothing is stored.
    cheap = cli(home, "user", "put", "photos/dog.jpg", str(source), "--max-price", "0.000001")
    assert cheap.exit_code == 1 and cheap.stderr.startswith("error: ") and "dog.jpg" not in cheap.stdout
    assert [o["key"] for o in ok(cli(home, "user", "ls", "photos", "--json"))] == ["cat.jpg"]


def test_status_renew_and_the_expiry_warning(network, home, tmp_path):
    with network.client(master_secret=None, order_epochs=150) as sdk:  # orders shorter than warn_within (200)
        sdk.create_bucket("photos")
        sdk.put_object("photos", "cat.jpg", b"meow")
    current = network.chain.current_epoch()
    status = cli(home, "user", "status", "--json")
    assert status.exit_code == 0 and status.stderr.startswith("warning: 1 object(s) paid only through epoch ")
    assert "`memo user renew` extends them" in status.stderr and status.stderr.count("\n") == 1
    record = json.loads(status.stdout)
    (obj,) = record["objects"]
    assert (obj["bucket"], obj["key"], obj["size"], obj["health"], obj["expiring"]) == ("photos", "cat.jpg", 4, "healthy", True)
    assert obj["paid_through"] == min(o.end_epoch for o in network.chain.orders_of_user(USER.address)) - 1
    assert obj["paid_through"] < current + 200 and record["monthly_wei"] == obj["monthly_wei"] > 0
    renewed = cli(home, "user", "renew", "--epochs", "500", "--json")
    assert renewed.exit_code == 0, renewed.stderr
    rows = json.loads(renewed.stdout)
    assert rows and all(r["error"] is None and r["new_end"] == current + 500 for r in rows)
    assert {o.end_epoch for o in network.chain.orders_of_user(USER.address)} == {current + 500}
    after = cli(home, "user", "status", "--json", "--no-health")
    assert after.exit_code == 0 and after.stderr == ""  # nothing ends within 200 epochs now
    assert json.loads(after.stdout)["objects"][0]["paid_through"] == current + 499
    table = cli(home, "user", "status")
    assert table.exit_code == 0 and "cat.jpg" in table.stdout and "healthy" in table.stdout
    # A Provider that does not answer: its order is reported, the exit status is 1.
    network.stop_provider(sorted(network.providers)[0])
    partly = cli(home, "user", "renew", "--epochs", "900", "--json")
    assert partly.exit_code == 1 and "1 of 6 orders were not renewed" in partly.stderr
    assert sum(r["error"] is not None for r in json.loads(partly.stdout)) == 1
