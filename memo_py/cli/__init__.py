"""The ``memo`` command line. It only parses and prints; the work is in the SDK modules."""

from __future__ import annotations

import click

from memo_py import __version__
from memo_py.cli.demo import demo
from memo_py.cli.wallet import wallet

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="memo")
def main() -> None:
    """MEMO: decentralized cloud storage settled on Ethereum."""


main.add_command(demo)
main.add_command(wallet)
