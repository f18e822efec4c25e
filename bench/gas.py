"""Gas of every public function of the MEMO contracts, on anvil, as the receipts report it.

    python bench/gas.py                   # print the table and the JSON summary line
    python bench/gas.py --write-snapshot  # also rewrite tests/contracts/gas_snapshot.json
    python bench/gas.py --check-snapshot  # fail if a figure moved by more than 1 %

Each figure is the whole transaction's gas (21,000 base and calldata included), measured
in a steady state (warm accounts, non-zero balances) unless the case name says "first".
The last line printed is one JSON object with the issue's targets:
attest_base, attest_per_signer, withdraw, dispute_answer, order_create, order_extend.
Figures for contracts that are not in the tree yet are null.

Benches register themselves in BENCHES; one for Epochs/Disputes is added as a function
taking the Bench context and returning {case: gas} and {summary key: gas}.
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
    token, registry, market, epochs, disputes = (b.contracts[k] for k in ("token", "registry", "market", "epochs", "disputes"))
    chain_id = ape.chain.chain_id
    for account in (user, provider, keeper, other):
        token.approve(registry, 2**256 - 1, sender=account)
        token.approve(market, 2**256 - 1, sender=account)

    b.record("Registry.set_min_pledge", registry.set_min_pledge(PROVIDER, 100 * UNIT, sender=owner))
    b.record("Registry.set_unbonding_delay", registry.set_unbonding_delay(0, sender=owner))
    b.record("Registry.register_user", registry.register_user(UNIT, sender=user))
    registry.register_user(UNIT, sender=other)
    b.record("Registry.register_provider", registry.register_provider(100 * UNIT, "https://provider.example", 2**40, 1, sender=provider))
    b.record("Registry.update_provider", registry.update_provider("https://p2.example", 2**40, 2, sender=provider))
    key = keeper_key(1)
    b.record("Registry.register_keeper", registry.register_keeper(50 * UNIT, key.pubkey, key.pubkey_xy, key.pop, sender=keeper))
    b.record("Registry.top_up[provider]", registry.top_up(PROVIDER, UNIT, sender=provider))
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

    epochs.set_current_epoch(10, sender=owner)
    rate_size, price = 253_952 * 2, 10**6  # one 2-blob chunk at 1e6 wei/B/epoch
    first = eip712.OrderUpdate(user.address, provider.address, 0, 0, rate_size, price, 10, 40, b"\x01" * 32, 2)
    b.record("Market.submit_orders[create, first for provider]", submit([first], provider))
    order = eip712.OrderUpdate(user.address, provider.address, 1, 0, rate_size, price, 10, 40, b"\x02" * 32, 2)
    create_gas = b.record("Market.submit_orders[create]", submit([order], provider))
    extend_gas = b.record("Market.submit_orders[extend]", submit([order.next(end_epoch=50, root=b"\x03" * 32, blob_count=4)], user))
    batch = [eip712.OrderUpdate(user.address, provider.address, 2 + i, 0, rate_size, price, 11, 41, b"\x04" * 32, 2) for i in range(8)]
    batch_gas = b.record("Market.submit_orders[create x8]", submit(batch, provider))
    b.cases["Market.submit_orders[create, per order in a batch of 8]"] = batch_gas // 8
    b.summary["order_create"] = create_gas
    b.summary["order_extend"] = extend_gas

    rate = rate_size * price
    active = 2  # orders active in epoch 10
    entries = [(provider.address, active * rate, 0), (user.address, 0, 0), (keeper.address, 0, 0), (other.address, 0, 0)]
    epochs.set_current_epoch(11, sender=owner)
    root, proofs = _results_tree(entries)
    epochs.set_results_root(10, root, sender=owner)
    b.record("Market.withdraw_pay[first]", market.withdraw_pay(10, active * rate, 0, proofs[0], sender=provider))
    # Steady state: the next epoch, with 10 orders active and a 1024-leaf results tree (10-hash proof).
    epochs.set_current_epoch(12, sender=owner)
    cum = active * rate + 10 * rate
    many = [(provider.address, cum, 0)] + [("0x" + f"{i + 1:040x}", i, 0) for i in range(1023)]
    root, proofs = _results_tree(many)
    epochs.set_results_root(11, root, sender=owner)
    withdraw_gas = b.record("Market.withdraw_pay", market.withdraw_pay(11, cum, 0, proofs[0], sender=provider))
    b.summary["withdraw"] = withdraw_gas
    # Forfeit and penalty in the same settlement.
    epochs.set_current_epoch(13, sender=owner)
    cum_pen = 5 * UNIT
    root, proofs = _results_tree([(provider.address, cum + 5 * rate, cum_pen), (user.address, 1, 1)])
    epochs.set_results_root(12, root, sender=owner)
    b.record("Market.withdraw_pay[forfeit + penalty]", market.withdraw_pay(12, cum + 5 * rate, cum_pen, proofs[0], sender=provider))
    epochs.set_current_epoch(14, sender=owner)
    cum += 5 * rate + 10 * rate
    root, proofs = _results_tree([(provider.address, cum, cum_pen), (user.address, 1, 1)])
    epochs.set_results_root(13, root, sender=owner)
    b.record("Market.settle", market.settle(provider, 13, cum, cum_pen, proofs[0], sender=user))
    epochs.set_current_epoch(30, sender=owner)
    root, _ = _results_tree([(user.address, 1, 1)])
    epochs.set_results_root(29, root, sender=owner)
    b.record("Market.sync[15 epochs]", market.sync(provider, 15, sender=user))
    b.record("Market.flush_fees", market.flush_fees(sender=user))
    b.record("Registry.claim_fees", registry.claim_fees(sender=keeper))

    # Close: settle through the end of the first order, then close it.
    epochs.set_current_epoch(51, sender=owner)
    market.sync(provider, 1000, sender=user)
    total = sum(rate * (min(e, 50) - s) for s, e in [(10, 40), (10, 12), (12, 50)]) + 8 * rate * 30
    vested = market.providers(provider).paid + market.providers(provider).unsettled
    root, proofs = _results_tree([(provider.address, vested, cum_pen), (user.address, 1, 1)])
    epochs.set_results_root(50, root, sender=owner)
    market.withdraw_pay(50, vested, cum_pen, proofs[0], sender=provider)
    del total
    b.record("Market.close_order", market.close_order(first.order_id, sender=user))

    b.record("Registry.slash[by disputes]", disputes.slash(registry, provider, UNIT, user, sender=user))
    b.record("Registry.request_exit[keeper]", registry.request_exit(KEEPER, sender=keeper))
    b.record("Registry.complete_exit[keeper]", registry.complete_exit(KEEPER, sender=keeper))
    b.record("Registry.request_exit[provider]", registry.request_exit(PROVIDER, sender=provider))
    for oid in [order.order_id] + [u.order_id for u in batch]:
        market.close_order(oid, sender=user)
    b.record("Registry.complete_exit[provider]", registry.complete_exit(PROVIDER, sender=provider))


BENCHES: list[Callable[[Bench], None]] = [bench_token, bench_registry_and_market]


def deploy(project, accounts) -> dict:
    """The devnet set with test mocks for Epochs/Disputes (the real ones are benched by their own bench)."""
    owner = accounts[0]
    token = project.Token.deploy("MEMO Token", "MEMO", 18, sender=owner)
    for account in accounts[:8]:
        token.mint(account, 1_000_000 * UNIT, sender=owner)
    registry = project.Registry.deploy(token, 0, sender=owner)
    epochs = project.MockAttestedEpochs.deploy(sender=owner)
    disputes = project.MockDisputes.deploy(sender=owner)
    market = project.Market.deploy(token, registry, epochs, 500, sender=owner)
    registry.set_market(market, sender=owner)
    registry.set_disputes(disputes, sender=owner)
    return {"token": token, "registry": registry, "market": market, "epochs": epochs, "disputes": disputes}


def run() -> Bench:
    import ape

    from ape.logging import logger

    logger.set_level("ERROR")
    project = ape.Project(ROOT)
    with ape.networks.parse_network_choice("ethereum:local:foundry"):
        accounts = list(ape.accounts.test_accounts)[:10]
        contracts = deploy(project, accounts)
        bench = Bench(project=project, accounts=accounts, contracts=contracts)
        for fn in BENCHES:
            snapshot = ape.chain.snapshot()
            fn(bench)
            ape.chain.restore(snapshot)
    return bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-snapshot", action="store_true", help=f"rewrite {SNAPSHOT.relative_to(ROOT)}")
    parser.add_argument("--check-snapshot", action="store_true", help="fail if a figure moved by more than 1 %%")
    parser.add_argument("--quick", action="store_true", help="accepted for `make bench` (the run is already short)")
    args = parser.parse_args(argv)

    os.chdir(ROOT)
    bench = run()
    width = max(len(case) for case in bench.cases)
    for case in sorted(bench.cases):
        print(f"{case:<{width}}  {bench.cases[case]:>9,}")
    status = 0
    if args.check_snapshot:
        old = json.loads(SNAPSHOT.read_text())
        for case, gas in sorted(bench.cases.items()):
            before = old.get(case)
            if before is None or abs(gas - before) > before // 100:
                print(f"gas snapshot: {case}: {before} -> {gas}", file=sys.stderr)
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
