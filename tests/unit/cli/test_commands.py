"""Every network command: bad input is one ``error:`` line and exit status 1, before any
transaction (no chain is needed for these: the checks run first, or the node is absent)."""

import json
import shutil

import click
import pytest
from click.testing import CliRunner

from memo_py.cli import main
from memo_py.cli.settings import Settings, load_settings, save_settings
from memo_py.devnet.anvil import free_port
from memo_py.wallet import WalletStore

KEY = "0x" + "22" * 32
ADDRESSES = {name: "0x" + f"{i:040x}" for i, name in enumerate(["Token", "Registry", "Epochs", "Market", "Disputes"], 1)}


@pytest.fixture(scope="module")
def keystore(tmp_path_factory):
    """Wallet ``alice`` (password ``pw``), encrypted once (scrypt is slow on purpose)."""
    return WalletStore(tmp_path_factory.mktemp("store")).import_key("alice", KEY, "pw").path


@pytest.fixture
def home(tmp_path, keystore):
    """A home with wallet ``alice`` and settings naming an absent node."""
    (tmp_path / "wallets").mkdir()
    shutil.copy(keystore, tmp_path / "wallets" / "alice.json")
    deployment = tmp_path / "deployment.json"
    deployment.write_text(json.dumps({"chain_id": 31337, "block": 0, "contracts": ADDRESSES}))
    save_settings(
        tmp_path,
        Settings(rpc_url=f"http://127.0.0.1:{free_port()}", deployment=deployment, keepers=("http://127.0.0.1:1",), wallet="alice"),
    )
    return tmp_path


def run(home, *args, password="pw"):
    env = {"MEMO_PASSWORD": password} if password is not None else {}
    for name in ("MEMO_RPC_URL", "MEMO_DEPLOYMENT", "MEMO_WALLET", "MEMO_KEEPERS", "MEMO_HOME", "MEMO_PASSWORD",
                 "MEMO_PASSWORD_FILE"):
        env.setdefault(name, None)
    return CliRunner(mix_stderr=False).invoke(main, [*args, "--home", str(home)], env=env)


def one_error(result, *fragments, status=1):
    assert result.exit_code == status, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["user", "deposit"], ["user", "withdraw"], ["role", "pledge", "user"]])
@pytest.mark.parametrize("amount, message", [("+1", "not a number"), ("1e18", "not a number"), ("0", "more than zero"),
                                             ("1.0000000000000000001", "18 decimals"), ("ten", "not a number")])
def test_bad_amounts(home, command, amount, message):
    one_error(run(home, *command, amount), message)


def test_a_negative_amount_after_double_dash(home):
    result = CliRunner(mix_stderr=False).invoke(
        main, ["user", "deposit", "--home", str(home), "--", "-1"], env={"MEMO_PASSWORD": "pw"}
    )
    one_error(result, "amount -1 is negative")


@pytest.mark.parametrize("command", [["user", "deposit"], ["user", "withdraw"], ["role", "pledge", "user"]])
@pytest.mark.parametrize("amount", ["-5", "-5.5", "-0.1"])
def test_a_negative_amount_is_a_bad_amount_not_an_unknown_option(home, command, amount):
    result = run(home, *command, amount)
    assert result.stderr == f"error: amount {amount} is negative: give a positive number of tokens like 10 or 10.5\n"
    one_error(result)


@pytest.mark.parametrize(
    "args, message",
    [
        (["user", "deposit"], "error: memo user deposit: missing argument 'AMOUNT' (see `memo user deposit --help`)"),
        (["user", "deposit", "1", "--jsn"],
         "error: memo user deposit: no such option: --jsn Did you mean --json? (see `memo user deposit --help`)"),
        (["role", "exit", "admin"], "error: memo role exit: invalid value for 'ROLE': 'admin' is not one of "
                                    "'user', 'provider', 'keeper' (see `memo role exit --help`)"),
        (["nope"], "error: memo: no such command 'nope' (see `memo --help`)"),
        (["provider", "run", "--config", "typo.toml"], "error: memo provider run: invalid value for '--config': "
                                                       "File 'typo.toml' does not exist (see `memo provider run --help`)"),
    ],
)
def test_usage_errors_are_one_line_in_the_project_style_and_exit_2(home, args, message):
    result = run(home, *args)
    assert result.stderr == message + "\n"
    one_error(result, status=2)


def test_an_abort_is_one_line_and_exit_1():
    @click.command()
    def interrupted():
        raise click.Abort()

    main.add_command(interrupted)
    try:
        result = CliRunner(mix_stderr=False).invoke(main, ["interrupted"])
    finally:
        main.commands.pop("interrupted")
    assert (result.exit_code, result.stderr) == (1, "error: aborted\n")


def test_unknown_wallet(home):
    one_error(run(home, "user", "deposit", "1", "--wallet", "bob"), "no wallet named 'bob'")
    one_error(run(home, "wallet", "balance", "bob"), "no wallet named 'bob'")


def test_wrong_password(home):
    one_error(run(home, "user", "deposit", "1", password="nope"), "password does not open wallet 'alice'")


def test_unreachable_rpc(home):
    url = load_settings(home).rpc_url
    result = run(home, "user", "deposit", "1")
    assert result.stderr == (f"error: no answer from the chain node at {url} (is it running? set it with --rpc "
                             "or `memo config set rpc-url`)\n")
    one_error(result)
    one_error(run(home, "wallet", "balance"), "no answer from the chain node")
    one_error(run(home, "provider", "status", "0x" + "ab" * 20), "no answer from the chain node")


def test_missing_and_bad_network_settings(tmp_path, home, keystore):
    (tmp_path / "empty" / "wallets").mkdir(parents=True)
    shutil.copy(keystore, tmp_path / "empty" / "wallets" / "alice.json")
    one_error(run(tmp_path / "empty", "user", "deposit", "1", "--wallet", "alice"), "memo config set deployment")
    one_error(run(tmp_path / "empty", "user", "deposit", "1", "--deployment", str(home / "deployment.json")),
              "memo config set wallet")
    one_error(run(home, "user", "deposit", "1", "--rpc", "localhost:8545"), "--rpc", "not an http")
    one_error(run(home, "user", "deposit", "1", "--deployment", str(tmp_path / "nope.json")), "no deployment file")
    (home / "bad.json").write_text("{}")
    one_error(run(home, "user", "deposit", "1", "--deployment", str(home / "bad.json")), "deployment")
    one_error(run(home, "wallet", "balance", "0x1234"), "not an Ethereum address")


def test_role_register_checks_its_options(home, tmp_path):
    base = ["role", "register", "provider"]
    one_error(run(home, *base, "--endpoint", "nope", "--capacity", "1GB", "--price", "1"), "--endpoint")
    one_error(run(home, *base, "--endpoint", "http://p:1", "--capacity", "lots", "--price", "1"), "capacity")
    one_error(run(home, *base, "--endpoint", "http://p:1", "--capacity", "1GB", "--price", "0.5"), "price")
    one_error(run(home, *base, "--endpoint", "http://p:1", "--capacity", "1GB", "--price", "1", "--pledge", "x"), "pledge")
    key_file = tmp_path / "bls"
    key_file.write_text("zz")
    one_error(run(home, "role", "register", "keeper", "--bls-key-file", str(key_file)), "hex BLS secret key")
    key_file.write_text("11" * 31)
    one_error(run(home, "role", "register", "keeper", "--bls-key-file", str(key_file)), "32 bytes")
    one_error(run(home, "role", "exit", "admin"), "admin", status=2)


@pytest.mark.parametrize(
    "args, message",
    [
        (["user", "put", "no-slash", "FILE"], "BUCKET/KEY"),
        (["user", "put", "Bad_Bucket/k", "FILE"], "bucket"),
        (["user", "get", "bucket/"], "BUCKET/KEY"),
        (["user", "rm", "/key"], "BUCKET/KEY"),
        (["user", "buckets", "create", "x"], "bucket"),
    ],
)
def test_object_paths_are_checked_first(home, tmp_path, args, message):
    file = tmp_path / "data.bin"
    file.write_bytes(b"x")
    one_error(run(home, *[str(file) if a == "FILE" else a for a in args]), message)


def test_object_commands_need_keepers(tmp_path, home):
    save_settings(home, Settings(deployment=home / "deployment.json", wallet="alice"))
    one_error(run(home, "user", "ls"), "memo config set keepers")
    one_error(run(home, "user", "ls", "--keeper", "ftp://k"), "--keeper")


def test_daemon_config_errors_are_one_line(home, tmp_path):
    config = tmp_path / "provider.json"
    config.write_text(json.dumps({"data_dir": "d", "capacity": 10}))
    one_error(run(home, "provider", "run", "--config", str(config)), "provider.json", status=2)
    one_error(run(home, "provider", "withdraw", "--config", str(config)), "provider.json")
    config.write_text("[]")
    one_error(run(home, "keeper", "run", "--config", str(config)), "provider.json", status=2)


def _commands(group, path=()):
    for name, command in group.commands.items():
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def test_every_command_has_help_and_json_where_it_prints_data():
    for path in _commands(main):
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        command = main
        for name in path:
            command = command.commands[name]
        if not isinstance(command, click.Group) and path[-1] != "run" and path[0] != "devnet":
            assert any(p.name == "as_json" for p in command.params), path


def test_unlocking_without_a_terminal_or_a_password_says_how(home):
    result = run(home, "user", "deposit", "1", password=None)
    assert result.stderr == ("error: no terminal to ask for the password: set MEMO_PASSWORD or MEMO_PASSWORD_FILE, "
                             "or pass --password-file\n")
    one_error(result)


def test_get_into_a_missing_directory_fails_before_downloading(home, tmp_path):
    out = tmp_path / "nowhere" / "cat.jpg"
    result = run(home, "user", "get", "photos/cat.jpg", str(out))
    assert result.stderr == f"error: directory {out.parent} does not exist: create it, or give another OUT\n"
    one_error(result)


def test_bls_keygen_writes_a_key_register_keeper_reads(tmp_path):
    from memo_py.cli.role import read_bls_key
    from memo_py.crypto import bls

    out = tmp_path / "keeper.bls"
    result = CliRunner(mix_stderr=False).invoke(main, ["role", "bls-keygen", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    key = read_bls_key(out)  # the reader of `memo role register keeper --bls-key-file`
    assert json.loads(result.stdout) == {"file": str(out), "bls_pubkey": "0x" + bls.public_key(key).hex()}
    assert out.stat().st_mode & 0o777 == 0o600
    again = CliRunner(mix_stderr=False).invoke(main, ["role", "bls-keygen", str(out)])
    assert again.exit_code == 1 and again.stderr.startswith("error: ") and "exists" in again.stderr
    assert read_bls_key(out) == key
