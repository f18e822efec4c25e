"""The Keeper's matcher: which Providers get the k+m chunks of a stripe.

Rules, in order:

1. Only live Providers (seen within ``liveness`` seconds) with enough free
   capacity for the chunks and a price at or under the User's limit qualify.
2. No two chunks of a stripe on one Provider (the whole point of erasure coding).
3. Spread over operators where known: every operator gets one chunk before any
   operator gets a second.
4. Within those rules, cheaper first, then more free space, then the address
   (so the choice is deterministic and testable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from memo_py.errors import MemoError

__all__ = ["ProviderInfo", "NotEnoughProviders", "select_providers"]


class NotEnoughProviders(MemoError, LookupError):
    """Fewer qualifying Providers than chunks in a stripe."""


@dataclass(frozen=True)
class ProviderInfo:
    address: str
    endpoint: str
    price: int
    capacity: int
    used: int
    last_seen: float
    operator: str | None = None

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.used)


def select_providers(
    providers: Iterable[ProviderInfo],
    count: int,
    chunk_bytes: int,
    now: float,
    *,
    max_price: int | None = None,
    liveness: float = 600.0,
    exclude: Iterable[str] = (),
) -> list[ProviderInfo]:
    """Pick ``count`` distinct Providers for one stripe, or raise ``NotEnoughProviders``."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    excluded = {a.lower() for a in exclude}
    eligible = [
        p
        for p in providers
        if p.address.lower() not in excluded
        and now - p.last_seen <= liveness
        and p.free >= chunk_bytes
        and (max_price is None or p.price <= max_price)
    ]
    unique = {p.address.lower(): p for p in eligible}
    if len(unique) < count:
        raise NotEnoughProviders(
            f"need {count} live Providers with {chunk_bytes} bytes free"
            + (f" at price <= {max_price}" if max_price is not None else "")
            + f", found {len(unique)}"
        )
    ranked = sorted(unique.values(), key=lambda p: (p.price, -p.free, p.address.lower()))
    chosen: list[ProviderInfo] = []
    used_operators: dict[str, int] = {}
    while len(chosen) < count:
        # Fewest chunks on the operator first; an unknown operator counts as its own.
        best = min(
            (p for p in ranked if p not in chosen),
            key=lambda p: used_operators.get(p.operator or p.address.lower(), 0),
        )
        chosen.append(best)
        key = best.operator or best.address.lower()
        used_operators[key] = used_operators.get(key, 0) + 1
    return chosen
