"""``python -m memo_py.provider --config FILE``: run a Provider daemon from its config file.

The same as ``memo provider run --config FILE``; see docs/operations.md for the file
and :func:`memo_py.runner.daemon_main` for the exit status.
"""

from __future__ import annotations

import sys

from memo_py.runner import daemon_main


def _run(config: str) -> None:
    from memo_py.provider.daemon import run_from_config  # heavy imports only when running

    run_from_config(config)


if __name__ == "__main__":
    sys.exit(daemon_main("provider", _run))
