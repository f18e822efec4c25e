"""``python -m memo_py.keeper --config FILE``: run a Keeper daemon from its config file.

The same as ``memo keeper run --config FILE``; see docs/operations.md for the file.
Logs go to standard error (the devnet sends each daemon's output to its own log file).
Exit status: 0 after a clean stop (SIGTERM or SIGINT), 2 for a bad config, 1 otherwise.
"""

from __future__ import annotations

import argparse
import logging
import sys

from memo_py.errors import ConfigError, MemoError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m memo_py.keeper", description="Run a MEMO Keeper daemon.")
    parser.add_argument("--config", required=True, help="the Keeper's config file (.json or .toml)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr
    )
    from memo_py.keeper.daemon import run_from_config

    try:
        run_from_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
