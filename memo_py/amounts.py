"""Token amounts (and the other uint256 arguments: capacities, prices, pledges) checked
before they reach a contract.

Python would take ``1.5`` for 1 wei (``int(1.5)``) and ``True`` for 1: every amount
argument of :mod:`memo_py.chain` and :mod:`memo_py.user` goes through
:func:`require_uint` first, so a wrong type is a :class:`~memo_py.errors.WrongType`
(a ``TypeError``) and an amount out of range a ``ValueError``, before any transaction.
"""

from __future__ import annotations

from memo_py.errors import WrongType

__all__ = ["require_uint", "UINT256_MAX"]

UINT256_MAX = 2**256 - 1


def require_uint(value: object, what: str, *, positive: bool = False) -> int:
    """``value`` if it is an int (not a bool) in uint256 range, above 0 when ``positive``.

    Raises WrongType for any other type, ValueError for an int out of range.
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise WrongType(f"{what} must be an int amount, not {type(value).__name__} ({value!r})")
    if positive and value <= 0:
        raise ValueError(f"{what} must be positive, got {value}")
    if not 0 <= value <= UINT256_MAX:
        raise ValueError(f"{what} must be a uint256 (0 to 2**256 - 1), got {value}")
    return int(value)
