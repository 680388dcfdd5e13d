"""The plan: local folder vs remote tree, ids from git where the working tree is clean."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hf_publish.errors import ChecksFailed
from hf_publish.publishing.hub import RemoteFile
from hf_publish.publishing.plan import make_plan
from hf_publish.selection import LocalFile, is_ignored, list_checkout, list_folder, pointer_standing_in
from tests.publish.helpers import git, make_checkout, write_requests


def _git_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _remote_of(files: dict[str, bytes], lfs: tuple[str, ...] = ()) -> dict[str, RemoteFile]:
    return {
        path: RemoteFile(path, len(data), _git_oid(data), hashlib.sha256(data).hexdigest() if path in lfs else None)
        for path, data in files.items()
    }


def _local_of(tmp_path: Path, files: dict[str, bytes]) -> dict[str, LocalFile]:
    for path, data in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    return list_folder(tmp_path)


def test_adds_updates_deletes_and_unchanged(tmp_path):
    local = _local_of(tmp_path, {"a.txt": b"same", "b.txt": b"new content", "w.bin": b"\0" * 64, "c.txt": b"added"})
    remote = _remote_of(
        {
            "a.txt": b"same",
            "b.txt": b"old",
            "w.bin": b"\0" * 64,
            "gone.txt": b"x",
            ".gitattributes": b"*.bin filter=lfs\n",
        },
        lfs=("w.bin",),
    )

    plan = make_plan(local, remote)

    assert plan.to_dict()["add"] == ["c.txt"]
    assert plan.to_dict()["update"] == ["b.txt"]
    assert plan.to_dict()["delete"] == ["gone.txt"]  # never .gitattributes
    assert plan.unchanged == 2
    assert plan.totals()["upload_bytes"] == len(b"added") + len(b"new content")


def test_ignore_globs_protect_remote_paths_from_deletion(tmp_path):
    local = _local_of(tmp_path, {"README.md": b"card"})
    remote = _remote_of({"README.md": b"card", "runs/1/log.txt": b"x", "notes.tmp": b"y", "old.txt": b"z"})
    plan = make_plan(local, remote, ignore=("runs/", "*.tmp"))
    assert plan.to_dict()["delete"] == ["old.txt"]


def test_only_restricts_the_plan_to_this_publishs_own_changes(tmp_path):
    local = _local_of(tmp_path, {"mine.txt": b"v2", "theirs.txt": b"v1"})
    remote = _remote_of({"mine.txt": b"v1", "theirs.txt": b"v2 by someone else", "new-by-them.txt": b"x"})
    plan = make_plan(local, remote, only=["mine.txt"])
    assert [(c.path, c.action) for c in plan.changes] == [("mine.txt", "update")]


def test_sizes_that_differ_need_no_reading(tmp_path):
    local = _local_of(tmp_path, {"w.bin": b"\1" * 100})
    remote = _remote_of({"w.bin": b"\1" * 99}, lfs=("w.bin",))
    plan = make_plan(local, remote)
    assert plan.to_dict()["update"] == ["w.bin"] and plan.hashed_bytes == 0


@pytest.mark.parametrize(
    "path,patterns,ignored",
    [
        ("runs/1/log.txt", ["runs/"], True),
        ("notes.tmp", ["*.tmp"], True),
        ("deep/notes.tmp", ["*.tmp"], True),  # `*` crosses `/`, as in upload_folder's ignore_patterns
        ("runs.txt", ["runs/"], False),
        ("model.safetensors", [], False),
    ],
)
def test_ignore_glob_semantics(path, patterns, ignored):
    assert is_ignored(path, patterns) is ignored


def test_plain_folder_listing_skips_git_and_cache_folders(tmp_path):
    _local_of(tmp_path, {"a.txt": b"a", ".git/config": b"x", "sub/.cache/huggingface/x": b"y", "sub/b.txt": b"b"})
    assert sorted(list_folder(tmp_path, exclude=["a.txt"])) == ["sub/b.txt"]


def test_clean_checkout_gives_every_id_without_reading_a_byte(tmp_path):
    checkout = make_checkout(tmp_path / "w")
    local = list_checkout(checkout.path)
    weights = local["model.safetensors"]
    data = weights.source.read_bytes()
    assert weights.lfs and weights.sha256 == hashlib.sha256(data).hexdigest() and not weights.hashed
    readme = local["README.md"]
    assert readme.git_oid == _git_oid(readme.source.read_bytes()) and not readme.hashed
    remote = {p: RemoteFile(p, f.size, f.git_oid or "pointer-blob", f.sha256) for p, f in local.items()}
    plan = make_plan(local, remote)
    assert not plan.changed and plan.hashed_bytes == 0


def test_dirty_untracked_and_deleted_files_in_a_checkout(tmp_path):
    checkout = make_checkout(tmp_path / "w")
    checkout.write("config.json", '{"dirty": 1}\n')
    checkout.write("extra/notes.md", "untracked\n")
    checkout.write(".gitignore", "*.log\n")
    checkout.write("train.log", "ignored by git\n")
    checkout.remove("README.md")

    local = list_checkout(checkout.path)

    assert "README.md" not in local and "train.log" not in local
    assert {"extra/notes.md", ".gitignore"} <= set(local)
    assert local["config.json"].git_oid is None and local["extra/notes.md"].git_oid is None  # hashed on demand


def test_eol_conversion_is_not_mistaken_for_the_index_blob(tmp_path):
    checkout = make_checkout(tmp_path / "w")
    with open(checkout.path / ".gitattributes", "a") as handle:
        handle.write("*.txt text eol=crlf\n")
    checkout.write("labels.txt", "negative\npositive\n")
    checkout.commit("labels")
    (checkout.path / "labels.txt").unlink()
    git(checkout.path, "checkout", "--", "labels.txt")  # now CRLF in the working tree, LF in the index
    content = (checkout.path / "labels.txt").read_bytes()
    assert b"\r\n" in content

    local = list_checkout(checkout.path)
    plan = make_plan(local, {"labels.txt": RemoteFile("labels.txt", len(content), _git_oid(content))})

    assert plan.to_dict()["update"] == [] and plan.unchanged == 1  # compared on the bytes uploaded


def test_lfs_pointer_standing_in_for_weights_is_refused_before_any_network(tmp_path, publish_with, hub_sandbox):
    checkout = make_checkout(tmp_path / "w")
    pointer = git(checkout.path, "cat-file", "-p", ":model.safetensors")
    (checkout.path / "model.safetensors").write_text(pointer)  # a checkout without `git lfs pull`
    assert pointer_standing_in(list_checkout(checkout.path)) == ["model.safetensors"]

    with pytest.raises(ChecksFailed) as caught:
        publish_with("alice-fg-org", checkout)

    assert [(f.check, f.path) for f in caught.value.findings] == [("lfs", "model.safetensors")]
    assert hub_sandbox.requests == [] and write_requests(hub_sandbox) == []
