"""``memo config``: the settings file, its validation, and the precedence of options over it."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from memo_py.cli import main
from memo_py.cli.common import Network
from memo_py.cli.settings import DEFAULT_RPC_URL, Settings, load_settings, save_settings, update_settings
from memo_py.errors import ConfigError


def run(*args, env=None):
    runner = CliRunner(mix_stderr=False)
    return runner.invoke(main, list(args), env={"MEMO_PASSWORD": "pw", **(env or {})})


def test_defaults_without_a_file(tmp_path):
    settings = load_settings(tmp_path)
    assert settings == Settings()
    assert settings.rpc_url == DEFAULT_RPC_URL and settings.deployment is None and settings.keepers == ()


def test_set_show_unset(tmp_path):
    home = str(tmp_path)
    assert run("config", "set", "rpc-url", "http://node:8545/", "--home", home).exit_code == 0
    assert run("config", "set", "keepers", "http://k1:8800, http://k2:8800", "--home", home).exit_code == 0
    assert run("config", "set", "wallet", "alice", "--home", home).exit_code == 0
    deployment = tmp_path / "d.json"
    result = run("config", "set", "deployment", str(deployment), "--home", home)
    assert result.exit_code == 0, result.stderr
    shown = json.loads(run("config", "show", "--home", home, "--json").stdout)
    assert shown == {
        "rpc_url": "http://node:8545",
        "deployment": str(deployment),
        "keepers": ["http://k1:8800", "http://k2:8800"],
        "wallet": "alice",
        "file": str(tmp_path / "settings.json"),
        "sources": {"rpc_url": "file", "deployment": "file", "keepers": "file", "wallet": "file"},
    }
    assert run("config", "unset", "rpc-url", "--home", home).exit_code == 0
    assert load_settings(tmp_path).rpc_url == DEFAULT_RPC_URL
    table = run("config", "show", "--home", home)
    assert table.exit_code == 0 and "alice" in table.stdout


def test_relative_deployment_is_stored_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = update_settings(Settings(), "deployment", "deployments/local.json")
    assert settings.deployment == tmp_path / "deployments" / "local.json"


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("rpc-url", "localhost:8545", "not an http"),
        ("keepers", "ftp://k", "not an http"),
        ("wallet", "../x", "wallet name"),
        ("colour", "blue", "unknown setting"),
    ],
)
def test_bad_values_are_one_line_errors_and_change_nothing(tmp_path, key, value, message):
    result = run("config", "set", key, value, "--home", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error:") and message in result.stderr
    assert not (tmp_path / "settings.json").exists()


def test_a_broken_file_is_named(tmp_path):
    (tmp_path / "settings.json").write_text("{not json")
    result = run("config", "show", "--home", str(tmp_path))
    assert result.exit_code == 1 and "not JSON" in result.stderr
    (tmp_path / "settings.json").write_text(json.dumps({"rpc_url": "http://x", "surprise": 1}))
    with pytest.raises(ConfigError, match="surprise"):
        load_settings(tmp_path)


def test_options_win_over_the_file(tmp_path):
    save_settings(tmp_path, Settings(rpc_url="http://file:1", deployment=Path("/file.json"), keepers=("http://kf",), wallet="w1"))
    net = Network(tmp_path)
    assert (net.rpc_url, net.deployment, net.keepers, net.wallet_name) == ("http://file:1", Path("/file.json"), ("http://kf",), "w1")
    net = Network(tmp_path, "http://opt:2", Path("/opt.json"), "w2", None, ("http://a,http://b", "http://c"))
    assert (net.rpc_url, net.deployment, net.keepers, net.wallet_name) == (
        "http://opt:2", Path("/opt.json"), ("http://a", "http://b", "http://c"), "w2"
    )


def test_missing_values_say_how_to_set_them(tmp_path):
    net = Network(tmp_path)
    with pytest.raises(ConfigError, match="memo config set deployment"):
        net.deployment
    with pytest.raises(ConfigError, match="memo config set keepers"):
        net.keepers
    with pytest.raises(ConfigError, match="memo config set wallet"):
        net.wallet_name
    with pytest.raises(ConfigError, match="--rpc"):
        Network(tmp_path, "127.0.0.1:8545").rpc_url


def test_show_gives_the_effective_values_and_their_sources(tmp_path):
    home = str(tmp_path)
    assert run("config", "set", "wallet", "alice", "--home", home).exit_code == 0
    env = {"MEMO_RPC_URL": "http://env-node:8545", "MEMO_DEPLOYMENT": None, "MEMO_KEEPERS": None, "MEMO_WALLET": None}
    shown = json.loads(run("config", "show", "--home", home, "--json", env=env).stdout)
    assert shown["rpc_url"] == "http://env-node:8545" and shown["wallet"] == "alice"
    assert shown["sources"] == {"rpc_url": "env MEMO_RPC_URL", "deployment": "default", "keepers": "default",
                                "wallet": "file"}
    bad = run("config", "show", "--home", home, env={**env, "MEMO_RPC_URL": "localhost:1"})
    assert bad.exit_code == 1
    assert bad.stderr == "error: $MEMO_RPC_URL: rpc_url: rpc_url 'localhost:1' is not an http:// or https:// URL\n"
