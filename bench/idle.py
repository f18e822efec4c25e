"""What a devnet's daemons cost at rest, against the same devnet stepping fully every tick.

Issue 10's ``idle_cpu_cores``: the CPU the daemons of a fresh devnet doing no work (7
Providers, 3 Keepers, 1-s blocks, 8-block epochs, 1-s ticks) use together, in cores,
measured from ``/proc/<pid>/stat`` over a window after start-up. Target <= 0.1.

The baseline, in the same run: the same devnet with ``quiet_seconds = 0``, so that every
step of every daemon reads the chain as the daemons did before quiet steps
(``baseline_cpu_cores``); ``ratio`` is idle / baseline. Both devnets run one after the
other in temporary directories (never at once: they would share the cores). anvil's own
CPU is reported apart (``anvil_cpu_cores``): it serves both.

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memo_py.devnet import network  # noqa: E402
from memo_py.devnet.processes import ProcessTable  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid: int) -> int:
    """utime + stime of ``pid`` and its reaped children, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15])


def children(pid: int) -> list[int]:
    """``pid``'s live descendants (a Provider's commit workers)."""
    out = []
    for entry in Path(f"/proc/{pid}/task").iterdir():
        with open(entry / "children") as listing:
            for child in listing.read().split():
                out += [int(child), *children(int(child))]
    return out


def measure(quiet: float | None, settle: float, window: float) -> dict[str, float]:
    directory = Path(tempfile.mkdtemp(prefix="memo-idle-"))
    try:
        network.up(directory, quiet_seconds=quiet)
        time.sleep(settle)  # start-up work (imports, first epochs, the Keepers' catch-up) done
        table = ProcessTable(directory).load()
        daemons = [e.pid for name, e in table.items() if name != "anvil"]
        daemons += [c for pid in list(daemons) for c in children(pid)]
        anvil = table["anvil"].pid
        pids = [*daemons, anvil]
        before = {pid: cpu_ticks(pid) for pid in pids}
        started = time.monotonic()
        time.sleep(window)
        elapsed = time.monotonic() - started
        used = {pid: (cpu_ticks(pid) - before[pid]) / HZ / elapsed for pid in pids}
        return {"daemons": sum(used[pid] for pid in daemons), "anvil": used[anvil]}
    finally:
        network.down(directory)
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 30 s window instead of 60 s")
    args = parser.parse_args()
    window = 30.0 if args.quick else 60.0
    settle = 20.0
    baseline = measure(0.0, settle, window)
    print(f"baseline (quiet_seconds 0): daemons {baseline['daemons']:.3f} cores, anvil {baseline['anvil']:.3f}", flush=True)
    idle = measure(None, settle, window)
    print(f"quiet steps (the default):  daemons {idle['daemons']:.3f} cores, anvil {idle['anvil']:.3f}", flush=True)
    print(json.dumps({
        "bench": "idle",
        "window_s": window,
        "idle_cpu_cores": round(idle["daemons"], 3),
        "baseline_cpu_cores": round(baseline["daemons"], 3),
        "ratio": round(idle["daemons"] / baseline["daemons"], 3) if baseline["daemons"] else None,
        "anvil_cpu_cores": round(idle["anvil"], 3),
        "target_idle_cpu_cores": 0.1,
    }))


if __name__ == "__main__":
    main()
