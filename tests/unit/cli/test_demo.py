"""``memo proof-demo``: the proof-engine demo runs end to end and reports every check."""

from __future__ import annotations

import json

from click.testing import CliRunner

from memo_py.cli import main
from memo_py.crypto import demo as engine


def test_demo_json_reports_every_step_ok() -> None:
    result = CliRunner().invoke(main, ["proof-demo", "--size", "0.25", "--sample", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"] is True
    assert report["blob_count"] == 3
    names = [s["name"] for s in report["steps"]]
    assert {"commit", "batch check", "prove", "verify", "tampered proof", "tampered batch check", "unpack"} <= set(names)
    assert report["figures"]["proof_bytes"] == 80


def test_demo_table_on_a_given_file(tmp_path) -> None:
    path = tmp_path / "sample.bin"
    path.write_bytes(b"MEMO" * 1000)
    result = CliRunner().invoke(main, ["proof-demo", "--file", str(path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "all checks passed" in result.output


def test_demo_rejects_missing_file() -> None:
    result = CliRunner().invoke(main, ["proof-demo", "--file", "/nonexistent/file"])
    assert result.exit_code == 2


def test_engine_catches_tampering_on_small_data() -> None:
    report = engine.run(engine.sample_data(1000), sample_size=1, workers=1)
    steps = {s.name: s for s in report.steps}
    assert report.ok
    assert steps["tampered proof"].ok and "rejected" in steps["tampered proof"].detail
    assert steps["unpack"].ok


def test_sample_data_is_reproducible() -> None:
    assert engine.sample_data(100) == engine.sample_data(100)
    assert engine.sample_data(100) != engine.sample_data(100, seed=1)


def test_there_is_one_demo_of_each_kind():
    """``memo proof-demo`` (the engine) and ``memo devnet demo`` (the network): no bare ``memo demo``."""
    assert "proof-demo" in main.commands and "demo" not in main.commands
    assert "demo" in main.commands["devnet"].commands
