"""Run a daemon: an ASGI app under uvicorn plus a periodic tick on a background thread.

Shared by :func:`memo_py.provider.daemon.run_provider` and
:func:`memo_py.keeper.daemon.run_keeper`. The ticker starts once the app's own
start-up (its lifespan) is done and is stopped and joined before the app's
shutdown closes its state, so a tick never runs against closed SQLite files.

Stopping: set ``stop_event``, or send SIGTERM or SIGINT when running on the main
thread (a second signal forces the exit without waiting for open connections).
The runner handles the signals itself, instead of uvicorn, so that it returns
normally and the caller can close what it opened.
"""

from __future__ import annotations

import contextlib
import os
import logging
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from memo_py.errors import MemoError

__all__ = ["DaemonFailed", "QUIET_LOGGERS", "QuietSteps", "Ticker", "configure_logging", "connect_daemon", "daemon_main", "serve_daemon"]

log = logging.getLogger(__name__)


#: Libraries that log every HTTP request at INFO: a daemon makes several per epoch (proof
#: pushes, /health checks, results), so they only show at ``debug``.
QUIET_LOGGERS = ("httpx", "httpcore")


def configure_logging(level: str) -> None:
    """A daemon's logging: one line per event on standard error, at ``level``.

    Below ``debug``, the HTTP client's per-request lines are left out (only its warnings
    show); the HTTP server's access log follows the config's ``log_level`` (uvicorn's,
    ``warning`` by default, which leaves it out).
    """
    import sys

    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr
    )
    quiet = logging.NOTSET if level.lower() == "debug" else logging.WARNING
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)


class DaemonFailed(MemoError, RuntimeError):
    """The daemon could not start (its port is taken, or its start-up failed)."""


class QuietSteps:
    """The quiet steps of a daemon's epoch loop (``DaemonConfig.quiet_seconds``): once a step
    left nothing pending, the steps of the same epoch are skipped, for at most ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._settled: tuple[int, float] | None = None  # (epoch, time) of the last such step

    def skip(self, epoch: int, now: float) -> bool:
        """Whether the step of ``epoch`` at ``now`` may be skipped (else the quiet is over)."""
        if self._settled is not None and self._settled[0] == epoch and now - self._settled[1] < self.seconds:
            return True
        self._settled = None
        return False

    def settled(self, epoch: int, now: float) -> None:
        """The step of ``epoch`` at ``now`` left nothing pending."""
        self._settled = (epoch, now)


class Ticker:
    """Calls ``tick()`` every ``interval`` seconds on a thread of its own until stopped.

    A tick that raises is logged, and the next one runs as usual.
    """

    def __init__(self, tick: Callable[[], object], interval: float, name: str = "ticker") -> None:
        self._tick = tick
        self.interval = interval
        self.name = name
        self.ticks = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self._tick()
            except Exception:
                log.exception("%s: tick failed", self.name)
            self.ticks += 1
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to stop and wait for the tick in progress to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


#: Seconds a stopping server waits for requests in progress before it cancels them.
GRACEFUL_STOP_SECONDS = 5.0


class _Server(uvicorn.Server):
    """uvicorn, told to exit by an event, with signals left to :func:`_signals`."""

    def __init__(self, config: uvicorn.Config, stop: threading.Event) -> None:
        super().__init__(config)
        self._stop_event = stop

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def on_tick(self, counter: int) -> bool:
        if self._stop_event.is_set():
            self.should_exit = True
        return await super().on_tick(counter)


@contextlib.contextmanager
def _signals(stop: threading.Event, server: _Server) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: Any) -> None:
        if stop.is_set():
            server.force_exit = True
        log.info("received %s: stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve_daemon(
    app: Starlette,
    *,
    host: str,
    port: int,
    tick: Callable[[], object],
    tick_seconds: float,
    stop_event: threading.Event | None = None,
    name: str = "daemon",
    log_level: str = "warning",
    tls: tuple[str, str] | None = None,
) -> None:
    """Serve ``app`` on ``host:port`` and run ``tick`` every ``tick_seconds`` until stopped.

    ``tls`` is (certificate file, key file) to serve HTTPS. Returns once the server and
    the ticker have stopped and the app's shutdown ran.
    """
    stop = stop_event if stop_event is not None else threading.Event()
    ticker = Ticker(tick, tick_seconds, f"{name}-tick")
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_: Starlette) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            ticker.start()
            try:
                yield state
            finally:
                await run_in_threadpool(ticker.stop)

    app.router.lifespan_context = lifespan
    certificate = {} if tls is None else {"ssl_certfile": tls[0], "ssl_keyfile": tls[1]}
    # A client holding a keep-alive connection open must not hold up a stop for long.
    server = _Server(uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on",
                                    timeout_graceful_shutdown=GRACEFUL_STOP_SECONDS, **certificate), stop)
    with _signals(stop, server):
        log.info("%s serving on %s://%s:%d", name, "http" if tls is None else "https", host, port)
        try:
            server.run()
        except SystemExit as exc:  # uvicorn exits when it cannot bind
            raise DaemonFailed(f"{name} could not listen on {host}:{port} (exit {exc.code})") from None
        finally:
            ticker.stop()
    if not server.started:
        raise DaemonFailed(f"{name} did not start (see the log above)")
    log.info("%s stopped", name)


def daemon_main(role: str, run_from_config: Callable[[str], None], argv: list[str] | None = None) -> int:
    """``python -m memo_py.<role> --config FILE``: run a daemon from its config file.

    Logs go to standard error (the devnet sends each daemon's output to its own
    log file). Exit status: 0 after a clean stop (SIGTERM or SIGINT), 2 for a bad
    config, 1 for any other MemoError.
    """
    import argparse
    import sys

    from memo_py.errors import ConfigError, MemoError

    title = role.capitalize()
    parser = argparse.ArgumentParser(prog=f"python -m memo_py.{role}", description=f"Run a MEMO {title} daemon.")
    parser.add_argument("--config", required=True, help=f"the {title}'s config file (.json or .toml)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    try:
        run_from_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def connect_daemon(path: str | os.PathLike[str], config: Any) -> tuple[Any, Any]:
    """The (MemoContracts, RoleChain) a daemon's config file names: its ``rpc_url``, its
    ``deployment`` record (relative to the file) and its key. ConfigError when either is missing."""
    from pathlib import Path

    from memo_py.chain.contracts import MemoContracts  # web3: only when running for real
    from memo_py.chain.roles import RoleChain
    from memo_py.errors import ConfigError

    if not config.rpc_url:
        raise ConfigError(f"config file {path}: give `rpc_url` (the chain node's JSON-RPC URL) to run from it")
    if config.deployment is None:
        raise ConfigError(f"config file {path}: give `deployment` (the deployment record) to run from it")
    deployment = Path(config.deployment).expanduser()
    if not deployment.is_absolute():
        deployment = Path(path).resolve().parent / deployment
    contracts = MemoContracts.connect(config.rpc_url, deployment, config.private_key.get_secret_value())
    return contracts, RoleChain(contracts)
