"""Turning objects into stripes of chunks and back (erasure coding and layout)."""

from memo_py.codec.erasure import decode_stripe, encode_stripe
from memo_py.codec.segments import StripeLayout, decode_segment, encode_segment

__all__ = ["StripeLayout", "decode_segment", "decode_stripe", "encode_segment", "encode_stripe"]
