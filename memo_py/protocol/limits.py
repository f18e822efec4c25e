"""Limits both sides of the wire agree on."""

#: Most bytes one ranged chunk read (``GET /orders/{id}/blobs?from=F&chunks=N``)
#: returns: the Provider refuses longer runs, and the User never asks for one.
MAX_RUN_BYTES = 16 * 2**20
