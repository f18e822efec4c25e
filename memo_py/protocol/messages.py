"""The JSON answers agents parse from each other, as pydantic models.

Each side builds its answer from the model and the other side validates what it got
against the same model (:func:`memo_py.protocol.http.parse_answer`), so a malformed or
hostile answer is a :class:`~memo_py.errors.MalformedAnswer` at the edge, never a
``KeyError`` or ``int("abc")`` deep inside a handler that serves someone else.
Unknown fields are ignored (a newer peer may add some); known ones are typed strictly:
an amount is an int, never a bool, a float or a string.
"""

from __future__ import annotations

from typing import Annotated

from eth_utils import is_address, to_checksum_address
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = ["Address", "Uint256", "ProviderHealth", "KeeperHealth", "Offer", "MatchAnswer", "MAX_ENDPOINT_BYTES"]

#: Longest endpoint the Registry stores.
MAX_ENDPOINT_BYTES = 256


def _checksum(value: str) -> str:
    if not is_address(value):
        raise ValueError(f"not an address: {value[:64]!r}")
    return to_checksum_address(value)


def _endpoint(value: str) -> str:
    if len(value.encode()) > MAX_ENDPOINT_BYTES or not value.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) endpoint of at most {MAX_ENDPOINT_BYTES} bytes: {value[:64]!r}")
    return value


Address = Annotated[str, Field(strict=True), AfterValidator(_checksum)]
Uint256 = Annotated[int, Field(strict=True, ge=0, lt=2**256)]
Endpoint = Annotated[str, Field(strict=True), AfterValidator(_endpoint)]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ProviderHealth(_Answer):
    """A Provider's ``GET /health``: its offer and how full it is."""

    address: Address
    price: Uint256
    capacity: Uint256
    used: Uint256
    free: Uint256
    stored: Uint256
    epoch: Uint256
    version: Uint256


class KeeperHealth(_Answer):
    """A Keeper's ``GET /health``: its address (the audience of requests to it) and slot."""

    address: Address
    slot: Uint256 | None = None
    epoch: Uint256 | None = None
    last_epoch: Uint256 | None = None
    version: Uint256 | None = None


class Offer(_Answer):
    """One Provider a Keeper's matcher offers."""

    address: Address
    endpoint: Endpoint
    price: Uint256
    free: Uint256


class MatchAnswer(_Answer):
    """A Keeper's ``GET /match``: distinct Providers for the chunks of a stripe."""

    providers: list[Offer] = Field(max_length=256)
