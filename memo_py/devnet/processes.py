"""The devnet's process table: start role daemons, record them, stop only those.

Each process is started in its own session with its output in its own log
file, and recorded in ``<devnet dir>/processes.json`` with its pid and its
start time as the kernel reports it (``/proc/<pid>/stat`` field 22). ``stop``
signals a recorded pid only if that start time still matches, so a pid the
kernel has since given to someone else's process is never touched. It stops the
process's whole group (its session), so that no child outlives its daemon in
the table: a Provider's commit workers go with it, even after the daemon itself
was killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["ManagedProcess", "ProcessTable", "group_members", "process_start_time"]


def process_start_time(pid: int) -> int | None:
    """The kernel's start time of ``pid`` in clock ticks since boot, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) may contain spaces; fields after it are space-separated.
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie is as good as gone
        return None
    return int(fields[19])


@dataclass(frozen=True)
class ManagedProcess:
    name: str
    pid: int
    start_time: int
    args: tuple[str, ...]
    log: str

    def alive(self) -> bool:
        return process_start_time(self.pid) == self.start_time


class ProcessTable:
    """Processes this devnet started, persisted so another `memo devnet` call can stop them."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._path = self.directory / "processes.json"

    def load(self) -> dict[str, ManagedProcess]:
        if not self._path.exists():
            return {}
        raw = json.loads(self._path.read_text())
        return {name: ManagedProcess(**{**entry, "args": tuple(entry["args"])}) for name, entry in raw.items()}

    def _save(self, table: Mapping[str, ManagedProcess]) -> None:
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps({n: asdict(p) for n, p in table.items()}, indent=1))
        os.replace(tmp, self._path)

    def start(
        self, name: str, args: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | None = None
    ) -> ManagedProcess:
        """Start ``args`` as ``name`` with its output appended to ``<dir>/logs/<name>.log``."""
        table = self.load()
        if name in table and table[name].alive():
            raise RuntimeError(f"{name} is already running (pid {table[name].pid})")
        logs = self.directory / "logs"
        logs.mkdir(exist_ok=True)
        log_path = logs / f"{name}.log"
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                list(args),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
            )
        start_time = None
        for _ in range(100):  # /proc appears a moment after fork
            start_time = process_start_time(process.pid)
            if start_time is not None:
                break
            time.sleep(0.01)
        if start_time is None:
            raise RuntimeError(f"{name} exited at once; see {log_path}")
        entry = ManagedProcess(name, process.pid, start_time, tuple(args), str(log_path))
        table[name] = entry
        self._save(table)
        return entry

    def stop(self, name: str, timeout: float = 10.0) -> bool:
        """Stop one recorded process and its whole process group (TERM, then KILL after
        ``timeout``); False if none of it was running.

        The group is the daemon's session (each is started as its own): its commit
        workers and anything else it forked. Members left behind by a daemon that was
        killed are stopped too, unless its pid now belongs to another process (then the
        group is not ours: while any member of our group lived, the kernel would not
        have given that pid to anyone).
        """
        table = self.load()
        entry = table.pop(name, None)
        self._save(table)
        if entry is None:
            return False
        leader = entry.alive()
        if not leader and process_start_time(entry.pid) is not None:
            return False  # a recycled pid: never signal it or its group
        members = group_members(entry.pid)
        if not leader and not members:
            return False
        _signal_group(entry.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while (entry.alive() or group_members(entry.pid)) and time.monotonic() < deadline:
            _reap(entry.pid)
            time.sleep(0.05)
        if entry.alive() or group_members(entry.pid):
            _signal_group(entry.pid, signal.SIGKILL)
            _reap(entry.pid)
        return True

    def stop_all(self, timeout: float = 10.0) -> list[str]:
        """Stop everything recorded, newest first; returns the names that were running."""
        stopped = []
        for name in reversed(list(self.load())):
            if self.stop(name, timeout):
                stopped.append(name)
        return stopped


def group_members(pgid: int) -> list[int]:
    """Live processes (not zombies) of process group ``pgid``, from ``/proc``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:  # the whole group is gone already
        pass


def _reap(pid: int) -> None:
    """Collect our own child's exit status so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
