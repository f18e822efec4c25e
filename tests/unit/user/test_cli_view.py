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
