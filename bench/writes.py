"""Small puts through the write buffer, packed, against the same puts stored one by one, in the same run.

Issue 10's small-object figures, on one devnet (anvil, 7 Providers, 3 Keepers, a bucket of
4+2 chunks of 2 blobs), random bytes:

- ``small_put_gas``: the gas of every User transaction of 1,000 puts of 4 KiB objects
  (``--quick``: 1,000 too; ``--puts N`` to change it), their settlement included (the
  final ``flush()``), divided by the number of puts. Target <= 5,000.
- ``small_put_ms_p50``, ``small_put_ms_p99``: each ``put_object`` call's latency as the
  caller sees it (an fsynced write to the buffer, and now and then the flush of a full
  pack). Target p50 <= 100 ms.
- ``small_amplification``: the blobs the workload added to the User's orders on chain (data,
  parity and index, ``BYTES_PER_BLOB`` each) divided by (k+m)/k times the object bytes.
  Target <= 1.25.
- ``recover_index_s``: a fresh client (no cache, no buffer) rebuilding the index from the
  chain and the master secret after the workload.

The baseline is the same workload with ``pack_objects=False`` (every object in stripes of
its own, every put settled at once), for ``--baseline-puts`` puts (20): ``gas_ratio`` and
``p50_ratio`` are packed / baseline. The large-object figures of the issue are
``bench/stream_put.py``'s (peak RSS) and ``bench/idle.py``'s (idle CPU).

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memo_py.devnet import network  # noqa: E402
from memo_py.native import BYTES_PER_BLOB  # noqa: E402

UNIT = 10**18
OBJECT_BYTES = 4096


def blobs_on_chain(client) -> int:
    return sum(o.blob_count for o in client.chain.orders_of_user(client.address))


def workload(client, bucket: str, puts: int) -> dict:
    """``puts`` puts of random 4 KiB objects, then a flush; latencies, gas, blobs added."""
    client.create_bucket(bucket)
    gas_before, blobs_before = sum(r.gas_used for r in client.chain.receipts), blobs_on_chain(client)
    latencies = []
    for i in range(puts):
        data = os.urandom(OBJECT_BYTES)
        started = time.perf_counter()
        client.put_object(bucket, f"photos/{i:05d}.jpg", data)
        latencies.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    client.flush()
    flush_s = time.perf_counter() - started
    gas = sum(r.gas_used for r in client.chain.receipts) - gas_before
    layout = client.head_bucket(bucket).layout
    stored = (blobs_on_chain(client) - blobs_before) * BYTES_PER_BLOB
    ordered = sorted(latencies)
    return {
        "gas_per_put": gas / puts,
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "amplification": stored / ((layout.k + layout.m) / layout.k * puts * OBJECT_BYTES),
        "final_flush_s": flush_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the same 1,000 puts (kept for the bench convention)")
    parser.add_argument("--puts", type=int, default=1000)
    parser.add_argument("--baseline-puts", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="memo-bench-writes-"))
    directory = root / "devnet"
    began = time.perf_counter()
    try:
        network.up(directory)
        with network.user_client(directory, 0) as client:
            client.deposit(9_000 * UNIT)
        with network.user_client(directory, 0, pack_objects=False) as client:
            baseline = workload(client, "one-by-one", args.baseline_puts)
        with network.user_client(directory, 0, buffer_dir=root / "buffer", flush_seconds=3600) as client:
            packed = workload(client, "packed", args.puts)
        with network.user_client(directory, 0) as fresh:
            started = time.perf_counter()
            report = fresh.recover_index()
            recover_s = time.perf_counter() - started
            assert report.objects == args.puts + args.baseline_puts, report
            assert len(fresh.get_object("packed", "photos/00007.jpg")) == OBJECT_BYTES
    finally:
        network.down(directory)
        shutil.rmtree(root, ignore_errors=True)
    result = {
        "small_put_gas": round(packed["gas_per_put"]),
        "small_put_ms_p50": round(packed["p50_ms"], 2),
        "small_put_ms_p99": round(packed["p99_ms"], 2),
        "small_amplification": round(packed["amplification"], 3),
        "recover_index_s": round(recover_s, 2),
        "final_flush_s": round(packed["final_flush_s"], 2),
        "baseline_put_gas": round(baseline["gas_per_put"]),
        "baseline_ms_p50": round(baseline["p50_ms"], 1),
        "baseline_amplification": round(baseline["amplification"], 1),
        "gas_ratio": round(packed["gas_per_put"] / baseline["gas_per_put"], 4),
        "p50_ratio": round(packed["p50_ms"] / baseline["p50_ms"], 4),
        "puts": args.puts,
        "baseline_puts": args.baseline_puts,
        "machine": f"{os.cpu_count()} cores, {platform.system().lower()}, Python {platform.python_version()}",
        "seconds": round(time.perf_counter() - began, 1),
    }
    result["targets_met"] = (
        result["small_put_gas"] <= 5000 and result["small_put_ms_p50"] <= 100 and result["small_amplification"] <= 1.25
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
