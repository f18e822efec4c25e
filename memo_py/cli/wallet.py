"""``memo wallet``: keys in encrypted keystores."""

from __future__ import annotations

from pathlib import Path

import click

from memo_py.cli.common import (
    Network,
    amount_fields,
    ask_secret,
    emit,
    fail,
    guard,
    home_option,
    json_option,
    network_options,
    parse_amount,
    password_option,
    read_password,
    wallets,
)
from memo_py.errors import ConfigError, MemoError

__all__ = ["wallet"]


@click.group()
def wallet() -> None:
    """Create, import and list keys; show balances."""


@wallet.command("new")
@click.argument("name")
@home_option
@password_option
@json_option
def new(name: str, home: Path, password_file: Path | None, as_json: bool) -> None:
    """Create a wallet with a fresh random key."""
    try:
        created = wallets(home).create(name, read_password(password_file, confirm=True))
    except MemoError as exc:
        fail(exc)
    emit({"name": created.name, "address": created.address, "keystore": str(created.path)}, as_json)


@wallet.command("import")
@click.argument("name")
@click.option("--key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="File holding the hex private key (else a hidden prompt).")
@home_option
@password_option
@json_option
def import_(name: str, key_file: Path | None, home: Path, password_file: Path | None, as_json: bool) -> None:
    """Import an existing private key into an encrypted wallet."""
    try:
        key = key_file.read_text().strip() if key_file else ask_secret("Private key (hex)", instead="pass --key-file")
        created = wallets(home).import_key(name, key, read_password(password_file, confirm=True))
    except MemoError as exc:
        fail(exc)
    emit({"name": created.name, "address": created.address, "keystore": str(created.path)}, as_json)


@wallet.command("list")
@home_option
@json_option
def list_(home: Path, as_json: bool) -> None:
    """List the wallets in the home directory (and, on stderr, the files that are not keystores)."""
    good, damaged = wallets(home).scan()
    for problem in damaged:
        click.echo(f"error: {problem}", err=True)
    emit([{"name": w.name, "address": w.address} for w in good], as_json, title="wallets")
    if damaged:
        raise SystemExit(1)


@wallet.command("balance")
@click.argument("name", required=False, metavar="[NAME|ADDRESS]")
@network_options(wallet=False, password=False)
@json_option
def balance(name: str | None, net: Network, as_json: bool) -> None:
    """ETH, token and Market deposit balances of a wallet (default: the settings' wallet) or an address.

    Reads the chain only: no password is asked.
    """
    with guard():
        if name is None and net.settings.wallet is None:
            raise ConfigError("no wallet named: `memo wallet balance NAME`, or `memo config set wallet NAME`")
        label, address = net.resolve(name)
        memo = net.contracts(signer=False)
        record = {
            "wallet": label,
            "address": address,
            **amount_fields("eth", memo.client.balance(address)),
            **amount_fields("token", memo.token.balance_of(address)),
            **amount_fields("market", memo.market.balance_of(address)),
            "symbol": memo.token.symbol(),
        }
    emit(record, as_json, title="balance")


@wallet.command("send")
@click.argument("to", metavar="TO")
@click.argument("amount")
@network_options()
@json_option
def send(to: str, amount: str, net: Network, as_json: bool) -> None:
    """Send AMOUNT ETH (up to 18 decimals: 0.5) from the chosen wallet to TO (an address or a wallet name)."""
    from memo_py.cli.role import tx_hex

    with guard():
        wei = parse_amount(amount)
        label, address = net.resolve(to)
        memo = net.contracts()
        receipt = memo.client.transfer(address, wei)
        record = {"from": memo.address, "to": address, "wallet": label, **amount_fields("eth", wei),
                  "tx": tx_hex(receipt)}
    emit(record, as_json, title="sent")
