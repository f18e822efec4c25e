"""``memo devnet up`` and ``demo`` on a directory that holds a devnet already, and
``restart`` on a stopped one: refused before anything runs, and the directory is left
exactly as it was; ``--reset`` removes only what ``up`` writes. No anvil is started here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from memo_py.cli import main
from memo_py.devnet import network
from memo_py.devnet.demo import run_demo


def devnet_cli(*args):
    return CliRunner(mix_stderr=False).invoke(main, ["devnet", *args], env={"MEMO_DEVNET_DIR": None})


def snapshot(directory: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(directory)): (p.read_bytes() if p.is_file() else None) for p in directory.rglob("*")}


@pytest.fixture
def stopped(tmp_path) -> Path:
    """What `up` then `down` leave: the record, the table (nothing alive), keys, logs, role data;
    and two things of someone else's."""
    directory = tmp_path / "devnet"
    record = {
        "providers": [{"name": "provider-1", "endpoint": "http://127.0.0.1:9", "config": "x"}],
        "keepers": [{"name": "keeper-1", "url": "http://127.0.0.1:9", "config": "x"}],
    }
    (directory / "provider-1" / "data").mkdir(parents=True)
    (directory / "provider-1" / "config.json").write_text("{}")
    (directory / "keeper-1").mkdir()
    (directory / "keys").mkdir()
    (directory / "keys" / "provider-1.key").write_text("0x00\n")
    (directory / "logs").mkdir()
    (directory / "logs" / "provider-1.log").write_text("serving on\n")
    (directory / "devnet.json").write_text(json.dumps(record))
    (directory / "deployment.json").write_text("{}")
    (directory / "processes.json").write_text("{}")
    (directory / "notes.txt").write_text("mine")
    (directory / "provider-old").mkdir()
    return directory


def test_up_on_a_stopped_devnet_is_refused_and_changes_nothing(stopped):
    before = snapshot(stopped)
    result = devnet_cli("up", "--dir", str(stopped), "--providers", "1", "--keepers", "1")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "holds a stopped devnet" in result.stderr and "--reset" in result.stderr
    assert snapshot(stopped) == before


def test_demo_on_a_stopped_devnet_is_refused_and_changes_nothing(stopped):
    before = snapshot(stopped)
    result = devnet_cli("demo", "--dir", str(stopped))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "holds a stopped devnet" in result.stderr and "logs are kept" not in result.stderr
    with pytest.raises(network.DevnetInUse):
        run_demo(directory=stopped)
    assert snapshot(stopped) == before


def test_names_up_writes_without_a_devnet_record_are_refused_even_with_reset(tmp_path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "id_ed25519").write_text("someone's key")
    before = snapshot(tmp_path)
    result = devnet_cli("up", "--dir", str(tmp_path), "--reset")
    assert result.exit_code == 2 and "no devnet record" in result.stderr, result.stderr
    assert snapshot(tmp_path) == before


def test_reset_removes_only_what_up_wrote(stopped):
    said = []
    network._refuse_or_reset(stopped, True, said.append)
    assert sorted(p.name for p in stopped.iterdir()) == ["notes.txt", "provider-old"]
    assert said and said[0].startswith(f"reset {stopped}: removed ")


def test_restart_on_a_stopped_devnet_is_refused_before_anything_is_stopped(stopped):
    result = devnet_cli("restart", "provider-1", "--dir", str(stopped))
    assert result.exit_code == 1
    assert "is stopped (its anvil is not running)" in result.stderr and "--reset" in result.stderr
    unknown = devnet_cli("restart", "provider-9", "--dir", str(stopped))
    assert unknown.exit_code == 1 and "no daemon 'provider-9'" in unknown.stderr
    missing = devnet_cli("restart", "provider-1", "--dir", str(stopped / "nowhere"))
    assert missing.exit_code == 1 and "no devnet in" in missing.stderr
    assert not (stopped / "nowhere").exists()


def test_configure_points_the_settings_at_the_devnet_and_keeps_the_wallet(stopped, tmp_path):
    from memo_py.cli.settings import Settings, load_settings, save_settings

    home = tmp_path / "home"
    save_settings(home, Settings(rpc_url="http://127.0.0.1:1", keepers=("http://127.0.0.1:2",), wallet="alice"))
    record = json.loads((stopped / network.DEVNET_FILE).read_text())
    record.update(rpc_url="http://127.0.0.1:45001", deployment_file=str(stopped / "deployment.json"))
    record["keepers"] = [{"name": "keeper-1", "url": "http://127.0.0.1:45002"},
                         {"name": "keeper-2", "url": "http://127.0.0.1:45003"}]
    (stopped / network.DEVNET_FILE).write_text(json.dumps(record))

    result = devnet_cli("configure", "--dir", str(stopped), "--home", str(home))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert load_settings(home) == Settings(
        rpc_url="http://127.0.0.1:45001", deployment=stopped / "deployment.json",
        keepers=("http://127.0.0.1:45002", "http://127.0.0.1:45003"), wallet="alice",
    )
    assert "http://127.0.0.1:45001" in result.stdout


def test_configure_without_a_devnet_is_one_error_and_writes_nothing(tmp_path):
    home = tmp_path / "home"
    result = devnet_cli("configure", "--dir", str(tmp_path / "nothing"), "--home", str(home))
    assert result.exit_code == 1
    assert result.stderr == f"error: no devnet in {tmp_path / 'nothing'} (no devnet.json; run `memo devnet up`)\n"
    assert not home.exists()


def test_the_cli_starts_as_many_providers_as_the_devnet_does_by_default():
    """One more than a default stripe (4+2) needs, so a default bucket stays writable with one down."""
    from memo_py.cli.devnet import up as up_command

    (option,) = [p for p in up_command.params if p.name == "providers"]
    assert option.default == network.DEFAULT_PROVIDERS == 7
