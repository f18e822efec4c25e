"""``memo role``: register for a role with a pledge, top the pledge up, leave.

Amounts are token units with up to 18 decimals (``10``, ``10.5``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from memo_py.cli.common import (
    Network,
    amount_fields,
    emit,
    guard,
    json_option,
    network_options,
    parse_amount,
    parse_size,
    parse_wei,
)
from memo_py.errors import ConfigError

__all__ = ["role", "tx_hex", "read_bls_key"]

ROLE = click.Choice(["user", "provider", "keeper"], case_sensitive=False)


def tx_hex(receipt: Any) -> str:
    return "0x" + bytes(receipt["transactionHash"]).hex()


def read_bls_key(path: Path) -> bytes:
    """A 32-byte BLS secret key from a file of hex (one line, ``0x`` optional)."""
    from memo_py.crypto import bls

    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text)
    except ValueError:
        raise ConfigError(f"{path} does not hold a hex BLS secret key") from None
    if len(key) != 32:
        raise ConfigError(f"{path}: a BLS secret key is 32 bytes, the file holds {len(key)}")
    try:
        bls.public_key(key)
    except Exception:
        raise ConfigError(f"{path} does not hold a valid BLS secret key") from None
    return key


def _pledge(text: str | None) -> int | None:
    return None if text is None else parse_amount(text, what="pledge")


def _report(memo: Any, role: str, receipt: Any, **extra: Any) -> dict[str, Any]:
    return {
        "role": role,
        "address": memo.address,
        **amount_fields("pledge", memo.registry.pledge_of(memo.address, role)),
        **extra,
        "tx": tx_hex(receipt),
    }


pledge_option = click.option(
    "--pledge", "pledge", default=None, metavar="AMOUNT",
    help="Tokens to pledge (default: the Registry's minimum for the role).",
)


@click.group()
def role() -> None:
    """Register for a role (user, provider, keeper), add to its pledge, or leave it.

    Acts as the chosen wallet (--wallet, or `memo config set wallet NAME`); the
    pledge is pulled from its token balance (approved first when needed).
    """


@role.group("register")
def register() -> None:
    """Register the wallet as a User, a Provider or a Keeper."""


@register.command("user")
@pledge_option
@network_options()
@json_option
def register_user(pledge: str | None, net: Network, as_json: bool) -> None:
    """Register as a User (needed to store data)."""
    with guard():
        amount = _pledge(pledge)
        memo = net.contracts()
        receipt = memo.registry.register_user(amount)
        record = _report(memo, "user", receipt)
    emit(record, as_json, title="registered")


@register.command("provider")
@click.option("--endpoint", required=True, metavar="URL", help="The public http(s) URL of the Provider daemon.")
@click.option("--capacity", required=True, metavar="SIZE", help="Bytes offered: 1000000000, 500GB, 2TiB.")
@click.option("--price", required=True, metavar="WEI", help="Lowest price accepted, in token wei per byte per epoch.")
@pledge_option
@network_options()
@json_option
def register_provider(endpoint: str, capacity: str, price: str, pledge: str | None, net: Network, as_json: bool) -> None:
    """Register as a Provider offering CAPACITY bytes at PRICE, reachable at ENDPOINT."""
    from urllib.parse import urlsplit

    with guard():
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"--endpoint {endpoint!r} is not an http:// or https:// URL")
        size = parse_size(capacity, what="capacity")
        wei = parse_wei(price, what="price")
        amount = _pledge(pledge)
        memo = net.contracts()
        receipt = memo.registry.register_provider(endpoint.rstrip("/"), size, wei, amount)
        record = _report(memo, "provider", receipt, endpoint=endpoint.rstrip("/"), capacity=size, price=wei)
    emit(record, as_json, title="registered")


@register.command("keeper")
@click.option("--bls-key-file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File holding the Keeper's 32-byte BLS secret key (hex), as in its daemon config.")
@pledge_option
@network_options()
@json_option
def register_keeper(bls_key_file: Path, pledge: str | None, net: Network, as_json: bool) -> None:
    """Register as a Keeper with a BLS key, never registered before (its proof of possession and
    a signature binding it to this account are checked on-chain)."""
    with guard():
        from memo_py.crypto import bls

        key = read_bls_key(bls_key_file)
        amount = _pledge(pledge)
        memo = net.contracts()
        receipt = memo.registry.register_keeper(key, amount)
        record = _report(memo, "keeper", receipt, bls_pubkey="0x" + bls.public_key(key).hex(),
                         slot=memo.registry.keeper_slot(memo.address))
    emit(record, as_json, title="registered")


@role.command("bls-keygen")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@json_option
def bls_keygen(out: Path, as_json: bool) -> None:
    """Write a new random BLS secret key to OUT (hex, mode 600; never overwrites) for
    `memo role register keeper --bls-key-file OUT` and the Keeper's config; print its public key."""
    from memo_py.crypto import bls

    with guard():
        key = bls.key_from_seed(os.urandom(32))  # EIP-2333 KeyGen: a key below the curve order
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key.hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
    emit({"file": str(out), "bls_pubkey": "0x" + bls.public_key(key).hex()}, as_json, title="BLS key")


@role.command("pledge")
@click.argument("role_name", metavar="ROLE", type=ROLE)
@click.argument("amount")
@network_options()
@json_option
def pledge(role_name: str, amount: str, net: Network, as_json: bool) -> None:
    """Add AMOUNT tokens to the pledge of ROLE (user, provider or keeper)."""
    role_name = role_name.lower()
    with guard():
        wei = parse_amount(amount)
        memo = net.contracts()
        receipt = memo.registry.top_up(role_name, wei)
        record = _report(memo, role_name, receipt, **amount_fields("added", wei))
    emit(record, as_json, title="pledge")


@role.command("exit")
@click.argument("role_name", metavar="ROLE", type=ROLE)
@click.option("--complete", is_flag=True, help="Take the pledge back (after the unbonding delay).")
@network_options()
@json_option
def exit_(role_name: str, complete: bool, net: Network, as_json: bool) -> None:
    """Leave ROLE: first request the exit, then, after the unbonding delay, run again with --complete."""
    role_name = role_name.lower()
    with guard():
        memo = net.contracts()
        if complete:
            pledged = memo.registry.pledge_of(memo.address, role_name)
            receipt = memo.registry.complete_exit(role_name)
            record: dict[str, Any] = {"role": role_name, "address": memo.address, "state": "exited",
                                      **amount_fields("returned", pledged), "tx": tx_hex(receipt)}
        else:
            receipt = memo.registry.request_exit(role_name)
            unbond_at = memo.registry.unbond_at(memo.address, role_name)
            record = {"role": role_name, "address": memo.address, "state": "leaving", "unbond_at": unbond_at,
                      "tx": tx_hex(receipt)}
    emit(record, as_json, title="exit")
