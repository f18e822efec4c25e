"""How many cores this process may use."""

from __future__ import annotations

import os

__all__ = ["usable_cores"]


def usable_cores() -> int:
    """The cores this process may run on, at least 1.

    Its CPU affinity (``taskset``, a container's cpuset), not the machine's core count:
    a Provider given two cores of eight must size its commit pool to two.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        return os.cpu_count() or 1
