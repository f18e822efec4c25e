"""The Keeper daemon: the HTTP service plus the epoch cycle, until stopped.

:func:`run_keeper` builds the app (:func:`memo_py.keeper.service.create_app`,
which opens the ledger and nonce databases), serves it with uvicorn on
``config.host:config.port``, and runs :meth:`KeeperService.tick
<memo_py.keeper.service.KeeperService.tick>` (open, verify, attest) every
``config.tick_seconds`` on a background thread. SIGTERM or SIGINT (or
``stop_event``) stops it: the server stops accepting, the cycle finishes its tick,
then the app's shutdown closes the SQLite files.

:func:`run_from_config` is the operator's entry point (``python -m memo_py.keeper
--config FILE``, ``memo keeper run --config FILE``): it loads the config file,
connects to ``rpc_url`` with the ``deployment`` record and the Keeper's key
(:class:`memo_py.chain.roles.RoleChain`), and runs.
"""

from __future__ import annotations

import logging
import os
import threading

from memo_py.keeper.chain import KeeperChain
from memo_py.keeper.config import KeeperConfig, load_config
from memo_py.keeper.service import create_app
from memo_py.runner import connect_daemon, serve_daemon

__all__ = ["run_from_config", "run_keeper"]

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


def run_from_config(
    path: str | os.PathLike[str], *, stop_event: threading.Event | None = None, **overrides: object
) -> None:
    """Load the Keeper config file at ``path``, connect to its chain, and run until stopped.

    The file needs ``rpc_url`` and ``deployment`` besides the daemon's own fields
    (see docs/operations.md). Raises ConfigError for a bad file and a ChainError when
    the node cannot be reached or does not hold the deployment.
    """
    config = load_config(path, **overrides)
    contracts, chain = connect_daemon(path, config)
    if contracts.registry.keeper_slot(config.address) is None:
        log.warning("%s is not an active Keeper on chain %d: it will not be counted in attestations", config.address, chain.chain_id)
    log.info("keeper %s on chain %d (%s), serving on %s:%d", config.address, chain.chain_id, config.rpc_url, config.host, config.port)
    run_keeper(config, chain, stop_event=stop_event, log_level=config.log_level)
