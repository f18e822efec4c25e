"""RAFI health records fed by proofs, and the Keeper's configuration checks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from memo_py.keeper import KeeperConfig, RiskTracker

PROVIDER = "0x" + "11" * 20
CHEATER = "0x" + "22" * 20


def test_a_failed_proof_fails_every_chunk_of_the_provider_and_a_pass_revives_them():
    risk = RiskTracker()
    risk.track("a", 1, 1, [PROVIDER, CHEATER], 0.0)
    risk.track("b", 1, 1, [CHEATER, PROVIDER], 0.0)
    risk.failed_provider(CHEATER, 10.0)
    assert risk.health("a", 20.0).states == ("ok", "failed")
    assert [t.stripe_id for t in risk.repair_queue(20.0)] == ["a", "b"]
    risk.seen_provider(CHEATER, 30.0)
    assert risk.repair_queue(40.0) == []


def test_the_config_refuses_bad_keys(tmp_path):
    good = dict(private_key="0x" + "21" * 32, bls_key="0x" + "01" * 32, data_dir=tmp_path)
    assert KeeperConfig(**good).bls_public
    for field, value in (("private_key", "0x00"), ("bls_key", "0x" + "ff" * 32), ("bls_key", "zz")):
        with pytest.raises(ValidationError, match=field):
            KeeperConfig(**(good | {field: value}))
