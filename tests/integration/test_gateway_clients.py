"""Real S3 clients against the S3 gateway on a devnet (``memo devnet up --gateway``): anvil,
3 Providers, a Keeper and the gateway (``python -m memo_py.gateway``) as processes; boto3
and the aws CLI over real HTTP, unchanged.

Two access keys map to the devnet's two Users: each sees only its own buckets.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from memo_py.devnet import network
from memo_py.gateway.app import SPOOL_MEMORY_BYTES
from memo_py.devnet.anvil import free_port

UNIT = 10**18
CLIENTS = Path(__file__).resolve().parents[2] / ".clients" / "bin"
ALICE: list[str] = []  # (access key, secret) of the devnet's User 1, set by the fixture
BOB: list[str] = []  # of User 2


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """``memo devnet up --gateway``'s network: the gateway is process ``gateway`` of the devnet."""
    directory = tmp_path_factory.mktemp("gwnet")
    record = network.up(directory, providers=3, keepers=1, users=2, gateway=True)
    try:
        for i in range(2):
            with network.user_client(directory, i) as user:
                user.deposit(200 * UNIT)
        keys = [(k["access_key"], Path(k["secret_key_file"]).read_text().strip()) for k in record["gateway"]["users"]]
        ALICE[:], BOB[:] = keys
        yield record["gateway"]["endpoint"], directory
    finally:
        network.down(directory)


def s3(endpoint, who=ALICE, **config):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=who[0], aws_secret_access_key=who[1],
                        region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, **config))


def code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


def test_buckets_objects_listing_copy_and_delete_with_boto3(gateway):
    endpoint, directory = gateway
    alice = s3(endpoint)
    alice.create_bucket(Bucket="photos")
    with pytest.raises(ClientError) as raised:
        alice.create_bucket(Bucket="photos")
    assert code(raised.value) == "BucketAlreadyOwnedByYou"
    assert [b["Name"] for b in alice.list_buckets()["Buckets"]] == ["photos"]

    data = os.urandom(300_000)
    put = alice.put_object(Bucket="photos", Key="2024/cat one.jpg", Body=data, ContentType="image/jpeg",
                           Metadata={"camera": "pinhole"}, CacheControl="max-age=60")
    assert put["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    # A single PutObject larger than the gateway keeps in memory is spooled to disk, handed to
    # the User client as a file, and its spool file is gone once it is stored.
    large = os.urandom(SPOOL_MEMORY_BYTES + 12_345)
    assert alice.put_object(Bucket="photos", Key="large.bin", Body=large)["ETag"] == f'"{hashlib.md5(large).hexdigest()}"'
    assert alice.get_object(Bucket="photos", Key="large.bin")["Body"].read() == large
    assert list((directory / "gateway" / "data" / "spool").iterdir()) == []
    alice.delete_object(Bucket="photos", Key="large.bin")
    alice.put_object(Bucket="photos", Key="2024/empty", Body=b"")
    alice.put_object(Bucket="photos", Key="2025/dog+ü.jpg", Body=b"woof")

    got = alice.get_object(Bucket="photos", Key="2024/cat one.jpg")
    assert got["Body"].read() == data and got["ContentType"] == "image/jpeg"
    assert got["Metadata"] == {"camera": "pinhole"} and got["CacheControl"] == "max-age=60"
    assert alice.get_object(Bucket="photos", Key="2024/empty")["Body"].read() == b""
    ranged = alice.get_object(Bucket="photos", Key="2024/cat one.jpg", Range="bytes=1000-1999")
    assert ranged["Body"].read() == data[1000:2000] and ranged["ContentRange"] == f"bytes 1000-1999/{len(data)}"
    assert alice.get_object(Bucket="photos", Key="2024/cat one.jpg", Range="bytes=-10")["Body"].read() == data[-10:]
    with pytest.raises(ClientError) as raised:
        alice.get_object(Bucket="photos", Key="2024/cat one.jpg", Range=f"bytes={len(data)}-")
    assert code(raised.value) == "InvalidRange"
    with pytest.raises(ClientError) as raised:
        alice.get_object(Bucket="photos", Key="2024/cat one.jpg", IfNoneMatch=put["ETag"])
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as raised:
        alice.put_object(Bucket="photos", Key="2024/empty", Body=b"again", IfNoneMatch="*")
    assert code(raised.value) == "PreconditionFailed"

    for wrong in ({"ChecksumCRC32": "AAAAAA=="}, {"ContentMD5": "1B2M2Y8AsgTpgAmY7PhCfg=="},
                  {"ChecksumSHA256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}):
        with pytest.raises(ClientError) as raised:
            alice.put_object(Bucket="photos", Key="2024/refused", Body=b"the body", **wrong)
        assert code(raised.value) == "BadDigest", wrong
    with pytest.raises(ClientError) as raised:
        alice.head_object(Bucket="photos", Key="2024/refused")  # nothing was stored
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    crc_put = alice.put_object(Bucket="photos", Key="2025/checked", Body=b"crc", ChecksumAlgorithm="CRC32C")
    assert alice.head_object(Bucket="photos", Key="2025/checked", ChecksumMode="ENABLED")["ChecksumCRC32C"] == \
        crc_put["ChecksumCRC32C"]
    alice.delete_object(Bucket="photos", Key="2025/checked")

    top = alice.list_objects_v2(Bucket="photos", Delimiter="/")
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["2024/", "2025/"] and "Contents" not in top
    listed = alice.list_objects_v2(Bucket="photos", Prefix="2024/")
    assert [(o["Key"], o["Size"]) for o in listed["Contents"]] == [("2024/cat one.jpg", len(data)), ("2024/empty", 0)]
    pages = list(alice.get_paginator("list_objects_v2").paginate(Bucket="photos", PaginationConfig={"PageSize": 1}))
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == ["2024/cat one.jpg", "2024/empty", "2025/dog+ü.jpg"]
    v1 = alice.list_objects(Bucket="photos", Marker="2024/empty")
    assert [o["Key"] for o in v1["Contents"]] == ["2025/dog+ü.jpg"]
    versions = alice.list_object_versions(Bucket="photos")
    assert {v["VersionId"] for v in versions["Versions"]} == {"null"} and len(versions["Versions"]) == 3

    alice.copy_object(Bucket="photos", Key="copies/cat.jpg", CopySource={"Bucket": "photos", "Key": "2024/cat one.jpg"})
    assert alice.get_object(Bucket="photos", Key="copies/cat.jpg")["Body"].read() == data
    alice.copy_object(Bucket="photos", Key="copies/cat.jpg", CopySource={"Bucket": "photos", "Key": "copies/cat.jpg"},
                      MetadataDirective="REPLACE", Metadata={"mtime": "1700000000"}, ContentType="image/jpeg")
    head = alice.head_object(Bucket="photos", Key="copies/cat.jpg")
    assert head["Metadata"] == {"mtime": "1700000000"} and head["ContentLength"] == len(data)

    with pytest.raises(ClientError) as raised:
        alice.delete_bucket(Bucket="photos")
    assert code(raised.value) == "BucketNotEmpty"
    deleted = alice.delete_objects(Bucket="photos", Delete={"Objects": [{"Key": "2024/empty"}, {"Key": "nothing"}]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["2024/empty", "nothing"]
    for key in ("2024/cat one.jpg", "2025/dog+ü.jpg", "copies/cat.jpg"):
        alice.delete_object(Bucket="photos", Key=key)
    with pytest.raises(ClientError) as raised:
        alice.head_object(Bucket="photos", Key="2024/cat one.jpg")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    alice.delete_bucket(Bucket="photos")
    assert alice.list_buckets()["Buckets"] == []


def test_multipart_upload_and_a_multipart_copy(gateway, tmp_path):
    endpoint, _ = gateway
    alice = s3(endpoint)
    alice.create_bucket(Bucket="big")
    data = os.urandom(11 * 2**20 + 12345)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    from boto3.s3.transfer import TransferConfig

    transfer = TransferConfig(multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20)
    alice.upload_file(str(source), "big", "big.bin", Config=transfer)
    head = alice.head_object(Bucket="big", Key="big.bin")
    parts = [hashlib.md5(data[i:i + 5 * 2**20]).digest() for i in range(0, len(data), 5 * 2**20)]
    assert head["ETag"] == f'"{hashlib.md5(b"".join(parts)).hexdigest()}-3"' and head["ContentLength"] == len(data)
    out = tmp_path / "out.bin"
    alice.download_file("big", "big.bin", str(out))
    assert out.read_bytes() == data
    alice.copy({"Bucket": "big", "Key": "big.bin"}, "big", "copy.bin", Config=transfer)  # UploadPartCopy with ranges
    assert alice.get_object(Bucket="big", Key="copy.bin")["Body"].read() == data

    upload = alice.create_multipart_upload(Bucket="big", Key="small-parts")
    etag = alice.upload_part(Bucket="big", Key="small-parts", UploadId=upload["UploadId"], PartNumber=1,
                             Body=b"x" * 100)["ETag"]
    alice.upload_part(Bucket="big", Key="small-parts", UploadId=upload["UploadId"], PartNumber=2, Body=b"y")
    assert [p["PartNumber"] for p in alice.list_parts(Bucket="big", Key="small-parts",
                                                       UploadId=upload["UploadId"])["Parts"]] == [1, 2]
    with pytest.raises(ClientError) as raised:
        alice.complete_multipart_upload(Bucket="big", Key="small-parts", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag},
                                                                   {"PartNumber": 2, "ETag": '"' + "0" * 32 + '"'}]})
    assert code(raised.value) == "InvalidPart"
    with pytest.raises(ClientError) as raised:
        alice.complete_multipart_upload(Bucket="big", Key="small-parts", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag},
                                                                   {"PartNumber": 1, "ETag": etag}]})
    assert code(raised.value) == "InvalidPartOrder"
    uploads = alice.list_multipart_uploads(Bucket="big")["Uploads"]
    assert [u["UploadId"] for u in uploads] == [upload["UploadId"]]
    alice.abort_multipart_upload(Bucket="big", Key="small-parts", UploadId=upload["UploadId"])
    assert "Uploads" not in alice.list_multipart_uploads(Bucket="big")
    with pytest.raises(ClientError) as raised:
        alice.list_parts(Bucket="big", Key="small-parts", UploadId=upload["UploadId"])
    assert code(raised.value) == "NoSuchUpload"


def test_credentials_identities_and_presigned_urls(gateway):
    endpoint, _ = gateway
    alice, bob = s3(endpoint), s3(endpoint, BOB)
    alice.create_bucket(Bucket="alices")
    alice.put_object(Bucket="alices", Key="note.txt", Body=b"for alice only")
    assert [b["Name"] for b in bob.list_buckets()["Buckets"]] == []
    with pytest.raises(ClientError) as raised:
        bob.get_object(Bucket="alices", Key="note.txt")
    assert code(raised.value) == "NoSuchBucket"

    with pytest.raises(ClientError) as raised:
        s3(endpoint, (ALICE[0], "not-the-secret-0000")).list_buckets()
    assert code(raised.value) == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as raised:
        s3(endpoint, ("memo-nobody", ALICE[1])).list_buckets()
    assert code(raised.value) == "InvalidAccessKeyId"
    assert httpx.get(endpoint + "/alices/note.txt").status_code == 403  # anonymous

    url = alice.generate_presigned_url("get_object", Params={"Bucket": "alices", "Key": "note.txt"}, ExpiresIn=60)
    assert httpx.get(url).content == b"for alice only"
    tampered = url.replace("note.txt", "other.txt")
    answer = httpx.get(tampered)
    assert answer.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in answer.content
    expired = alice.generate_presigned_url("get_object", Params={"Bucket": "alices", "Key": "note.txt"}, ExpiresIn=1)
    time.sleep(2)
    answer = httpx.get(expired)
    assert answer.status_code == 403 and b"<Code>AccessDenied</Code>" in answer.content


def test_the_aws_cli_copies_lists_and_removes(gateway, tmp_path):
    endpoint, root = gateway
    aws = str(CLIENTS / "aws")  # `make setup` installs the clients, pinned, in .clients
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ALICE[0], "AWS_SECRET_ACCESS_KEY": ALICE[1],
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}

    def cli(*args):
        done = subprocess.run([aws, "--endpoint-url", endpoint, *args], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    data = os.urandom(2 * 2**20 + 7)
    (tmp_path / "tree" / "a").mkdir(parents=True)
    (tmp_path / "tree" / "a" / "one.bin").write_bytes(data)
    (tmp_path / "tree" / "two.txt").write_text("two\n")
    cli("s3", "mb", "s3://cli")
    cli("s3", "cp", "--recursive", str(tmp_path / "tree"), "s3://cli/tree")
    listing = cli("s3", "ls", "--recursive", "s3://cli/")
    assert "tree/a/one.bin" in listing and "tree/two.txt" in listing
    cli("s3", "cp", "s3://cli/tree/a/one.bin", str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == data
    cli("s3", "rm", "--recursive", "s3://cli/")
    cli("s3", "rb", "s3://cli")
    assert "cli" not in cli("s3", "ls")


def test_s3cmd_makes_puts_lists_gets_and_removes(gateway, tmp_path):
    endpoint, _ = gateway
    host = endpoint.removeprefix("http://")
    config = tmp_path / "s3cfg"
    config.write_text(f"""[default]
access_key = {ALICE[0]}
secret_key = {ALICE[1]}
host_base = {host}
host_bucket = {host}
use_https = False
signature_v2 = False
bucket_location = us-east-1
""")

    def cli(*args):
        done = subprocess.run([str(CLIENTS / "s3cmd"), "-c", str(config), *args], capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    data = os.urandom(70_000)
    (tmp_path / "file.bin").write_bytes(data)
    cli("mb", "s3://s3cmd-bkt")
    cli("put", str(tmp_path / "file.bin"), "s3://s3cmd-bkt/dir/file.bin")
    assert "s3://s3cmd-bkt/dir/file.bin" in cli("ls", "--recursive", "s3://s3cmd-bkt")
    cli("get", "s3://s3cmd-bkt/dir/file.bin", str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == data
    cli("del", "s3://s3cmd-bkt/dir/file.bin")
    cli("rb", "s3://s3cmd-bkt")
    assert "s3cmd-bkt" not in cli("ls")


def test_boto3_pages_a_listing_past_1000_keys(gateway):
    endpoint, _ = gateway
    alice = s3(endpoint)
    alice.create_bucket(Bucket="many")
    keys = [f"k/{i:05d}" for i in range(1100)]
    with ThreadPoolExecutor(16) as pool:  # small puts: answered from the write buffer, settled in packs
        list(pool.map(lambda key: alice.put_object(Bucket="many", Key=key, Body=key.encode()), keys))
    pages = list(alice.get_paginator("list_objects_v2").paginate(Bucket="many", Prefix="k/"))
    assert [len(p["Contents"]) for p in pages] == [1000, 100]
    assert [o["Key"] for p in pages for o in p["Contents"]] == keys
    v1 = alice.list_objects(Bucket="many", Marker="k/01049")
    assert [o["Key"] for o in v1["Contents"]] == keys[1050:] and not v1["IsTruncated"]
    assert alice.get_object(Bucket="many", Key="k/00777")["Body"].read() == b"k/00777"
    for start in range(0, 1100, 1000):
        chunk = [{"Key": key} for key in keys[start:start + 1000]]
        assert not alice.delete_objects(Bucket="many", Delete={"Objects": chunk}).get("Errors")
    alice.delete_bucket(Bucket="many")


def test_rclone_syncs_a_tree_and_a_second_sync_transfers_nothing(gateway, tmp_path):
    endpoint, _ = gateway
    env = {**os.environ, "RCLONE_CONFIG_MEMO_TYPE": "s3", "RCLONE_CONFIG_MEMO_PROVIDER": "Other",
           "RCLONE_CONFIG_MEMO_ACCESS_KEY_ID": ALICE[0], "RCLONE_CONFIG_MEMO_SECRET_ACCESS_KEY": ALICE[1],
           "RCLONE_CONFIG_MEMO_ENDPOINT": endpoint, "RCLONE_CONFIG_MEMO_REGION": "us-east-1",
           "RCLONE_CONFIG": str(tmp_path / "none.conf")}

    def cli(*args):
        done = subprocess.run([str(CLIENTS / "rclone"), *args], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    tree = tmp_path / "tree"
    files = {f"d{i % 10}/f{i}.txt": os.urandom(100 + i % 200) for i in range(1000)}  # a home directory's many small files
    for name, content in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(content)
    cli("mkdir", "memo:rclone-bkt")
    cli("sync", str(tree), "memo:rclone-bkt/home")
    listed = cli("lsf", "--recursive", "--files-only", "memo:rclone-bkt/home").stdout.split()
    assert sorted(listed) == sorted(files)
    again = cli("sync", "-v", "--stats-one-line", str(tree), "memo:rclone-bkt/home").stderr
    assert "Copied" not in again and "There was nothing to transfer" in again, again
    cli("check", str(tree), "memo:rclone-bkt/home")  # byte for byte, by MD5
    (tree / "d0" / "f0.txt").unlink()
    cli("sync", str(tree), "memo:rclone-bkt/home")
    assert "d0/f0.txt" not in cli("lsf", "--recursive", "memo:rclone-bkt/home").stdout.split()
    cli("purge", "memo:rclone-bkt")


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_boto3_over_https_sends_aws_chunked_with_a_crc32_trailer(gateway, tmp_path):
    """Over HTTPS botocore streams PutObject as aws-chunked with a CRC32 trailer: decoded,
    checked, stored without the framing; a wrong trailer is refused and nothing is stored."""
    _, directory = gateway
    cert, key = _self_signed(tmp_path)
    port = free_port()
    config = tmp_path / "tls.toml"
    base = (directory / "gateway" / "config.toml").read_text()
    base = base.replace('data_dir = "data"', f'data_dir = "{tmp_path / "data"}"')
    base = base.replace('deployment = "../deployment.json"', f'deployment = "{directory / "deployment.json"}"')
    head, _, users = base.partition("[[users]]")
    head = "\n".join(line for line in head.splitlines() if not line.startswith("port ="))
    config.write_text(f'{head}\nport = {port}\ntls_certfile = "{cert}"\ntls_keyfile = "{key}"\n\n[[users]]{users}')
    log = open(tmp_path / "tls.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "memo_py.gateway", "--config", str(config)], stdout=log,
                               stderr=subprocess.STDOUT)
    endpoint = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(endpoint + "/", verify=str(cert), timeout=2)
                break
            except httpx.HTTPError:
                assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "tls.log").read_text()
                time.sleep(0.2)
        alice = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ALICE[0], aws_secret_access_key=ALICE[1],
                             region_name="us-east-1", verify=str(cert), config=Config(s3={"addressing_style": "path"}))
        alice.create_bucket(Bucket="tls")
        sent = []
        alice.meta.events.register("before-send.s3.PutObject",
                                   lambda request, **_: sent.append(dict(request.headers)))
        data = os.urandom(200_000)
        put = alice.put_object(Bucket="tls", Key="over-https.bin", Body=data)
        headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in sent[-1].items()}
        assert headers["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        assert headers["x-amz-trailer"] == "x-amz-checksum-crc32"
        import zlib
        import base64

        crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
        assert put["ChecksumCRC32"] == crc
        got = alice.get_object(Bucket="tls", Key="over-https.bin", ChecksumMode="ENABLED")
        assert got["Body"].read() == data and got.get("ContentEncoding") is None and got["ChecksumCRC32"] == crc
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        finally:
            process.kill()
            log.close()


# -- the JSON/HTTP API (memo_py/gateway/api.py), over real HTTP beside S3 ------------------


def api(endpoint, who=ALICE):
    return httpx.Client(base_url=endpoint + "/_api/v1", auth=tuple(who), timeout=120)


def test_the_http_api_is_described_by_its_openapi_document_and_serves_every_path(gateway):
    from openapi_spec_validator import validate

    endpoint, _ = gateway
    document = httpx.get(endpoint + "/openapi.json").json()
    validate(document)
    with api(endpoint) as alice:
        alice.put("/buckets/api-doc").raise_for_status()
        alice.put("/buckets/api-doc/objects/k", content=b"v").raise_for_status()
        for path, operations in document["paths"].items():
            url = path.removeprefix("/_api/v1").replace("{bucket}", "api-doc").replace("{key}", "k")
            for method in {"get", "head"} & set(operations):
                answer = alice.request(method.upper(), url)
                assert answer.status_code == 200, (method, path, answer.text)
        alice.delete("/buckets/api-doc/objects/k").raise_for_status()
        alice.delete("/buckets/api-doc").raise_for_status()


def test_the_http_api_round_trips_objects_that_s3_sees_too(gateway):
    endpoint, _ = gateway
    odd = "dir/a key with spaces & 100%.txt"
    data = os.urandom(300_000)
    with api(endpoint) as alice:
        made = alice.put("/buckets/api-bkt", params={"k": 2, "m": 1})
        assert made.status_code == 201 and (made.json()["k"], made.json()["m"]) == (2, 1)
        put = alice.put(f"/buckets/api-bkt/objects/{quote(odd)}", content=data,
                        headers={"content-type": "text/plain", "x-memo-meta-owner": "alice"})
        assert put.status_code == 201
        assert put.json()["etag"] == hashlib.md5(data).hexdigest() and put.json()["size"] == len(data)
        for i in range(3):
            alice.put(f"/buckets/api-bkt/objects/flat-{i}", content=b"x" * i).raise_for_status()
        got = alice.get(f"/buckets/api-bkt/objects/{quote(odd)}")
        assert got.content == data and got.headers["content-type"].startswith("text/plain")
        assert got.headers["x-memo-meta-owner"] == "alice"
        head = alice.head(f"/buckets/api-bkt/objects/{quote(odd)}")
        assert head.headers["content-length"] == str(len(data)) and head.content == b""
        rolled = alice.get("/buckets/api-bkt/objects", params={"delimiter": "/"}).json()
        assert rolled["prefixes"] == ["dir/"] and [o["key"] for o in rolled["objects"]] == ["flat-0", "flat-1", "flat-2"]
        first = alice.get("/buckets/api-bkt/objects", params={"max_keys": 2}).json()
        assert first["truncated"] and [o["key"] for o in first["objects"]] == [odd, "flat-0"]
        rest = alice.get("/buckets/api-bkt/objects", params={"max_keys": 2, "token": first["next_token"]}).json()
        assert not rest["truncated"] and [o["key"] for o in rest["objects"]] == ["flat-1", "flat-2"]
        assert s3(endpoint).get_object(Bucket="api-bkt", Key=odd)["Body"].read() == data  # one User, two faces
        status = alice.get("/status").json()
        assert status["objects"] >= 4 and int(status["balance_wei"]) > 0 and status["buckets"] >= 1
        assert alice.delete("/buckets/api-bkt").json()["error"]["code"] == "BucketNotEmpty"
        for key in (quote(odd), "flat-0", "flat-1", "flat-2"):
            assert alice.delete(f"/buckets/api-bkt/objects/{key}").status_code == 204
        missing = alice.get("/buckets/api-bkt/objects/flat-0")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "NoSuchKey"
        assert alice.delete("/buckets/api-bkt").status_code == 204


def test_the_http_api_refuses_bad_credentials_other_users_and_bad_input(gateway):
    endpoint, _ = gateway
    with api(endpoint, (ALICE[0], "wrong-secret-wrong")) as wrong:
        refused = wrong.get("/buckets")
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic")
        assert refused.json()["error"]["code"] == "Unauthorized"
    assert httpx.get(endpoint + "/_api/v1/buckets").status_code == 401  # no credentials at all
    with api(endpoint) as alice, api(endpoint, BOB) as bob:
        alice.put("/buckets/api-private").raise_for_status()
        hidden = bob.get("/buckets/api-private/objects")
        assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "NoSuchBucket"
        assert alice.put("/buckets/Bad_Name").json()["error"]["code"] == "InvalidBucketName"
        assert alice.put("/buckets/api-private", params={"k": "two"}).status_code == 400
        assert alice.get("/nowhere").status_code == 404
        assert alice.post("/buckets").status_code == 405
        assert alice.put("/buckets/api-private").json()["error"]["code"] == "BucketAlreadyOwnedByYou"
        # a body cut short: the connection closes after 10 of the 1,000 bytes announced
        host, port = endpoint.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as raw:
            credentials = base64.b64encode(f"{ALICE[0]}:{ALICE[1]}".encode()).decode()
            raw.sendall(f"PUT /_api/v1/buckets/api-private/objects/cut HTTP/1.1\r\nHost: {host}\r\n"
                        f"Authorization: Basic {credentials}\r\nContent-Length: 1000\r\n\r\n".encode() + b"x" * 10)
        time.sleep(1)
        assert alice.head("/buckets/api-private/objects/cut").status_code == 404  # nothing partial stored
        assert alice.delete("/buckets/api-private").status_code == 204
