"""The Keeper role: matches, verifies, attests and repairs.

- :mod:`~memo_py.keeper.chain`: what the daemon needs from the chain (``KeeperChain``).
- :mod:`~memo_py.keeper.verify`: checks Providers' epoch proofs against their on-chain roots.
- :mod:`~memo_py.keeper.ledger`: cumulative pay and penalty per Provider, results roots and proofs.
- :mod:`~memo_py.keeper.attest`: BLS signatures of results roots, aggregation and submission.
- :mod:`~memo_py.keeper.loop`: the epoch cycle, one ``tick`` at a time.
- :mod:`~memo_py.keeper.service`: the HTTP API (``create_app``).
- :mod:`~memo_py.keeper.matcher`, :mod:`~memo_py.keeper.rafi`: matching and repair risk.
"""

from memo_py.keeper.attest import Attestation, Attestor, has_quorum
from memo_py.keeper.chain import KeeperChain, KeeperSlot, RegisteredProvider
from memo_py.keeper.config import KeeperConfig, PeerEndpoint
from memo_py.keeper.ledger import EpochResults, Ledger, PayPolicy
from memo_py.keeper.loop import EpochLoop, TickReport
from memo_py.keeper.matcher import NotEnoughProviders, ProviderInfo, select_providers
from memo_py.keeper.rafi import RepairTask, RiskTracker, StripeHealth
from memo_py.keeper.service import KeeperService, create_app
from memo_py.keeper.verify import FAILED, MISSED, PASSED, ProofMessage, Verdict, Verifier

__all__ = [
    "FAILED",
    "MISSED",
    "PASSED",
    "Attestation",
    "Attestor",
    "EpochLoop",
    "EpochResults",
    "KeeperChain",
    "KeeperConfig",
    "KeeperService",
    "KeeperSlot",
    "Ledger",
    "NotEnoughProviders",
    "PayPolicy",
    "PeerEndpoint",
    "ProofMessage",
    "ProviderInfo",
    "RegisteredProvider",
    "RepairTask",
    "RiskTracker",
    "StripeHealth",
    "TickReport",
    "Verdict",
    "Verifier",
    "create_app",
    "has_quorum",
    "select_providers",
]
