"""What every `memo` command shares: the home directory, passwords, JSON or rich output."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from memo_py.errors import MemoError
from memo_py.wallet import DEFAULT_HOME, WalletStore

__all__ = ["home_option", "json_option", "password_option", "emit", "fail", "wallets", "read_password"]

home_option = click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_HOME,
    show_default=True,
    envvar="MEMO_HOME",
    help="Where memo keeps wallets and settings.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
password_option = click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Read the wallet password from this file (else $MEMO_PASSWORD, else a prompt).",
)


def wallets(home: Path) -> WalletStore:
    return WalletStore(home / "wallets")


def read_password(password_file: Path | None, *, confirm: bool = False) -> str:
    if password_file is not None:
        return password_file.read_text().rstrip("\n")
    if "MEMO_PASSWORD" in os.environ:
        return os.environ["MEMO_PASSWORD"]
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


def emit(data: dict[str, Any] | list[dict[str, Any]], as_json: bool, title: str | None = None) -> None:
    """Print a record or a list of records as JSON or as a table."""
    if as_json:
        click.echo(json.dumps(data, indent=None if isinstance(data, list) else 1, default=str))
        return
    rows = data if isinstance(data, list) else [data]
    table = Table(title=title)
    columns = list(rows[0]) if rows else ["(none)"]
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    Console().print(table)


def fail(exc: MemoError | Exception) -> None:
    """One clear line on stderr and exit status 1; never a traceback for bad input."""
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)
