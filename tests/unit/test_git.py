"""hf_publish._git against real repositories: what each function answers, including the edges
(no commits yet, detached HEAD, names with spaces and non-ASCII, history across branches)."""

from __future__ import annotations

import shutil
from pathlib import Path

from hf_publish import _git
from tests.helpers import git, init_repo, write


def test_root_branch_and_head_outside_and_inside_a_repo(tmp_path):
    outside = tmp_path / "plain"
    outside.mkdir()
    assert _git.find_root(outside) is None
    repo = init_repo(tmp_path / "repo", lfs=False)
    (repo / "deep" / "er").mkdir(parents=True)
    assert _git.find_root(repo / "deep" / "er") == repo.resolve()
    assert _git.current_branch(repo) == "feature/test"
    assert _git.head_commit(repo) is None  # no commit yet
    write(repo / "a.txt", "a")
    git(repo, "add", "a.txt")
    git(repo, "commit", "-qm", "one")
    head = _git.head_commit(repo)
    assert head and len(head) == 40
    git(repo, "checkout", "-q", "--detach")
    assert _git.current_branch(repo) is None


def test_staged_paths_before_and_after_the_first_commit_with_odd_names(tmp_path):
    repo = init_repo(tmp_path / "repo", lfs=False)
    names = ["plain.txt", "with space.md", "ünïcode/데이터.json"]
    for name in names:
        write(repo / name, name)
    git(repo, "add", ".")
    assert sorted(_git.staged_paths(repo)) == sorted(names)  # no HEAD: everything in the index
    git(repo, "commit", "-qm", "one")
    assert _git.staged_paths(repo) == []
    write(repo / "with space.md", "changed")
    (repo / "plain.txt").unlink()
    git(repo, "add", "-A")
    assert _git.staged_paths(repo) == ["with space.md"]  # deletions are not what a commit adds


def test_index_entries_and_blob_reads_never_load_more_than_asked(tmp_path):
    repo = init_repo(tmp_path / "repo", lfs=False)
    write(repo / "small.txt", "hello\n")
    write(repo / "big.bin", b"\0" * 300_000)
    git(repo, "add", ".")
    entries = {e.path: e for e in _git.index_entries(repo)}
    assert set(entries) == {"small.txt", "big.bin"}
    assert _git.index_entries(repo, []) == []
    oids = [entries["small.txt"].oid, entries["big.bin"].oid]
    assert _git.blob_sizes(repo, oids) == {oids[0]: 6, oids[1]: 300_000}
    prefixes = _git.read_blob_prefixes(repo, oids, limit=4)
    assert prefixes == {oids[0]: b"hell", oids[1]: b"\0" * 4}
    blobs = _git.read_blobs(repo, oids, max_bytes=100)
    assert blobs[oids[0]].data == b"hello\n" and blobs[oids[1]].data is None and blobs[oids[1]].size == 300_000


def test_lfs_pointers_are_recognised_only_in_their_exact_shape():
    oid = "ab" * 32
    good = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 12345\n".encode()
    assert _git.parse_lfs_pointer(good) == (oid, 12345)
    assert _git.parse_lfs_pointer(good.replace(b"size 12345", b"size -1")) is None
    assert _git.parse_lfs_pointer(b"just text\n") is None


def test_history_objects_and_the_commits_that_add_a_blob(tmp_path):
    repo = init_repo(tmp_path / "repo", lfs=False)
    write(repo / "w.bin", b"\1" * 2000)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "add weights")
    first = _git.head_commit(repo)
    git(repo, "rm", "-q", "w.bin")
    git(repo, "commit", "-qm", "remove weights")
    git(repo, "switch", "-q", "-c", "other")
    write(repo / "o.txt", "other")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "other branch")
    objects = _git.history_objects(repo, "--all")
    assert sorted(objects.values()) == ["o.txt", "w.bin"]
    blob = next(oid for oid, path in objects.items() if path == "w.bin")
    commits = _git.commits_adding(repo, blob, "--all")
    assert first in commits and len(commits) == 2  # added, then removed
    assert "w.bin" not in _git.history_objects(repo, f"{first}..HEAD").values()


def test_check_attr_reads_the_attributes_as_staged(tmp_path):
    repo = init_repo(tmp_path / "repo", lfs=False)
    write(repo / ".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n")
    write(repo / "m.bin", b"x")
    git(repo, "add", ".")
    attrs = _git.check_attr(repo, ["m.bin", "notes.md"], cached=True)
    assert _git.is_lfs_tracked(attrs["m.bin"]) and not _git.is_lfs_tracked(attrs["notes.md"])
    Path(repo / ".gitattributes").write_text("", encoding="utf-8")  # unstaged: the index still says lfs
    assert _git.is_lfs_tracked(_git.check_attr(repo, ["m.bin"], cached=True)["m.bin"])


def _staged_blobs(repo: Path) -> dict[str, str]:
    """Path -> oid of a small text blob, a 3 MB blob and a missing (made-up) object."""
    write(repo / "small.txt", "hello\n")
    write(repo / "big.bin", b"\1" * 3_000_000)
    git(repo, "add", "-A")
    oids = {e.path: e.oid for e in _git.index_entries(repo)}
    return {**oids, "missing": "0" * 40}


def test_one_blob_reader_answers_sizes_and_prefixes_through_one_git_process(tmp_path, git_started):
    repo = init_repo(tmp_path / "repo", lfs=False)
    oids = _staged_blobs(repo)
    git_started.clear()
    with _git.BlobReader(repo) as reader:
        assert reader.sizes(oids.values()) == {oids["small.txt"]: 6, oids["big.bin"]: 3_000_000}
        assert reader.prefixes([oids["small.txt"], oids["missing"]], limit=3) == {oids["small.txt"]: b"hel"}
        # a big blob's rest is read and dropped, and the process still answers after it
        assert reader.prefixes([oids["big.bin"], oids["small.txt"]], limit=2) == {
            oids["big.bin"]: b"\1\1",
            oids["small.txt"]: b"he",
        }
        assert reader.sizes([oids["small.txt"]]) == {oids["small.txt"]: 6}
    assert git_started == [["cat-file", "--batch-command"]]
    # thousands of questions at once (more than a pipe holds) do not deadlock
    with _git.BlobReader(repo) as reader:
        many = [oids["small.txt"]] * 1 + [f"{n:040x}" for n in range(1, 5000)]
        assert reader.sizes(many) == {oids["small.txt"]: 6}


def test_a_git_without_batch_command_gets_the_same_answers(tmp_path, monkeypatch):
    """git before 2.36 refuses `cat-file --batch-command` (usage, exit 129): the reader notices on
    its first question and asks `--batch-check` / `--batch` instead, with the same answers."""
    repo = init_repo(tmp_path / "repo", lfs=False)
    oids = _staged_blobs(repo)
    real_git = shutil.which("git")
    fake = tmp_path / "bin" / "git"
    write(
        fake,
        "#!/bin/sh\n"
        'case "$*" in *--batch-command*) echo "error: unknown option \'batch-command\'" >&2; exit 129;; esac\n'
        f'exec {real_git} "$@"\n',
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{_git.os.environ['PATH']}")
    with _git.BlobReader(repo) as reader:
        assert reader.sizes(oids.values()) == {oids["small.txt"]: 6, oids["big.bin"]: 3_000_000}
        assert reader.prefixes([oids["small.txt"], oids["big.bin"]], limit=4) == {
            oids["small.txt"]: b"hell",
            oids["big.bin"]: b"\1" * 4,
        }
        assert reader._batch_command is False  # asked the older way, not answered by chance


def test_under_pre_commit_the_top_folder_is_the_current_one_without_asking_git(tmp_path, monkeypatch, git_started):
    repo = init_repo(tmp_path / "repo", lfs=False)
    (repo / "sub").mkdir()
    asked = git_started
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.chdir(repo)
    assert _git.find_root(".") == repo.resolve() and asked == []  # pre-commit starts hooks at the top
    monkeypatch.chdir(repo / "sub")  # not the top: git is asked
    assert _git.find_root(".") == repo.resolve() and asked == [["rev-parse", "--show-toplevel"]]
    monkeypatch.chdir(repo)
    monkeypatch.setenv("GIT_WORK_TREE", str(repo))  # git's own variables: git decides
    assert _git.find_root(".") == repo.resolve() and len(asked) == 2
    monkeypatch.delenv("GIT_WORK_TREE")
    monkeypatch.delenv("PRE_COMMIT")  # by hand at the top: git is asked
    assert _git.find_root(repo) == repo.resolve() and len(asked) == 3


def test_the_current_branch_in_a_clone_a_worktree_and_detached(tmp_path, git_started):
    repo = init_repo(tmp_path / "repo", lfs=False)
    write(repo / "a.txt", "a")
    git(repo, "add", "a.txt")
    git(repo, "commit", "-qm", "one")
    git(repo, "worktree", "add", "-q", "-b", "release/v1", str(tmp_path / "wt"))
    asked = git_started
    assert _git.current_branch(repo) == "feature/test" and asked == []  # read from .git/HEAD
    assert _git.current_branch(tmp_path / "wt") == "release/v1" and len(asked) == 1  # `.git` is a file: git
    git(repo, "checkout", "-q", "--detach")
    assert _git.current_branch(repo) is None and len(asked) == 1
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/.invalid\n")  # the reftable backend's placeholder
    _git.current_branch(repo)  # whatever git makes of it: git is asked
    assert len(asked) == 2


def test_staged_blobs_are_found_by_path_without_listing_the_index(tmp_path):
    repo = init_repo(tmp_path / "repo", lfs=False)
    names = ["a b.txt", "1:x", "deep/c.txt", "new\nline.txt"]
    for name in names:
        write(repo / name, name)
    git(repo, "add", "-A")
    write(repo / "unstaged.txt", "u")
    oids = {e.path: e.oid for e in _git.index_entries(repo)}
    with _git.BlobReader(repo) as reader:
        found = reader.staged([*names, "deep", "unstaged.txt", "nothing"])
    # a name with a newline cannot be asked this way, a folder is no blob: both go through ls-files
    assert found == {n: (oids[n], len(n)) for n in ("a b.txt", "1:x", "deep/c.txt")}
