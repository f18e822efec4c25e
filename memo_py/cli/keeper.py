"""``memo keeper``: run a Keeper daemon, see a Keeper's standing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from memo_py.cli.common import Network, amount_fields, emit, guard, json_option, network_options
from memo_py.cli.provider import configure_logging, log_level_option, probe_health, run_daemon

__all__ = ["keeper", "keeper_record"]


@click.group()
def keeper() -> None:
    """Run a Keeper daemon; show a Keeper's standing."""


@keeper.command("run")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The Keeper's config file (.json or .toml; see docs/operations.md).")
@log_level_option
@network_options(wallet=False, password=False)
def run(config_path: Path, log_level: str, net: Network) -> None:
    """Run the Keeper daemon of config file PATH until SIGINT or SIGTERM.

    The file holds the Ethereum and BLS keys (or key files), data_dir, host and port,
    peers, rpc_url and deployment; --rpc and --deployment override the last two.
    """
    configure_logging(log_level)
    run_daemon("memo_py.keeper.daemon", config_path, net)


def keeper_record(memo: Any, address: str, url: str | None = None) -> dict[str, Any]:
    """What ``memo keeper status`` shows of ``address`` (and of the daemon at ``url``)."""
    from memo_py.chain.registry import KEEPER

    registry, epochs = memo.registry, memo.epochs
    registered = bool(registry.roles_of(address) & KEEPER)
    record: dict[str, Any] = {
        "address": address,
        "registered": registered,
        "epoch": epochs.current_epoch(),
        "latest_attested": epochs.latest_attested(),
    }
    if registered:
        slot = registry.keeper_slot(address)
        weight = next((k.weight for k in registry.keepers() if k.address == address), 0) if slot is not None else 0
        record.update(
            active=slot is not None,
            slot=slot,
            **amount_fields("weight", weight),
            **amount_fields("total_weight", registry.total_keeper_weight()),
            **amount_fields("pledge", registry.pledge_of(address, KEEPER)),
            unbond_at=registry.unbond_at(address, KEEPER) or None,
            **amount_fields("fees", registry.claimable_fees(address)),
        )
    if url is not None:
        health = probe_health(url)
        if "error" in health:
            record["health"] = "down: " + health["error"]
        elif str(health.get("address", "")).lower() != address.lower():
            record["health"] = f"{url} answers as {health.get('address')}, not this Keeper"
        else:
            record["health"] = "up"
            record["judged_epoch"] = health.get("last_epoch")
    return record


@keeper.command("status")
@click.argument("who", required=False, metavar="[NAME|ADDRESS]")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A Keeper config file: its key, node, deployment and host:port are used.")
@click.option("--url", default=None, metavar="URL", help="Also ask the Keeper daemon at URL for its /health.")
@network_options(password=False)
@json_option
def status(who: str | None, config_path: Path | None, url: str | None, net: Network, as_json: bool) -> None:
    """A Keeper's slot, weight, pledge, fees and the latest attested epoch, from the chain.

    The Keeper is NAME (a wallet), ADDRESS, the key of --config, or the chosen wallet.
    """
    with guard():
        if config_path is not None:
            from memo_py.keeper.config import load_config

            cfg = load_config(config_path)
            net.use_daemon_config(config_path, cfg.rpc_url, cfg.deployment)
            name, address = (None, cfg.address) if who is None else net.resolve(who)
            if url is None and who is None:
                url = f"http://{cfg.host}:{cfg.port}"
        else:
            name, address = net.resolve(who)
        record = keeper_record(net.contracts(signer=False), address, url)
        if name is not None:
            record = {"wallet": name, **record}
    emit(record, as_json, title="keeper")
