"""Gas of every public function of the MEMO contracts, on anvil, as the receipts report it.

    python bench/gas.py                   # print the table and the JSON summary line
    python bench/gas.py --write-snapshot  # also rewrite tests/contracts/gas_snapshot.json
    python bench/gas.py --check-snapshot  # fail if a figure left the snapshot's tolerance

Each figure is the whole transaction's gas (21,000 base and calldata included), measured
in a steady state (warm accounts, non-zero balances) unless the case name says "first".
The last line printed is one JSON object with the issue's targets:
attest_base, attest_per_signer, withdraw, dispute_answer, order_create, order_extend
(definitions of the attestation figures: bench_epochs_and_disputes).

Benches are the functions in BENCHES; each takes the Bench context and records
{case: gas} and {summary key: gas}. Every bench runs on the deployed path: the real set
as scripts/deploy.py deploys it (the SDK's shipped artifacts), no mock. The Market's
results roots are attested on the real Epochs by a registered Keeper's BLS signature, and
Registry.slash is measured inside Disputes.resolve_timeout, the only caller it has.

:func:`measure` is the one code path: this script and the suite's
``tests/contracts/test_gas_snapshot.py`` (run by ``make test``) both call it, and both
judge the figures with :func:`drift` (:data:`TOLERANCE_BPS`, :data:`TOLERANCE_GAS`).
The whole run takes about 20 seconds, so --quick changes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "contracts" / "gas_snapshot.json"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PATH", "")
ANVIL = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin"
if ANVIL.is_dir():
    os.environ["PATH"] = f"{ANVIL}:{os.environ['PATH']}"

UNIT = 10**18
USER, PROVIDER, KEEPER = 1, 2, 4
TARGETS = {"attest_base": 250_000, "attest_per_signer": 3_000, "withdraw": 100_000, "dispute_answer": 150_000}
#: A figure may move this much from the snapshot (the larger of the two) before it fails:
#: calldata gas varies with the zero bytes of signatures, deadlines and addresses.
TOLERANCE_BPS = 200
TOLERANCE_GAS = 2_000
#: Blocks per epoch of the Token/Registry/Market set: every step of the Market bench
#: (several transactions, one block each) fits inside one epoch.
MARKET_EPOCH_BLOCKS = 50


@dataclass
class Bench:
    """What a bench gets: the ape project, accounts and the deployed contracts."""

    project: object
    accounts: list
    contracts: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)

    def record(self, case: str, receipt) -> int:
        self.cases[case] = receipt.gas_used
        return receipt.gas_used


def open_epoch(epochs, epoch: int, opener):
    """Mine until ``epoch``'s seed block is sealed and open it with that block's header; the receipt."""
    import ape

    from memo_py.chain.epochs import header_rlp

    seed_block = epochs.seed_block(epoch)
    head = ape.chain.blocks.head.number
    if seed_block > head:
        ape.chain.mine(seed_block - head)
    header = header_rlp(ape.chain.provider.web3.eth.get_block(seed_block))
    return epochs.open_epoch(epoch, header, sender=opener)


def begin_epoch(epochs, epoch: int, opener) -> None:
    """Mine into ``epoch`` and open it (its transactions then run two blocks after its start)."""
    open_epoch(epochs, epoch, opener)


def attest_root(epochs, epoch: int, root: bytes, keeper, secret: bytes, slot: int = 0) -> None:
    """The real attestation of ``root`` for ``epoch`` (opened and over) by the Keeper in ``slot``,
    when it holds the whole Keeper weight (one BLS signature, checked through EIP-2537)."""
    import ape

    from memo_py.chain.merkle import attestation_message
    from memo_py.crypto import bls

    message = attestation_message(ape.chain.chain_id, epochs.address, epoch, root)
    signature = bls.g2_to_eip2537(bls.sign(secret, message))
    epochs.attest(epoch, root, 1 << slot, signature, sender=keeper)


def _load(relative: str):
    """A helper module of the test suite, loaded by path (a top-level `tests` package may shadow ours)."""
    import importlib.util

    name = "_memo_bench_" + relative.replace("/", "_")[:-3]
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / relative)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _results_tree(entries):
    return _load("tests/contracts/support.py").results_tree(entries)


def bench_token(b: Bench) -> None:
    sign_permit = _load("tests/contracts/support.py").sign_permit
    owner, user, provider = b.accounts[0], b.accounts[1], b.accounts[2]
    token = b.contracts["token"]
    b.record("Token.mint", token.mint(user, UNIT, sender=owner))
    b.record("Token.transfer", token.transfer(provider, UNIT, sender=user))
    b.record("Token.approve", token.approve(provider, UNIT, sender=user))
    b.record("Token.transferFrom", token.transferFrom(user, owner, UNIT // 2, sender=provider))
    import ape

    deadline = ape.chain.pending_timestamp + 3600
    v, r, s = sign_permit(token, user, provider.address, UNIT, deadline)
    b.record("Token.permit", token.permit(user, provider, UNIT, deadline, v, r, s, sender=provider))
    b.record("Token.transfer_ownership", token.transfer_ownership(user, sender=owner))
    b.record("Token.accept_ownership", token.accept_ownership(sender=user))
    token.transfer_ownership(owner, sender=user)
    token.accept_ownership(sender=owner)


def bench_registry_and_market(b: Bench) -> None:
    import ape

    from memo_py.chain import eip712

    keeper_key = _load("tests/contracts/support.py").keeper_key
    sign_permit = _load("tests/contracts/support.py").sign_permit

    owner, user, provider, keeper, other = b.accounts[0], b.accounts[1], b.accounts[2], b.accounts[3], b.accounts[5]
    opener = b.accounts[6]  # opens epochs, so that no measured account's nonce or balance moves
    token, registry, market, epochs = (b.contracts[k] for k in ("token", "registry", "market", "epochs"))
    chain_id = ape.chain.chain_id
    for account in (user, provider, keeper, other):
        token.approve(registry, 2**256 - 1, sender=account)
        token.approve(market, 2**256 - 1, sender=account)

    # A change of a minimum deploy_all set (100 tokens), as an admin makes it; the pledge below still meets it.
    b.record("Registry.set_min_pledge", registry.set_min_pledge(PROVIDER, 90 * UNIT, sender=owner))
    b.record("Registry.set_unbonding_delay", registry.set_unbonding_delay(0, sender=owner))
    b.record("Registry.register_user", registry.register_user(UNIT, sender=user))
    registry.register_user(UNIT, sender=other)
    b.record("Registry.register_provider", registry.register_provider(100 * UNIT, "https://provider.example", 2**40, 1, sender=provider))
    b.record("Registry.update_provider", registry.update_provider("https://p2.example", 2**40, 2, sender=provider))
    key = keeper_key(1)
    b.record("Registry.register_keeper", registry.register_keeper(*key.register_args(registry, keeper, 50 * UNIT), sender=keeper))
    b.record("Registry.top_up[provider]", registry.top_up(PROVIDER, UNIT, sender=provider))
    ape.chain.pending_timestamp += 1  # the fee accumulator's gas depends on whether time passed
    b.record("Registry.top_up[keeper]", registry.top_up(KEEPER, UNIT, sender=keeper))

    b.record("Market.deposit[first]", market.deposit(100 * UNIT, sender=user))
    b.record("Market.deposit", market.deposit(100 * UNIT, sender=user))
    deadline = ape.chain.pending_timestamp + 3600
    v, r, s = sign_permit(token, other, market.address, 10 * UNIT, deadline)
    b.record("Market.deposit_with_permit", market.deposit_with_permit(10 * UNIT, deadline, v, r, s, sender=other))
    b.record("Market.withdraw", market.withdraw(UNIT, sender=user))
    b.record("Market.set_fee", market.set_fee(500, sender=owner))

    def sign(update, account):
        return eip712.sign_order_update(update, account.private_key, chain_id, market.address)

    def submit(updates, sender):
        return market.submit_orders(
            [u.as_tuple() for u in updates], [sign(u, user) for u in updates], [sign(u, provider) for u in updates], sender=sender
        )

    # Epochs run on the chain's blocks: t is the epoch the first orders start in, and every
    # epoch below is t + the offset the bench used to set on a mock. The orders are signed in
    # epoch t - 1 (an order starts no earlier than the epoch after the one it lands in).
    t = epochs.current_epoch() + 2

    def attest(epoch, entries):
        """Open the next epoch, attest ``epoch`` with the results tree of ``entries``; the proofs."""
        begin_epoch(epochs, epoch + 1, opener)
        root, proofs = _results_tree(entries)
        attest_root(epochs, epoch, root, keeper, key.secret)
        return proofs

    begin_epoch(epochs, t - 1, opener)
    rate_size, price = 253_952 * 2, 10**6  # two 2-blob chunks at 1e6 wei/B/epoch
    first = eip712.OrderUpdate(user.address, provider.address, 0, 0, rate_size, price, t, t + 30, b"\x01" * 32, 4)
    b.record("Market.submit_orders[create, first for provider]", submit([first], provider))
    order = eip712.OrderUpdate(user.address, provider.address, 1, 0, rate_size, price, t, t + 30, b"\x02" * 32, 4)
    create_gas = b.record("Market.submit_orders[create]", submit([order], provider))
    extend_gas = b.record("Market.submit_orders[extend]", submit([order.next(end_epoch=t + 40, root=b"\x03" * 32, blob_count=8)], user))
    batch = [eip712.OrderUpdate(user.address, provider.address, 2 + i, 0, rate_size, price, t + 1, t + 31, b"\x04" * 32, 4) for i in range(8)]
    batch_gas = b.record("Market.submit_orders[create x8]", submit(batch, provider))
    b.cases["Market.submit_orders[create, per order in a batch of 8]"] = batch_gas // 8
    # A deletion: the order shrinks to half and the escrow not vested goes back; then it grows
    # back to its size, so that the books below stay as they are.
    shrunk = batch[0].next(size=rate_size // 2, root=b"\x05" * 32)
    b.record("Market.submit_orders[shrink]", submit([shrunk], user))
    submit([shrunk.next(size=rate_size, root=b"\x04" * 32)], user)
    b.summary["order_create"] = create_gas
    b.summary["order_extend"] = extend_gas
    begin_epoch(epochs, t, opener)

    rate = rate_size * price
    active = 2  # orders active in epoch t
    entries = [(provider.address, active * rate, 0), (user.address, 0, 0), (keeper.address, 0, 0), (other.address, 0, 0)]
    proofs = attest(t, entries)
    b.record("Market.withdraw_pay[first]", market.withdraw_pay(t, active * rate, 0, proofs[0], sender=provider))
    # Steady state: the next epoch, with 10 orders active and a 1024-leaf results tree (10-hash proof).
    cum = active * rate + 10 * rate
    many = [(provider.address, cum, 0)] + [("0x" + f"{i + 1:040x}", i, 0) for i in range(1023)]
    proofs = attest(t + 1, many)
    withdraw_gas = b.record("Market.withdraw_pay", market.withdraw_pay(t + 1, cum, 0, proofs[0], sender=provider))
    b.summary["withdraw"] = withdraw_gas
    # Forfeit and penalty in the same settlement.
    cum_pen = 5 * UNIT
    proofs = attest(t + 2, [(provider.address, cum + 5 * rate, cum_pen), (user.address, 1, 1)])
    b.record("Market.withdraw_pay[forfeit + penalty]", market.withdraw_pay(t + 2, cum + 5 * rate, cum_pen, proofs[0], sender=provider))
    cum += 5 * rate + 10 * rate
    proofs = attest(t + 3, [(provider.address, cum, cum_pen), (user.address, 1, 1)])
    b.record("Market.settle", market.settle(provider, t + 3, cum, cum_pen, proofs[0], sender=user))
    begin_epoch(epochs, t + 19, opener)
    attest(t + 19, [(user.address, 1, 1)])
    b.record("Market.sync[15 epochs]", market.sync(provider, 15, sender=user))
    b.record("Market.flush_fees", market.flush_fees(sender=user))
    ape.chain.pending_timestamp += 3600  # fees stream out over Registry.FEE_STREAM_SECONDS
    b.record("Registry.claim_fees", registry.claim_fees(sender=keeper))

    # Close: settle through the end of the first order, then close it.
    begin_epoch(epochs, t + 40, opener)
    begin_epoch(epochs, t + 41, opener)
    market.sync(provider, 1000, sender=user)
    vested = market.providers(provider).paid + market.providers(provider).unsettled
    root, proofs = _results_tree([(provider.address, vested, cum_pen), (user.address, 1, 1)])
    attest_root(epochs, t + 40, root, keeper, key.secret)
    market.withdraw_pay(t + 40, vested, cum_pen, proofs[0], sender=provider)
    b.record("Market.close_order", market.close_order(first.order_id, sender=user))
    # Compensation of an order that vested through the forfeit + penalty settlement (one checkpoint).
    b.record("Market.claim_compensation", market.claim_compensation(batch[1].order_id, 16, sender=user))

    b.record("Registry.request_exit[keeper]", registry.request_exit(KEEPER, sender=keeper))
    b.record("Registry.complete_exit[keeper]", registry.complete_exit(KEEPER, sender=keeper))
    b.record("Registry.request_exit[provider]", registry.request_exit(PROVIDER, sender=provider))
    for oid in [order.order_id] + [u.order_id for u in batch]:
        market.close_order(oid, sender=user)
    b.record("Registry.complete_exit[provider]", registry.complete_exit(PROVIDER, sender=provider))


def _blob(seed: int) -> bytes:
    """A blob of canonical field elements (a deterministic stand-in for stored data)."""
    from memo_py.crypto import kzg

    return b"".join(((seed * 1_000_003 + i * 7919) % kzg.BLS_MODULUS).to_bytes(32, "big") for i in range(4096))


def bench_epochs_and_disputes(b: Bench) -> None:
    """The real set (scripts/deploy.py): Epochs.attest with real Keepers, Disputes with a real KZG opening.

    attest_base is an attestation of an epoch by the only registered Keeper (the first attestation
    of a fresh deployment). attest_per_signer is what one more signer adds over the same Keeper set,
    from the same state: 8 Keepers registered, one epoch opened and over, then attested by 7 and,
    from a snapshot of that same state, by all 8 (attest[8 sign] - attest[7 sign]). The Registry hands
    Epochs the signers' key as agg_pubkey minus the non-signers' keys, so a signer costs nothing and a
    non-signer one G1 subtraction: the figure is about zero or below (the 6-signer case shows the trend).
    The results root is one word whatever the number of Providers, so neither figure depends on it.
    """
    import ape

    from memo_py.chain import eip712
    from memo_py.chain.merkle import CommitmentTree, attestation_message
    from memo_py.crypto import bls, kzg

    keeper_key = _load("tests/contracts/support.py").keeper_key
    deploy_all = _load("scripts/deploy.py").deploy_all
    owner, user, provider, challenger = b.accounts[0], b.accounts[1], b.accounts[2], b.accounts[3]
    keepers = [b.accounts[i] for i in range(2, 10)]  # a Keeper may hold other roles too
    window = 3600
    c = deploy_all(owner, epoch_length=4, unbonding_delay=0, dispute_window=window)
    token, registry, epochs, market, disputes = (c[k] for k in ("Token", "Registry", "Epochs", "Market", "Disputes"))
    for account in [user, provider, challenger, *keepers]:
        token.mint(account, 1_000_000 * UNIT, sender=owner)
        for spender in (registry, market, disputes):
            token.approve(spender, 2**256 - 1, sender=account)
    keys = [keeper_key(100 + i) for i in range(len(keepers))]

    def register(indexes):
        for i in indexes:
            registry.register_keeper(*keys[i].register_args(registry, keepers[i], 50 * UNIT), sender=keepers[i])

    def ready() -> int:
        """Open the next epoch and mine past its end: it can be attested."""
        epoch = epochs.current_epoch() + 1
        open_epoch(epochs, epoch, user)
        gap = epochs.end_block_of(epoch) - ape.chain.blocks.head.number
        if gap > 0:
            ape.chain.mine(gap)
        return epoch

    def attest(signers, case, epoch=None):
        epoch = ready() if epoch is None else epoch
        root = bytes([epoch + 1]) * 32
        message = attestation_message(ape.chain.chain_id, epochs.address, epoch, root)
        signature = bls.g2_to_eip2537(bls.aggregate([bls.sign(keys[i].secret, message) for i in signers]))
        bitmap = sum(1 << i for i in signers)
        return b.record(case, epochs.attest(epoch, root, bitmap, signature, sender=keepers[signers[0]]))

    fresh = ape.chain.snapshot()  # a revert uses a snapshot up: take a new one after it
    register([0])
    base = attest([0], "Epochs.attest[1 keeper, 1 signs]")
    ape.chain.restore(fresh)
    register(range(8))
    b.record("Epochs.open_epoch", open_epoch(epochs, epochs.current_epoch() + 1, user))
    epoch = ready()
    same = ape.chain.snapshot()  # 7, 8 and 6 signers attest the same epoch from this one state
    seven = attest(list(range(7)), "Epochs.attest[8 keepers, 7 sign]", epoch)
    ape.chain.restore(same)
    same = ape.chain.snapshot()
    attest(list(range(6)), "Epochs.attest[8 keepers, 6 sign]", epoch)
    ape.chain.restore(same)
    full = attest(list(range(8)), "Epochs.attest[8 keepers, 8 sign]", epoch)
    b.summary["attest_base"] = base
    b.summary["attest_per_signer"] = full - seven

    # Disputes: an order over two real blobs, challenged on blob 1, answered with a real opening.
    registry.register_user(UNIT, sender=user)
    registry.register_provider(100 * UNIT, "https://provider.example", 2**40, 1, sender=provider)
    market.deposit(100 * UNIT, sender=user)
    blobs = [_blob(1), _blob(2)]
    commitments = [kzg.commit(blob) for blob in blobs]
    tree = CommitmentTree(commitments)
    start = epochs.current_epoch() + 1
    order = eip712.OrderUpdate(user.address, provider.address, 0, 0, 2 * 126_976, 1, start, start + 100, tree.root, len(blobs))
    signatures = [eip712.sign_order_update(order, a.private_key, ape.chain.chain_id, market.address) for a in (user, provider)]
    market.submit_orders([order.as_tuple()], [signatures[0]], [signatures[1]], sender=provider)
    while epochs.current_epoch() < start:  # a challenge needs the order active
        ape.chain.mine(1)
    bond = disputes.min_bond()

    def challenge(case):
        receipt = disputes.challenge(order.order_id, 1, bond, sender=challenger)
        b.record(case, receipt)
        (opened,) = [log for log in receipt.events if log.event_name == "DisputeOpened"]
        return opened.dispute_id, opened.z

    challenge("Disputes.challenge[first]")
    dispute_id, z = challenge("Disputes.challenge")
    opening = kzg.open_blob(blobs[1], z)
    answer = disputes.answer(dispute_id, commitments[1], tree.proof(1), opening.y_bytes, opening.proof, sender=provider)
    b.summary["dispute_answer"] = b.record("Disputes.answer", answer)
    ape.chain.pending_timestamp += window + 1
    b.record("Disputes.resolve_timeout", disputes.resolve_timeout(1, sender=challenger))

    b.record("Epochs.set_quorum", epochs.set_quorum(3, 4, sender=owner))
    b.record("Disputes.set_min_bond", disputes.set_min_bond(2 * bond, sender=owner))
    b.record("Disputes.set_dispute_window", disputes.set_dispute_window(2 * window, sender=owner))
    b.record("Disputes.set_slash_amount", disputes.set_slash_amount(UNIT, sender=owner))
    # The wiring is one-time (deploy_all has done it): measure it on a fresh, unwired Registry.
    fresh_registry = b.project.Registry.deploy(token, 0, 0, 30 * 86400, 10_000 * UNIT, sender=owner)
    b.record("Registry.set_market", fresh_registry.set_market(market, sender=owner))
    b.record("Registry.set_disputes", fresh_registry.set_disputes(disputes, sender=owner))
    for name, contract in (("Registry", registry), ("Market", market), ("Epochs", epochs), ("Disputes", disputes)):
        b.record(f"{name}.transfer_ownership", contract.transfer_ownership(user, sender=owner))
        b.record(f"{name}.accept_ownership", contract.accept_ownership(sender=user))


BENCHES: list[Callable[[Bench], None]] = [bench_token, bench_registry_and_market, bench_epochs_and_disputes]


def deploy(accounts) -> dict:
    """The real set as scripts/deploy.py deploys it, in epochs of MARKET_EPOCH_BLOCKS blocks,
    with tokens for the first eight accounts."""
    owner = accounts[0]
    c = _load("scripts/deploy.py").deploy_all(owner, epoch_length=MARKET_EPOCH_BLOCKS, unbonding_delay=0)
    for account in accounts[:8]:
        c["Token"].mint(account, 1_000_000 * UNIT, sender=owner)
    return {name.lower(): contract for name, contract in c.items()}


def measure(project, accounts) -> Bench:
    """Run every bench on the connected chain (each from the same state, restored after it):
    the figures of :data:`BENCHES`. ``accounts`` are at least ten funded test accounts."""
    import ape

    snapshot = ape.chain.snapshot()
    try:
        bench = Bench(project=project, accounts=list(accounts)[:10], contracts=deploy(list(accounts)[:10]))
        for fn in BENCHES:
            before = ape.chain.snapshot()
            fn(bench)
            ape.chain.restore(before)
    finally:
        ape.chain.restore(snapshot)
    return bench


def drift(committed: dict[str, int], measured: dict[str, int]) -> list[str]:
    """Why ``measured`` does not match the ``committed`` snapshot, one line per case: a figure off
    by more than the tolerance (the larger of TOLERANCE_BPS and TOLERANCE_GAS), a case the
    snapshot has and the run did not measure, or one it measured and the snapshot lacks."""
    problems = []
    for case in sorted(committed.keys() | measured.keys()):
        before, now = committed.get(case), measured.get(case)
        if before is None:
            problems.append(f"{case}: measured {now:,} gas, not in the snapshot")
        elif now is None:
            problems.append(f"{case}: {before:,} gas in the snapshot, not measured")
        elif abs(now - before) > max(before * TOLERANCE_BPS // 10_000, TOLERANCE_GAS):
            problems.append(f"{case}: {before:,} gas in the snapshot, {now:,} measured ({now - before:+,})")
    return problems


def run() -> Bench:
    import ape

    from ape.logging import logger

    logger.set_level("ERROR")
    project = ape.Project(ROOT)
    with ape.networks.parse_network_choice("ethereum:local:foundry"):
        return measure(project, ape.accounts.test_accounts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-snapshot", action="store_true", help=f"rewrite {SNAPSHOT.relative_to(ROOT)}")
    parser.add_argument(
        "--check-snapshot",
        action="store_true",
        help=f"fail if a figure moved by more than {TOLERANCE_BPS / 100:g} %% or {TOLERANCE_GAS:,} gas (the larger)",
    )
    parser.add_argument("--quick", action="store_true", help="accepted for `make bench` (the run is already short)")
    args = parser.parse_args(argv)

    os.chdir(ROOT)
    bench = run()
    width = max(len(case) for case in bench.cases)
    for case in sorted(bench.cases):
        print(f"{case:<{width}}  {bench.cases[case]:>9,}")
    status = 0
    if args.check_snapshot:
        for problem in drift(json.loads(SNAPSHOT.read_text()), bench.cases):
            print(f"gas snapshot: {problem}", file=sys.stderr)
            status = 1
    if args.write_snapshot:
        SNAPSHOT.write_text(json.dumps(dict(sorted(bench.cases.items())), indent=2) + "\n")
        print(f"wrote {SNAPSHOT.relative_to(ROOT)}", file=sys.stderr)
    summary = {key: bench.summary.get(key) for key in ("attest_base", "attest_per_signer", "withdraw", "dispute_answer", "order_create", "order_extend")}
    for key, target in TARGETS.items():
        if summary[key] is not None and summary[key] > target:
            print(f"gas target missed: {key} = {summary[key]} > {target}", file=sys.stderr)
            status = 1
    print(json.dumps(summary))
    return status


if __name__ == "__main__":
    sys.exit(main())
