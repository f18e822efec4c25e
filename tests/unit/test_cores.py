"""A process sizes its worker pools by the cores it is given, not by the machine's."""

import os

from memo_py.cores import usable_cores
from memo_py.provider.ingest import Committer


def test_usable_cores_follow_the_cpu_affinity():
    mine = os.sched_getaffinity(0)
    assert usable_cores() == len(mine)
    os.sched_setaffinity(0, {min(mine)})  # like `taskset -c N`; this thread only
    try:
        assert usable_cores() == 1
        assert Committer().workers == 1  # not started: no processes are forked
        assert Committer(3).workers == 3  # an explicit setting wins
    finally:
        os.sched_setaffinity(0, mine)
    assert usable_cores() == len(mine)
