"""The Keeper daemon: the HTTP service plus the epoch cycle, until stopped.

:func:`run_keeper` builds the app (:func:`memo_py.keeper.service.create_app`,
which opens the ledger and nonce databases), serves it with uvicorn on
``config.host:config.port``, and runs :meth:`KeeperService.tick
<memo_py.keeper.service.KeeperService.tick>` (open, verify, attest) every
``config.tick_seconds`` on a background thread. SIGTERM or SIGINT (or
``stop_event``) stops it: the server stops accepting, the cycle finishes its tick,
then the app's shutdown closes the SQLite files.
"""

from __future__ import annotations

import logging
import threading

from memo_py.keeper.chain import KeeperChain
from memo_py.keeper.config import KeeperConfig
from memo_py.keeper.service import create_app
from memo_py.runner import serve_daemon

__all__ = ["run_keeper"]

log = logging.getLogger(__name__)


def run_keeper(
    config: KeeperConfig,
    chain: KeeperChain,
    *,
    stop_event: threading.Event | None = None,
    log_level: str = "warning",
) -> None:
    """Run a Keeper until ``stop_event`` is set or SIGTERM/SIGINT arrives (main thread only).

    ``chain`` is the daemon's chain access (the web3 implementation of
    :class:`~memo_py.keeper.chain.KeeperChain`).
    """
    config.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(config, chain)
    service = app.state.service
    serve_daemon(
        app,
        host=config.host,
        port=config.port,
        tick=service.tick,
        tick_seconds=config.tick_seconds,
        stop_event=stop_event,
        name=f"keeper {config.address}",
        log_level=log_level,
    )
