"""The S3-compatible gateway: real S3 clients (boto3, awscli, rclone, s3cmd) in front of
the User client :class:`memo_py.user.MemoClient`.

- :mod:`~memo_py.gateway.config`: the config file (access keys, their Users' wallets, the network);
- :mod:`~memo_py.gateway.auth`: AWS Signature V4 (headers and presigned URLs), checked with botocore's signer;
- :mod:`~memo_py.gateway.chunked`: ``aws-chunked`` bodies (signed chunks, trailers);
- :mod:`~memo_py.gateway.checksums`: CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256 and MD5 of a body;
- :mod:`~memo_py.gateway.s3xml`: S3's XML answers and request bodies;
- :mod:`~memo_py.gateway.multipart`: multipart uploads, on disk until they complete;
- :mod:`~memo_py.gateway.app`: the ASGI app; :mod:`~memo_py.gateway.server`: ``memo gateway run``.
"""
