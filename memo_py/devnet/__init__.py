"""A local MEMO network: anvil, the contracts, and one process per role."""

from memo_py.devnet.anvil import AnvilNode, find_anvil, free_port, start_anvil, wait_for_rpc
from memo_py.devnet.processes import ManagedProcess, ProcessTable

__all__ = ["AnvilNode", "ManagedProcess", "ProcessTable", "find_anvil", "free_port", "start_anvil", "wait_for_rpc"]
