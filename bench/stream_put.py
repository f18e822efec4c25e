"""A large put streamed from a file against the same put from bytes in memory, in the same run.

Issue 10's ``put_peak_rss_mb``: the User client's peak resident memory while it puts one
large object of random bytes (256 MiB; ``--quick`` 64 MiB) from a file, which the SDK
reads, encodes and places a window of segments at a time (target <= 256). The baseline
is the same put handed over as bytes, the whole object in memory and encoded whole
(``bytes_peak_rss_mb``); ``rss_ratio`` is file / bytes. Each put runs in a process of
its own (so each peak is its own), one after the other, on one devnet (anvil, 7
Providers, 3 Keepers) in a temporary directory, torn down at the end; both report their
encoded MB/s (``file_encoded_mb_s``, ``bytes_encoded_mb_s``).

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memo_py.devnet import network  # noqa: E402

UNIT = 10**18
MIB = 2**20


def child(directory: Path, path: Path, mode: str) -> None:
    """One put of the file at ``path`` (as a file, or read into bytes first); a JSON line."""
    with network.user_client(directory, 0) as client:
        bucket = f"stream-{mode}"
        client.create_bucket(bucket)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        encoded = []
        with open(path, "rb") as file:
            data = file.read() if mode == "bytes" else file
            client.put_object(bucket, "big.bin", data, progress=lambda stored, total: encoded.append(stored))
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mode": mode, "seconds": elapsed, "peak_rss_mb": peak, "rss_before_mb": before,
                      "encoded_bytes": max(encoded, default=0)}))


def run_child(directory: Path, path: Path, mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--dir", str(directory), "--file", str(path)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 64 MiB object instead of 256 MiB")
    parser.add_argument("--child", choices=["file", "bytes"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.dir, args.file, args.child)
        return
    size = (64 if args.quick else 256) * MIB
    root = Path(tempfile.mkdtemp(prefix="memo-bench-stream-"))
    directory = root / "devnet"
    try:
        network.up(directory)
        with network.user_client(directory, 0) as client:
            client.deposit(9_000 * UNIT)
        path = root / "object.bin"
        with open(path, "wb") as file:  # random bytes: they commit at the real cost
            for _ in range(size // MIB):
                file.write(os.urandom(MIB))
        results = {}
        for mode in ("bytes", "file"):
            results[mode] = run_child(directory, path, mode)
            r = results[mode]
            print(f"{mode:5}: {size / MIB:.0f} MiB in {r['seconds']:.1f} s, "
                  f"{r['encoded_bytes'] / MIB / r['seconds']:.2f} encoded MiB/s, peak RSS {r['peak_rss_mb']:.0f} MB", flush=True)
    finally:
        network.down(directory)
        shutil.rmtree(root, ignore_errors=True)
    streamed, whole = results["file"], results["bytes"]
    print(json.dumps({
        "bench": "stream_put",
        "object_mib": size // MIB,
        "put_peak_rss_mb": round(streamed["peak_rss_mb"], 1),
        "bytes_peak_rss_mb": round(whole["peak_rss_mb"], 1),
        "rss_ratio": round(streamed["peak_rss_mb"] / whole["peak_rss_mb"], 3),
        "file_encoded_mb_s": round(streamed["encoded_bytes"] / MIB / streamed["seconds"], 2),
        "bytes_encoded_mb_s": round(whole["encoded_bytes"] / MIB / whole["seconds"], 2),
        "target_put_peak_rss_mb": 256,
    }))


if __name__ == "__main__":
    main()
