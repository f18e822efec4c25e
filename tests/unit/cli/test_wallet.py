import json

from click.testing import CliRunner
from eth_account import Account

from memo_py.cli import main
from memo_py.wallet import WalletStore, WrongPassword

import pytest

KEY = "0x" + "11" * 32


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env={"MEMO_PASSWORD": "pw", **(env or {})})


def test_new_then_list_shows_the_address(tmp_path):
    created = run("wallet", "new", "provider", "--home", str(tmp_path), "--json")
    assert created.exit_code == 0, created.output
    address = json.loads(created.output)["address"]
    listed = json.loads(run("wallet", "list", "--home", str(tmp_path), "--json").output)
    assert listed == [{"name": "provider", "address": address}]
    key = WalletStore(tmp_path / "wallets").unlock("provider", "pw")
    assert Account.from_key(key).address == address


def test_import_keeps_the_key_is_idempotent_and_refuses_to_overwrite(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(KEY)
    first = run("wallet", "import", "user", "--key-file", str(key_file), "--home", str(tmp_path), "--json")
    assert json.loads(first.output)["address"] == Account.from_key(KEY).address
    stored = (tmp_path / "wallets").iterdir().__next__()
    before = stored.read_bytes()
    # The same key again (a set-up run twice) is the wallet already there: nothing rewritten.
    again = run("wallet", "import", "user", "--key-file", str(key_file), "--home", str(tmp_path), "--json")
    assert again.exit_code == 0 and json.loads(again.output)["address"] == Account.from_key(KEY).address
    assert stored.read_bytes() == before
    # Another key under that name is refused, and the wallet keeps its key.
    key_file.write_text("0x" + "22" * 32)
    other = run("wallet", "import", "user", "--key-file", str(key_file), "--home", str(tmp_path))
    assert other.exit_code == 1
    assert "already exists" in other.output and "holds another key" in other.output
    assert WalletStore(tmp_path / "wallets").unlock("user", "pw") == bytes.fromhex(KEY[2:])


def test_bad_input_is_a_clear_error_and_writes_nothing(tmp_path):
    bad_key = tmp_path / "key"
    bad_key.write_text("0x1234")
    result = run("wallet", "import", "user", "--key-file", str(bad_key), "--home", str(tmp_path))
    assert result.exit_code == 1 and "not a valid private key" in result.output
    result = run("wallet", "new", "../escape", "--home", str(tmp_path))
    assert result.exit_code == 1 and "wallet name" in result.output
    assert not (tmp_path / "wallets").exists() or list((tmp_path / "wallets").iterdir()) == []


def test_a_wrong_password_does_not_open_the_wallet(tmp_path):
    store = WalletStore(tmp_path)
    store.create("keeper", "right")
    with pytest.raises(WrongPassword):
        store.unlock("keeper", "wrong")


NO_TTY = ("error: no terminal to ask for the password: set MEMO_PASSWORD or MEMO_PASSWORD_FILE, "
          "or pass --password-file\n")


def test_without_a_terminal_or_a_password_the_error_names_the_variables(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(KEY)
    env = {"MEMO_PASSWORD": None, "MEMO_PASSWORD_FILE": None}
    result = CliRunner(mix_stderr=False).invoke(
        main, ["wallet", "import", "user", "--key-file", str(key_file), "--home", str(tmp_path)], env=env
    )
    assert (result.exit_code, result.stderr) == (1, NO_TTY)
    result = CliRunner(mix_stderr=False).invoke(main, ["wallet", "import", "user", "--home", str(tmp_path)], env=env)
    assert (result.exit_code, result.stderr) == (1, "error: no terminal to ask for the private key (hex): pass --key-file\n")
    assert not (tmp_path / "wallets").exists()


def test_the_password_comes_from_memo_password_file(tmp_path):
    key_file, password_file = tmp_path / "key", tmp_path / "password"
    key_file.write_text(KEY)
    password_file.write_text("from-file\n")
    env = {"MEMO_PASSWORD": None, "MEMO_PASSWORD_FILE": str(password_file)}
    result = CliRunner(mix_stderr=False).invoke(
        main, ["wallet", "import", "user", "--key-file", str(key_file), "--home", str(tmp_path)], env=env
    )
    assert result.exit_code == 0, result.stderr
    assert WalletStore(tmp_path / "wallets").unlock("user", "from-file") == bytes.fromhex(KEY[2:])


@pytest.fixture(scope="module")
def keystore_text(tmp_path_factory):
    return WalletStore(tmp_path_factory.mktemp("ks")).import_key("good", KEY, "pw").path.read_text()


def test_list_names_a_damaged_file_and_lists_the_good_ones(tmp_path, keystore_text):
    wallets = tmp_path / "wallets"
    wallets.mkdir()
    (wallets / "good.json").write_text(keystore_text)
    (wallets / "broken.json").write_text("{not json")
    result = CliRunner(mix_stderr=False).invoke(main, ["wallet", "list", "--home", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{"name": "good", "address": Account.from_key(KEY).address}]
    assert result.stderr == f"error: wallet file {wallets / 'broken.json'} is damaged: not JSON\n"


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda k: "{not json", "is damaged: not JSON"),
        (lambda k: json.dumps({**k, "crypto": {**k["crypto"], "mac": "zz"}}), "is damaged: no hex ciphertext and 32-byte mac"),
        (lambda k: json.dumps({x: v for x, v in k.items() if x != "crypto"}), "is damaged: no crypto section"),
    ],
)
def test_unlocking_a_damaged_file_names_it_not_the_password(tmp_path, keystore_text, damage, message):
    wallets = tmp_path / "wallets"
    wallets.mkdir()
    path = wallets / "user.json"
    path.write_text(damage(json.loads(keystore_text)))
    deployment = tmp_path / "deployment.json"
    contracts = {n: "0x" + f"{i:040x}" for i, n in enumerate(["Token", "Registry", "Epochs", "Market", "Disputes"], 1)}
    deployment.write_text(json.dumps({"chain_id": 31337, "block": 0, "contracts": contracts}))
    result = CliRunner(mix_stderr=False).invoke(
        main, ["user", "deposit", "1", "--wallet", "user", "--home", str(tmp_path), "--deployment", str(deployment)],
        env={"MEMO_PASSWORD": "pw"},
    )
    assert (result.exit_code, result.stderr) == (1, f"error: wallet file {path} {message}\n")


def test_a_mac_mismatch_is_a_wrong_password_or_a_damaged_file(tmp_path, keystore_text):
    keystore = json.loads(keystore_text)
    keystore["crypto"]["mac"] = "00" * 32
    (tmp_path / "user.json").write_text(json.dumps(keystore))
    with pytest.raises(WrongPassword, match=r"does not open wallet 'user' \(or its file .*user.json is damaged\)"):
        WalletStore(tmp_path).unlock("user", "pw")


def test_a_keystore_with_a_short_iv_is_not_damaged(tmp_path, monkeypatch):
    """eth-keyfile writes the IV as an integer: one keystore in 256 has a 15-byte IV. Such a
    wallet once read as 'damaged' (the README walk-through met one)."""
    import os

    import eth_keyfile.keyfile as keyfile

    monkeypatch.setattr(keyfile.Random, "get_random_bytes", lambda n: b"\x00" + os.urandom(n - 1))
    store = WalletStore(tmp_path / "wallets")
    wallet = store.import_key("short", KEY, "pw")
    assert len(json.loads(wallet.path.read_text())["crypto"]["cipherparams"]["iv"]) < 32
    monkeypatch.undo()
    assert store.get("short").address == Account.from_key(KEY).address
    assert store.unlock("short", "pw") == bytes.fromhex(KEY[2:])
