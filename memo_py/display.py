"""How a person reads amounts and times: tokens, not wei; UTC dates, not Unix seconds.

The SDK takes and returns amounts as ``int`` token wei and times as numbers or
``datetime``; these two functions are what messages and the CLI's human output
show instead (``--json`` keeps the exact numbers beside them).
"""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["DECIMALS", "format_tokens", "format_utc"]

#: Decimals of the MEMO token (as ERC-20 tokens usually have): 1 token = 10**18 wei.
DECIMALS = 18


def format_tokens(wei: int) -> str:
    """Wei as token units, exact, without trailing zeros: ``10500000000000000000`` → ``"10.5"``."""
    sign = "-" if wei < 0 else ""
    whole, fraction = divmod(abs(int(wei)), 10**DECIMALS)
    if fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:0{DECIMALS}d}".rstrip("0")


def format_utc(moment: float | datetime) -> str:
    """A Unix time or a ``datetime`` as ``2026-12-03 11:00:00 UTC``."""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
