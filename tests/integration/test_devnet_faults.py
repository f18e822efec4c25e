"""Faults on a real devnet: anvil, 7 Provider and 3 Keeper daemons as OS processes, real HTTP.

One devnet serves the module, and the cases run in this order (each leaves the devnet
usable for the next; the last one moves chain time):

1. Bad requests sent to a running Provider daemon (unsigned, forged, expired, replayed,
   wrong size, other data in place, a stranger's request, over capacity, a cosign whose
   root does not match the stored data) are refused with the documented status codes,
   and leave its ``/health`` ``stored``/``used``, its chunk listing and its chunk as they were.
2. A Provider SIGKILLed in the middle of an upload, right after it acknowledged its first
   chunk, serves every chunk it acknowledged byte for byte after a restart, with the same
   commitments; the User either finished the upload on a replacement Provider or failed
   with ``UploadFailed``, and never signed an order update for the interrupted order.
3. With one Provider killed, a put into a default bucket (4+2) succeeds at once on six of
   the other Providers.
4. A Provider that deletes and alters the chunks it holds misses its next proof: the
   Keepers record it FAILED/MISSED, it is not paid for that epoch while the honest
   Providers are, and it is penalised; an on-chain dispute against one of its blobs
   goes unanswered and ``resolve_timeout`` slashes its pledge (the challenger's reward, the
   User's compensation and the burned rest).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from eth_account import Account

from memo_py import native
from memo_py.chain.contracts import MemoContracts
from memo_py.chain.disputes import STATUS_OPEN, STATUS_TIMED_OUT
from memo_py.chain.eip712 import OrderUpdate, deadline_after, sign_order_update
from memo_py.chain.errors import ChainRevert
from memo_py.chain.registry import PROVIDER
from memo_py.crypto import kzg
from memo_py.devnet import network
from memo_py.devnet.processes import ProcessTable
from memo_py.errors import UploadFailed
from memo_py.native import BYTES_PER_BLOB, PAYLOAD_BYTES_PER_BLOB
from memo_py.protocol.auth import sign_request
from memo_py.protocol.http import RemoteError, SignedClient
from memo_py.provider.agreements import order_id as make_order_id

UNIT = 10**18


# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def devnet(tmp_path_factory):
    directory = tmp_path_factory.mktemp("faults")
    record = network.up(directory)
    try:
        yield directory, record
    finally:
        network.down(directory)


@pytest.fixture(scope="module")
def client(devnet):
    directory, _ = devnet
    user = network.user_client(directory, 0, start_delay=2)
    user.deposit(100 * UNIT)
    yield user
    user.close()


@pytest.fixture(scope="module")
def memo(devnet):
    _, record = devnet
    return MemoContracts.connect(record["rpc_url"], record["deployment_file"], check=False)


def _user_key(record) -> str:
    return Path(record["users"][0]["key_file"]).read_text().strip()


def _provider(record, *, name=None, address=None):
    for p in record["providers"]:
        if p["name"] == name or p["address"] == address:
            return p
    raise LookupError(name or address)


def _data_dir(provider) -> Path:
    return Path(provider["config"]).parent / "data"


def _health(provider) -> dict:
    return httpx.get(provider["endpoint"] + "/health", timeout=10).json()


def _signed(key, url, audience) -> SignedClient:
    return SignedClient(key, url, audience, timeout=30.0)


def _kill_if_alive(directory, name) -> None:
    """SIGKILL a daemon of the devnet and its process group (a crash: no clean shutdown);
    wait until it is gone (reaping it if it is our child)."""
    entry = ProcessTable(directory).load()[name]
    if entry.alive():
        os.killpg(entry.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while entry.alive() and time.monotonic() < deadline:
        try:
            os.waitpid(entry.pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.05)
    assert not entry.alive()


# -- 1. bad requests ------------------------------------------------------------------------


def _raw(provider, method, path, *, content=b"", params=None, headers=None) -> httpx.Response:
    return httpx.request(
        method, provider["endpoint"] + path, content=content, params=params, headers=headers or {}, timeout=30
    )


def _snapshot(provider, key, oid_hex) -> dict:
    with _signed(key, provider["endpoint"], provider["address"]) as http:
        listing = http.get_json(f"/orders/{oid_hex}/chunks")
        commitments = http.get_json(f"/orders/{oid_hex}/commitments")
        chunk = http.request("GET", f"/orders/{oid_hex}/blobs/0").content
    health = _health(provider)
    return {
        "stored": health["stored"],
        "used": health["used"],
        "listing": listing,
        "commitments": commitments,
        "chunk": hashlib.sha256(chunk).hexdigest(),
        "files": sorted(str(p) for p in (_data_dir(provider) / "chunks").rglob("*")),
    }


def test_bad_requests_are_refused_and_change_nothing(devnet, memo):
    directory, record = devnet
    provider = _provider(record, name="provider-3")
    key = _user_key(record)
    user = Account.from_key(key).address
    audience = provider["address"]
    epoch = memo.epochs.current_epoch()
    nonce = int.from_bytes(os.urandom(8), "big")
    terms = {
        "nonce": nonce,
        "price": provider["price"],
        "start_epoch": epoch + 50,
        "end_epoch": epoch + 150,
        "blob_count": 1,
        "chunk_blobs": 1,
    }
    oid = make_order_id(user, audience, nonce)
    oid_hex = "0x" + oid.hex()
    chunk = os.urandom(PAYLOAD_BYTES_PER_BLOB)
    path = f"/orders/{oid_hex}/blobs/0"
    # A valid agreement and chunk, so every later request has something to damage.
    with _signed(key, provider["endpoint"], audience) as http:
        assert http.request("POST", "/agreements", content=json.dumps(terms).encode()).json()["order_id"] == oid_hex
    good_headers = sign_request(key, "PUT", path, chunk, audience=audience)
    answer = _raw(provider, "PUT", path, content=chunk, headers=good_headers)
    assert answer.status_code == 200, answer.text
    returned = [bytes.fromhex(c[2:]) for c in answer.json()["commitments"]]
    assert returned == [kzg.commit(native.pack_blobs(chunk))]
    before = _snapshot(provider, key, oid_hex)
    assert before["listing"]["chunks"] == [{"first_blob": 0, "blob_count": 1, "tag": "0x"}]

    other = os.urandom(PAYLOAD_BYTES_PER_BLOB)

    def expect(response: httpx.Response, status: int, error: str | None = None) -> None:
        assert response.status_code == status, response.text
        if error is not None:
            assert response.json()["error"] == error, response.text

    # Unsigned.
    expect(_raw(provider, "PUT", path, content=other), 401, "BadRequestSignature")
    # Forged: signed by a stranger's key but claiming to be the User.
    forged = sign_request(Account.create().key, "PUT", path, other, audience=audience)
    forged["X-Memo-Address"] = user
    expect(_raw(provider, "PUT", path, content=other, headers=forged), 401, "BadRequestSignature")
    # Altered in flight: the User's signature over the good chunk, sent with other bytes.
    fresh = sign_request(key, "PUT", path, chunk, audience=audience)
    expect(_raw(provider, "PUT", path, content=other, headers=fresh), 401, "BadRequestSignature")
    # Addressed to another Provider (the audience is part of what is signed).
    elsewhere = sign_request(key, "PUT", path, other, audience=_provider(record, name="provider-4")["address"])
    expect(_raw(provider, "PUT", path, content=other, headers=elsewhere), 401, "BadRequestSignature")
    # Expired.
    stale = sign_request(key, "PUT", path, other, audience=audience, ttl=60, now=time.time() - 600)
    expect(_raw(provider, "PUT", path, content=other, headers=stale), 401, "RequestExpired")
    # Replayed: the exact request that was accepted above.
    expect(_raw(provider, "PUT", path, content=chunk, headers=good_headers), 401, "RequestReplayed")
    with _signed(key, provider["endpoint"], audience) as http:

        def signed(method: str, where: str, content: bytes = b"") -> httpx.Response:
            headers = sign_request(key, method, where, content, audience=audience)
            return _raw(provider, method, where, content=content, headers=headers)

        # Wrong size (one byte short, one blob too many).
        expect(signed("PUT", path, other[:-1]), 400)
        expect(signed("PUT", path, other + os.urandom(PAYLOAD_BYTES_PER_BLOB)), 400)
        # Other data where a chunk is stored already.
        expect(signed("PUT", path, other), 409)
        # Outside the agreement.
        expect(signed("PUT", f"/orders/{oid_hex}/blobs/1", other), 400)
        # An order the Provider never agreed to.
        expect(signed("PUT", "/orders/0x" + "ab" * 32 + "/blobs/0", other), 404)
        # More than the Provider's capacity.
        huge = dict(terms, nonce=nonce + 1, blob_count=provider["capacity"] // PAYLOAD_BYTES_PER_BLOB + 1)
        expect(signed("POST", "/agreements", json.dumps(huge).encode()), 507)
        # Growing the agreement with other terms.
        expect(signed("POST", "/agreements", json.dumps(dict(terms, blob_count=2, price=terms["price"] + 1)).encode()), 409)
        # A cosign whose root is not the root of the stored commitments.
        update = OrderUpdate(
            user=user,
            provider=audience,
            nonce=nonce,
            seq=1,
            size=PAYLOAD_BYTES_PER_BLOB,
            price=terms["price"],
            start_epoch=terms["start_epoch"],
            end_epoch=terms["end_epoch"],
            root=hashlib.sha256(b"not the data").digest(),
            blob_count=1,
            deadline=deadline_after(memo.epochs.current_epoch()),
        )
        body = {
            "update": {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in update.as_message().items()},
            "user_signature": "0x" + sign_order_update(update, key, record["chain_id"], memo.deployment.market).hex(),
        }
        cosign = f"/orders/{oid_hex}/cosign"
        answer = signed("POST", cosign, json.dumps(body).encode())
        expect(answer, 400)
        assert "root" in answer.json()["message"]
        expect(_raw(provider, "POST", cosign, content=json.dumps(body).encode()), 401, "BadRequestSignature")
    # A stranger (not a registered User, not the order's User).
    stranger = Account.create()
    strange = sign_request(stranger.key, "PUT", path, other, audience=audience)
    expect(_raw(provider, "PUT", path, content=other, headers=strange), 403)
    stranger_terms = json.dumps(dict(terms, nonce=nonce + 2)).encode()
    strange = sign_request(stranger.key, "POST", "/agreements", stranger_terms, audience=audience)
    expect(_raw(provider, "POST", "/agreements", content=stranger_terms, headers=strange), 403)

    after = _snapshot(provider, key, oid_hex)
    assert after == before
    with _signed(key, provider["endpoint"], audience) as http:
        assert http.request("GET", path).content == chunk


# -- 2. a Provider killed mid-upload ---------------------------------------------------------


class _Spy:
    """Records the User's signed requests to Providers as they complete and, while ``armed``,
    SIGKILLs the first Provider to acknowledge a chunk at once, from the upload's own thread."""

    def __init__(self, directory, record) -> None:
        self.directory = directory
        self.by_endpoint = {p["endpoint"]: p for p in record["providers"]}
        self.lock = threading.Lock()
        self.armed = False
        self.victim: dict | None = None
        self.killed_at: float | None = None
        self.acks: list[dict] = []  # every chunk PUT a Provider answered with commitments
        self.cosigns: list[tuple[str, str]] = []  # (provider address, order id hex) asked to co-sign
        self.sent: dict[tuple[str, str, int], int] = {}  # PUTs started, per (provider, order, blob)

    def wrap(self, original):
        spy = self

        def request(this, method, path, *, content=b"", params=None, **options):
            provider = spy.by_endpoint.get(str(this._http.base_url).rstrip("/"))
            parts = path.strip("/").split("/")
            is_put = method == "PUT" and len(parts) == 4 and parts[2] == "blobs"
            if is_put and provider is not None:
                with spy.lock:
                    spy.sent[(provider["address"], parts[1], int(parts[3]))] = len(content)
            response = original(this, method, path, content=content, params=params, **options)
            if provider is None:
                return response
            if method == "POST" and path.endswith("/cosign"):
                with spy.lock:
                    spy.cosigns.append((provider["address"], parts[1]))
            if is_put:
                commitments = [bytes.fromhex(c[2:]) for c in response.json()["commitments"]]
                with spy.lock:
                    spy.acks.append(
                        {
                            "provider": provider["address"],
                            "order": parts[1],
                            "first_blob": int(parts[3]),
                            "data": bytes(content),
                            "commitments": commitments,
                            "at": time.monotonic(),
                        }
                    )
                    if spy.armed and spy.victim is None:
                        spy.victim = provider
                        entry = ProcessTable(spy.directory).load()[provider["name"]]
                        os.killpg(entry.pid, signal.SIGKILL)
                        spy.killed_at = time.monotonic()
            return response

        return request


def test_a_provider_killed_mid_upload_keeps_every_chunk_it_acknowledged(devnet, client, monkeypatch):
    directory, record = devnet
    key = _user_key(record)
    client.create_bucket("bulk", k=3, m=2, chunk_blobs=1)
    layout = client.head_bucket("bulk").layout.stripe
    # 10 chunks per Provider: more than the 4 PUTs a Provider gets in flight at once.
    data = os.urandom(10 * layout.segment_bytes - 1000)
    spy = _Spy(directory, record)
    monkeypatch.setattr(SignedClient, "request", spy.wrap(SignedClient.request))
    spy.armed = True
    started = time.monotonic()
    outcome: object
    try:
        outcome = client.put_object("bulk", "big.bin", data)
    except UploadFailed as exc:
        outcome = exc
    took = time.monotonic() - started
    spy.armed = False
    monkeypatch.undo()
    victim = spy.victim
    assert victim is not None, "no Provider acknowledged a chunk"
    _kill_if_alive(directory, victim["name"])

    acked = [a for a in spy.acks if a["provider"] == victim["address"]]
    interrupted = {a["order"] for a in acked}
    sent_there = [k for k in spy.sent if k[0] == victim["address"] and k[1] in interrupted]
    print(
        f"victim {victim['name']}: {len(acked)} chunks acknowledged of {len(sent_there)} sent; upload "
        f"{'failed: ' + str(outcome) if isinstance(outcome, UploadFailed) else 'completed'} in {took:.1f} s"
    )
    assert acked, "the victim acknowledged nothing before the kill"
    # The kill came partway: the victim was sent more chunks than it acknowledged.
    assert len(sent_there) > len(acked), (len(sent_there), len(acked), took)

    # What the User did: finished on a replacement, or failed clearly; never signed the
    # interrupted order's growth.
    assert not [c for c in spy.cosigns if c[0] == victim["address"] and c[1] in interrupted]
    on_chain = {"0x" + o.order_id.hex(): o for o in client.chain.orders_of_user(client.address)}
    first_acked = min(a["first_blob"] for a in acked)
    for oid in interrupted:
        if oid in on_chain:
            assert on_chain[oid].blob_count <= first_acked
    if isinstance(outcome, UploadFailed):
        assert "Provider" in str(outcome)
    else:
        manifest = client.head_manifest("bulk", "big.bin")
        assert victim["address"] not in {c.provider for s in manifest.segments for c in s.chunks}
        assert client.get_object("bulk", "big.bin") == data

    # After a restart the victim still serves every chunk it acknowledged, byte for byte,
    # with the same commitments, and they are the commitments of those bytes.
    network.restart_daemon(directory, victim["name"])
    assert _health(victim)["stored"] >= sum(len(a["data"]) for a in acked)
    with _signed(key, victim["endpoint"], victim["address"]) as http:
        for oid in interrupted:
            stored = http.get_json(f"/orders/{oid}/commitments")["commitments"]
            for a in (a for a in acked if a["order"] == oid):
                assert http.request("GET", f"/orders/{oid}/blobs/{a['first_blob']}").content == a["data"]
                span = stored[a["first_blob"] : a["first_blob"] + len(a["commitments"])]
                assert [bytes.fromhex(c[2:]) for c in span] == a["commitments"]
                packed = native.pack_blobs(a["data"])
                blobs = [packed[i : i + BYTES_PER_BLOB] for i in range(0, len(packed), BYTES_PER_BLOB)]
                assert kzg.batch_check(blobs, a["commitments"])
    assert network.status(directory)["running"]


# -- 3. a cheating Provider --------------------------------------------------------------


def _results(key, keeper, epoch, provider) -> tuple[int, int] | None:
    with _signed(key, keeper["url"], keeper["address"]) as http:
        try:
            answer = http.get_json(f"/results/{epoch}/{provider}")
        except RemoteError as exc:
            if exc.status == 404:  # no results for it (yet) in that epoch
                return None
            raise
    return int(answer["cum_pay"]), int(answer["cum_penalty"])


def _totals(key, keeper, epoch, provider) -> tuple[int, int]:
    """Cumulative (pay, penalty) of ``provider`` through ``epoch`` (zeros before its first)."""
    for e in range(epoch, -1, -1):
        found = _results(key, keeper, e, provider)
        if found is not None:
            return found
    return 0, 0


class _Verdicts:
    """Polls the Keepers' /status in the background, keeping every verdict it sees."""

    def __init__(self, keepers) -> None:
        self.keepers = keepers
        self.seen: dict[tuple[str, int, str], str] = {}  # (keeper, epoch, provider) -> outcome
        self.last: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for keeper in self.keepers:
                try:
                    status = httpx.get(keeper["url"] + "/status", timeout=5).json()
                except (httpx.HTTPError, ValueError):
                    continue
                if status.get("last_epoch") is None:
                    continue
                self.last[keeper["name"]] = status["last_epoch"]
                for v in status["verdicts"]:
                    self.seen[(keeper["name"], status["last_epoch"], v["provider"])] = v["outcome"]
            self._stop.wait(0.4)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def judged(self, epoch: int) -> bool:
        return all(self.last.get(k["name"], -1) >= epoch for k in self.keepers)

    def wait_judged(self, epoch: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.judged(epoch):
            assert time.monotonic() < deadline, f"the Keepers did not judge epoch {epoch} in {timeout} s: {self.last}"
            time.sleep(0.5)


def _damage(data_dir: Path, keep_altered: tuple[str, int]) -> tuple[int, int]:
    """Alter the chunk file at ``keep_altered`` (order hex without 0x, first blob); delete every
    other chunk file. Returns (altered, deleted)."""
    altered = deleted = 0
    for file in sorted((data_dir / "chunks").rglob("*.chunk")):
        if (file.parent.name, int(file.stem)) == keep_altered:
            raw = bytearray(file.read_bytes())
            raw[len(raw) // 2] ^= 0xFF
            file.write_bytes(bytes(raw))
            altered += 1
        else:
            file.unlink()
            deleted += 1
    return altered, deleted


def test_a_default_bucket_stays_writable_with_any_one_provider_down(devnet, client):
    """7 Providers, a default stripe of 4+2: with one killed, the Keepers drop it from matching
    at their first failed probe, and a write finds its six among the others at once."""
    directory, record = devnet
    assert len(record["providers"]) == 7
    client.create_bucket("spare")  # the default layout
    victim = record["providers"][3]
    _kill_if_alive(directory, victim["name"])
    try:
        data = os.urandom(300_000)
        started = time.monotonic()
        client.put_object("spare", "one-down.bin", data)
        assert time.monotonic() - started < 60  # not the 600 s liveness window
        manifest = client.head_manifest("spare", "one-down.bin")
        holders = {c.provider for s in manifest.segments for c in s.chunks}
        assert len(holders) == 6 and victim["address"] not in holders
        assert client.get_object("spare", "one-down.bin") == data
    finally:
        network.restart_daemon(directory, victim["name"])


def test_a_provider_that_drops_its_chunks_fails_is_not_paid_is_penalised_and_loses_a_dispute(devnet, client, memo):
    directory, record = devnet
    key = _user_key(record)
    keepers = record["keepers"]
    client.create_bucket("cheat")
    data = os.urandom(300_000)
    client.put_object("cheat", "small.bin", data)
    manifest = client.head_manifest("cheat", "small.bin")
    placements = manifest.segments[0].chunks
    target = placements[0]
    cheater = _provider(record, address=target.provider)
    honest = [p.provider for p in placements[1:]]
    oid = bytes.fromhex(target.order_id[2:])
    order = memo.market.order(oid)
    start = order.start_epoch

    with _Verdicts(keepers) as verdicts:
        # It proves honestly first: paid for its first epoch.
        verdicts.wait_judged(start, timeout=120)
        assert all(verdicts.seen.get((k["name"], start, cheater["address"])) in (None, "passed") for k in keepers)
        paid_before = _totals(key, keepers[0], start, cheater["address"])[0]
        assert paid_before > _totals(key, keepers[0], start - 1, cheater["address"])[0]

        # Now it drops what it holds: one chunk altered on disk, every other one deleted.
        altered, deleted = _damage(_data_dir(cheater), (target.order_id[2:], target.first_blob))
        assert altered == 1
        damaged_in = memo.epochs.current_epoch()
        # The first epoch that ends after the damage must fail; allow one more for the race
        # with an epoch that ended just before.
        verdicts.wait_judged(damaged_in, timeout=120)
        failing = None
        for epoch in range(max(start + 1, damaged_in - 1), damaged_in + 1):
            before = _totals(key, keepers[0], epoch - 1, cheater["address"])
            now = _totals(key, keepers[0], epoch, cheater["address"])
            if now[1] > before[1]:
                failing = epoch
                break
        assert failing is not None, f"no penalty for {cheater['name']} by epoch {damaged_in}"
        print(
            f"{cheater['name']}: orders start {start}, damaged in {damaged_in} ({deleted} deleted, 1 altered), "
            f"penalised for {failing}: " + str({k: v for k, v in verdicts.seen.items() if k[1] == failing})
        )

        for keeper in keepers:
            # Every Keeper recorded a failed or missed proof for it in that epoch ...
            outcome = verdicts.seen.get((keeper["name"], failing, cheater["address"]))
            assert outcome in ("failed", "missed"), (keeper["name"], failing, outcome)
            # ... did not pay it and penalised it, and paid the honest Providers.
            pay0, pen0 = _totals(key, keeper, failing - 1, cheater["address"])
            pay1, pen1 = _totals(key, keeper, failing, cheater["address"])
            assert pay1 == pay0 and pen1 > pen0
            for address in honest:
                assert verdicts.seen.get((keeper["name"], failing, address)) in (None, "passed")
                assert _totals(key, keeper, failing, address)[0] > _totals(key, keeper, failing - 1, address)[0]

    # A dispute against the blob it no longer holds: unanswered, it is slashed to the challenger.
    # It cannot answer: the blob's chunk is gone (the one altered chunk fails its own digest check).
    with _signed(key, cheater["endpoint"], cheater["address"]) as http:
        with pytest.raises(RemoteError) as refused:
            http.request("GET", f"/orders/{target.order_id}/blobs/{target.first_blob}")
        assert refused.value.status == 404
    challenger = memo.with_account(key)
    disputes = challenger.disputes
    bond = disputes.min_bond()
    slash = disputes.slash_amount()
    pledge_before = memo.registry.pledge_of(cheater["address"], PROVIDER)
    balance_before = memo.token.balance_of(client.address)
    dispute_id = disputes.challenge(oid, target.first_blob, bond)
    dispute = disputes.dispute(dispute_id)
    assert dispute.status == STATUS_OPEN and dispute.provider == cheater["address"]
    assert memo.token.balance_of(client.address) == balance_before - bond
    with pytest.raises(ChainRevert) as early:
        disputes.resolve_timeout(dispute_id)  # the answer window is still open
    assert early.value.reason == "disputes: deadline not passed"
    w3 = memo.client.w3
    now = w3.eth.get_block("latest")["timestamp"]
    w3.provider.make_request("evm_increaseTime", [int(dispute.deadline - now + 1)])
    w3.provider.make_request("evm_mine", [])
    disputes.resolve_timeout(dispute_id)
    assert disputes.dispute(dispute_id).status == STATUS_TIMED_OUT
    assert memo.registry.pledge_of(cheater["address"], PROVIDER) == pledge_before - slash
    # The challenger gets its bond back plus min(bond, slash / 2); the order's User (here the
    # challenger too, when it is) the rest up to the order's value; the remainder is burned.
    (timed_out,) = disputes._logs("DisputeTimedOut", dispute_id=dispute_id)
    split = timed_out["args"]
    assert split["reward"] == min(bond, slash // 2)
    assert split["reward"] + split["compensation"] + split["burned"] == slash
    compensation = split["compensation"] if split["user"] == client.address else 0
    assert memo.token.balance_of(client.address) == balance_before + split["reward"] + compensation
