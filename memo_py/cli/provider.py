"""``memo provider``: run a Provider daemon, see its standing, withdraw its pay."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from memo_py.cli.common import (
    CommandFailed,
    Network,
    amount_fields,
    emit,
    fail,
    guard,
    json_option,
    network_options,
)
from memo_py.errors import ConfigError

__all__ = ["provider", "run_daemon", "probe_health", "configure_logging"]

config_option = click.option(
    "--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="The daemon's config file (.json or .toml; see docs/operations.md).",
)
log_level_option = click.option(
    "--log-level", type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False), default="info",
    show_default=True, help="Logging on standard error.",
)


def configure_logging(level: str) -> None:
    """As ``python -m memo_py.<role>``: :func:`memo_py.runner.configure_logging`."""
    from memo_py.runner import configure_logging as configure

    configure(level)


def run_daemon(module: str, config_path: Path, net: Network) -> None:
    """``run_from_config`` of ``module`` (imported here: it brings web3, uvicorn, ckzg), with
    ``--rpc``/``--deployment`` overriding the file's. Exit status 2 for a config file that does
    not load (a supervisor should not restart that), 1 for a node or deployment that is wrong."""
    from importlib import import_module

    overrides: dict[str, Any] = {}
    if net._rpc_url:
        overrides["rpc_url"] = net.rpc_url
    if net._deployment:
        overrides["deployment"] = net._deployment.expanduser().absolute()
    with guard():
        run_from_config = import_module(module).run_from_config
        try:
            run_from_config(config_path, **overrides)
        except ConfigError as exc:  # 2, as `python -m memo_py.<role>`: a supervisor need not retry
            fail(exc, status=2)


def probe_health(url: str, timeout: float = 3.0) -> dict[str, Any]:
    """``GET {url}/health``: its JSON, or ``{"error": ...}`` when it does not answer."""
    from memo_py.protocol.http import get_public_json

    try:
        data = get_public_json(url, "/health", timeout=timeout)  # bounded: a hostile node cannot flood it
        return data if isinstance(data, dict) else {"error": "not a JSON object"}
    except Exception as exc:  # down, refused, not JSON: the status says so
        return {"error": f"{type(exc).__name__}: {exc}"}


def _load_config(path: Path) -> Any:
    from memo_py.provider.config import load_config

    return load_config(path)


@click.group()
def provider() -> None:
    """Run a Provider daemon; show a Provider's standing; withdraw its pay."""


@provider.command("run")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The Provider's config file (.json or .toml; see docs/operations.md).")
@log_level_option
@network_options(wallet=False, password=False)
def run(config_path: Path, log_level: str, net: Network) -> None:
    """Run the Provider daemon of config file PATH until SIGINT or SIGTERM.

    The file holds the key (or key file), data_dir, capacity, price, host and port,
    keepers, rpc_url and deployment; --rpc and --deployment override the last two.
    """
    configure_logging(log_level)
    run_daemon("memo_py.provider.daemon", config_path, net)


@provider.command("status")
@click.argument("who", required=False, metavar="[NAME|ADDRESS]")
@config_option
@network_options(password=False)
@json_option
def status(who: str | None, config_path: Path | None, net: Network, as_json: bool) -> None:
    """A Provider's registration, pledge, offer, orders and pay, from the chain, and its /health.

    The Provider is NAME (a wallet), ADDRESS, the key of --config, or the chosen wallet.
    """
    with guard():
        if config_path is not None:
            cfg = _load_config(config_path)
            net.use_daemon_config(config_path, cfg.rpc_url, cfg.deployment)
            name, address = (None, cfg.address) if who is None else net.resolve(who)
        else:
            name, address = net.resolve(who)
        record = provider_record(net.contracts(signer=False), address)
        if name is not None:
            record = {"wallet": name, **record}
    emit(record, as_json, title="provider")


def provider_record(memo: Any, address: str) -> dict[str, Any]:
    """What ``memo provider status`` shows of ``address``."""
    from memo_py.chain.registry import PROVIDER

    registry, market = memo.registry, memo.market
    registered = bool(registry.roles_of(address) & PROVIDER)
    epoch = memo.epochs.current_epoch()
    record: dict[str, Any] = {"address": address, "registered": registered, "epoch": epoch}
    if not registered:
        return record
    info = registry.provider_info(address)
    orders = market.orders_of(address)
    books = market.provider_books(address)
    record.update(
        active=info.active,
        endpoint=info.endpoint,
        capacity=info.capacity,
        price=info.price,
        **amount_fields("pledge", registry.pledge_of(address, PROVIDER)),
        unbond_at=registry.unbond_at(address, PROVIDER) or None,
        orders=len(orders),
        active_orders=sum(1 for o in orders if o.active_at(epoch)),
        stored_bytes=sum(o.size for o in orders if o.active_at(epoch)),
        **amount_fields("paid", books["paid"]),
        **amount_fields("penalized", books["penalized"]),
        **amount_fields("locked", books["locked"]),
        latest_attested=memo.epochs.latest_attested(),
    )
    health = probe_health(info.endpoint) if info.endpoint else {"error": "no endpoint"}
    record["health"] = "down: " + health["error"] if "error" in health else "up"
    for field in ("used", "free", "stored"):
        if field in health:
            record[field] = health[field]
    return record


@provider.command("withdraw")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The Provider's config file (its key, data_dir and keepers are used).")
@network_options(wallet=False, password=False)
@json_option
def withdraw(config_path: Path, net: Network, as_json: bool) -> None:
    """Withdraw the Provider's pay now, through the newest attested epoch.

    Does what the daemon's loop does each tick (memo_py.provider.loop): fetch the
    Provider's cumulative totals and Merkle proof from a Keeper
    (/results/{epoch}/{provider}), check them against the attested root, and call
    Market.withdraw_pay if there is new pay. Its record goes to the same loop.db
    in data_dir, so the daemon does not withdraw the same pay again.
    """
    with guard():
        from memo_py.chain.roles import RoleChain
        from memo_py.provider.loop import ProviderLoop

        cfg = _load_config(config_path)
        net.use_daemon_config(config_path, cfg.rpc_url, cfg.deployment)
        if not cfg.keepers:
            raise ConfigError(f"config file {config_path} names no keepers to fetch the results proof from")
        memo = net.contracts(key=cfg.private_key.get_secret_value())
        chain = RoleChain(memo)
        before = memo.token.balance_of(cfg.address)
        loop = ProviderLoop(SimpleNamespace(config=cfg, chain=chain, address=cfg.address))
        try:
            report = loop.withdraw_now(time.time())
        finally:
            loop.close()
        if report.errors:
            raise CommandFailed("; ".join(report.errors))
        received = memo.token.balance_of(cfg.address) - before
        w = report.withdrawal
        record = {
            "address": cfg.address,
            "latest_attested": memo.epochs.latest_attested(),
            "withdrew": w is not None,
            **amount_fields("received", received),
            **amount_fields("paid_total", memo.market.provider_books(cfg.address)["paid"]),
            "epoch": None if w is None else w.epoch,
            "tx": None if w is None else "0x" + w.tx.hex(),
        }
    emit(record, as_json, title="withdraw")
