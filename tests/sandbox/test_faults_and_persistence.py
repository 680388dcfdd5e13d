"""Fault injection, the request log, restarts with the same data dir, atomic commits."""

from __future__ import annotations

import time

import httpx2
import pytest
from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError

from hf_publish.sandbox import Sandbox

REPO = "acme-ai/bert-korean-sentiment-v2"


def test_503_then_success_through_client_retries(hub_api, hub_sandbox, upload_lane):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    hub_sandbox.inject(method="POST", path=r"/preupload/", status=503, times=1)
    info = api.upload_file(path_or_fileobj=b"\0weights" * 64, path_in_repo="model.bin", repo_id=REPO)
    statuses = [r.status for r in hub_sandbox.requests if "/preupload/" in r.path]
    assert statuses == [503, 200]
    assert info.oid == hub_sandbox.head(REPO)


def test_429_retry_after_is_sent_and_honoured(hub_api, hub_sandbox):
    hub_sandbox.create_repo_as("alice", REPO)
    hub_sandbox.inject(method="POST", path=r"/preupload/", status=429, retry_after=1, times=1)
    started = time.monotonic()
    hub_api("alice-write").upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=REPO)
    assert time.monotonic() - started >= 1.0
    hub_sandbox.inject(path=r"^/api/models/", status=429, retry_after=7)  # seen raw, without client retries
    r = httpx2.get(f"{hub_sandbox.endpoint}/api/models/{REPO}")
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"


def test_commit_500_is_not_retried_and_manual_retry_works(hub_api, hub_sandbox):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    hub_sandbox.inject(method="POST", path=r"/api/models/.*/commit/.*", status=500)
    with pytest.raises(HfHubHTTPError) as exc:
        api.upload_file(path_or_fileobj=b"v1", path_in_repo="a.txt", repo_id=REPO)
    assert exc.value.response.status_code == 500
    assert len(hub_sandbox.commits(REPO)) == 1
    api.upload_file(path_or_fileobj=b"v1", path_in_repo="a.txt", repo_id=REPO)
    assert hub_sandbox.read_file(REPO, "a.txt") == b"v1"
    assert [r.fault for r in hub_sandbox.requests if "/commit/" in r.path] == [True, False]


def test_dropped_upload_connection_then_retry(hub_api, hub_sandbox, tmp_path):
    """A connection cut mid-PUT: the LFS upload fails (the client retries it), nothing half-stored."""
    from huggingface_hub import constants

    api = hub_api("alice-write")
    api.create_repo(REPO)
    payload = b"\0" + bytes(range(256)) * 8192  # 2 MiB, LFS because of the NUL byte
    hub_sandbox.inject(method="PUT", path=r"^/_sandbox/lfs/", drop=True, times=1)
    old = constants.HF_HUB_DISABLE_XET
    constants.HF_HUB_DISABLE_XET = True
    try:
        api.upload_file(path_or_fileobj=payload, path_in_repo="model.bin", repo_id=REPO)
    finally:
        constants.HF_HUB_DISABLE_XET = old
    puts = [r for r in hub_sandbox.requests if r.method == "PUT"]
    assert [p.status for p in puts] == [0, 200] and puts[0].fault
    assert hub_sandbox.read_file(REPO, "model.bin") == payload
    assert not list((hub_sandbox.data_dir / "blobs" / "tmp").iterdir())


def test_dropped_download_connection(hub_sandbox):
    hub_sandbox.create_repo_as("alice", REPO, private=False)
    HfApi(endpoint=hub_sandbox.endpoint, token=hub_sandbox.tokens["alice-write"]).upload_file(
        path_or_fileobj=b"y" * 100_000, path_in_repo="data.txt", repo_id=REPO
    )
    hub_sandbox.inject(method="GET", path=r"/resolve/", drop=True, times=1)
    with pytest.raises(httpx2.HTTPError):
        httpx2.get(f"{hub_sandbox.endpoint}/{REPO}/resolve/main/data.txt")
    assert httpx2.get(f"{hub_sandbox.endpoint}/{REPO}/resolve/main/data.txt").content == b"y" * 100_000


def test_delay_and_fault_counts(hub_sandbox):
    rule = hub_sandbox.inject(method="GET", path=r"whoami", delay=0.3, times=2)
    token = hub_sandbox.tokens["alice-write"]
    for _ in range(3):
        started = time.monotonic()
        httpx2.get(f"{hub_sandbox.endpoint}/api/whoami-v2", headers={"authorization": f"Bearer {token}"})
    assert time.monotonic() - started < 0.3 and rule.hits == 2
    with pytest.raises(ValueError):
        hub_sandbox.inject(path="x")
    hub_sandbox.inject(path=".*", status=503, times=None)
    hub_sandbox.clear_faults()
    assert httpx2.get(f"{hub_sandbox.endpoint}/api/whoami-v2", headers={"authorization": f"Bearer {token}"}).is_success


def test_request_log_never_keeps_authorization(hub_api, hub_sandbox):
    hub_api("alice-write").whoami()
    (record,) = hub_sandbox.requests
    assert record.method == "GET" and record.path == "/api/whoami-v2" and record.status == 200
    assert record.token_name == "alice-write"
    assert all(k.lower() != "authorization" for k in record.headers)
    assert hub_sandbox.tokens["alice-write"] not in repr(hub_sandbox.requests)
    hub_sandbox.clear_log()
    assert hub_sandbox.requests == []


def test_restart_with_same_data_dir_keeps_everything(tmp_path, upload_lane):
    data = tmp_path / "data"
    with Sandbox(data_dir=data) as sb:
        api = HfApi(endpoint=sb.endpoint, token=sb.tokens["alice-write"])
        api.create_repo(REPO, private=True)
        api.upload_file(path_or_fileobj=b"\0" + b"w" * 5000, path_in_repo="model.bin", repo_id=REPO)
        api.upload_file(path_or_fileobj=b"cfg", path_in_repo="config.json", repo_id=REPO)
        api.create_branch(REPO, branch="experiment/longer-context")
        api.create_tag(REPO, tag="v1")
        before = sb.commits(REPO)
    assert data.exists()
    with Sandbox(data_dir=data) as sb:
        api = HfApi(endpoint=sb.endpoint, token=sb.tokens["alice-write"])
        assert sb.commits(REPO) == before
        assert api.repo_info(REPO).private is True
        refs = api.list_repo_refs(REPO)
        assert {b.name for b in refs.branches} == {"main", "experiment/longer-context"}
        assert [t.name for t in refs.tags] == ["v1"]
        path = hf_hub_download(
            REPO, "model.bin", endpoint=sb.endpoint, token=sb.tokens["alice-write"], cache_dir=tmp_path / "cache"
        )
        assert open(path, "rb").read() == b"\0" + b"w" * 5000
        api.upload_file(path_or_fileobj=b"more", path_in_repo="more.txt", repo_id=REPO)
        assert len(sb.commits(REPO)) == len(before) + 1


def test_crash_mid_commit_leaves_branch_at_old_head(hub_api, hub_sandbox, monkeypatch):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    old = hub_sandbox.head(REPO)

    def crash(*args, **kwargs):
        raise OSError("disk vanished between the commit object and the ref swap")

    monkeypatch.setattr(hub_sandbox.store, "set_refs", crash)
    with pytest.raises(HfHubHTTPError) as exc:
        api.create_commit(REPO, operations=[CommitOperationAdd("a.txt", b"a")], commit_message="boom")
    assert exc.value.response.status_code == 500
    monkeypatch.undo()
    assert hub_sandbox.head(REPO) == old
    with Sandbox(data_dir=hub_sandbox.data_dir) as again:  # what a restart would see
        assert again.head(REPO) == old
    api.create_commit(REPO, operations=[CommitOperationAdd("a.txt", b"a")], commit_message="ok")
    assert hub_sandbox.head(REPO) != old


def test_reset_wipes_repos_and_log(hub_api, hub_sandbox):
    hub_api("alice-write").create_repo(REPO)
    hub_sandbox.reset()
    assert hub_sandbox.requests == [] and hub_sandbox.head(REPO) is None
    assert hub_api("alice-write").whoami()["name"] == "alice"
