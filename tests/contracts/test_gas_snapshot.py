"""The committed gas snapshot (bench/gas.py --write-snapshot): it has a figure for every public
function of the five deployables that changes state, and every figure still holds.

The figures are measured by bench/gas.py's own code (:func:`measure`, on the deployed path:
the set scripts/deploy.py deploys, no mock) and judged by its :func:`drift`, so the suite and
the bench cannot disagree. After a contract change, ``make gas-snapshot`` rewrites the file
and the review shows each moved figure.
"""

import importlib.util
import json
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).parent / "gas_snapshot.json"
DEPLOYABLES = ("Token", "Registry", "Market", "Epochs", "Disputes")
# Functions only another contract can call; their gas is inside the caller's figure.
INSIDE_ANOTHER = {"Registry.add_fees": "Market.flush_fees", "Registry.slash": "Disputes.resolve_timeout"}


def _gas_bench():
    """bench/gas.py as a module (bench/ is not a package)."""
    name = "_memo_gas_bench"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "gas.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.parametrize("name", DEPLOYABLES)
def test_every_state_changing_function_has_a_figure(project, name):
    cases = json.loads(SNAPSHOT.read_text())
    functions = {
        f"{name}.{item.name}"
        for item in getattr(project, name).contract_type.abi
        if item.type == "function" and item.stateMutability in ("nonpayable", "payable")
    }
    assert functions
    missing = sorted(
        function
        for function in functions
        if INSIDE_ANOTHER.get(function) not in cases and not any(case == function or case.startswith(function + "[") for case in cases)
    )
    assert missing == []


def test_every_figure_is_within_tolerance_of_the_snapshot(project, accounts):
    gas = _gas_bench()
    started = time.monotonic()
    measured = gas.measure(project, accounts)
    took = time.monotonic() - started
    problems = gas.drift(json.loads(SNAPSHOT.read_text()), measured.cases)
    tolerance = f"{gas.TOLERANCE_BPS / 100:g} % or {gas.TOLERANCE_GAS:,} gas, the larger"
    assert not problems, f"gas moved beyond {tolerance} (make gas-snapshot to accept):\n" + "\n".join(problems)
    assert took < 60, f"measuring the snapshot took {took:.0f} s"


def test_drift_names_the_function_and_both_figures():
    drift = _gas_bench().drift
    committed = {"Market.deposit": 100_000, "Token.mint": 30_000, "Epochs.open_epoch": 70_000}
    within = {"Market.deposit": 101_999, "Token.mint": 31_999, "Epochs.open_epoch": 70_000}
    assert drift(committed, within) == []  # 2 % of 100,000; 2,000 gas beats 2 % of 30,000
    assert drift(committed, {"Market.deposit": 102_001, "Token.mint": 27_999, "Registry.claim_fees": 5}) == [
        "Epochs.open_epoch: 70,000 gas in the snapshot, not measured",
        "Market.deposit: 100,000 gas in the snapshot, 102,001 measured (+2,001)",
        "Registry.claim_fees: measured 5 gas, not in the snapshot",
        "Token.mint: 30,000 gas in the snapshot, 27,999 measured (-2,001)",
    ]
