"""The ABIs and bytecode shipped in memo_py/data/abi are those of the contracts in this tree.

The SDK and the devnet deploy from the shipped artifacts, `ape run deploy` from the
compiled project; this keeps the two the same. After a contract change: `make abi`.
"""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "memo_py" / "data" / "abi"


def _exporter():
    spec = importlib.util.spec_from_file_location("memo_export_abis", ROOT / "scripts" / "export_abis.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXPORT = _exporter()


@pytest.mark.parametrize("name", EXPORT.DEPLOYABLES)
def test_shipped_artifact_matches_the_compiled_contract(project, name):
    shipped = json.loads((SHIPPED / f"{name}.json").read_text())
    compiled = json.loads(json.dumps(EXPORT.artifact(project.contracts[name]), sort_keys=True))
    assert shipped["abi"] == compiled["abi"], f"{name}: ABI is stale, run `make abi`"
    assert shipped["bytecode"] == compiled["bytecode"], f"{name}: bytecode is stale, run `make abi`"
