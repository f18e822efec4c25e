"""Soundness of the epoch challenge at the shipped defaults, measured with the real code.

A Provider stores one order of ``N`` random blobs and keeps only part of them. Every
epoch gets a fresh seed; the challenge is ``memo_py.crypto.challenge.derive`` over the
frozen universe, the Provider answers with ``kzg.prove`` (the prover's fold and
opening, the dropped blobs replaced by zero blobs: the best it can do without them),
and the Keeper checks with ``kzg.verify`` over the cached commitments (the verifier's
MSM and pairing check). Figures:

- ``catch_rate_90``, ``catch_rate_99``: measured fraction of epochs in which a Provider
  keeping 90 % / 99 % of its blobs fails, at the shipped sample size; ``theory_90``,
  ``theory_99`` the exact hypergeometric rate beside them, and ``within_ci_90``,
  ``within_ci_99`` whether each measured rate lies in its 99 % confidence interval.
- ``grinding_pass_rate``: the fraction of epochs a 90 % keeper passes when, after
  seeing the seed, it tries every move the old rules allowed: an order of b zero
  blobs signed with a second account (b = 1 .. ``GRIND_TRIES``), which changes the
  universe it would be challenged on. It answers the challenge of the first move
  that would let it pass. The Keeper derives the challenge from the universe frozen
  before the seed (the move takes effect from the next epoch), so the answer is
  checked against the frozen challenge. Target: no higher than ``1 - theory_90``.
  ``grinding_pass_rate_unfrozen`` is what the same attacker achieves if the Keeper
  read the universe after the move (the old rule): it shows the attack is real.
- ``undetected_day_99``: probability that a 99 % keeper goes a day undetected at the
  shipped defaults, ``(1 - 1/100) ** (DEFAULT_SAMPLE_SIZE * epochs_per_day)`` (the
  without-replacement rate is lower still), with epochs of DEFAULT_EPOCH_LENGTH blocks
  of 12 s. Target <= 2**-40.
- ``prove_ms``, ``verify_ms`` at the shipped sample size, and ``prove_vs_commit``: the
  prove time as a ratio to one blob commitment measured in the same run (the machine
  is shared, so the ratio is the figure to compare across runs).

Run: ``.venv/bin/python bench/soundness.py --quick``. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import sys
import time
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memo_py import native  # noqa: E402
from memo_py.chain.deploy import DEFAULT_EPOCH_LENGTH  # noqa: E402
from memo_py.crypto import challenge, kzg  # noqa: E402
from memo_py.crypto.challenge import DEFAULT_SAMPLE_SIZE, EpochBinding, UniverseOrder  # noqa: E402

PROVIDER = bytes.fromhex("f39fd6e51aad88f6f4ce6ab8827279cfffb92266")
EPOCHS = bytes.fromhex("e9" * 20)
CHAIN_ID = 31337
BLOCK_SECONDS = 12
Z99 = 2.5758  # two-sided 99 % normal quantile
ZERO_BLOB = bytes(native.BYTES_PER_BLOB)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pass_probability(n: int, dropped: int, s: int) -> float:
    """Exact chance that s distinct samples of n miss all ``dropped`` blobs."""
    s = min(s, n)
    return comb(n - dropped, s) / comb(n, s)


def within_ci(measured: float, theory: float, trials: int) -> bool:
    """Whether ``measured`` (a fraction of ``trials``) is inside the exact two-sided 99 %
    acceptance region of a binomial(trials, theory): near 0 or 1 the normal
    approximation is far too narrow (300 epochs at a 0.3 % rate expect 0.9 events)."""
    k = round(measured * trials)

    def pmf(i: int) -> float:
        return comb(trials, i) * theory**i * (1 - theory) ** (trials - i)

    observed = pmf(k)
    # Two-sided p-value: the mass of every outcome no more likely than the observed one.
    p_value = sum(p for p in (pmf(i) for i in range(trials + 1)) if p <= observed * (1 + 1e-9))
    return p_value >= 0.01


class Setup:
    """One order of ``n`` random blobs with its commitments, as a Provider holds it."""

    def __init__(self, n: int) -> None:
        packed = native.pack_blobs(os.urandom(n * native.PAYLOAD_BYTES_PER_BLOB))
        self.blobs = [packed[k : k + native.BYTES_PER_BLOB] for k in range(0, len(packed), native.BYTES_PER_BLOB)]
        started = time.perf_counter()
        self.commitments = kzg.commit_many(self.blobs)
        self.commit_ms = (time.perf_counter() - started) * 1e3 / n
        self.cache = kzg.Commitments(self.commitments)
        self.order = UniverseOrder(
            order_id=hashlib.sha256(b"victim order").digest(),
            root=hashlib.sha256(b"".join(self.commitments)).digest(),
            blob_count=n,
            size=n * native.PAYLOAD_BYTES_PER_BLOB,
            live=tuple(range(n)),
        )


def epoch_outcome(setup: Setup, kept: list[bool], ch: challenge.Challenge, keeper: challenge.Challenge) -> tuple[bool, float, float]:
    """The Provider answers ``ch`` (dropped blobs replaced by zero blobs); the Keeper checks
    the answer against its own challenge ``keeper``. (accepted, prove ms, verify ms)."""
    indices = [index for _, index in ch.samples]
    blobs = [setup.blobs[i] if kept[i] else ZERO_BLOB for i in indices]
    started = time.perf_counter()
    opening = kzg.prove(blobs, ch.coeffs, ch.z)
    proved = time.perf_counter()
    if ch.universe != keeper.universe or ch.samples != keeper.samples:
        return False, (proved - started) * 1e3, 0.0  # the Keeper's digest check refuses it
    subset = setup.cache.subset([index for _, index in keeper.samples])
    ok = kzg.verify(subset, keeper.coeffs, keeper.z, opening.y, opening.proof)
    return ok, (proved - started) * 1e3, (time.perf_counter() - proved) * 1e3


def binding(epoch: int, seed: bytes) -> EpochBinding:
    return EpochBinding(CHAIN_ID, EPOCHS, epoch, seed)


def catch_rate(setup: Setup, keep: float, epochs: int, s: int, times: dict[str, list[float]]) -> tuple[float, float]:
    n = len(setup.blobs)
    dropped = round(n * (1 - keep))
    rng = hashlib.sha256(f"drop {keep}".encode()).digest()
    order = sorted(range(n), key=lambda i: hashlib.sha256(rng + i.to_bytes(4, "big")).digest())
    kept = [True] * n
    for i in order[:dropped]:
        kept[i] = False
    failed = 0
    for epoch in range(epochs):
        ch = challenge.derive(binding(epoch, os.urandom(32)), PROVIDER, [setup.order], s)
        ok, prove_ms, verify_ms = epoch_outcome(setup, kept, ch, ch)
        # The outcome must be exactly "some sampled blob was dropped".
        assert ok == all(kept[i] for _, i in ch.samples), "a proof passed or failed for the wrong reason"
        failed += not ok
        times["prove"].append(prove_ms)
        if verify_ms:
            times["verify"].append(verify_ms)
    return failed / epochs, 1 - pass_probability(n, dropped, s)


def grinding(setup: Setup, epochs: int, tries: int, s: int) -> tuple[float, float]:
    """(pass rate against frozen universes, pass rate if the universe were read after the move)."""
    n = len(setup.blobs)
    kept = [i % 10 != 0 for i in range(n)]  # keeps 90 %
    passed_frozen = passed_unfrozen = 0
    for epoch in range(epochs):
        b = binding(epoch, os.urandom(32))
        frozen = challenge.derive(b, PROVIDER, [setup.order], s)
        chosen = frozen
        if not all(kept[i] for _, i in frozen.samples):
            for blobs in range(1, tries + 1):
                # A sock User's order of `blobs` zero blobs (id chosen to sort after the victim's).
                sock = UniverseOrder(b"\xff" * 32, bytes(32), blobs, 1, ())
                moved = challenge.derive(b, PROVIDER, [setup.order, sock], s)
                if all(kept[i] for p, i in moved.samples if p == 0):
                    chosen = moved
                    break
        passed_unfrozen += all(kept[i] for p, i in chosen.samples if p == 0)
        ok, _, _ = epoch_outcome(setup, kept, chosen, frozen)
        passed_frozen += ok
    return passed_frozen / epochs, passed_unfrozen / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (about 2 minutes)")
    args = parser.parse_args()
    s = DEFAULT_SAMPLE_SIZE
    n = 200
    epochs = 300 if args.quick else 2000
    grind_epochs, grind_tries = (60, 1000) if args.quick else (300, 2000)
    log(f"soundness benchmark ({'quick' if args.quick else 'full'}): s = {s}, {n} blobs, {epochs} epochs per rate")

    setup = Setup(n)
    log(f"committed {n} random blobs: {setup.commit_ms:.1f} ms per blob")
    times: dict[str, list[float]] = {"prove": [], "verify": []}
    rate_90, theory_90 = catch_rate(setup, 0.90, epochs, s, times)
    log(f"keeps 90 %: caught in {rate_90:.4f} of epochs (theory {theory_90:.4f})")
    rate_99, theory_99 = catch_rate(setup, 0.99, epochs, s, times)
    log(f"keeps 99 %: caught in {rate_99:.4f} of epochs (theory {theory_99:.4f})")
    frozen, unfrozen = grinding(setup, grind_epochs, grind_tries, s)
    log(f"grinding 90 % keeper: passes {frozen:.4f} (frozen universe), {unfrozen:.4f} if read after its move")

    epochs_per_day = 86_400 / (DEFAULT_EPOCH_LENGTH * BLOCK_SECONDS)
    log2_day = s * epochs_per_day * math.log2(0.99)
    prove_ms = statistics.median(times["prove"])
    verify_ms = statistics.median(times["verify"])
    result = {
        "benchmark": "soundness",
        "quick": args.quick,
        "sample_size": s,
        "blobs": n,
        "epochs": epochs,
        "epoch_length_blocks": DEFAULT_EPOCH_LENGTH,
        "epochs_per_day": epochs_per_day,
        "catch_rate_90": round(rate_90, 4),
        "theory_90": round(theory_90, 4),
        "within_ci_90": within_ci(rate_90, theory_90, epochs),
        "catch_rate_99": round(rate_99, 4),
        "theory_99": round(theory_99, 4),
        "within_ci_99": within_ci(rate_99, theory_99, epochs),
        "grinding_pass_rate": round(frozen, 4),
        "grinding_target": round(1 - theory_90, 4),
        "grinding_met": frozen <= (1 - theory_90) + Z99 * math.sqrt(theory_90 * (1 - theory_90) / grind_epochs) + 1 / grind_epochs,
        "grinding_pass_rate_unfrozen": round(unfrozen, 4),
        "undetected_day_99": 2.0**log2_day,
        "undetected_day_99_log2": round(log2_day, 1),
        "undetected_day_met": log2_day <= -40,
        "prove_ms": round(prove_ms, 2),
        "verify_ms": round(verify_ms, 2),
        "commit_ms": round(setup.commit_ms, 2),
        "prove_vs_commit": round(prove_ms / setup.commit_ms, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
