"""The User role and the SDK's front door: buckets and objects stored on MEMO.

- :mod:`~memo_py.user.client`: :class:`MemoClient` and its :class:`UserConfig`.
- :mod:`~memo_py.user.upload`: placing stripes, the batch commitment check, co-signing, settling.
- :mod:`~memo_py.user.download`: any k good chunks per segment, decode, decrypt, etag.
- :mod:`~memo_py.user.manifest`: manifests and index records (pydantic).
- :mod:`~memo_py.user.tags`: chunk tags that let the master secret find the index again.
- :mod:`~memo_py.user.recovery`: the index from the chain and the Providers.
- :mod:`~memo_py.user.cache`: the local index cache, checked against the chain.
- :mod:`~memo_py.user.orders`: one growing order per Provider.
- :mod:`~memo_py.user.costs`: put quotes, units (tokens per GB-month), the account's status.
- :mod:`~memo_py.user.renewal`: lengthening orders before their term runs out.
- :mod:`~memo_py.user.names`: S3 bucket and key rules.
- :mod:`~memo_py.user.listing`: listing a page at a time (ListObjectsV2 rules).
- :mod:`~memo_py.user.chain`: what the client needs from the chain (``UserChain``).
"""

from memo_py.user.chain import MAX_BATCH, ChainOrder, SignedUpdate, UserChain
from memo_py.user.client import MemoClient, RecoveryReport, UserConfig, master_secret_from_key
from memo_py.user.costs import AccountStatus, ObjectStatus, PutQuote, SlotCost, price_for_gb_month, wei_per_gb_month
from memo_py.user.download import Downloader
from memo_py.user.index import Index
from memo_py.user.listing import MAX_KEYS, InvalidListing, Page
from memo_py.user.manifest import (
    BucketInfo,
    ChunkPlacement,
    IndexRecord,
    Layout,
    Manifest,
    ObjectInfo,
    SegmentEntry,
)
from memo_py.user.names import MAX_KEY_BYTES, validate_bucket_name, validate_object_key
from memo_py.user.orders import OrderBook, OrderState
from memo_py.user.renewal import Renewal
from memo_py.user.tags import ChunkTag, TagKey
from memo_py.user.upload import UploadPolicy, UploadSession

__all__ = [
    "Page",
    "InvalidListing",
    "MAX_KEYS",
    "wei_per_gb_month",
    "price_for_gb_month",
    "SlotCost",
    "Renewal",
    "PutQuote",
    "ObjectStatus",
    "AccountStatus",
    "MAX_BATCH",
    "MAX_KEY_BYTES",
    "BucketInfo",
    "ChainOrder",
    "ChunkPlacement",
    "ChunkTag",
    "Downloader",
    "Index",
    "IndexRecord",
    "Layout",
    "Manifest",
    "MemoClient",
    "ObjectInfo",
    "OrderBook",
    "OrderState",
    "RecoveryReport",
    "SegmentEntry",
    "SignedUpdate",
    "TagKey",
    "UploadPolicy",
    "UploadSession",
    "UserChain",
    "UserConfig",
    "master_secret_from_key",
    "validate_bucket_name",
    "validate_object_key",
]
