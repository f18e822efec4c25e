"""``memo user``: the Market balance, buckets and objects.

**The master secret.** Every object key and chunk tag of a User derives from a
32-byte master secret (:class:`memo_py.user.UserConfig`). The CLI derives it from
the wallet's private key (HKDF-SHA256, :func:`memo_py.user.master_secret_from_key`,
the same derivation as the SDK's :meth:`~memo_py.user.MemoClient.open`), so the wallet
alone, with the chain, finds and reads the User's data again: nothing else needs a
backup, and the secret is never printed or written anywhere. The flip side: whoever
holds the wallet key can read the data, as they can spend its tokens. Data stored
under a secret kept elsewhere is read with ``--secret-file``.

**The index.** :class:`~memo_py.user.MemoClient` keeps its bucket and object index
in memory; each command reads it before acting (``recover_index``), so every command
sees what the previous ones did. A local cache (``<home>/cache``,
:mod:`memo_py.user.cache`) holds the records read so far: only orders changed on
chain since are listed, so a command after no change asks no Provider. Deleting the
cache costs one full read from the Providers, nothing else.
An index that cannot be read in full (too many Providers unreachable) is an error
(:class:`~memo_py.errors.IndexUnavailable`, exit status 1), never an empty account.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from memo_py.cli.common import (
    Network,
    amount_fields,
    emit,
    fail,
    guard,
    json_option,
    network_options,
    parse_amount,
)
from memo_py.cli.role import tx_hex
from memo_py.display import format_utc
from memo_py.errors import ConfigError

if TYPE_CHECKING:
    from memo_py.user import MemoClient

__all__ = ["user", "master_secret", "split_object_path"]

def master_secret(private_key: bytes) -> bytes:
    """The User's 32-byte master secret, derived from the wallet's private key
    (:func:`memo_py.user.master_secret_from_key`: the SDK derives the same one)."""
    from memo_py.user.client import master_secret_from_key

    return master_secret_from_key(private_key)


def split_object_path(text: str) -> tuple[str, str]:
    """``"bucket/some/key"`` → ``("bucket", "some/key")``; the names are checked by the SDK."""
    bucket, sep, key = text.partition("/")
    if not sep or not bucket or not key:
        raise ConfigError(f"{text!r}: give the object as BUCKET/KEY")
    from memo_py.user.names import validate_bucket_name, validate_object_key

    validate_bucket_name(bucket)
    validate_object_key(key)
    return bucket, key


def _time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Steps:
    """A rich progress bar over the named steps of a long command, on stderr.

    The bar advances per step (connect, index, quote, ...), with a spinner and the elapsed
    time; :meth:`transfer` turns it into a byte-accurate bar for the upload or download,
    with the bytes moved, the throughput and the time left. It shows only on a terminal
    (or the ``console`` given), and is cleared when done.
    """

    def __init__(self, names: list[str], enabled: bool, console: Any = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._names = names
        console = console if console is not None else Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<28}"),
            BarColumn(),
            _detail_column(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not (enabled and console.is_terminal),
        )
        self._task = self._progress.add_task(names[0], total=len(names))

    def __enter__(self) -> Steps:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.__exit__(*exc)

    def step(self, name: str) -> None:
        """Mark the current step done and show ``name`` as the next one."""
        self._progress.update(self._task, advance=1, description=name, visible=True)

    def transfer(self, name: str, total: int) -> Callable[[int, int], None]:
        """Mark the current step done, show a bar of ``total`` bytes named ``name``, and return
        the ``progress(done, total)`` callback the SDK's put and get call (from any thread)."""
        self._progress.update(self._task, advance=1, visible=False)
        task = self._progress.add_task(name, total=max(total, 1), bytes=True)

        def moved(done: int, of: int) -> None:
            self._progress.update(task, completed=done, total=max(of, 1))

        return moved

    def done(self, description: str) -> None:
        for task in self._progress.tasks:
            if task.id != self._task:
                self._progress.update(task.id, visible=False)
        self._progress.update(self._task, completed=len(self._names), description=description, visible=True)


def _detail_column() -> Any:
    """A rich column: ``i/n`` for a task of steps; for a transfer, the bytes moved of the
    total, the throughput and the time left (rich's figures, from the task's recent
    samples). Built on first use: rich is imported only by commands that draw a bar."""
    from rich.filesize import decimal
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Detail(ProgressColumn):
        def render(self, task: Any) -> Text:
            if not task.fields.get("bytes"):
                return Text(f"{task.completed:.0f}/{task.total:.0f}")
            speed = task.finished_speed or task.speed
            remaining = task.time_remaining
            return Text("  ".join([
                f"{decimal(int(task.completed))}/{decimal(int(task.total or 0))}",
                f"{decimal(int(speed))}/s" if speed else "-/s",
                f"ETA {int(remaining) // 60}:{int(remaining) % 60:02d}" if remaining is not None else "ETA -",
            ]))

    return Detail()


secret_option = click.option(
    "--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="MEMO_SECRET_FILE",
    default=None,
    help="Use the master secret (hex) in this file instead of the one derived from the wallet [env MEMO_SECRET_FILE].",
)


def _read_secret(path: Path) -> str:
    from memo_py.crypto.aead import MIN_MASTER_SECRET_BYTES

    text = path.read_text().strip()
    try:
        raw = bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text)
    except ValueError:
        raise ConfigError(f"--secret-file {path} does not hold a hex master secret") from None
    if len(raw) < MIN_MASTER_SECRET_BYTES:
        raise ConfigError(f"--secret-file {path}: a master secret is at least {MIN_MASTER_SECRET_BYTES} bytes")
    return "0x" + raw.hex()


@contextmanager
def open_client(
    net: Network,
    secret_file: Path | None,
    steps: Steps | None = None,
    *,
    term: int | None = None,
    max_price: str | None = None,
) -> Iterator[MemoClient]:
    """A MemoClient for the chosen wallet, with its index rebuilt from the chain and Providers.

    ``term`` is the epochs a new order runs (``UserConfig.order_epochs``); ``max_price``,
    tokens per GB-month, caps the Providers' price (converted at the chain's pace). The
    CLI renews nothing by itself (``renew_within=0``): it warns on stderr when objects
    are paid for fewer than ``warn_within`` more epochs, and ``memo user renew`` renews.
    """
    from memo_py.chain.user import UserRoleChain
    from memo_py.user import MemoClient, UserConfig
    from memo_py.user.costs import price_for_gb_month

    keepers = net.keepers
    key = net.private_key()
    secret = _read_secret(secret_file) if secret_file is not None else None  # None: derived from the key
    cap = parse_amount(max_price, what="--max-price", allow_zero=True) if max_price is not None else None
    if steps:
        steps.step("connecting")
    chain = UserRoleChain(net.contracts())
    options: dict[str, Any] = {} if term is None else {"order_epochs": term}
    if cap is not None:
        options["max_price"] = price_for_gb_month(cap, chain.epoch_seconds())
    config = UserConfig(
        master_secret=secret, private_key="0x" + key.hex(), keepers=keepers, cache_dir=net.home / "cache",
        renew_within=0, **options,
    )
    client = MemoClient(config, chain)
    try:
        if steps:
            steps.step("reading the index")
        client.recover_index()
        _warn_expiring(client)
        yield client
    finally:
        client.close()


def _warn_expiring(client: MemoClient) -> None:
    """One line on stderr when some objects' paid term ends soon (``UserConfig.warn_within``)."""
    expiring = client.status(check_health=False).expiring
    if expiring:
        first = min(expiring, key=lambda o: o.paid_through)
        click.echo(
            f"warning: {len(expiring)} object(s) paid only through epoch {first.paid_through} "
            f"(about {format_utc(first.paid_through_date)}), {first.bucket}/{first.key} first; "
            "`memo user renew` extends them",
            err=True,
        )


def _gb_month(price: int, epoch_seconds: float) -> dict[str, Any]:
    from memo_py.user.costs import wei_per_gb_month

    return amount_fields("price_per_gb_month", wei_per_gb_month(price, epoch_seconds))


term_option = click.option(
    "--term", type=click.IntRange(1), default=None, metavar="EPOCHS",
    help="Epochs a new order runs (default 1000); an open order keeps its own end.",
)
max_price_option = click.option(
    "--max-price", default=None, metavar="TOKENS",
    help="Use only Providers asking at most this many tokens per GB-month.",
)


@click.group()
def user() -> None:
    """Store and read objects as a User; move tokens in and out of the Market.

    \b
    Needs the chosen wallet (--wallet or `memo config set wallet NAME`), registered
    as a User (`memo role register user`), with tokens deposited in the Market.
    Object commands also need Keeper URLs (--keeper or `memo config set keepers`).
    The encryption secret is derived from the wallet key (or read from
    --secret-file) and never printed: keep the wallet safe.
    """


# ---------------------------------------------------------------------------- money


@user.command("deposit")
@click.argument("amount")
@network_options()
@json_option
def deposit(amount: str, net: Network, as_json: bool) -> None:
    """Move AMOUNT tokens (10, 10.5) from the wallet into its Market balance."""
    with guard():
        wei = parse_amount(amount)
        memo = net.contracts()
        receipt = memo.market.deposit(wei)
        record = {"address": memo.address, **amount_fields("deposited", wei),
                  **amount_fields("market", memo.market.balance_of(memo.address)), "tx": tx_hex(receipt)}
    emit(record, as_json, title="deposit")


@user.command("withdraw")
@click.argument("amount")
@network_options()
@json_option
def withdraw(amount: str, net: Network, as_json: bool) -> None:
    """Take AMOUNT tokens back from the Market balance (what no order holds in escrow)."""
    with guard():
        wei = parse_amount(amount)
        memo = net.contracts()
        receipt = memo.market.withdraw(wei)
        record = {"address": memo.address, **amount_fields("withdrawn", wei),
                  **amount_fields("market", memo.market.balance_of(memo.address)), "tx": tx_hex(receipt)}
    emit(record, as_json, title="withdraw")


# ---------------------------------------------------------------------------- buckets


def _bucket_record(bucket: Any) -> dict[str, Any]:
    layout = bucket.layout
    return {"name": bucket.name, "k": layout.k, "m": layout.m, "chunk_blobs": layout.chunk_blobs,
            "created": _time(bucket.created)}


@user.group("buckets")
def buckets() -> None:
    """List, create and remove buckets."""


@buckets.command("ls")
@network_options(keepers=True)
@secret_option
@json_option
def buckets_ls(net: Network, secret_file: Path | None, as_json: bool) -> None:
    """List the buckets."""
    with guard(), open_client(net, secret_file) as client:
        rows = [_bucket_record(b) for b in client.list_buckets()]
    emit(rows, as_json, title="buckets")


@buckets.command("create")
@click.argument("name")
@click.option("-k", "k", type=click.IntRange(1, 255), default=None, help="Data chunks per stripe (default 4).")
@click.option("-m", "m", type=click.IntRange(0, 255), default=None, help="Parity chunks per stripe (default 2).")
@click.option("--chunk-blobs", type=click.IntRange(1, 64), default=None, help="Blobs per chunk (default 2).")
@network_options(keepers=True)
@secret_option
@json_option
def buckets_create(
    name: str, k: int | None, m: int | None, chunk_blobs: int | None, net: Network, secret_file: Path | None, as_json: bool
) -> None:
    """Create bucket NAME (S3 naming rules) whose objects use k data + m parity chunks."""
    with guard():
        from memo_py.user.names import validate_bucket_name

        validate_bucket_name(name)
        with open_client(net, secret_file) as client:
            bucket = client.create_bucket(name, k=k, m=m, chunk_blobs=chunk_blobs)
    emit(_bucket_record(bucket), as_json, title="bucket created")


@buckets.command("rm")
@click.argument("name")
@network_options(keepers=True)
@secret_option
@json_option
def buckets_rm(name: str, net: Network, secret_file: Path | None, as_json: bool) -> None:
    """Remove the empty bucket NAME."""
    with guard():
        from memo_py.user.names import validate_bucket_name

        validate_bucket_name(name)
        with open_client(net, secret_file) as client:
            client.delete_bucket(name)
    emit({"bucket": name, "deleted": True}, as_json)


# ---------------------------------------------------------------------------- objects


def _object_record(info: Any) -> dict[str, Any]:
    return {"key": info.key, "size": info.size, "etag": info.etag, "content_type": info.content_type,
            "last_modified": _time(info.last_modified)}


def _quote_record(quote: Any, key: str) -> dict[str, Any]:
    from memo_py.user.costs import epoch_date

    return {
        "bucket": quote.bucket,
        "key": key,
        "size": quote.size,
        "stripes": quote.stripes,
        "index_stripes": quote.record_stripes,
        "stored_bytes": quote.stored_bytes,
        **amount_fields("escrow", quote.escrow),
        **amount_fields("balance", quote.balance),
        "affordable": quote.affordable,
        "paid_through": quote.paid_through,
        "paid_through_date": format_utc(epoch_date(quote.paid_through + 1, quote.current_epoch, quote.epoch_seconds)),
        **amount_fields("monthly", quote.monthly),
        "providers": [
            {"provider": s.provider, **_gb_month(s.price, quote.epoch_seconds), "price_wei": s.price,
             "blobs": s.blobs, "epochs": s.epochs, "new_order": s.new_order}
            for s in quote.slots
        ],
    }


def _quote_line(record: dict[str, Any]) -> str:
    return (f"{record['bucket']}/{record['key']}: {record['size']:,} B stored as {record['stored_bytes']:,} B on "
            f"{len(record['providers'])} Providers; escrows {record['escrow']} of {record['balance']} tokens, "
            f"paid through epoch {record['paid_through']} (about {record['paid_through_date']}), "
            f"then {record['monthly']} tokens a month")


@user.command("put")
@click.argument("target", metavar="BUCKET/KEY")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--content-type", default=None, help="Stored content type (default: guessed from FILE's name).")
@click.option("--dry-run", is_flag=True, help="Print what the put would escrow and store nothing.")
@term_option
@max_price_option
@network_options(keepers=True)
@secret_option
@json_option
def put(target: str, file: Path, content_type: str | None, dry_run: bool, term: int | None, max_price: str | None,
        net: Network, secret_file: Path | None, as_json: bool) -> None:
    """Store FILE ('-' for stdin) as BUCKET/KEY, replacing any object of that key.

    FILE is read from disk as it is uploaded, a window at a time, so memory stays bounded
    whatever its size; stdin is read whole first (its size prices the put).

    First the cost is quoted (escrow, paid-through epoch, monthly cost; on stderr): a
    put the Market balance cannot pay is refused before anything is uploaded, and
    --dry-run stops there. The quote uses the Providers a Keeper matches now; the put
    escrows the same unless the match or a price changes in between.
    """
    with guard(), contextlib.ExitStack() as stack:
        bucket, key = split_object_path(target)
        # A file is streamed from disk (memory stays bounded); stdin is read whole, for its size.
        data = sys.stdin.buffer.read() if str(file) == "-" else stack.enter_context(open(file, "rb"))
        size = len(data) if isinstance(data, bytes) else os.fstat(data.fileno()).st_size
        if content_type is None:
            content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        with Steps(["starting", "connecting", "reading the index", "quoting", "uploading"],
                   not as_json and not dry_run) as steps:
            with open_client(net, secret_file, steps, term=term, max_price=max_price) as client:
                steps.step("quoting")
                quote = _quote_record(client.quote_put(bucket, key, size, content_type=content_type), key)
                if dry_run:
                    if as_json:
                        emit(quote, True)
                    else:
                        click.echo(_quote_line(quote))
                    return
                if not quote["affordable"]:
                    raise ConfigError(f"the put escrows {quote['escrow']} tokens and the Market balance is "
                                      f"{quote['balance']}: `memo user deposit` first")
                if not as_json:
                    click.echo(_quote_line(quote), err=True)
                moved = steps.transfer("uploading", size)
                info = client.put_object(bucket, key, data, content_type=content_type, progress=moved)
                after = client.balance()
            steps.done("stored")
    emit({"bucket": bucket, **_object_record(info), **amount_fields("balance_change", quote["balance_wei"] - after)},
         as_json, title="stored")


@user.command("get")
@click.argument("source", metavar="BUCKET/KEY")
@click.argument("out", required=False, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@network_options(keepers=True)
@secret_option
@json_option
def get(source: str, out: Path | None, net: Network, secret_file: Path | None, as_json: bool) -> None:
    """Read BUCKET/KEY into OUT (default: the key's last part, in the current directory; '-' for stdout).

    The object is verified chunk by chunk, decrypted, and checked against its etag
    before OUT is replaced (atomically; it is written segment by segment to a
    temporary file beside it, so the object need not fit in memory). For stdout
    it is checked before anything is written.
    """
    with guard():
        bucket, key = split_object_path(source)
        to_stdout = out is not None and str(out) == "-"
        if out is None:
            name = key.rstrip("/").rsplit("/", 1)[-1]
            if name in ("", ".", ".."):
                raise ConfigError(f"cannot name a file after key {key!r}: give OUT")
            out = Path(name)
        if not to_stdout and not out.absolute().parent.is_dir():
            raise ConfigError(f"directory {out.absolute().parent} does not exist: create it, or give another OUT")
        with Steps(["starting", "connecting", "reading the index", "downloading", "writing"],
                   not as_json and not to_stdout) as steps:
            with open_client(net, secret_file, steps) as client:
                info = client.head_object(bucket, key)
                moved = steps.transfer("downloading", info.size)
                if to_stdout:
                    data = client.get_object(bucket, key, progress=moved)
                else:
                    _download_to(client.iter_object(bucket, key, progress=moved), out)
            steps.step("writing")
            if to_stdout:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
                return
            steps.done("read")
    emit({"bucket": bucket, **_object_record(info), "file": str(out)}, as_json, title="read")


def _download_to(segments: Iterable[bytes], out: Path) -> None:
    """Write ``segments`` to a temporary file beside ``out``, fsync it, and only then put it
    in place of ``out``: a download that fails (the etag is checked after the last
    segment) leaves ``out`` as it was and no temporary file behind."""
    tmp = out.with_name(f".{out.name}.memo-tmp")
    try:
        with open(tmp, "wb") as f:
            for part in segments:
                f.write(part)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@user.command("ls")
@click.argument("bucket", required=False)
@click.option("--prefix", default="", help="Only keys that start with this.")
@network_options(keepers=True)
@secret_option
@json_option
def ls(bucket: str | None, prefix: str, net: Network, secret_file: Path | None, as_json: bool) -> None:
    """List the objects of BUCKET (without BUCKET: the buckets)."""
    with guard():
        with open_client(net, secret_file) as client:
            if bucket is None:
                rows = [_bucket_record(b) for b in client.list_buckets()]
            else:
                rows = [_object_record(o) for o in client.list_objects(bucket, prefix)]
    emit(rows, as_json, title=bucket or "buckets")


@user.command("rm")
@click.argument("target", metavar="BUCKET/KEY")
@network_options(keepers=True)
@secret_option
@json_option
def rm(target: str, net: Network, secret_file: Path | None, as_json: bool) -> None:
    """Delete BUCKET/KEY and stop paying for it.

    Its chunks are released from their orders: the escrow of the epochs not yet
    paid goes back to your Market balance, and the Providers delete them. An
    order whose Provider does not answer keeps them paid until the order's next
    update (the next upload to it) or its end; the output lists such orders.
    """
    with guard():
        bucket, key = split_object_path(target)
        with open_client(net, secret_file) as client:
            report = client.delete_object(bucket, key)
    emit(
        {
            "bucket": bucket,
            "key": key,
            "deleted": True,
            "chunks_released": report.chunks,
            "orders_updated": report.orders,
            **amount_fields("refunded", report.refunded),
            "orders_kept": report.kept,
        },
        as_json,
    )


# ---------------------------------------------------------------------------- term and status


@user.command("renew")
@click.option("--epochs", type=click.IntRange(1), default=None,
              help="Run the orders this many epochs from now (default 1000).")
@click.option("--within", type=click.IntRange(1), default=None, metavar="EPOCHS",
              help="Only the orders that end within this many epochs (default: every order that ends sooner).")
@network_options(keepers=True)
@secret_option
@json_option
def renew(epochs: int | None, within: int | None, net: Network, secret_file: Path | None, as_json: bool) -> None:
    """Lengthen the orders that hold your data, so that nothing is deleted when they end.

    Each order is extended on its own, at its price, with its Provider's co-signature;
    the added epochs are escrowed from the Market balance. An order whose Provider
    refuses (it asks more now, is exiting, or is down) is listed with the reason and
    the exit status is 1: its data has to move before the order ends (put it again).
    """
    with guard(), open_client(net, secret_file) as client:
        renewals = client.renew(epochs, within=within)
    rows = [{"order": r.order_id, "provider": r.provider, "old_end": r.old_end, "new_end": r.new_end,
             **amount_fields("escrow", r.escrow), "error": r.error} for r in renewals]
    emit(rows, as_json, title="renewed")
    refused = [r for r in renewals if not r.renewed]
    if refused:
        fail(f"{len(refused)} of {len(renewals)} orders were not renewed (see above)")


@user.command("status")
@click.option("--no-health", is_flag=True, help="Do not ask the Providers whether they answer.")
@network_options(keepers=True)
@secret_option
@json_option
def status(no_health: bool, net: Network, secret_file: Path | None, as_json: bool) -> None:
    """The account: balance, stored bytes, monthly cost, and per object its Providers,
    stripe health, and the epoch (and estimated date) it is paid through."""
    with guard(), open_client(net, secret_file) as client:
        report = client.status(check_health=not no_health)
    objects = [
        {"bucket": o.bucket, "key": o.key, "size": o.size, "stored_bytes": o.stored_bytes, "health": o.health,
         "chunks_reachable": o.weakest_stripe, "k": o.k, "m": o.m, "providers": list(o.providers),
         "paid_through": o.paid_through, "paid_through_date": format_utc(o.paid_through_date),
         **amount_fields("monthly", o.monthly), "expiring": o in report.expiring}
        for o in report.objects
    ]
    record = {"address": report.address, **amount_fields("balance", report.balance),
              "current_epoch": report.current_epoch, "epoch_seconds": report.epoch_seconds,
              "stored_bytes": report.stored_bytes, **amount_fields("monthly", report.monthly),
              "unreachable": list(report.unreachable), "objects": objects}
    if as_json:
        emit(record, True)
        return
    # One line per object: a table of eleven columns does not fit a terminal.
    click.echo(f"{report.address}: {record['balance']} tokens free, {report.stored_bytes:,} B stored, "
               f"{record['monthly']} tokens a month; epoch {report.current_epoch} ({report.epoch_seconds:g} s each)")
    for o in objects:
        flag = "  EXPIRING" if o["expiring"] else ""
        click.echo(f"{o['bucket']}/{o['key']}  {o['size']:,} B  {o['health']} ({o['chunks_reachable']} of "
                   f"{o['k'] + o['m']} chunks, {o['k']} needed)  paid through epoch {o['paid_through']} "
                   f"(about {o['paid_through_date']})  {o['monthly']} tokens a month{flag}")
    if report.unreachable:
        click.echo(f"unreachable Providers: {', '.join(report.unreachable)}", err=True)
