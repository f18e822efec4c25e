"""``memo config``: the network settings in ``<home>/settings.json``."""

from __future__ import annotations

from pathlib import Path

import click

from memo_py.cli.common import emit, guard, home_option, json_option
from memo_py.cli.settings import load_settings, save_settings, settings_path, update_settings

__all__ = ["config"]


def _print(home: Path, as_json: bool) -> None:
    with guard():
        settings = load_settings(home)
    data = {**settings.as_json(), "file": str(settings_path(home))}
    if as_json:
        emit(data, True)
        return
    rows = [
        {"setting": k.replace("_", "-"), "value": ", ".join(v) if isinstance(v, list) else ("-" if v is None else v)}
        for k, v in data.items()
    ]
    emit(rows, False, title="memo settings")


@click.group()
def config() -> None:
    """Which network the commands use: node, deployment, Keepers, wallet.

    \b
    Settings live in <home>/settings.json (home: --home, $MEMO_HOME, ~/.memo).
    Every command that talks to the network takes the same values as options,
    which win over the file:
      --rpc URL          (env MEMO_RPC_URL)    rpc-url     default http://127.0.0.1:8545
      --deployment PATH  (env MEMO_DEPLOYMENT) deployment  the deployment JSON file
      --keeper URL ...   (env MEMO_KEEPERS)    keepers     Keeper URLs, comma-separated
      --wallet NAME      (env MEMO_WALLET)     wallet      the wallet to act as
    The file holds no secret: keys stay in the encrypted wallets.
    """


@config.command("show")
@home_option
@json_option
def show(home: Path, as_json: bool) -> None:
    """Print the settings (defaults filled in) and where they are kept."""
    _print(home, as_json)


@config.command("set")
@click.argument("key", metavar="KEY")
@click.argument("value")
@home_option
@json_option
def set_(key: str, value: str, home: Path, as_json: bool) -> None:
    """Set KEY (rpc-url, deployment, keepers or wallet) to VALUE.

    \b
    memo config set rpc-url http://127.0.0.1:8545
    memo config set deployment ./deployments/local.json   (stored as an absolute path)
    memo config set keepers http://127.0.0.1:8800,http://127.0.0.1:8801
    memo config set wallet alice
    """
    with guard():
        settings = update_settings(load_settings(home), key, value)
        save_settings(home, settings)
    _print(home, as_json)


@config.command("unset")
@click.argument("key", metavar="KEY")
@home_option
@json_option
def unset(key: str, home: Path, as_json: bool) -> None:
    """Put KEY back to its default."""
    with guard():
        settings = update_settings(load_settings(home), key, None)
        save_settings(home, settings)
    _print(home, as_json)
