"""``memo gateway run --config FILE`` (and ``python -m memo_py.gateway``): serve the gateway."""

from __future__ import annotations

import logging
import os
import threading

from memo_py.gateway.config import load_config

__all__ = ["run_from_config", "EXPIRE_EVERY_SECONDS"]

log = logging.getLogger(__name__)

#: How often abandoned multipart uploads are looked for.
EXPIRE_EVERY_SECONDS = 600.0


def run_from_config(path: str | os.PathLike[str], *, stop_event: threading.Event | None = None) -> None:
    """Load the gateway config at ``path`` and serve until stopped (SIGTERM, SIGINT or ``stop_event``)."""
    from memo_py.gateway.app import Gateway, build_app
    from memo_py.runner import serve_daemon

    config = load_config(path)
    gateway = Gateway(config)
    tls = None if config.tls_certfile is None else (str(config.tls_certfile), str(config.tls_keyfile))
    log.info("gateway for %d access key(s) on %s:%d", len(config.users), config.host, config.port)
    serve_daemon(build_app(gateway), host=config.host, port=config.port, tick=gateway.uploads.expire,
                 tick_seconds=EXPIRE_EVERY_SECONDS, stop_event=stop_event, name="gateway",
                 log_level=config.log_level, tls=tls)
