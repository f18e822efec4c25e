"""Turning objects into stripes of chunks and back (erasure coding and layout)."""

from memo_py.codec.erasure import decode_stripe, encode_stripe

__all__ = ["encode_stripe", "decode_stripe"]
