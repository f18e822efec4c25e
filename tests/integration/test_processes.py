"""The devnet process table with real child processes."""

import os
import subprocess
import sys
import time

import pytest

from memo_py.devnet.processes import ProcessTable, process_start_time

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
