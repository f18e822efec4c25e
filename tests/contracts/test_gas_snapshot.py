"""The committed gas snapshot (bench/gas.py --write-snapshot) has a figure for every public
function of the five deployables that changes state."""

import json
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).parent / "gas_snapshot.json"
DEPLOYABLES = ("Token", "Registry", "Market", "Epochs", "Disputes")
# Functions only another contract can call; their gas is inside the caller's figure.
INSIDE_ANOTHER = {"Registry.add_fees": "Market.flush_fees"}


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
