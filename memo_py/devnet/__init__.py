"""A local MEMO network: anvil, the contracts, and one process per role."""

from memo_py.devnet.anvil import AnvilNode, find_anvil, free_port, start_anvil, wait_for_rpc
from memo_py.devnet.network import DevnetError, DevnetInUse, down, restart_daemon, status, up, user_client
from memo_py.devnet.processes import ManagedProcess, ProcessTable

__all__ = [
    "AnvilNode",
    "DevnetError",
    "DevnetInUse",
    "ManagedProcess",
    "ProcessTable",
    "down",
    "find_anvil",
    "free_port",
    "restart_daemon",
    "start_anvil",
    "status",
    "up",
    "user_client",
    "wait_for_rpc",
]
