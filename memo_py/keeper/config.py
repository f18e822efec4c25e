"""The Keeper daemon's configuration (a pydantic model, loadable from JSON or TOML)."""

from __future__ import annotations

import os

from pydantic import ConfigDict, Field, SecretStr, field_validator

from memo_py.crypto.challenge import DEFAULT_SAMPLE_SIZE
from memo_py.configfile import AgentEndpoint, DaemonConfig, load_model
from memo_py.crypto import bls

__all__ = ["KeeperConfig", "PeerEndpoint", "load_config"]


PeerEndpoint = AgentEndpoint


class KeeperConfig(DaemonConfig):
    """Everything a Keeper daemon needs besides its chain access.

    ``bls_key`` is the 32-byte BLS secret key (hex) whose public key the Keeper
    registered with a proof of possession; ``peers`` are the other Keepers (the
    Registry holds no Keeper endpoints). ``sample_size`` is a network parameter:
    it must equal the Providers' (the challenge binds it).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    bls_key: SecretStr
    host: str = "127.0.0.1"
    port: int = Field(default=8800, ge=0, lt=65536)
    peers: tuple[PeerEndpoint, ...] = ()
    #: Blobs sampled per epoch challenge (as the Providers).
    sample_size: int = Field(default=DEFAULT_SAMPLE_SIZE, ge=1)
    #: Penalty of a missed or failed proof, in basis points of that epoch's due pay.
    penalty_bps: int = Field(default=10_000, ge=0, le=1_000_000)
    #: Seconds after an epoch is seen over before its proofs are judged (time for pushes).
    proof_grace: float = Field(default=30.0, ge=0)
    #: Seconds each Keeper lets the ones in lower slots aggregate before taking over.
    aggregator_timeout: float = Field(default=60.0, ge=0)
    #: Timeout of one HTTP call to a Provider or a peer.
    request_timeout: float = Field(default=10.0, gt=0)
    #: Seconds a Provider's /health answer counts as liveness for matching.
    liveness: float = Field(default=600.0, gt=0)
    #: First epoch of the ledger (a network parameter: every Keeper must start at the same one).
    first_epoch: int = Field(default=0, ge=0)

    @field_validator("bls_key")
    @classmethod
    def _valid_bls_key(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        try:
            bls.public_key(bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text))
        except Exception as exc:
            raise ValueError(f"bls_key is not a BLS secret key: {type(exc).__name__}") from None
        return value

    @property
    def bls_secret(self) -> bytes:
        text = self.bls_key.get_secret_value()
        return bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text)

    @property
    def bls_public(self) -> bytes:
        return bls.public_key(self.bls_secret)


def load_config(path: str | os.PathLike[str], **overrides: object) -> KeeperConfig:
    """A :class:`KeeperConfig` from a JSON or TOML file (:mod:`memo_py.configfile`).

    Both keys may be given as files: ``private_key_file`` (a hex key, or a keystore
    with ``key_password_file``) and ``bls_key_file`` (hex). Raises ConfigError on any problem.
    """
    return load_model(KeeperConfig, path, ("private_key", "bls_key"), **overrides)
