"""Run one daemon on a fresh fake chain until a signal stops it (for the signal tests):

    python -m tests.unit.runtime.daemon_main provider|keeper CONFIG_FILE

Prints ``clean exit`` once the runner has returned and everything is closed.
"""

from __future__ import annotations

import logging
import sys

from memo_py.keeper.config import load_config as load_keeper_config
from memo_py.keeper.daemon import run_keeper
from memo_py.provider.config import load_config as load_provider_config
from memo_py.provider.daemon import run_provider

from .support import network


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    role, path = argv
    chain = network()
    if role == "provider":
        run_provider(load_provider_config(path), chain, log_level="info")
    else:
        run_keeper(load_keeper_config(path), chain, log_level="info")
    print("clean exit", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
