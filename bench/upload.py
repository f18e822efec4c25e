"""Benchmark of the data path: upload and download through ``MemoClient`` on a local devnet.

Every figure is measured in the same run, on random data (``os.urandom``), with
every role in its own process (``memo_py.devnet.network.up`` in a temporary
directory: anvil, 7 Providers, 3 Keepers; torn down at the end, also on failure):

- ``upload_mb_s`` / ``download_mb_s``: end-to-end rates of ``put_object`` /
  ``get_object`` (MiB of object data per second of wall time, best of N rounds).
- ``user_cpu_ratio``: the User's CPU seconds per MiB when it commits every blob
  itself (encrypt + erasure-code + pack + ckzg commit of every chunk's blobs, one
  process, the old way) / the same for the real upload (``time.process_time()``
  around ``put_object``: Provider commitments, one batch check, signing, HTTP and
  the chain transactions; the Providers run in other processes). Target >= 10.
- ``ingest_vs_commit``: one Provider's ingest rate (blobs/s through
  ``PUT /orders/{id}/blobs``: receive, check, pack, commit, store, fsync), driven
  by signed requests from threads with enough chunks in flight to keep its commit
  pool busy / (bare ``kzg.commit`` rate of one process x the cores the Provider
  is given). The Provider is given cores of its own: its process tree is pinned
  to every core but core 0 (``taskset -a``), and the load generator and the other
  nine devnet processes to core 0, so the figure measures the Provider and not
  the neighbours it would otherwise share its cores with. Target >= 0.8. The same
  run with everything sharing every core is reported as ``ingest_vs_commit_shared``
  (on one core there is only that run, and it is the figure).
- ``download_vs_decode``: ``download_mb_s`` / the rate of bare
  ``decode_segment`` (zfec + AES-GCM) on the very chunks the download chose,
  already in memory, one thread. Target >= 0.5. For context,
  ``download_vs_erasure_decode`` divides by the same decode with m data chunks
  lost, i.e. with zfec really decoding from m parity chunks, and
  ``download_vs_decode_bound_by_md5`` is the most any download could reach:
  the etag check (MD5 of the whole object, one stream, so one core) alone
  takes that fraction of the bare decode's rate; ``download_vs_decode_and_etag``
  divides by the whole local work of a download in one thread (decode, decrypt
  and the etag's MD5).

Every figure is the best of several runs (the one least disturbed by other load),
and each baseline is taken the same way. Context figures (not targets): the
commit rate of ``workers`` processes together (does the machine deliver its
cores?), the CPU the load generator and the Provider's process tree used during
ingest, and spans of the download.

Run: ``.venv/bin/python bench/upload.py --quick`` (about 2-3 minutes; 8 MiB
objects) or without ``--quick`` (32 MiB objects, more rounds). The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memo_py import native  # noqa: E402
from memo_py.codec.segments import StripeLayout, decode_segment, encode_segment  # noqa: E402
from memo_py.cores import usable_cores  # noqa: E402
from memo_py.crypto import kzg  # noqa: E402
from memo_py.crypto.aead import derive_object_key  # noqa: E402
from memo_py.crypto.setup import trusted_setup  # noqa: E402
from memo_py.devnet import network  # noqa: E402
from memo_py.devnet.processes import ProcessTable  # noqa: E402
from memo_py.native import BYTES_PER_BLOB  # noqa: E402
from memo_py.protocol.http import SignedClient  # noqa: E402
from memo_py.user.client import master_secret_from_key  # noqa: E402

MIB = 2**20
UNIT = 10**18
BUCKET = "bench"
TARGETS = {"user_cpu_ratio": 10, "ingest_vs_commit": 0.8, "download_vs_decode": 0.5}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(message, flush=True)


def best_s(fn: Callable[[], object], repeat: int) -> float:
    """Best (minimum) wall time of ``fn`` in seconds over ``repeat`` calls, after a warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# ----------------------------------------------------------------------------- CPU of other processes


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a live process, from /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    return (total - idle) / CLK_TCK, total / CLK_TCK


class Spans:
    """Wall time of chosen functions (class attributes, patched for the run and restored)."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        fn = getattr(owner, attr)

        def timed(*a: Any, **k: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                with self._lock:
                    self.times.setdefault(name, []).append(time.perf_counter() - start)

        self._undo.append((owner, attr, fn))
        setattr(owner, attr, timed)

    def take(self) -> dict[str, list[float]]:
        with self._lock:
            out, self.times = self.times, {}
        return out

    def restore(self) -> None:
        for owner, attr, fn in reversed(self._undo):
            setattr(owner, attr, fn)
        self._undo.clear()


def _all_stats() -> dict[int, tuple[int, float]]:
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found is not None:
                stats[int(entry)] = found
    return stats


def _tree(root: int, stats: dict[int, tuple[int, float]]) -> set[int]:
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _) in stats.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return tree


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of ``root`` and its live descendants (its commit workers)."""
    stats = _all_stats()
    return sum(stats[p][1] for p in _tree(root, stats) if p in stats)


def pin(roots: list[int], cpus: set[int], *, descendants: bool = True) -> None:
    """Restrict every thread of ``roots`` (and of their descendants) to ``cpus`` (like taskset -a)."""
    stats = _all_stats()
    for root in roots:
        for pid in _tree(root, stats) if descendants else {root}:
            try:
                tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
            except OSError:
                continue
            for tid in tids:
                try:
                    os.sched_setaffinity(tid, cpus)
                except OSError:  # the thread ended meanwhile
                    pass


# ----------------------------------------------------------------------------- baselines


def bare_commit(blobs: list[bytes], repeat: int) -> float:
    """Seconds per ``kzg.commit`` of one blob, one process (best of ``repeat``)."""
    return min(best_s(lambda b=b: kzg.commit(b), 1) for b in blobs[:repeat])


def parallel_commit(blobs: list[bytes], workers: int, repeat: int) -> float:
    """Blobs/s of ``workers`` forked processes committing ``blobs`` (best of ``repeat``)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(kzg.commit, blobs[:workers]))  # warm-up: every worker forked
        best = min(best_s(lambda: list(pool.map(kzg.commit, blobs)), 1) for _ in range(repeat))
    return len(blobs) / best


def old_way_cpu(data: bytes, layout: StripeLayout, secret: bytes) -> tuple[float, int]:
    """CPU seconds for the User to encrypt, erasure-code, pack and commit every blob itself."""
    object_id = os.urandom(16)
    start = time.process_time()
    key = derive_object_key(secret, object_id)
    blobs = 0
    for i, plaintext in layout.segments(data):
        for chunk in encode_segment(layout, key, object_id, i, plaintext):
            packed = native.pack_blobs(chunk)
            for k in range(0, len(packed), BYTES_PER_BLOB):
                kzg.commit(packed[k : k + BYTES_PER_BLOB])
                blobs += 1
    return time.process_time() - start, blobs


# ----------------------------------------------------------------------------- ingest


def restart_given(record: dict[str, Any], name: str, cpus: set[int]) -> None:
    """Restart devnet Provider ``name`` on ``cpus`` only, like ``taskset -c``: its processes
    inherit the affinity, and with ``workers`` dropped from its config it sizes its commit
    pool by the cores it is given."""
    ProcessTable(record["directory"]).stop(name)
    config = Path(next(p["config"] for p in record["providers"] if p["name"] == name))
    settings = json.loads(config.read_text())
    settings.pop("workers", None)
    config.write_text(json.dumps(settings, indent=1))
    mine = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)  # this thread forks the daemon, which inherits its affinity
    try:
        network.restart_daemon(record["directory"], name)
    finally:
        os.sched_setaffinity(0, mine)


def ingest(
    record: dict[str, Any], user_key: str, rounds: int, chunks: int, in_flight: int, workers: int, nonce_base: int
) -> dict[str, Any]:
    """Drive provider-1's chunk PUTs with ``in_flight`` threads; best blobs/s of ``rounds`` rounds."""
    provider = record["providers"][0]
    pid = ProcessTable(record["directory"]).load()[provider["name"]].pid
    layout = StripeLayout(4, 2)
    client = SignedClient(user_key, provider["endpoint"], provider["address"], timeout=120.0)
    payloads = [os.urandom(layout.chunk_bytes) for _ in range(chunks)]
    results = []
    try:
        epoch = int(client.get_json("/health")["epoch"])
        for r in range(rounds + 1):  # round 0 warms up (connections, first agreement)
            count = max(in_flight, chunks // 4) if r == 0 else chunks
            terms = {
                "nonce": nonce_base + r,
                "price": int(provider["price"]),
                "start_epoch": epoch + 5,
                "end_epoch": epoch + 1005,
                "blob_count": count * layout.chunk_blobs,
                "chunk_blobs": layout.chunk_blobs,
            }
            oid = client.request("POST", "/agreements", content=json.dumps(terms).encode()).json()["order_id"]
            todo: queue.Queue[int] = queue.Queue()
            for i in range(count):
                todo.put(i)
            errors: list[BaseException] = []

            def worker() -> None:
                while True:
                    try:
                        i = todo.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        answer = client.request(
                            "PUT", f"/orders/{oid}/blobs/{i * layout.chunk_blobs}", content=payloads[i % len(payloads)]
                        ).json()
                        assert len(answer["commitments"]) == layout.chunk_blobs
                    except BaseException as exc:  # report after the round
                        errors.append(exc)
                        return

            threads = [threading.Thread(target=worker) for _ in range(in_flight)]
            busy0, total0 = machine_busy()
            cpu0, prov0, t0 = time.process_time(), tree_cpu(pid), time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
            cpu, prov = time.process_time() - cpu0, tree_cpu(pid) - prov0
            busy1, total1 = machine_busy()
            busy = (busy1 - busy0) / (total1 - total0)  # fraction of all cores busy during the round
            if errors:
                raise RuntimeError(f"ingest round {r}: {errors[0]!r}")
            blobs = count * layout.chunk_blobs
            if r:
                results.append(
                    {"blobs_s": blobs / wall, "wall_s": wall, "blobs": blobs, "loadgen_cpu_s": cpu, "provider_cpu_s": prov,
                     "machine_busy": busy, "provider_cores": prov / wall}
                )
                log(f"  ingest round {r}: {blobs} blobs in {wall:.2f} s = {blobs / wall:.1f} blobs/s; CPU: Provider tree "
                    f"{prov:.2f} s ({prov / wall:.2f} cores), load generator {cpu:.2f} s; machine {busy:.0%} busy")
    finally:
        client.close()
    best = max(results, key=lambda x: x["blobs_s"])
    best["in_flight"] = in_flight
    best["workers"] = workers
    return best


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 MiB objects, fewer rounds (about 2-3 minutes)")
    parser.add_argument("--keep", action="store_true", help="keep the devnet directory (logs) after the run")
    args = parser.parse_args()
    size = (8 if args.quick else 32) * MIB
    upload_rounds = 2 if args.quick else 3
    download_rounds = 8 if args.quick else 12
    ingest_rounds, ingest_chunks = (2, 24) if args.quick else (3, 48)
    workers = usable_cores()
    started = time.perf_counter()
    machine = f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}"
    load_before = os.getloadavg()[0]
    log(f"upload benchmark ({'quick' if args.quick else 'full'}): {machine}; objects of {size // MIB} MiB; "
        f"load average {load_before:.2f}")

    # -- baselines that need no network (measured first, on a quiet machine) ------------
    trusted_setup()
    layout = StripeLayout(4, 2)  # the devnet default bucket layout (UserConfig k, m, chunk_blobs)
    packed = native.pack_blobs(os.urandom(8 * native.PAYLOAD_BYTES_PER_BLOB))
    blobs = [packed[k : k + BYTES_PER_BLOB] for k in range(0, len(packed), BYTES_PER_BLOB)]
    commit_s = bare_commit(blobs, 6 if args.quick else 8)
    commit_rate = 1 / commit_s
    parallel_rate = parallel_commit(blobs, workers, 2 if args.quick else 3)
    log(f"bare commit: {commit_s * 1e3:.1f} ms per blob = {commit_rate:.1f} blobs/s (one process); "
        f"{workers} processes: {parallel_rate:.1f} blobs/s ({parallel_rate / commit_rate:.2f}x)")

    data = os.urandom(size)
    secret = os.urandom(32)
    old_runs = [old_way_cpu(data, layout, secret) for _ in range(1 if args.quick else 2)]
    old_cpu, old_blobs = min(old_runs)
    log(f"old way (User commits all {old_blobs} blobs itself): {old_cpu:.2f} CPU s = {old_cpu / (size / MIB):.3f} CPU s/MiB")

    # -- the devnet ---------------------------------------------------------------------
    directory = Path(tempfile.mkdtemp(prefix="memo-bench-upload-"))
    record: dict[str, Any] | None = None
    ok = False
    try:
        t = time.perf_counter()
        record = network.up(directory, workers=workers, progress=lambda m: None)
        log(f"devnet up in {time.perf_counter() - t:.1f} s: {len(record['providers'])} Providers "
            f"(workers={workers} each), {len(record['keepers'])} Keepers")
        user_key = Path(record["users"][0]["key_file"]).read_text().strip()
        user_secret = master_secret_from_key(user_key)  # what network.user_client's client uses

        # ingest of one Provider (before the uploads: the User's orders use nonces from 1)
        in_flight = 2 * workers + 2
        provider_name = record["providers"][0]["name"]
        log(f"ingest on {provider_name}, all {workers} cores shared with the load generator and the devnet: "
            f"{in_flight} chunks in flight, {ingest_chunks} chunks a round")
        shared = ingest(record, user_key, ingest_rounds, ingest_chunks, in_flight, workers, 1_000_000)
        everything = set(range(os.cpu_count() or 1))
        # upload: the same data, several objects
        client = network.user_client(directory, 0, start_delay=3)
        from memo_py.user import download as download_module
        from memo_py.user import upload as upload_module

        spans = Spans()
        spans.wrap(upload_module.UploadSession, "place", "place")  # match, agreements, PUTs (Providers commit)
        spans.wrap(upload_module.UploadSession, "_check", "check")  # the User's batch check
        spans.wrap(upload_module.UploadSession, "commit", "settle")  # co-sign + submit the order updates
        spans.wrap(download_module.Downloader, "_fetch_run", "fetch")  # one ranged read: signed GET of a run
        spans.wrap(download_module, "decode_segment", "decode")
        try:
            client.deposit(1000 * UNIT)
            client.create_bucket(BUCKET)
            uploads = []
            spans.take()  # drop the bucket's own index write
            for r in range(upload_rounds):
                key = f"object-{r}"
                cpu0, t0 = time.process_time(), time.perf_counter()
                client.put_object(BUCKET, key, data)
                wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
                took = {k: sum(v) for k, v in spans.take().items()}
                uploads.append((wall, cpu, key, took))
                log(f"  put round {r + 1}: {wall:.2f} s = {size / MIB / wall:.2f} MiB/s; User CPU {cpu:.2f} s; "
                    f"place {took.get('place', 0):.2f} s (batch check {took.get('check', 0):.2f} s), "
                    f"co-sign + chain {took.get('settle', 0):.2f} s")
            up_wall, _, _, up_spans = min(uploads, key=lambda u: u[0])
            new_cpu = min(u[1] for u in uploads)

            # download: the first object, several times
            key = uploads[0][2]
            assert hashlib.sha256(client.get_object(BUCKET, key)).digest() == hashlib.sha256(data).digest()
            downs = []
            spans.take()
            for r in range(download_rounds):
                t0 = time.perf_counter()
                got = client.get_object(BUCKET, key)
                downs.append(time.perf_counter() - t0)
                took = spans.take()
                if downs[-1] == min(downs):
                    fetch_ms = 1e3 * sum(took["fetch"]) / len(took["fetch"])
                    fetches = len(took["fetch"])
                    decode_in_get_ms = 1e3 * sum(took["decode"])
                assert len(got) == size
                log(f"  get round {r + 1}: {downs[-1]:.3f} s = {size / MIB / downs[-1]:.1f} MiB/s")
            down_wall = min(downs)
            spans.restore()

            # bare decode of the chunks the download chose (same choice function, in memory)
            manifest = client.head_manifest(BUCKET, key)
            stripe = manifest.layout.stripe
            object_id = bytes.fromhex(manifest.object_id)
            okey = derive_object_key(user_secret, object_id)
            held = [(h.segment, h.chunks) for h in client._downloader.fetch_window(stripe, manifest.segments)]
            chosen = sorted({i for _, chunks in held for i in chunks})

            def decode_all(chunk_sets=held) -> bytes:
                return b"".join(decode_segment(stripe, okey, object_id, s.index, c, s.length) for s, c in chunk_sets)

            assert decode_all() == data
            decode_wall = best_s(decode_all, 5 if args.quick else 10)
            log(f"bare decode (zfec + AES-GCM, chunks {chosen}, one thread): {decode_wall * 1e3:.1f} ms = "
                f"{size / MIB / decode_wall:.0f} MiB/s")
            # context: the etag check every download must make (MD5 of the object: one stream,
            # so one core) bounds any download's rate, whatever the network does
            md5_wall = best_s(lambda: hashlib.md5(data, usedforsecurity=False).digest(), 5 if args.quick else 10)
            log(f"etag check alone (MD5 of the object, one core): {md5_wall * 1e3:.1f} ms = "
                f"{size / MIB / md5_wall:.0f} MiB/s, so download_vs_decode <= {decode_wall / md5_wall:.2f} "
                f"for any download")
            # context: the same with m data chunks lost, so zfec really decodes (m parity chunks)
            lost = set(range(stripe.m))
            degraded = [(s, client._downloader.fetch_good(stripe, s, skip=lost)) for s in manifest.segments]
            assert decode_all(degraded) == data
            erasure_wall = best_s(lambda: decode_all(degraded), 5 if args.quick else 10)
            log(f"bare decode with {stripe.m} parity chunks (chunks {sorted(degraded[0][1])}): "
                f"{erasure_wall * 1e3:.1f} ms = {size / MIB / erasure_wall:.0f} MiB/s")
        finally:
            spans.restore()
            client.close()

        # ingest again, the figure's own setting: the Provider is given cores of its own
        ing = shared
        ing["cores"] = workers
        if len(everything) > 1:
            given = everything - {0}
            log(f"{provider_name} restarted on cores {sorted(given)} (taskset -c), sizing its commit pool itself; "
                f"the load generator and the other devnet processes on core 0")
            restart_given(record, provider_name, given)
            table = ProcessTable(record["directory"]).load()
            pin([entry.pid for name, entry in table.items() if name != provider_name], {0})
            pin([os.getpid()], {0}, descendants=False)  # the devnet daemons are this process's children
            ing = ingest(record, user_key, ingest_rounds, ingest_chunks, in_flight, len(given), 2_000_000)
            ing["cores"] = len(given)
        ok = True
    finally:
        if record is not None or (directory / "processes.json").exists():
            try:
                stopped = network.down(directory)
                log(f"devnet down: stopped {len(stopped)} processes")
            except Exception as exc:  # report, but never hide the original failure
                log(f"devnet down failed: {exc}")
        if ok and not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            log(f"devnet directory kept: {directory}")

    upload_mb_s = size / MIB / up_wall
    download_mb_s = size / MIB / down_wall
    decode_mb_s = size / MIB / decode_wall
    old_per_mib, new_per_mib = old_cpu / (size / MIB), new_cpu / (size / MIB)
    result = {
        "upload_mb_s": round(upload_mb_s, 2),
        "download_mb_s": round(download_mb_s, 2),
        "user_cpu_ratio": round(old_per_mib / new_per_mib, 1),
        "ingest_vs_commit": round(ing["blobs_s"] / (commit_rate * ing["cores"]), 2),
        "ingest_provider_cores_given": ing["cores"],
        "ingest_vs_commit_shared": round(shared["blobs_s"] / (commit_rate * workers), 2),
        "ingest_shared_blobs_s": round(shared["blobs_s"], 2),
        "ingest_shared_provider_cores": round(shared["provider_cores"], 2),
        "download_vs_decode": round(download_mb_s / decode_mb_s, 3),
        "object_mib": size // MIB,
        "user_cpu_s_per_mib_old": round(old_per_mib, 4),
        "user_cpu_s_per_mib_new": round(new_per_mib, 4),
        "commit_ms": round(commit_s * 1e3, 2),
        "commit_blobs_s": round(commit_rate, 2),
        "parallel_commit_blobs_s": round(parallel_rate, 2),
        "ingest_blobs_s": round(ing["blobs_s"], 2),
        "ingest_provider_cpu_s_per_blob": round(ing["provider_cpu_s"] / ing["blobs"], 4),
        "ingest_cpu_efficiency": round(commit_s / (ing["provider_cpu_s"] / ing["blobs"]), 2),
        "ingest_loadgen_cpu_s_per_blob": round(ing["loadgen_cpu_s"] / ing["blobs"], 4),
        "ingest_in_flight": ing["in_flight"],
        "ingest_provider_cores": round(ing["provider_cores"], 2),
        "ingest_machine_busy": round(ing["machine_busy"], 2),
        "upload_place_s": round(up_spans.get("place", 0.0), 2),
        "upload_batch_check_s": round(up_spans.get("check", 0.0), 3),
        "upload_settle_s": round(up_spans.get("settle", 0.0), 2),
        "download_fetch_ms_per_run": round(fetch_ms, 2),
        "download_runs": fetches,
        "erasure_decode_mb_s": round(size / MIB / erasure_wall, 1),
        "etag_md5_mb_s": round(size / MIB / md5_wall, 1),
        "download_vs_decode_bound_by_md5": round(decode_wall / md5_wall, 3),
        # the local work every download does, in one thread: decode + decrypt + etag check
        "download_vs_decode_and_etag": round(download_mb_s / (size / MIB / (decode_wall + md5_wall)), 3),
        "download_vs_erasure_decode": round(download_mb_s / (size / MIB / erasure_wall), 3),
        "download_decode_ms_in_get": round(decode_in_get_ms, 1),
        "load_average_at_start": round(load_before, 2),
        "provider_workers": workers,
        "decode_mb_s": round(decode_mb_s, 1),
        "layout": {"k": layout.k, "m": layout.m, "chunk_blobs": layout.chunk_blobs},
        "units": "MiB (2^20 bytes) of object data per second",
        "timing": "best of N runs for every figure and baseline",
        "mode": "quick" if args.quick else "full",
        "machine": machine,
        "seconds": round(time.perf_counter() - started, 1),
    }
    rows = [
        ("upload (put_object)", f"{upload_mb_s:.2f} MiB/s", "", "", ""),
        ("download (get_object)", f"{download_mb_s:.2f} MiB/s", f"bare decode {decode_mb_s:.0f} MiB/s",
         f"{result['download_vs_decode']}", f">= {TARGETS['download_vs_decode']}"),
        ("User CPU per MiB", f"{new_per_mib:.3f} s", f"self-commit {old_per_mib:.3f} s",
         f"{result['user_cpu_ratio']}", f">= {TARGETS['user_cpu_ratio']}"),
        ("Provider ingest", f"{ing['blobs_s']:.1f} blobs/s", f"commit {commit_rate:.1f}/s x {ing['cores']}",
         f"{result['ingest_vs_commit']}", f">= {TARGETS['ingest_vs_commit']}"),
    ]
    log("")
    log(f"{'figure':<24}{'result':<16}{'baseline':<26}{'ratio':<8}target")
    for row in rows:
        log(f"{row[0]:<24}{row[1]:<16}{row[2]:<26}{row[3]:<8}{row[4]}")
    missed = [k for k, target in TARGETS.items() if result[k] < target]
    result["targets_met"] = not missed
    if missed:
        log(f"below target: {', '.join(missed)}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
