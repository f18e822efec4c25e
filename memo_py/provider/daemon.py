"""The Provider daemon: the HTTP service plus the epoch loop, until stopped.

:func:`run_provider` opens the chunk store and the commit pool, builds the app
(:func:`memo_py.provider.service.create_app`, which opens the agreements and
nonce databases), serves it with uvicorn on ``config.host:config.port``, and runs
:meth:`ProviderLoop.tick <memo_py.provider.loop.ProviderLoop.tick>` every
``config.tick_seconds`` on a background thread. SIGTERM or SIGINT (or
``stop_event``) stops it: the server stops accepting, the loop finishes its tick,
then the SQLite files are closed and the commit pool shut down.

:func:`run_from_config` is the operator's entry point (``python -m memo_py.provider
--config FILE``, ``memo provider run --config FILE``): it loads the config file,
connects to ``rpc_url`` with the ``deployment`` record and the Provider's key
(:class:`memo_py.chain.roles.RoleChain`), and runs.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from memo_py.provider.chain import ProviderChain
from memo_py.provider.config import ProviderConfig, load_config
from memo_py.provider.ingest import Committer
from memo_py.provider.loop import ProviderLoop
from memo_py.provider.service import create_app
from memo_py.provider.store import ChunkStore
from memo_py.runner import connect_daemon, serve_daemon

__all__ = ["run_from_config", "run_provider"]

log = logging.getLogger(__name__)


def run_provider(
    config: ProviderConfig,
    chain: ProviderChain,
    *,
    stop_event: threading.Event | None = None,
    committer: Committer | None = None,
    log_level: str = "warning",
) -> None:
    """Run a Provider until ``stop_event`` is set or SIGTERM/SIGINT arrives (main thread only).

    ``chain`` is the daemon's chain access (the web3 implementation of
    :class:`~memo_py.provider.chain.ProviderChain`). A ``committer`` passed in (a
    shared commit pool, in tests) stays the caller's; otherwise one of
    ``config.workers`` processes is started and shut down here.
    """
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = ChunkStore(config.data_dir, config.capacity)
    own_pool = committer is None
    pool = Committer(config.workers) if committer is None else committer
    try:
        if own_pool:
            pool.start()
        app = create_app(config, chain, store, committer=pool)
        loop = ProviderLoop(app.state.service)
        app.state.loop = loop
        try:
            serve_daemon(
                app,
                host=config.host,
                port=config.port,
                tick=lambda: loop.tick(time.time()),
                tick_seconds=config.tick_seconds,
                stop_event=stop_event,
                name=f"provider {config.address}",
                log_level=log_level,
            )
        finally:
            loop.close()
    finally:
        if own_pool:
            pool.close()
        store.close()


def run_from_config(
    path: str | os.PathLike[str], *, stop_event: threading.Event | None = None, **overrides: object
) -> None:
    """Load the Provider config file at ``path``, connect to its chain, and run until stopped.

    The file needs ``rpc_url`` and ``deployment`` besides the daemon's own fields
    (see docs/operations.md). Raises ConfigError for a bad file and a ChainError when
    the node cannot be reached or does not hold the deployment.
    """
    config = load_config(path, **overrides)
    contracts, chain = connect_daemon(path, config)
    if not contracts.registry.is_provider(config.address):
        log.warning("%s is not an active Provider on chain %d: Users will not be matched to it", config.address, chain.chain_id)
    log.info("provider %s on chain %d (%s), serving on %s:%d", config.address, chain.chain_id, config.rpc_url, config.host, config.port)
    run_provider(config, chain, stop_event=stop_event, log_level=config.log_level)
