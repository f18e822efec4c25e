"""Worker processes that never outlive the process that started them.

A Provider's commit workers are forked processes of about 64 MB each. If the
daemon is killed (SIGKILL, the OOM killer), nothing runs its shutdown, and the
workers would be re-parented to init and keep running. :func:`die_with_parent`,
run first thing in each worker (as a ``ProcessPoolExecutor`` initializer, see
:func:`worker_pool`), asks the kernel to SIGKILL the worker as soon as its parent
dies (Linux ``prctl(PR_SET_PDEATHSIG)``); elsewhere it only checks the parent once.

The kernel sends that signal when the *thread* that forked the worker exits, not
only the whole process. With the ``fork`` start method, Python 3.11's
``ProcessPoolExecutor`` forks every worker at once, on the first ``submit``, from
the submitting thread, and does not replace workers later; so the pool must be
created and first used from a thread that lives as long as the pool (the
daemon's main thread for :class:`memo_py.provider.ingest.Committer`, the calling
thread for :func:`memo_py.crypto.kzg.commit_many`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["PR_SET_PDEATHSIG", "die_with_parent", "worker_pool"]

#: ``<linux/prctl.h>``: the signal a process gets when its parent (thread) exits.
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Have this process killed when ``parent`` (the pid that forked it) dies.

    If ``parent`` died before the request took effect, exit at once: the kernel only
    signals a death that happens after ``prctl``.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"prctl(PR_SET_PDEATHSIG): {os.strerror(errno)}")
    if os.getppid() != parent:
        os._exit(1)


def _init_worker(parent: int, initializer: Any, initargs: tuple[Any, ...]) -> None:
    die_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)


def worker_pool(
    workers: int, *, fork: bool = True, initializer: Any = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """A ``ProcessPoolExecutor`` whose workers die with this process (see the module docstring).

    ``fork`` uses the ``fork`` start method where there is one (workers inherit what is
    loaded, such as the KZG setup); ``initializer`` then runs in each worker as usual.
    """
    context = multiprocessing.get_context("fork") if fork and "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(), initializer, initargs)
    )
