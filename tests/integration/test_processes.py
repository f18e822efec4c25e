"""The devnet process table with real child processes."""

import os
import subprocess
import sys
import time

import pytest

from memo_py.devnet.processes import ProcessTable, process_start_time

from tests.integration.proc_support import children_of

SLEEPER = [sys.executable, "-c", "import time, sys; print('up', flush=True); time.sleep(60)"]


def test_start_records_and_stop_ends_the_process(tmp_path):
    table = ProcessTable(tmp_path)
    entry = table.start("provider-1", SLEEPER)
    assert entry.alive()
    assert ProcessTable(tmp_path).load()["provider-1"].pid == entry.pid  # another caller sees it
    time.sleep(0.3)
    assert "up" in open(entry.log).read()
    assert table.stop("provider-1") is True
    assert not entry.alive()
    assert table.load() == {}
    assert table.stop("provider-1") is False


def test_a_recycled_pid_is_never_signalled(tmp_path):
    table = ProcessTable(tmp_path)
    stranger = subprocess.Popen(SLEEPER)
    try:
        entry = table.start("keeper-1", SLEEPER)
        # Pretend our record points at the stranger's pid with our (different) start time.
        forged = entry.__class__("keeper-1", stranger.pid, entry.start_time + 1, entry.args, entry.log)
        table._save({"keeper-1": forged})
        assert table.stop("keeper-1") is False
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()
        os.killpg(entry.pid, 9)


def test_stop_all_and_double_start(tmp_path):
    table = ProcessTable(tmp_path)
    table.start("a", SLEEPER)
    with pytest.raises(RuntimeError, match="already running"):
        table.start("a", SLEEPER)
    table.start("b", SLEEPER)
    assert table.stop_all() == ["b", "a"]
    assert process_start_time(2**22 + 7) is None


def wait_until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


POOL_OWNER = [
    sys.executable,
    "-c",
    "import time\n"
    "from memo_py.children import worker_pool\n"
    "pool = worker_pool(2)\n"
    "print('workers', *[f.result() for f in [pool.submit(time.sleep, 0) for _ in range(2)]], flush=True)\n"
    "time.sleep(60)\n",
]


def test_pool_workers_die_with_a_killed_parent(tmp_path):
    table = ProcessTable(tmp_path)
    entry = table.start("provider-1", POOL_OWNER, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert wait_until(lambda: "workers" in open(entry.log).read(), 30), open(entry.log).read()
    workers = children_of(entry.pid)
    assert len(workers) == 2
    os.kill(entry.pid, 9)
    assert wait_until(lambda: not any(process_start_time(w) for w in workers), 3.0)
    table.stop("provider-1")


def test_stop_ends_what_is_left_of_a_killed_process_group(tmp_path):
    table = ProcessTable(tmp_path)
    # A parent whose child ignores TERM and knows nothing of its parent's death.
    parent = [sys.executable, "-c",
              "import subprocess, sys, time\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
              "signal.signal(signal.SIGTERM, signal.SIG_IGN); print(1, flush=True); time.sleep(60)'], "
              "stdout=subprocess.PIPE)\n"
              "child.stdout.readline()\n"
              "print('child', child.pid, flush=True)\n"
              "time.sleep(60)\n"]
    entry = table.start("keeper-1", parent)
    assert wait_until(lambda: "child" in open(entry.log).read(), 10)
    child = int(open(entry.log).read().split()[-1])
    os.kill(entry.pid, 9)
    assert wait_until(lambda: not entry.alive())
    assert process_start_time(child) is not None  # orphaned, still running
    assert table.stop("keeper-1", timeout=1.0) is True
    assert wait_until(lambda: process_start_time(child) is None)
    assert table.stop("keeper-1") is False
