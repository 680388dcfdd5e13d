"""The xet lane with live clients in other processes (issue 11.2) and the CAS server's own rules.

hf-xet's local:// CAS backend keeps a database open (and locked) for as long as the client process
lives; a sandbox that shared such a directory with its clients failed commits with "Database
already open. Cannot acquire lock." as soon as another client process had touched it. The sandbox
now is the CAS server: every client talks HTTP to it, as to the Hub.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import CommitOperationAdd, snapshot_download

from tests.sandbox.rawhttp import raw_request

pytest.importorskip("hf_xet")

REPO = "acme-ai/bert-korean-sentiment-v2"

# A client process: upload a folder (2.4.0's pipelined upload keeps its xet session open while it
# commits), stay alive with that session, then download what another client uploaded.
CLIENT = textwrap.dedent("""
    import hashlib, os, sys, time
    from huggingface_hub import HfApi
    folder, path_in_repo, go_file, other = sys.argv[1:5]
    api = HfApi(endpoint=os.environ["SANDBOX_ENDPOINT"], token=os.environ["SANDBOX_TOKEN"])
    info = api.upload_folder(folder_path=folder, repo_id=os.environ["SANDBOX_REPO"], path_in_repo=path_in_repo,
                             commit_message=f"upload {path_in_repo}")
    print("COMMITTED", info.oid, flush=True)
    while not os.path.exists(go_file):
        time.sleep(0.05)
    path = api.hf_hub_download(os.environ["SANDBOX_REPO"], other)
    print("DOWNLOADED", hashlib.sha256(open(path, "rb").read()).hexdigest(), flush=True)
""")


def _folder(root: Path, seed: int) -> Path:
    root.mkdir(parents=True)
    rng = hashlib.sha512(str(seed).encode()).digest()
    (root / "config.json").write_text(f'{{"seed": {seed}}}')
    (root / "model.safetensors").write_bytes(rng * 40_000)  # 2.5 MB: xet, and read back by the server at commit
    (root / "optimizer.pt").write_bytes(os.urandom(300_000))
    return root


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _client(hub_sandbox, tmp_path: Path, name: str, args: list[str]) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update(
        HF_HOME=str(tmp_path / f"home-{name}"),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        SANDBOX_ENDPOINT=hub_sandbox.endpoint,
        SANDBOX_TOKEN=hub_sandbox.tokens["alice-write"],
        SANDBOX_REPO=REPO,
    )
    return subprocess.Popen(
        [sys.executable, "-c", CLIENT, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _line(proc: subprocess.Popen, prefix: str) -> str:
    for line in proc.stdout:
        if line.startswith(prefix):
            return line.split()[1]
    proc.wait(30)
    raise AssertionError(f"client ended without {prefix}: exit {proc.returncode}\n{proc.stderr.read()[-3000:]}")


@pytest.fixture
def xet_lane(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", False)
    monkeypatch.delenv("HF_HUB_DISABLE_XET", raising=False)


def test_live_clients_in_other_processes_upload_and_download_while_commits_land(
    hub_api, hub_sandbox, xet_lane, tmp_path
):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    a, b, mine = _folder(tmp_path / "a", 1), _folder(tmp_path / "b", 2), _folder(tmp_path / "mine", 3)
    go = tmp_path / "go"
    first = _client(hub_sandbox, tmp_path, "a", [str(a), "a", str(go), "b/model.safetensors"])
    second = None
    try:
        _line(first, "COMMITTED")  # the first client now holds its xet session open...
        second = _client(hub_sandbox, tmp_path, "b", [str(b), "b", str(go), "a/model.safetensors"])
        _line(second, "COMMITTED")  # ...while a second client uploads and its commit lands
        info = api.upload_folder(folder_path=mine, repo_id=REPO, path_in_repo="mine")  # and a third, in-process
        assert info.oid == hub_sandbox.head(REPO)
        go.touch()
        assert _line(first, "DOWNLOADED") == _sha256(b / "model.safetensors")
        assert _line(second, "DOWNLOADED") == _sha256(a / "model.safetensors")
        assert first.wait(60) == 0 and second.wait(60) == 0
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)
    assert len(hub_sandbox.commits(REPO)) == 4
    local = Path(snapshot_download(REPO, endpoint=api.endpoint, token=api.token, local_dir=tmp_path / "dl"))
    for folder in (a, b, mine):
        for f in folder.iterdir():
            assert _sha256(local / folder.name / f.name) == _sha256(f), f
            # the server reads xet files back itself: for plain-HTTP downloads and its own checks
            assert hub_sandbox.read_file(REPO, f"{folder.name}/{f.name}") == f.read_bytes()
    cas = [r.path for r in hub_sandbox.cas_requests]
    assert any(p.startswith("/v1/xorbs/") for p in cas) and any(p.startswith("/v1/reconstructions/") for p in cas)
    assert not any("/v1/xorbs/" in r.path for r in hub_sandbox.requests)  # the CAS is its own server


def test_plain_http_download_of_a_xet_file_is_rebuilt_by_the_server(hub_api, hub_sandbox, xet_lane):
    """A file uploaded through xet, fetched by a client without xet (resolve GET with Range)."""
    api = hub_api("alice-write")
    api.create_repo(REPO, private=False)
    data = b"".join(b"row %d,0.125,0.5\n" % i for i in range(400_000))  # compressible: LZ4 chunks
    api.create_commit(REPO, commit_message="csv", operations=[CommitOperationAdd("data.bin", data)])
    (entry,) = [e for e in api.list_repo_tree(REPO) if e.path == "data.bin"]
    assert entry.xet_hash and entry.lfs.sha256 == hashlib.sha256(data).hexdigest()
    url = f"{hub_sandbox.endpoint}/{REPO}/resolve/main/data.bin"
    assert httpx2.get(url).content == data
    part = httpx2.get(url, headers={"Range": "bytes=1000000-1000099"})
    assert part.status_code == 206 and part.content == data[1_000_000:1_000_100]


def _xet_token(hub_sandbox, kind: str, token: str = "alice-write") -> tuple[str, str]:
    r = httpx2.get(
        f"{hub_sandbox.endpoint}/api/models/{REPO}/xet-{kind}-token/main",
        headers={"authorization": f"Bearer {hub_sandbox.tokens[token]}"},
    )
    assert r.status_code == 200, r.text
    return r.headers["X-Xet-Cas-Url"], r.headers["X-Xet-Access-Token"]


def test_cas_stores_bytes_for_write_tokens_only(hub_sandbox):
    hub_sandbox.create_repo_as("alice", REPO, private=False)
    cas, write = _xet_token(hub_sandbox, "write")
    cas_read, read = _xet_token(hub_sandbox, "read", token="alice-read")
    assert cas == cas_read == hub_sandbox.cas_endpoint and cas != hub_sandbox.endpoint
    xorb = f"{cas}/v1/xorbs/default/{'ab' * 32}"
    body = b"\0" + (4).to_bytes(3, "little") + b"\0" + (4).to_bytes(3, "little") + b"data"
    for headers, status in (
        ({}, 401),
        ({"authorization": "Bearer xet_write_1_2_forged"}, 401),
        ({"authorization": f"Bearer {read}"}, 403),
    ):
        assert httpx2.post(xorb, content=body, headers=headers).status_code == status
    assert not any((hub_sandbox.cas_dir / "xorbs").iterdir())
    ok = httpx2.post(xorb, content=body, headers={"authorization": f"Bearer {write}"})
    assert ok.status_code == 200 and ok.json() == {"was_inserted": True}
    status, _ = raw_request(
        cas,
        f"POST /v1/xorbs/default/{'cd' * 32}",
        {"authorization": f"Bearer {write}", "content-length": str(200 * 1024 * 1024)},
    )
    assert status == 413  # answered before a byte of the announced 200 MiB is read
    # a shard naming a xorb nobody uploaded is refused
    shard = bytes(48) + bytes(range(32)) + (0).to_bytes(4, "little") + (1).to_bytes(4, "little") + bytes(8)
    shard += bytes(range(32, 64)) + bytes(4) + (4).to_bytes(4, "little") + (0).to_bytes(4, "little")
    shard += (1).to_bytes(4, "little") + b"\xff" * 48
    r = httpx2.post(f"{cas}/v1/shards", content=shard, headers={"authorization": f"Bearer {write}"})
    assert r.status_code == 400 and "never uploaded" in r.text
    # reconstruction needs a token; fetch URLs need their signature
    assert httpx2.get(f"{cas}/v1/reconstructions/{'ef' * 32}").status_code == 401
    assert (
        httpx2.get(f"{cas}/v1/reconstructions/{'ef' * 32}", headers={"authorization": f"Bearer {read}"}).status_code
        == 404
    )
    assert (
        httpx2.get(f"{cas}/v1/fetch/{'ab' * 32}?exp=9999999999&sig=forged", headers={"Range": "bytes=0-3"}).status_code
        == 403
    )


@pytest.mark.parametrize("token", ["alice-read", "alice-fg-read", None])
def test_read_only_and_anonymous_clients_get_no_xet_write_token(hub_sandbox, token):
    hub_sandbox.create_repo_as("alice", REPO, private=False)
    headers = {"authorization": f"Bearer {hub_sandbox.tokens[token]}"} if token else {}
    for query in ("", "?create_pr=1"):
        r = httpx2.get(f"{hub_sandbox.endpoint}/api/models/{REPO}/xet-write-token/main{query}", headers=headers)
        assert r.status_code == (401 if token is None else 403), (token, query)
        assert "X-Xet-Access-Token" not in r.headers
