"""Write the compiled artifacts of the deployable contracts to memo_py/data/abi/<Contract>.json.

    python scripts/export_abis.py        (or: make abi)

Each file is ``{"contractName": ..., "abi": [...], "bytecode": "0x..."}``: the ABI and the
deployment bytecode from ape's compiled manifest. The SDK (:mod:`memo_py.chain.artifacts`)
loads these with web3.py, so it never needs ape at run time, and the devnet deploys
from the same bytecode (:mod:`memo_py.chain.deploy`). Mocks and test harnesses
(contracts/test/) are not exported. Run it after any contract change and commit the result.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "memo_py" / "data" / "abi"
DEPLOYABLES = ("Token", "Registry", "Epochs", "Market", "Disputes")


def artifact(contract_type) -> dict:
    """The shipped artifact of one ape ``ContractType``: name, ABI and deployment bytecode."""
    abi = [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in contract_type.abi]
    bytecode = contract_type.deployment_bytecode.bytecode if contract_type.deployment_bytecode else None
    if not bytecode:
        raise SystemExit(f"export_abis: {contract_type.name} has no deployment bytecode")
    if not bytecode.startswith("0x"):
        bytecode = "0x" + bytecode
    return {"contractName": contract_type.name, "abi": abi, "bytecode": bytecode}


def export(root: Path = ROOT, out: Path = OUT) -> list[Path]:
    from ape import Project

    project = Project(root)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in DEPLOYABLES:
        if name not in project.contracts:
            print(f"export_abis: {name} is not in this tree; not exported", file=sys.stderr)
            continue
        path = out / f"{name}.json"
        path.write_text(json.dumps(artifact(project.contracts[name]), indent=1, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in export():
        print(path.relative_to(ROOT))
