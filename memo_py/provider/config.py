"""The Provider daemon's configuration (a pydantic model, loadable from JSON or TOML)."""

from __future__ import annotations

import os

from pydantic import ConfigDict, Field

from memo_py.crypto.challenge import DEFAULT_SAMPLE_SIZE
from memo_py.configfile import AgentEndpoint, DaemonConfig, load_model
from memo_py.cores import usable_cores
from memo_py.native import PAYLOAD_BYTES_PER_BLOB

__all__ = ["KeeperEndpoint", "ProviderConfig", "load_config"]


KeeperEndpoint = AgentEndpoint


class ProviderConfig(DaemonConfig):
    """Everything a Provider daemon needs besides its chain access.

    ``capacity`` and ``price`` are what the Provider offers: payload bytes it will
    reserve for agreements, and the lowest price per byte per epoch it accepts.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    capacity: int = Field(gt=0, strict=True)
    price: int = Field(ge=0, lt=2**256, strict=True)
    #: Processes that commit blobs (ckzg holds the GIL, so one process per core).
    workers: int = Field(default_factory=usable_cores, ge=1)
    #: Blobs sampled per epoch challenge.
    sample_size: int = Field(default=DEFAULT_SAMPLE_SIZE, ge=1)
    #: Largest chunk accepted, in blobs (bounds the memory one request may take).
    max_chunk_blobs: int = Field(default=16, ge=1)
    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=0, lt=65536)
    keepers: tuple[KeeperEndpoint, ...] = ()
    #: Seconds after an epoch's first push during which failed pushes are retried.
    push_retry_seconds: float = Field(default=300.0, ge=0)
    #: Ended epochs older than this many epochs behind the current one are not proven
    #: any more (Keepers have judged them; they pull proofs they were not pushed).
    catch_up_epochs: int = Field(default=2, ge=1)

    @property
    def max_chunk_bytes(self) -> int:
        return self.max_chunk_blobs * PAYLOAD_BYTES_PER_BLOB


def load_config(path: str | os.PathLike[str], **overrides: object) -> ProviderConfig:
    """A :class:`ProviderConfig` from a JSON or TOML file (:mod:`memo_py.configfile`).

    The key may be given as ``private_key_file`` (a hex key, or a keystore with
    ``key_password_file``) rather than inline. Raises ConfigError on any problem.
    """
    return load_model(ProviderConfig, path, ("private_key",), **overrides)
