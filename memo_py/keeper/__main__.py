"""``python -m memo_py.keeper --config FILE``: run a Keeper daemon from its config file.

The same as ``memo keeper run --config FILE``; see docs/operations.md for the file
and :func:`memo_py.runner.daemon_main` for the exit status.
"""

from __future__ import annotations

import sys

from memo_py.runner import daemon_main


def _run(config: str) -> None:
    from memo_py.keeper.daemon import run_from_config  # heavy imports only when running

    run_from_config(config)


if __name__ == "__main__":
    sys.exit(daemon_main("keeper", _run))
