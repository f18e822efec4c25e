"""The ``memo`` command line. It only parses and prints; the work is in the SDK modules.

Groups: ``config`` (network settings), ``wallet``, ``role``, ``user``, ``provider``,
``keeper``, ``gateway`` (S3), ``devnet`` (with ``devnet demo``, the whole network) and ``proof-demo``
(the proof engine alone). Heavy imports (web3, ckzg, the native module)
happen inside the commands, so ``memo --help`` stays fast.
"""

from __future__ import annotations

import click

from memo_py import __version__
from memo_py.cli.common import MemoGroup
from memo_py.cli.config import config
from memo_py.cli.demo import demo
from memo_py.cli.devnet import devnet
from memo_py.cli.gateway import gateway
from memo_py.cli.keeper import keeper
from memo_py.cli.provider import provider
from memo_py.cli.role import role
from memo_py.cli.user import user
from memo_py.cli.wallet import wallet

__all__ = ["main"]


@click.group("memo", cls=MemoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="memo")
def main() -> None:
    """MEMO: decentralized cloud storage settled on Ethereum.

    \b
    Network settings (node, deployment, Keepers, wallet): `memo config --help`.
    Amounts are token units with up to 18 decimals: 10, 10.5.
    Errors are one `error: ...` line on stderr. Exit status: 0 done, 1 failed,
    2 a usage error (unknown option, missing or invalid argument).
    """


for group in (config, wallet, role, user, provider, keeper, gateway, devnet, demo):
    main.add_command(group)
