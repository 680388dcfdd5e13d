"""Uploads and downloads in both lanes (xet and classic LFS) with the real client."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest
from huggingface_hub import CommitOperationAdd, hf_hub_download, snapshot_download
from huggingface_hub.errors import BadRequestError, HfHubHTTPError

REPO = "acme-ai/bert-korean-sentiment-v2"
UPLOAD_PATHS = ("/preupload/", "/xet-write-token/", "/info/lfs/objects/", "/_sandbox/lfs/", "/commit/")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _make_file(path: Path, size: int, seed: int = 0) -> Path:
    """Generated, incompressible-enough bytes without holding them all in memory."""
    block = hashlib.sha512(str(seed).encode()).digest() * 16384  # 1 MiB
    with open(path, "wb") as f:
        written = 0
        counter = 0
        while written < size:
            chunk = hashlib.sha256(block[:64] + counter.to_bytes(8, "little")).digest() + block[32:]
            f.write(chunk[: size - written])
            written += len(chunk[: size - written])
            counter += 1
    return path


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    return _make_file(tmp_path_factory.mktemp("big") / "model.safetensors", 200 * 1024 * 1024, seed=200)


def test_upload_folder_and_download_checked_by_sha256(hub_api, hub_sandbox, upload_lane, tmp_path):
    api = hub_api("bob-fg-org")
    api.create_repo(REPO, private=True)
    folder = tmp_path / "model"
    (folder / "tokenizer").mkdir(parents=True)
    (folder / "config.json").write_text('{"hidden_size": 8}')
    (folder / "tokenizer" / "vocab.txt").write_text("a\nb\n")
    _make_file(folder / "model.safetensors", 3 * 1024 * 1024, seed=1)
    (folder / "optimizer.pt").write_bytes(b"\0binary" * 100)
    info = api.upload_folder(folder_path=folder, repo_id=REPO, commit_message="add model")
    assert info.oid == hub_sandbox.head(REPO)
    tree = {f.path: f for f in api.list_repo_tree(REPO, recursive=True) if hasattr(f, "blob_id")}
    assert tree["config.json"].lfs is None
    assert tree["model.safetensors"].lfs.sha256 == _sha256(folder / "model.safetensors")
    assert tree["optimizer.pt"].lfs is not None
    if upload_lane == "xet":
        assert tree["model.safetensors"].xet_hash and len(tree["model.safetensors"].xet_hash) == 64
        assert any("/xet-write-token/" in r.path for r in hub_sandbox.requests)
        assert not any("/_sandbox/lfs/" in r.path for r in hub_sandbox.requests)
    else:
        assert tree["model.safetensors"].xet_hash is None
        puts = [r for r in hub_sandbox.requests if r.method == "PUT"]
        assert len(puts) == 2 and all("authorization" not in {k.lower() for k in r.headers} for r in puts)
    local = snapshot_download(
        REPO, endpoint=hub_sandbox.endpoint, token=hub_sandbox.tokens["dave-fg-org"], local_dir=tmp_path / "dl"
    )
    for rel in ("config.json", "tokenizer/vocab.txt", "model.safetensors", "optimizer.pt"):
        assert _sha256(Path(local) / rel) == _sha256(folder / rel), rel
    one = hf_hub_download(
        REPO,
        "model.safetensors",
        endpoint=hub_sandbox.endpoint,
        token=hub_sandbox.tokens["alice-read"],
        cache_dir=tmp_path / "cache",
    )
    assert _sha256(Path(one)) == _sha256(folder / "model.safetensors")
    assert hub_sandbox.read_file(REPO, "model.safetensors") == (folder / "model.safetensors").read_bytes()


def test_200mb_file_round_trip(hub_api, hub_sandbox, upload_lane, big_file, tmp_path):
    api = hub_api("alice-fg-org")
    api.create_repo(REPO)
    api.upload_file(path_or_fileobj=str(big_file), path_in_repo="model.safetensors", repo_id=REPO)
    assert hub_sandbox.list_files(REPO)["model.safetensors"] == big_file.stat().st_size
    path = hf_hub_download(
        REPO,
        "model.safetensors",
        endpoint=hub_sandbox.endpoint,
        token=hub_sandbox.tokens["alice-fg-org"],
        cache_dir=tmp_path / "cache",
    )
    assert _sha256(Path(path)) == _sha256(big_file)


def test_no_change_reupload_makes_no_commit(hub_api, hub_sandbox, upload_lane, tmp_path):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    _make_file(folder / "model.safetensors", 2 * 1024 * 1024, seed=3)
    first = api.upload_folder(folder_path=folder, repo_id=REPO)
    hub_sandbox.clear_log()
    again = api.upload_folder(folder_path=folder, repo_id=REPO)
    assert again.oid == first.oid == hub_sandbox.head(REPO)
    assert not [r for r in hub_sandbox.requests if r.method == "POST" and "/commit/" in r.path]
    assert not [r for r in hub_sandbox.requests if r.method == "PUT"]
    assert len(hub_sandbox.commits(REPO)) == 2


def test_stale_parent_commit_is_412(hub_api, hub_sandbox, upload_lane):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    parent = api.repo_info(REPO).sha
    api.upload_file(path_or_fileobj=b"one", path_in_repo="a.txt", repo_id=REPO, parent_commit=parent)
    with pytest.raises(HfHubHTTPError) as exc:
        api.create_commit(
            REPO,
            operations=[CommitOperationAdd("b.bin", os.urandom(2048) + b"\0")],
            commit_message="late",
            parent_commit=parent,
        )
    assert exc.value.response.status_code == 412
    assert "The branch was updated since you opened this page. Please refresh and try again." in str(exc.value)
    assert set(hub_sandbox.list_files(REPO)) == {".gitattributes", "a.txt"}


def test_read_token_is_refused_before_any_byte_moves(hub_api, hub_sandbox, upload_lane, tmp_path):
    hub_sandbox.create_repo_as("alice", REPO)
    weights = _make_file(tmp_path / "model.safetensors", 1024 * 1024)
    for token in ("alice-read", "alice-fg-read", "dave-fg-org"):
        api = hub_api(token)
        hub_sandbox.clear_log()
        with pytest.raises(HfHubHTTPError) as exc:
            api.auth_check(REPO, write=True)
        assert exc.value.response.status_code == 403
        assert [r.path for r in hub_sandbox.requests if any(p in r.path for p in UPLOAD_PATHS)] == []
        # and if a caller skips the check, preupload is the wall: no upload, no commit
        with pytest.raises(HfHubHTTPError) as exc:
            api.upload_file(path_or_fileobj=str(weights), path_in_repo="model.safetensors", repo_id=REPO)
        assert exc.value.response.status_code == 403
        touched = [(r.path, r.status) for r in hub_sandbox.requests if any(p in r.path for p in UPLOAD_PATHS)]
        assert touched == [(f"/api/models/{REPO}/preupload/main", 403)], token
    assert hub_sandbox.commits(REPO) and len(hub_sandbox.commits(REPO)) == 1


def test_read_access_can_open_a_pull_request(hub_api, hub_sandbox, upload_lane):
    hub_sandbox.create_repo_as("alice", REPO, private=False)
    info = hub_api("eve-fg-user").upload_file(
        path_or_fileobj=b"typo fix", path_in_repo="README.md", repo_id=REPO, create_pr=True
    )
    assert info.pr_url.endswith(f"/{REPO}/discussions/1") and info.pr_num == 1
    assert hub_sandbox.list_files(REPO, revision="refs/pr/1")["README.md"] == 8
    assert "README.md" not in hub_sandbox.list_files(REPO)
    refs = hub_api("alice-write").list_repo_refs(REPO, include_pull_requests=True)
    assert [p.ref for p in refs.pull_requests] == ["refs/pr/1"]


def test_concurrent_commits_to_one_branch_all_land(hub_api, hub_sandbox, upload_lane):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    errors: list[BaseException] = []

    def push(i: int) -> None:
        try:
            hub_api("alice-write").create_commit(
                REPO,
                operations=[CommitOperationAdd(f"shard-{i}.bin", bytes([i]) * 4096 + b"\0")],
                commit_message=f"shard {i}",
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=push, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(hub_sandbox.commits(REPO)) == 9
    assert {f"shard-{i}.bin" for i in range(8)} <= set(hub_sandbox.list_files(REPO))


def test_commit_with_a_token_in_a_file_is_refused(hub_api, hub_sandbox, upload_lane):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    leak = f'HfApi(token="{hub_sandbox.tokens["bob-write"]}").upload_folder(...)\n'.encode()
    with pytest.raises(BadRequestError, match="contain valid Hugging Face secrets"):
        api.upload_file(path_or_fileobj=leak, path_in_repo="push.py", repo_id=REPO)
    assert len(hub_sandbox.commits(REPO)) == 1
    api.upload_file(
        path_or_fileobj=b'token = os.environ["HF_TOKEN"]  # hf_notatoken\n', path_in_repo="ok.py", repo_id=REPO
    )


def test_preupload_follows_remote_gitattributes_and_gitignore(hub_api, hub_sandbox, upload_lane, tmp_path):
    api = hub_api("alice-write")
    api.create_repo(REPO)
    api.create_commit(
        REPO,
        commit_message="rules",
        operations=[
            CommitOperationAdd(".gitignore", b"*.log\ncheckpoints/\n!keep.log\n"),
            CommitOperationAdd(".gitattributes", b"*.json filter=lfs diff=lfs merge=lfs -text\n"),
        ],
    )
    folder = tmp_path / "run"
    (folder / "checkpoints").mkdir(parents=True)
    (folder / "train.log").write_text("noise")
    (folder / "keep.log").write_text("kept")
    (folder / "checkpoints" / "step1.txt").write_text("x")
    (folder / "config.json").write_text("{}")
    (folder / "notes.txt").write_text("hello")
    api.upload_folder(folder_path=folder, repo_id=REPO)
    files = {f.path: f for f in api.list_repo_tree(REPO, recursive=True) if hasattr(f, "blob_id")}
    assert "train.log" not in files and "checkpoints/step1.txt" not in files and "keep.log" in files
    assert files["config.json"].lfs is not None  # remote .gitattributes says so
    assert files["notes.txt"].lfs is None


def test_regular_blob_ids_are_git_ids(hub_api, tmp_path):
    import subprocess

    api = hub_api("alice-write")
    api.create_repo(REPO)
    api.create_commit(
        REPO,
        commit_message="x",
        operations=[
            CommitOperationAdd("a/b/c.txt", b"abc\n"),
            CommitOperationAdd("a/d.txt", b"d\n"),
            CommitOperationAdd("z.txt", b"z\n"),
        ],
    )
    repo = tmp_path / "git"
    attributes = hf_hub_download(
        REPO, ".gitattributes", endpoint=api.endpoint, token=api.token, cache_dir=tmp_path / "c"
    )
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for rel, content in {
        "a/b/c.txt": b"abc\n",
        "a/d.txt": b"d\n",
        "z.txt": b"z\n",
        ".gitattributes": Path(attributes).read_bytes(),
    }.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(content)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    root = subprocess.run(["git", "-C", str(repo), "write-tree"], check=True, capture_output=True, text=True).stdout
    sub = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", f"{root.strip()}:a"], check=True, capture_output=True, text=True
    ).stdout.strip()
    folders = {f.path: f.tree_id for f in api.list_repo_tree(REPO) if not hasattr(f, "blob_id")}
    assert folders["a"] == sub
    blob = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", f"{root.strip()}:a/b/c.txt"], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert api.get_paths_info(REPO, ["a/b/c.txt"])[0].blob_id == blob


def test_range_requests_on_resolve(hub_api, hub_sandbox, tmp_path):
    import httpx2

    api = hub_api("alice-write")
    api.create_repo(REPO, private=False)
    data = bytes(range(256)) * 8
    api.upload_file(path_or_fileobj=data, path_in_repo="data.bin", repo_id=REPO)
    url = f"{hub_sandbox.endpoint}/{REPO}/resolve/main/data.bin"
    head = httpx2.head(url)
    assert head.headers["X-Repo-Commit"] == hub_sandbox.head(REPO)
    assert head.headers["X-Linked-Size"] == str(len(data)) and head.headers["Content-Length"] == str(len(data))
    assert head.headers["X-Linked-Etag"].strip('"') == hashlib.sha256(data).hexdigest()
    part = httpx2.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == data[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    assert httpx2.get(url, headers={"Range": "bytes=-5"}).content == data[-5:]
    assert httpx2.get(url, headers={"Range": f"bytes={len(data)}-"}).status_code == 416
    missing = httpx2.head(f"{hub_sandbox.endpoint}/{REPO}/resolve/main/nope.bin")
    assert missing.status_code == 404 and missing.headers["X-Error-Code"] == "EntryNotFound"
    assert missing.headers["X-Repo-Commit"] == hub_sandbox.head(REPO)
