"""``memo gateway run``: the S3-compatible gateway (memo_py.gateway; docs/s3.md)."""

from __future__ import annotations

from pathlib import Path

import click

from memo_py.cli.common import fail, guard
from memo_py.cli.provider import configure_logging, log_level_option
from memo_py.errors import ConfigError

__all__ = ["gateway"]


@click.group()
def gateway() -> None:
    """The S3-compatible gateway: boto3, awscli, rclone and s3cmd in front of MEMO Users."""


@gateway.command("run")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The gateway's config file (.json or .toml; see docs/s3.md). It holds the secrets.")
@log_level_option
def run(config_path: Path, log_level: str) -> None:
    """Serve the S3 API of config file PATH until SIGINT or SIGTERM.

    The file names the network (rpc_url, deployment, keepers), where to listen, and
    each access key with its secret and its User's wallet key; exit status 2 when it
    does not load.
    """
    configure_logging(log_level)
    from memo_py.gateway.server import run_from_config

    with guard():
        try:
            run_from_config(config_path)
        except ConfigError as exc:
            fail(exc, status=2)
