"""Limits both sides of the wire agree on.

A receiver bounds every request body before it reads it (:func:`memo_py.protocol.http.read_body`),
and a sender bounds every answer (:class:`memo_py.protocol.http.SignedClient`), so a hostile
peer costs at most these many bytes of memory per request.
"""

#: Most bytes one ranged chunk read (``GET /orders/{id}/blobs?from=F&chunks=N``)
#: returns: the Provider refuses longer runs, and the User never asks for one.
MAX_RUN_BYTES = 16 * 2**20

#: The body of a request that carries none (every GET).
NO_BODY = 0

#: Most bytes of a signed JSON message: agreement terms, a co-sign request (at most
#: 65,536 released chunks of ~22 bytes each), an epoch proof (at most 65,536 indices).
MAX_MESSAGE_BYTES = 2 * 2**20

#: Most bytes of an epoch's results (at most 100,000 ``[provider, cum_pay, cum_penalty]``
#: of ~215 bytes each): a sign request between Keepers, and ``GET /results/{epoch}``.
MAX_RESULTS_BYTES = 24 * 2**20

#: Most bytes of a JSON answer whose size the caller cannot tell in advance.
MAX_ANSWER_BYTES = 64 * 2**20


def commitments_answer_bytes(blob_count: int) -> int:
    """Most bytes of a Provider's ``GET /orders/{id}/commitments`` answer for an order of
    ``blob_count`` blobs: per blob one 0x-hex commitment (100 bytes with quotes and comma)
    and at most one released first blob (22 bytes)."""
    return 1024 + 124 * blob_count
