"""The sandbox's own defences (issue 9, "Sandbox:"): who may store bytes, bounded inputs, timeouts."""

from __future__ import annotations

import hashlib
import json
import socket
import time

import httpx2
import pytest
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from hf_publish.sandbox import Sandbox
from hf_publish.sandbox.faults import RequestLog, RequestRecord
from tests.sandbox.rawhttp import raw_request

REPO = "acme-ai/bert-korean-sentiment-v2"


def _headers(hub_sandbox, token: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {hub_sandbox.tokens[token]}"} if token else {}


def _batch(hub_sandbox, token: str | None, data: bytes = b"\0weights" * 64) -> httpx2.Response:
    return httpx2.post(
        f"{hub_sandbox.endpoint}/{REPO}.git/info/lfs/objects/batch",
        headers={**_headers(hub_sandbox, token), "content-type": "application/vnd.git-lfs+json"},
        json={
            "operation": "upload",
            "transfers": ["basic"],
            "hash_algo": "sha256",
            "objects": [{"oid": hashlib.sha256(data).hexdigest(), "size": len(data)}],
        },
    )


def test_anonymous_clients_open_no_pull_request_and_get_no_upload_url(hub_api, hub_sandbox, upload_lane):
    hub_sandbox.create_repo_as("alice", REPO, private=False)
    for create_pr in (True, False):
        with pytest.raises((RepositoryNotFoundError, HfHubHTTPError)) as exc:
            hub_api(None).upload_file(
                path_or_fileobj=b"\0weights" * 64, path_in_repo="model.bin", repo_id=REPO, create_pr=create_pr
            )
        assert exc.value.response.status_code == 401
    r = _batch(hub_sandbox, None)
    assert r.status_code == 401 and "actions" not in r.text
    refs = hub_api("alice-write").list_repo_refs(REPO, include_pull_requests=True)
    assert refs.pull_requests == [] and len(hub_sandbox.commits(REPO)) == 1
    assert not any((hub_sandbox.data_dir / "blobs" / "lfs").rglob("*"))


@pytest.mark.parametrize("token", ["alice-read", "alice-fg-read"])
def test_read_only_tokens_store_no_bytes_and_open_no_pull_request(hub_api, hub_sandbox, upload_lane, token):
    hub_sandbox.create_repo_as("alice", REPO, private=False)
    with pytest.raises(HfHubHTTPError) as exc:
        hub_api(token).upload_file(path_or_fileobj=b"typo fix", path_in_repo="README.md", repo_id=REPO, create_pr=True)
    assert exc.value.response.status_code == 403 and "read-only" in str(exc.value)
    r = _batch(hub_sandbox, token)
    assert r.status_code == 403 and "actions" not in r.text
    assert hub_api("alice-write").list_repo_refs(REPO, include_pull_requests=True).pull_requests == []


def test_a_reader_with_a_write_token_still_opens_pull_requests(hub_api, hub_sandbox, upload_lane):
    """What the Hub allows: read access to the repo plus a token that can push (here: the org's read member)."""
    hub_sandbox.create_repo_as("alice", REPO, private=True)
    info = hub_api("dave-fg-org").upload_file(
        path_or_fileobj=b"\0weights" * 64, path_in_repo="model.bin", repo_id=REPO, create_pr=True
    )
    assert info.pr_num == 1 and "model.bin" in hub_sandbox.list_files(REPO, revision="refs/pr/1")


def _signed_put(hub_sandbox, data: bytes) -> str:
    r = _batch(hub_sandbox, "alice-write", data)
    return r.json()["objects"][0]["actions"]["upload"]["href"]


def test_upload_urls_take_exactly_the_signed_size(hub_sandbox):
    hub_sandbox.create_repo_as("alice", REPO)
    data = b"\0weights" * 64
    href = _signed_put(hub_sandbox, data)
    for body in (data + b"more", data[:-1]):  # announced by Content-Length
        r = httpx2.put(href, content=body)
        assert r.status_code == 400, len(body)

    def chunks():  # no Content-Length: the server stops reading at the signed size
        yield data
        yield b"x" * (1 << 20)

    r = httpx2.put(href, content=chunks())
    assert r.status_code == 400 and "takes exactly" in r.text
    assert hub_sandbox.store.has_lfs_blob(hashlib.sha256(data).hexdigest()) is None
    path = href[len(hub_sandbox.endpoint) :]
    status, _ = raw_request(hub_sandbox.endpoint, f"PUT {path}", {"content-length": str(10 * 1024**3)})
    assert status == 400  # refused before a byte of the announced 10 GiB
    assert httpx2.put(href, content=data).status_code == 200
    tampered = href.replace(f"size={len(data)}", f"size={len(data) * 2}")
    assert httpx2.put(tampered, content=data + data).status_code == 403


@pytest.mark.parametrize(
    "repo_path",
    [
        "acme-ai/..%2F..%2F..%2Fetc",
        "..%2F..%2Facme-ai/x",
        "acme-ai/%2E%2E",
        "%2E%2E/%2E%2E",
        "acme-ai/.hidden",
        "acme-ai/x%00y",
        "acme-ai/b%C3%A9rt-v2",
        "acme-ai/bert-korean-sentiment-v%EF%BC%92",  # é; a fullwidth 2
        "acme-ai/bert--korean",
        "acme-ai/model.git",
        "ACME-AI/BERT-KOREAN-SENTIMENT-V2%2F..",
        # each would alias the real repo if joined onto a path
        "acme-ai/bert-korean-sentiment-v2%2F..%2Fbert-korean-sentiment-v2",
        "acme-ai%2F..%2Facme-ai/bert-korean-sentiment-v2",
    ],
)
def test_odd_repo_ids_never_reach_the_disk(hub_sandbox, repo_path):
    hub_sandbox.create_repo_as("alice", REPO)
    before = sorted(hub_sandbox.data_dir.rglob("*"))
    for method, path in (
        ("GET", f"/api/models/{repo_path}"),
        ("GET", f"/api/models/{repo_path}/tree/main"),
        ("POST", f"/api/models/{repo_path}/preupload/main"),
        ("HEAD", f"/{repo_path}/resolve/main/x"),
    ):
        r = httpx2.request(
            method,
            f"{hub_sandbox.endpoint}{path}",
            headers=_headers(hub_sandbox, "alice-write"),
            json={"files": []} if method == "POST" else None,
        )
        assert r.status_code == 404 and r.headers.get("X-Error-Code") == "RepoNotFound", (method, path)
    assert sorted(hub_sandbox.data_dir.rglob("*")) == before
    assert (
        httpx2.get(
            f"{hub_sandbox.endpoint}/api/models/{REPO.upper()}", headers=_headers(hub_sandbox, "alice-write")
        ).json()["id"]
        == REPO
    )  # ids stay case-insensitive


@pytest.mark.parametrize(
    "name, organization",
    [
        ("..", "acme-ai"),
        ("../../escape", "acme-ai"),
        (".hidden", "acme-ai"),
        ("a\0b", "acme-ai"),
        ("bért", "acme-ai"),
        ("b--c", "acme-ai"),
        ("model.git", "acme-ai"),
        ("x/y", "acme-ai"),
        ("ok-name", "../.."),
        ("ok-name", "acme-ai/x"),
    ],
)
def test_create_refuses_odd_names_before_any_path_is_built(hub_sandbox, name, organization):
    before = sorted(hub_sandbox.data_dir.rglob("*"))
    r = httpx2.post(
        f"{hub_sandbox.endpoint}/api/repos/create",
        headers=_headers(hub_sandbox, "alice-write"),
        json={"name": name, "organization": organization},
    )
    assert r.status_code in (400, 403), (name, organization, r.status_code)
    assert sorted(hub_sandbox.data_dir.rglob("*")) == before


def test_request_bodies_are_bounded(hub_sandbox):
    hub_sandbox.create_repo_as("alice", REPO)
    headers = {**_headers(hub_sandbox, "alice-write"), "content-type": "application/json"}
    big = json.dumps({"files": [{"path": "x" * 1000, "size": 1, "sample": ""}] * 20_000}).encode()  # ~20 MB
    r = httpx2.post(f"{hub_sandbox.endpoint}/api/models/{REPO}/preupload/main", content=big, headers=headers)
    assert r.status_code == 413 and "at most" in r.json()["error"]
    line = json.dumps(
        {"key": "file", "value": {"path": "big.txt", "encoding": "base64", "content": "QUFB" * 5_000_000}}
    )
    body = json.dumps({"key": "header", "value": {"summary": "s"}}) + "\n" + line
    r = httpx2.post(
        f"{hub_sandbox.endpoint}/api/models/{REPO}/commit/main",
        content=body.encode(),
        headers={**headers, "content-type": "application/x-ndjson"},
    )
    assert r.status_code == 413 and len(hub_sandbox.commits(REPO)) == 1
    assert httpx2.get(f"{hub_sandbox.endpoint}/api/whoami-v2", headers=headers).status_code == 200  # still serving


def test_the_request_log_is_bounded():
    log = RequestLog(limit=3)
    for i in range(10):
        log.append(RequestRecord(method="GET", path=f"/{i}", query="", status=200))
    assert [r.path for r in log.snapshot()] == ["/7", "/8", "/9"]
    assert RequestLog()._records.maxlen == 100_000  # what a Sandbox keeps


def test_idle_connections_time_out(tmp_path):
    with Sandbox(data_dir=tmp_path / "data", idle_timeout=0.5) as hub:
        for prefix in (b"", b'POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"con'):
            with socket.create_connection((hub.host, hub.port), timeout=10) as sock:
                sock.sendall(prefix)
                started = time.monotonic()
                assert sock.recv(1024) == b""  # the server hangs up, nothing answered
                assert time.monotonic() - started < 5
        assert httpx2.get(f"{hub.endpoint}/api/whoami-v2").status_code == 401  # and serves others meanwhile
