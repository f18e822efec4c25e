"""Write the compiled ABIs of the deployable contracts to memo_py/data/abi/<Contract>.json.

    python scripts/export_abis.py        (or: make abi)

The SDK loads these with web3.py, so it never needs ape at run time. Mocks and test
harnesses (contracts/test/) are not exported. Run it after any contract change and
commit the result.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "memo_py" / "data" / "abi"
DEPLOYABLES = ("Token", "Registry", "Epochs", "Market", "Disputes")


def export(root: Path = ROOT, out: Path = OUT) -> list[Path]:
    from ape import Project

    project = Project(root)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in DEPLOYABLES:
        if name not in project.contracts:
            print(f"export_abis: {name} is not in this tree; not exported", file=sys.stderr)
            continue
        contract_type = project.contracts[name]
        abi = [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in contract_type.abi]
        path = out / f"{name}.json"
        path.write_text(json.dumps(abi, indent=1, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in export():
        print(path.relative_to(ROOT))
