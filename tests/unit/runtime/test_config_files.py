"""Daemon config files: JSON and TOML, keys from key files or keystores, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from memo_py.errors import ConfigError
from memo_py.keeper.config import load_config as load_keeper_config
from memo_py.provider.config import load_config as load_provider_config
from tests.unit.keeper.support import BLS_KEYS, KEEPERS

from .support import PROVIDER

KEEPER = KEEPERS[0]


def secret(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_a_provider_config_from_json_with_a_key_file(tmp_path):
    secret(tmp_path / "provider.key", PROVIDER.key.hex() + "\n")
    path = tmp_path / "provider.json"
    keepers = [{"address": KEEPER.address, "url": "http://127.0.0.1:8800"}]
    path.write_text(
        json.dumps({"private_key_file": "provider.key", "data_dir": "state", "capacity": 4096, "price": 7, "keepers": keepers})
    )
    config = load_provider_config(path)
    assert config.address == PROVIDER.address
    assert config.data_dir == tmp_path / "state"
    assert config.keepers[0].address == KEEPER.address
    assert (config.tick_seconds, config.port) == (2.0, 8700)


def test_a_keeper_config_from_toml_with_key_files(tmp_path):
    secret(tmp_path / "eth.key", KEEPER.key.hex())
    secret(tmp_path / "bls.key", "0x" + BLS_KEYS[0].hex())
    path = tmp_path / "keeper.toml"
    path.write_text(
        'private_key_file = "eth.key"\nbls_key_file = "bls.key"\ndata_dir = "/var/lib/memo"\ntick_seconds = 0.5\n'
        '[[peers]]\naddress = "%s"\nurl = "http://10.0.0.2:8800"\n' % KEEPERS[1].address
    )
    config = load_keeper_config(path)
    assert config.address == KEEPER.address and config.bls_secret == BLS_KEYS[0]
    assert config.data_dir == Path("/var/lib/memo") and config.tick_seconds == 0.5
    assert config.peers[0].url == "http://10.0.0.2:8800"


def test_an_encrypted_keystore_with_a_password_file(tmp_path):
    keystore = Account.encrypt(PROVIDER.key, "hunter2")
    secret(tmp_path / "wallet.json", json.dumps(keystore))
    secret(tmp_path / "password", "hunter2\n")
    path = tmp_path / "provider.toml"
    path.write_text('private_key_file = "wallet.json"\nkey_password_file = "password"\ndata_dir = "d"\ncapacity = 1\nprice = 0\n')
    assert load_provider_config(path).address == PROVIDER.address

    secret(tmp_path / "password", "wrong")
    with pytest.raises(ConfigError, match="does not open the keystore"):
        load_provider_config(path)
    path.write_text('private_key_file = "wallet.json"\ndata_dir = "d"\ncapacity = 1\nprice = 0\n')
    with pytest.raises(ConfigError, match="give key_password_file"):
        load_provider_config(path)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("p.yaml", "x: 1", "use a .json or .toml file"),
        ("p.json", "{not json", "is not valid JSON"),
        ("p.toml", "= 1", "is not valid TOML"),
        ("p.json", "[1, 2]", "one object/table"),
        ("p.json", '{"data_dir": "d", "capacity": 1, "price": 0}', "private_key: Field required"),
        ("p.json", '{"private_key_file": "missing.key", "data_dir": "d", "capacity": 1, "price": 0}', "cannot be read"),
        ("p.json", '{"private_key": "0x01", "private_key_file": "k", "data_dir": "d", "capacity": 1, "price": 0}', "not both"),
        ("p.json", '{"private_key": "%s", "data_dir": "d", "capacity": -1, "price": 0}' % PROVIDER.key.hex(), "capacity"),
        ("p.json", '{"private_key": "0xnot-a-key", "data_dir": "d", "capacity": 1, "price": 0}', "not an Ethereum private key"),
    ],
)
def test_bad_config_files_are_clear_errors(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_provider_config(path)
    assert str(path) in str(info.value)


def test_a_missing_file_and_a_secret_never_shown(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_keeper_config(tmp_path / "nope.toml")
    path = tmp_path / "k.json"
    bad_bls = "ab" * 32
    path.write_text(json.dumps({"private_key": KEEPER.key.hex(), "bls_key": bad_bls, "data_dir": "d"}))
    with pytest.raises(ConfigError, match="bls_key") as info:
        load_keeper_config(path)
    assert bad_bls not in str(info.value) and KEEPER.key.hex() not in str(info.value)


def test_a_misspelled_setting_is_refused_by_name(tmp_path):
    """A Provider whose ``keepers`` is misspelled would run and never push a proof: refused."""
    keepers = [{"address": KEEPER.address, "url": "http://127.0.0.1:8800"}]
    provider = tmp_path / "provider.json"
    provider.write_text(
        json.dumps({"private_key": PROVIDER.key.hex(), "data_dir": "d", "capacity": 1, "price": 0, "keeper": keepers})
    )
    with pytest.raises(ConfigError, match=r"keeper: unknown setting \(did you mean keepers\?\)") as info:
        load_provider_config(provider)
    assert str(provider) in str(info.value)
    endpoint = tmp_path / "endpoint.json"  # inside an endpoint too
    endpoint.write_text(
        json.dumps(
            {"private_key": PROVIDER.key.hex(), "data_dir": "d", "capacity": 1, "price": 0,
             "keepers": [{"address": KEEPER.address, "uri": "http://127.0.0.1:8800"}]}
        )
    )
    with pytest.raises(ConfigError, match=r"keepers\.0\.uri: unknown setting"):
        load_provider_config(endpoint)
    keeper = tmp_path / "keeper.toml"
    keeper.write_text(
        'private_key = "%s"\nbls_key = "%s"\ndata_dir = "d"\n[[peer]]\naddress = "%s"\nurl = "http://10.0.0.2:8800"\n'
        % (KEEPER.key.hex(), BLS_KEYS[0].hex(), KEEPERS[1].address)
    )
    with pytest.raises(ConfigError, match=r"peer: unknown setting \(did you mean peers\?\)"):
        load_keeper_config(keeper)


def test_a_user_config_refuses_unknown_settings():
    from pydantic import ValidationError

    from memo_py.user import UserConfig

    good = dict(master_secret="0x" + "5e" * 32, private_key=PROVIDER.key.hex(), keepers=("http://127.0.0.1:8800",))
    assert UserConfig(**good).keepers == good["keepers"]
    with pytest.raises(ValidationError) as info:
        UserConfig(**good, keeper=("http://127.0.0.1:8801",))
    assert [(e["loc"], e["type"]) for e in info.value.errors()] == [(("keeper",), "extra_forbidden")]
