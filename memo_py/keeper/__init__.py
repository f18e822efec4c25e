"""The Keeper role: matches, verifies, attests and repairs."""

from memo_py.keeper.matcher import NotEnoughProviders, ProviderInfo, select_providers
from memo_py.keeper.rafi import RepairTask, RiskTracker, StripeHealth

__all__ = ["NotEnoughProviders", "ProviderInfo", "RepairTask", "RiskTracker", "StripeHealth", "select_providers"]
