"""``memo devnet up | configure | status | restart | fund | down | demo``: a whole MEMO network on this machine.

The work is in :mod:`memo_py.devnet.network` and :mod:`memo_py.devnet.demo`; this
module only parses and prints.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from memo_py.cli.common import amount_fields, emit, fail, guard, home_option, json_option, parse_amount
from memo_py.wallet import DEFAULT_HOME

__all__ = ["devnet"]

dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_HOME / "devnet",
    show_default=True,
    envvar="MEMO_DEVNET_DIR",
    help="The devnet's directory (configs, keys, data, logs, devnet.json).",
)


reset_option = click.option(
    "--reset", is_flag=True,
    help="Stop and wipe a devnet in --dir first (what `up` wrote there, nothing else), then start clean.",
)


@contextmanager
def refused_dir() -> Iterator[None]:
    """A directory ``up`` refuses (it holds a devnet) is a usage error: one line, exit 2."""
    from memo_py.devnet.network import DevnetInUse

    try:
        yield
    except DevnetInUse as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _printer(as_json: bool) -> Any:
    console = Console(stderr=True)
    started = time.monotonic()

    def say(message: str) -> None:
        console.print(f"[dim]{time.monotonic() - started:6.1f}s[/dim] {message}", highlight=False)

    return say


@click.group()
def devnet() -> None:
    """A local network: anvil, the contracts, 1 User, 7 Providers and 3 Keepers, each its own process."""


@devnet.command("up")
@dir_option
# 7 is network.DEFAULT_PROVIDERS, not imported here: the CLI loads the devnet module lazily.
@click.option("--providers", type=click.IntRange(1, 64), default=7, show_default=True)
@click.option("--keepers", type=click.IntRange(1, 32), default=3, show_default=True)
@click.option("--users", type=click.IntRange(1, 8), default=1, show_default=True)
@click.option("--epoch-length", type=click.IntRange(2), default=8, show_default=True, help="Blocks per epoch.")
@click.option("--block-time", type=click.IntRange(1), default=1, show_default=True, help="Seconds per block.")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
              help="Commit processes per Provider.")
@click.option("--gateway", is_flag=True, help="Also run an S3 gateway, one access key per User (docs/s3.md).")
@reset_option
@json_option
def up(directory: Path, providers: int, keepers: int, users: int, epoch_length: int, block_time: int,
       workers: int, gateway: bool, reset: bool, as_json: bool) -> None:
    """Start anvil, deploy, fund and register every role, start the daemons; print endpoints.

    A directory that holds a devnet, running or stopped, is refused (exit 2): its
    Providers keep the old chain's agreements. --reset wipes it and starts clean.
    """
    from memo_py.devnet import network

    with guard(), refused_dir():
        record = network.up(
            directory, providers=providers, keepers=keepers, users=users, epoch_length=epoch_length,
            block_time=block_time, workers=workers, progress=_printer(as_json), reset=reset, gateway=gateway,
        )
    if as_json:
        click.echo(json.dumps(record, indent=1))
        return
    console = Console()
    console.print(f"[bold]devnet up[/bold] in {record['directory']} ({record['started_in_seconds']} s)")
    console.print(f"chain {record['chain_id']} at {record['rpc_url']}, epochs of {record['epoch_length']} blocks "
                  f"of {record['block_time']} s")
    table = Table(title="Contracts")
    table.add_column("contract")
    table.add_column("address")
    for name, address in record["deployment"]["contracts"].items():
        table.add_row(name, address)
    console.print(table)
    console.print("[bold]Roles[/bold] (logs in " + str(Path(record["directory"]) / "logs") + ")")
    for p in record["providers"]:
        console.print(f"  {p['name']:<11} {p['address']}  {p['endpoint']}", highlight=False)
    for k in record["keepers"]:
        console.print(f"  {k['name']:<11} {k['address']}  {k['url']}", highlight=False)
    for u in record["users"]:
        console.print(f"  {u['name']:<11} {u['address']}  key file {u['key_file']}", highlight=False)
    if "gateway" in record:
        gw = record["gateway"]
        console.print(f"[bold]S3 gateway[/bold] {gw['endpoint']} (region us-east-1, path-style; config {gw['config']})",
                      highlight=False, soft_wrap=True)
        for key in gw["users"]:
            secret = Path(key["secret_key_file"]).read_text().strip()
            console.print(f"  {key['user']:<11} access key {key['access_key']}  secret {secret}", highlight=False,
                          soft_wrap=True)
    where = "" if directory == DEFAULT_HOME / "devnet" else f" --dir {record['directory']}"
    console.print(f"Point the CLI at it (rpc-url, deployment, keepers): memo devnet configure{where}",
                  soft_wrap=True, highlight=False)
    console.print(f"Stop it with: memo devnet down{where}", soft_wrap=True, highlight=False)


@devnet.command("configure")
@dir_option
@home_option
@json_option
def configure(directory: Path, home: Path, as_json: bool) -> None:
    """Point the CLI's settings (rpc-url, deployment, keepers) at the devnet in --dir.

    Run it after every `up` (ports are new each time). The wallet setting is left
    as it is; `memo config show` prints the result.
    """
    from memo_py.cli.settings import load_settings, save_settings, settings_path, update_settings
    from memo_py.devnet import network

    with guard():
        record = network.load(directory)
        settings = load_settings(home)
        for key, value in (("rpc_url", record["rpc_url"]), ("deployment", record["deployment_file"]),
                           ("keepers", ",".join(k["url"] for k in record["keepers"]))):
            settings = update_settings(settings, key, value)
        save_settings(home, settings)
    emit({**settings.as_json(), "file": str(settings_path(home))}, as_json, title="memo settings now")


@devnet.command("status")
@dir_option
@json_option
def status(directory: Path, as_json: bool) -> None:
    """Processes alive, each daemon's health, the current and the latest attested epoch."""
    from memo_py.devnet import network

    with guard():
        report = network.status(directory)
    if as_json:
        click.echo(json.dumps(report, indent=1))
    else:
        chain = report["chain"]
        Console().print(
            f"chain {report['chain_id']} at {chain['rpc_url']}: "
            + ("[green]up[/green]" if chain["alive"] else "[red]down[/red]")
            + (f", block {chain['block']}, epoch {chain['epoch']}, latest attested {chain['latest_attested']}"
               if "epoch" in chain else "")
        )
        rows = [{k: v for k, v in row.items() if k != "address"} for row in report["daemons"]]
        emit(rows, False, title="Daemons (addresses: --json)")
    if not report["running"]:
        raise SystemExit(1)


@devnet.command("restart")
@click.argument("name")
@dir_option
@json_option
def restart(name: str, directory: Path, as_json: bool) -> None:
    """Restart daemon NAME (provider-<i> or keeper-<i>, as `status` lists them).

    It is stopped if it runs, started again on its config and data, and waited for
    until its /health answers; `status` and `down` see it as before.
    """
    from memo_py.devnet import network
    from memo_py.devnet.processes import ProcessTable

    with guard():
        was_running = network.restart_daemon(directory, name)
        entry = ProcessTable(directory).load()[name]
    if as_json:
        click.echo(json.dumps({"name": name, "pid": entry.pid, "was_running": was_running, "log": entry.log}))
    else:
        click.echo(f"restarted {name} (pid {entry.pid}; it was {'running' if was_running else 'not running'}); "
                   f"log {entry.log}")


@devnet.command("fund")
@click.argument("address", metavar="ADDRESS")
@click.option("--eth", default="10", show_default=True, metavar="AMOUNT", help="ETH to send, for gas.")
@click.option("--tokens", default="1000", show_default=True, metavar="AMOUNT", help="Tokens to mint.")
@dir_option
@json_option
def fund(address: str, eth: str, tokens: str, directory: Path, as_json: bool) -> None:
    """Fund ADDRESS (a new wallet's) from the devnet's deployer: send ETH and mint tokens."""
    from eth_utils import is_hex_address, to_checksum_address

    from memo_py.devnet import network
    from memo_py.errors import ConfigError

    with guard():
        if not is_hex_address(address):
            raise ConfigError(f"{address!r} is not an Ethereum address (`memo wallet list` shows yours)")
        record = network.fund(directory, to_checksum_address(address), eth=parse_amount(eth, what="--eth", allow_zero=True),
                              tokens=parse_amount(tokens, what="--tokens", allow_zero=True))
        record = {"address": record["address"], **amount_fields("eth", record["eth_balance_wei"]),
                  **amount_fields("token", record["token_balance_wei"]),
                  **{k: v for k, v in record.items() if k.endswith("_tx")}}
    emit(record, as_json, title="funded (balances now)")


@devnet.command("down")
@dir_option
@json_option
def down(directory: Path, as_json: bool) -> None:
    """Stop every process this devnet started (and nothing else)."""
    from memo_py.devnet import network

    with guard():
        stopped = network.down(directory)
    if as_json:
        click.echo(json.dumps({"directory": str(directory), "stopped": stopped}))
    else:
        click.echo(f"stopped {len(stopped)} processes: {', '.join(stopped) or '(none were running)'}")


@devnet.command("demo")
@click.option("--size", "size_mib", type=click.FloatRange(min=0, min_open=True), default=6.0, show_default=True,
              help="Size of the sample file (random bytes), in MiB.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Run the devnet here and keep it (default: a temporary directory, removed after).")
@reset_option
@json_option
def demo(size_mib: float, directory: Path | None, reset: bool, as_json: bool) -> None:
    """The whole lifecycle on a fresh devnet: store a file, prove and attest two epochs,
    withdraw a Provider's pay, read the file back, report, stop the devnet."""
    from memo_py.devnet.demo import run_demo

    try:
        with refused_dir():
            report = run_demo(size=int(size_mib * 2**20), directory=directory, progress=_printer(as_json),
                              reset=reset)
    except Exception as exc:
        fail(exc)
        return
    if as_json:
        click.echo(json.dumps(report))
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    console = Console()
    obj, layout = report["object"], report["layout"]
    console.print(
        f"[bold]MEMO devnet demo[/bold]: {obj['size'] / 2**20:.1f} MiB stored as {obj['bucket']}/{obj['key']} "
        f"(k={layout['k']}, m={layout['m']}, {layout['segments']} segments), read back "
        + ("[green]identical[/green]" if obj["identical"] else "[red]DIFFERENT[/red]")
    )
    table = Table(title=f"Providers used ({report['commitments']} blob commitments)")
    for column in ("provider", "address", "chunks", "blobs", "order root", "pay withdrawn"):
        table.add_column(column)
    for p in report["providers"]:
        table.add_row(p["name"], p["address"][:10] + "…", str(p["chunks"]), str(p["blobs"]),
                      (p["root"] or "")[:12] + "…", f"{p['paid'] / 10**18:.6f} MEMO")
    console.print(table)
    table = Table(title="Gas per step (receipts)")
    for column in ("step", "transactions", "mean gas", "total gas"):
        table.add_column(column, justify="right" if column != "step" else "left")
    for step, g in report["gas"].items():
        table.add_row(step, str(g["count"]), f"{g['mean']:,}", f"{g['total']:,}")
    console.print(table)
    t = report["timings"]
    console.print(
        f"orders from epoch {report['orders_start_epoch']}; epochs attested: {report['epochs_attested']}; "
        f"put {t['put_s']} s, get {t['get_s']} s, devnet up {report['devnet']['up_s']} s, total {report['total_s']} s"
    )
