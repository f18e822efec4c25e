"""``python -m memo_py.gateway --config FILE``: the same as ``memo gateway run --config FILE``."""

from __future__ import annotations

import sys

from memo_py.runner import daemon_main


def _run(config: str) -> None:
    from memo_py.gateway.server import run_from_config

    run_from_config(config)


if __name__ == "__main__":
    sys.exit(daemon_main("gateway", _run))
