"""``memo config``: the network settings in ``<home>/settings.json``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from memo_py.cli.common import emit, guard, home_option, json_option
from memo_py.cli.settings import Settings, load_settings, save_settings, settings_path, update_settings
from memo_py.errors import ConfigError

__all__ = ["config"]


#: The environment variable that overrides each setting, as the commands' options read them.
ENVIRONMENT = {"rpc_url": "MEMO_RPC_URL", "deployment": "MEMO_DEPLOYMENT", "keepers": "MEMO_KEEPERS",
               "wallet": "MEMO_WALLET"}


def effective(home: Path) -> tuple[Settings, dict[str, str]]:
    """The values the commands use when no option is given (the environment over the settings
    file over the defaults), and where each comes from: ``env MEMO_...``, ``file``, or ``default``
    (also for a value the file holds that equals the default)."""
    settings = load_settings(home)
    defaults = Settings().as_json()
    sources = {key: "default" if settings.as_json()[key] == defaults[key] else "file" for key in ENVIRONMENT}
    for key, variable in ENVIRONMENT.items():
        value = os.environ.get(variable)
        if value:
            try:
                settings = update_settings(settings, key, value)
            except ConfigError as exc:
                raise ConfigError(f"${variable}: {exc}") from None
            sources[key] = f"env {variable}"
    return settings, sources


def _print(home: Path, as_json: bool) -> None:
    with guard():
        settings, sources = effective(home)
    data = {**settings.as_json(), "file": str(settings_path(home))}
    if as_json:
        emit({**data, "sources": sources}, True)
        return
    rows = [
        {"setting": k.replace("_", "-"), "value": ", ".join(v) if isinstance(v, list) else ("-" if v is None else v),
         "source": sources.get(k, "-")}
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
    """Print the values the commands use without options: $MEMO_* over the settings file over
    the defaults, with where each comes from, and where the file is kept."""
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
