"""A daemon's logging: events at info, the HTTP client's per-request lines only at debug."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import logging, sys
from memo_py.runner import configure_logging
configure_logging(sys.argv[1])
logging.getLogger("httpx").info('HTTP Request: POST http://127.0.0.1:1/proofs "HTTP/1.1 200 OK"')
logging.getLogger("httpcore.connection").debug("connect_tcp.started")
logging.getLogger("httpx").warning("a client warning")
logging.getLogger("memo_py.keeper.loop").debug("could not open epoch 7: opened already")
logging.getLogger("memo_py.provider.loop").info("withdrew pay through epoch 7")
"""


def logged(level: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", SCRIPT, level], capture_output=True, text=True, check=True)
    return [" ".join(line.split()[2:]) for line in run.stderr.splitlines()]


def test_info_logs_events_and_warnings_but_not_each_http_request():
    assert logged("info") == [
        "httpx WARNING a client warning",
        "memo_py.provider.loop INFO withdrew pay through epoch 7",
    ]


def test_debug_logs_every_request_too():
    lines = logged("debug")
    assert len(lines) == 5
    assert lines[0].startswith("httpx INFO HTTP Request: POST") and lines[1].startswith("httpcore.connection DEBUG")
