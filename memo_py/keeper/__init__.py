"""The Keeper role: matches, verifies, attests and repairs."""

from memo_py.keeper.rafi import RepairTask, RiskTracker, StripeHealth

__all__ = ["RepairTask", "RiskTracker", "StripeHealth"]
