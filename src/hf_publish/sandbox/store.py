"""Repos, refs, commits and blobs on disk.

Layout under ``data_dir``::

    blobs/git/ab/<git blob sha1>      regular file contents
    blobs/lfs/ab/<sha256>             LFS contents (streamed in by PUT, or rebuilt from the xet CAS)
    repos/<type>/<ns>/<name>/         lower-cased: repo ids are case-insensitive
        repo.json                     canonical id, visibility, creator, dates
        refs.json                     {"heads": {...}, "tags": {...}, "pr": {...}}
        commits/<commit id>.json      tree (flat path -> entry), parents, message, author, date
        discussions.json, access.json discussions and pull requests, gated-access requests
    redirects.json                    "<type>/<old id lower>" -> new id, left by moves

Ids are real git ids: a regular file's oid is its blob sha1, an LFS file's oid is the sha1 of its
pointer file, directories and commits hash like git trees and commits. A commit writes its object
first and then swaps ``refs.json`` with ``os.replace``: a crash in between leaves the old head.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

REPO_TYPES = ("model", "dataset", "space")
LFS_PATTERNS = [
    "*.7z",
    "*.arrow",
    "*.bin",
    "*.bz2",
    "*.ckpt",
    "*.ftz",
    "*.gz",
    "*.h5",
    "*.joblib",
    "*.lfs.*",
    "*.mlmodel",
    "*.model",
    "*.msgpack",
    "*.npy",
    "*.npz",
    "*.onnx",
    "*.ot",
    "*.parquet",
    "*.pb",
    "*.pickle",
    "*.pkl",
    "*.pt",
    "*.pth",
    "*.rar",
    "*.safetensors",
    "saved_model/**/*",
    "*.tar.*",
    "*.tar",
    "*.tflite",
    "*.tgz",
    "*.wasm",
    "*.xz",
    "*.zip",
    "*.zst",
    "*tfevents*",
]
_DATASET_EXTRA = {
    "# Audio files - uncompressed": "*.pcm *.sam *.raw",
    "# Audio files - compressed": "*.aac *.flac *.mp3 *.ogg *.wav",
    "# Image files - uncompressed": "*.bmp *.gif *.png *.tiff",
    "# Image files - compressed": "*.jpg *.jpeg *.webp",
    "# Video files - compressed": "*.mp4 *.webm",
}


def default_gitattributes(repo_type: str) -> bytes:
    """The .gitattributes the Hub puts in a new repo's initial commit."""
    patterns = list(LFS_PATTERNS)
    if repo_type == "dataset":
        patterns += ["*.lz4", "*.mds", "*.avro"]
    lines = [f"{p} filter=lfs diff=lfs merge=lfs -text" for p in patterns]
    if repo_type == "dataset":
        for comment, exts in _DATASET_EXTRA.items():
            lines.append(comment)
            lines += [f"{p} filter=lfs diff=lfs merge=lfs -text" for p in exts.split()]
    return ("\n".join(lines) + "\n").encode()


_SEGMENT_RE = re.compile(r"^(?!.*(--|\.\.))[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?\Z")


_COMMIT_PREFIX_RE = re.compile(r"[0-9a-fA-F]{7,40}")


def valid_repo_id(repo_id: str) -> bool:
    """``name`` or ``namespace/name`` in ASCII, each segment a possible Hub name.

    Checked before any filesystem path is built from an id, so ``..%2F``, dot segments and
    look-alike Unicode never reach the disk (a user namespace may start or end with ``_``, as the
    Hub's own test user ``__DUMMY_HUB_USER__`` does).
    """
    parts = repo_id.split("/")
    return 1 <= len(parts) <= 2 and all(_SEGMENT_RE.match(p) for p in parts) and not repo_id.endswith(".git")


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


def iso_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{time.time_ns() // 1_000_000 % 1000:03d}Z"


def _tree_ids(tree: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Git tree sha1 of every directory ("" = root), from the flat path -> entry map."""
    children: dict[str, dict[str, tuple[str, str]]] = {"": {}}
    for path, entry in tree.items():
        parts = path.split("/")
        for i in range(1, len(parts)):
            parent, name = "/".join(parts[: i - 1]), parts[i - 1]
            children.setdefault("/".join(parts[:i]), {})
            children.setdefault(parent, {})[name] = ("40000", "/".join(parts[:i]))
        children.setdefault("/".join(parts[:-1]), {})[parts[-1]] = ("100644", entry["oid"])
    ids: dict[str, str] = {}

    def visit(d: str) -> str:
        items = []
        for name, (mode, ref) in children[d].items():
            sha = visit(ref) if mode == "40000" else ref
            items.append((name + "/" if mode == "40000" else name, mode, name, sha))
        items.sort(key=lambda t: t[0])  # git sorts trees as if their names ended with "/"
        body = b"".join(f"{mode} {name}".encode() + b"\0" + bytes.fromhex(sha) for _, mode, name, sha in items)
        ids[d] = hashlib.sha1(b"tree %d\0" % len(body) + body).hexdigest()
        return ids[d]

    visit("")
    return ids


class Crash(BaseException):
    """The sandbox "process" dies here (fault injection): nothing after this point is written."""


class StoreError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


@dataclass
class Repo:
    key: str  # "<type>/<ns lower>/<name lower>"
    path: Path
    meta: dict[str, Any]

    @property
    def repo_id(self) -> str:
        return cast(str, self.meta["id"])

    @property
    def repo_type(self) -> str:
        return cast(str, self.meta["type"])

    @property
    def private(self) -> bool:
        return bool(self.meta.get("private"))


def _write_json_atomic(path: Path, data: Any, durable: bool = True) -> None:
    """Write then rename; ``durable=False`` skips the fsync (bulk-generated repos)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, separators=(",", ":"))
        if durable:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)


class Store:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir)
        for sub in ("blobs/git", "blobs/lfs", "blobs/tmp", "repos"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._locks: dict[str, threading.RLock] = {}
        self._locks_guard = threading.Lock()
        self._commit_cache: dict[tuple[str, str], dict[str, Any]] = {}
        self.crash_at_ref_swap: set[int] = set()  # threads that die before their next ref swap (faults)

    # -- blobs --------------------------------------------------------------------------------
    def blob_path(self, kind: str, oid: str) -> Path:
        return self.root / "blobs" / kind / oid[:2] / oid

    def tmp_path(self) -> Path:
        return self.root / "blobs" / "tmp" / uuid.uuid4().hex

    def put_git_blob(self, data: bytes) -> str:
        oid = git_blob_sha1(data)
        dest = self.blob_path("git", oid)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.tmp_path()
            tmp.write_bytes(data)
            os.replace(tmp, dest)
        return oid

    def commit_lfs_blob(self, tmp: Path, sha256: str) -> None:
        dest = self.blob_path("lfs", sha256)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, dest)

    def has_lfs_blob(self, sha256: str) -> int | None:
        try:
            return self.blob_path("lfs", sha256).stat().st_size
        except OSError:
            return None

    # -- repos --------------------------------------------------------------------------------
    @staticmethod
    def key(repo_type: str, repo_id: str) -> str:
        return f"{repo_type}/{repo_id.lower()}"

    def lock(self, key: str) -> threading.RLock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.RLock())

    def get(self, repo_type: str, repo_id: str) -> Repo | None:
        """The repo, or None; an id that could not exist (one segment: the sandbox has no canonical
        repos, or not a valid name) is never turned into a path."""
        if repo_type not in REPO_TYPES or "/" not in repo_id or not valid_repo_id(repo_id):
            return None
        key = self.key(repo_type, repo_id)
        path = self.root / "repos" / key
        try:
            meta = json.loads((path / "repo.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Repo(key=key, path=path, meta=meta)

    def list_repos(self) -> list[Repo]:
        out = []
        for meta_file in sorted((self.root / "repos").glob("*/*/*/repo.json")):
            rel = meta_file.parent.relative_to(self.root / "repos").as_posix()
            repo_type, rest = rel.split("/", 1)
            repo = self.get(repo_type, rest)
            if repo is not None:
                out.append(repo)
        return out

    def create(
        self,
        repo_type: str,
        repo_id: str,
        *,
        private: bool,
        creator: str | None,
        extra: dict[str, Any] | None = None,
        files: dict[str, bytes] | None = None,
    ) -> Repo:
        """A new repo whose initial commit holds .gitattributes plus ``files`` (a new Space's README)."""
        if repo_type not in REPO_TYPES or "/" not in repo_id or not valid_repo_id(repo_id):
            raise StoreError(400, f"Invalid repo id {repo_id!r}")
        key = self.key(repo_type, repo_id)
        with self.lock(key):
            if self.get(repo_type, repo_id) is not None:
                raise StoreError(409, f"You already created this {repo_type} repo", "RepoExists")
            path = self.root / "repos" / key
            staging = self.root / "repos" / f".{uuid.uuid4().hex}.creating"
            (staging / "commits").mkdir(parents=True)
            now = iso_now()
            meta = {
                "id": repo_id,
                "type": repo_type,
                "private": private,
                "gated": False,
                "creator": creator,
                "createdAt": now,
                "lastModified": now,
                **(extra or {}),
            }
            repo = Repo(key=key, path=staging, meta=meta)
            _write_json_atomic(staging / "repo.json", meta)
            _write_json_atomic(staging / "refs.json", {"heads": {}, "tags": {}, "pr": {}})
            tree = {}
            for file_path, data in {".gitattributes": default_gitattributes(repo_type), **(files or {})}.items():
                tree[file_path] = {"oid": self.put_git_blob(data), "size": len(data)}
            commit_id = self._write_commit(repo, tree, [], "initial commit", "", creator or "sandbox")
            _write_json_atomic(staging / "refs.json", {"heads": {"main": commit_id}, "tags": {}, "pr": {}})
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging, path)
            self.drop_redirect(repo_type, repo_id)  # a new repo at a moved repo's old id ends the redirect
            return Repo(key=key, path=path, meta=meta)

    def import_repo(
        self,
        repo_type: str,
        repo_id: str,
        meta: dict[str, Any],
        tree: dict[str, dict[str, Any]],
        *,
        at: float,
        author: str,
    ) -> Repo:
        """A repo written straight to disk in one commit dated ``at`` (no fsync, no checks of the
        tree's blobs): what generated orgs use to build thousands of repos in seconds."""
        if repo_type not in REPO_TYPES or "/" not in repo_id or not valid_repo_id(repo_id):
            raise StoreError(400, f"Invalid repo id {repo_id!r}")
        key = self.key(repo_type, repo_id)
        path = self.root / "repos" / key
        if path.exists():
            raise StoreError(409, f"You already created this {repo_type} repo", "RepoExists")
        (path / "commits").mkdir(parents=True)
        repo = Repo(key=key, path=path, meta={"id": repo_id, "type": repo_type, **meta})
        _write_json_atomic(path / "repo.json", repo.meta, durable=False)
        commit_id = self._write_commit(repo, tree, [], "initial commit", "", author, at=at, durable=False)
        _write_json_atomic(path / "refs.json", {"heads": {"main": commit_id}, "tags": {}, "pr": {}}, durable=False)
        return repo

    def move(self, repo: Repo, new_id: str) -> Repo:
        """Rename a repo (its refs, commits, discussions and access requests go with it) and leave a
        redirect from the old id. 409 if the new id is taken."""
        new_key = self.key(repo.repo_type, new_id)
        if not valid_repo_id(new_id) or "/" not in new_id:
            raise StoreError(400, f"Invalid repo id {new_id!r}")
        first, second = sorted((repo.key, new_key))
        with self.lock(first), self.lock(second):
            if new_key != repo.key and self.get(repo.repo_type, new_id) is not None:
                raise StoreError(409, f"A {repo.repo_type} repo {new_id} already exists", "RepoExists")
            dest = self.root / "repos" / new_key
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest != repo.path:
                os.replace(repo.path, dest)
            moved = Repo(key=new_key, path=dest, meta=repo.meta)
            self.update_meta(moved, id=new_id)
            self._commit_cache.clear()
            with self._locks_guard:
                redirects = self._redirects()
                for old, target in list(redirects.items()):
                    if target.lower() == repo.repo_id.lower():
                        redirects[old] = new_id  # A -> B, then B -> C: A goes straight to C
                redirects.pop(new_key, None)
                if new_key != repo.key:
                    redirects[repo.key] = new_id
                _write_json_atomic(self.root / "redirects.json", redirects)
            return moved

    # -- redirects left by moves --------------------------------------------------------------
    def _redirects(self) -> dict[str, str]:
        try:
            data = json.loads((self.root / "redirects.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def redirect_for(self, repo_type: str, repo_id: str) -> str | None:
        """The id a moved repo now has, for its old id (None if it never moved)."""
        return self._redirects().get(self.key(repo_type, repo_id))

    def drop_redirect(self, repo_type: str, repo_id: str) -> None:
        with self._locks_guard:
            redirects = self._redirects()
            if redirects.pop(self.key(repo_type, repo_id), None) is not None:
                _write_json_atomic(self.root / "redirects.json", redirects)

    def delete(self, repo: Repo) -> None:
        with self.lock(repo.key):
            trash = self.root / "repos" / f".{uuid.uuid4().hex}.deleted"
            os.replace(repo.path, trash)
            shutil.rmtree(trash, ignore_errors=True)

    def update_meta(self, repo: Repo, **changes: Any) -> None:
        """Re-read repo.json under the lock so concurrent settings and commits don't undo each other."""
        with self.lock(repo.key):
            meta = json.loads((repo.path / "repo.json").read_text(encoding="utf-8"))
            meta.update(changes)
            _write_json_atomic(repo.path / "repo.json", meta)
            repo.meta = meta

    def wipe(self) -> None:
        for child in (self.root / "repos").iterdir():
            shutil.rmtree(child, ignore_errors=True)
        (self.root / "redirects.json").unlink(missing_ok=True)
        self._commit_cache.clear()

    # -- refs and commits ---------------------------------------------------------------------
    def refs(self, repo: Repo) -> dict[str, dict[str, str]]:
        refs: dict[str, dict[str, str]] = json.loads((repo.path / "refs.json").read_text(encoding="utf-8"))
        return refs

    def set_refs(self, repo: Repo, refs: dict[str, dict[str, str]]) -> None:
        if self.crash_at_ref_swap and threading.get_ident() in self.crash_at_ref_swap:
            self.crash_at_ref_swap.discard(threading.get_ident())
            raise Crash("the sandbox died before moving the ref")
        _write_json_atomic(repo.path / "refs.json", refs)

    def commit(self, repo: Repo, commit_id: str) -> dict[str, Any] | None:
        cache_key = (str(repo.path), commit_id)
        hit = self._commit_cache.get(cache_key)
        if hit is not None:
            return hit
        try:
            data: dict[str, Any] = json.loads((repo.path / "commits" / f"{commit_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if len(self._commit_cache) >= 512:  # commit objects are immutable: a crude bound is enough
            self._commit_cache.clear()
        self._commit_cache[cache_key] = data
        return data

    def resolve(self, repo: Repo, revision: str) -> tuple[str, str | None] | None:
        """(commit id, branch name or None) for a branch, tag, refs/... name, commit id or short commit id."""
        refs = self.refs(repo)
        rev = revision
        if rev.startswith("refs/heads/"):
            rev = rev[len("refs/heads/") :]
        elif rev.startswith("refs/tags/"):
            tag = refs["tags"].get(rev[len("refs/tags/") :])
            return (tag, None) if tag else None
        elif rev.startswith("refs/pr/"):
            head = refs["pr"].get(rev[len("refs/pr/") :])
            return (head, rev) if head else None
        if rev in refs["heads"]:
            return refs["heads"][rev], rev
        if rev in refs["tags"]:
            return refs["tags"][rev], None
        if _COMMIT_PREFIX_RE.fullmatch(rev):  # a full commit id, or an unambiguous prefix of 7+ hex digits
            rev = rev.lower()
            if len(rev) == 40:
                return (rev, None) if self.commit(repo, rev) is not None else None
            matches = [p.name[:-5] for p in (repo.path / "commits").glob(f"{rev}*.json")]
            return (matches[0], None) if len(matches) == 1 else None
        return None

    def _write_commit(
        self,
        repo: Repo,
        tree: dict[str, dict[str, Any]],
        parents: list[str],
        title: str,
        message: str,
        author: str,
        at: float | None = None,
        durable: bool = True,
    ) -> str:
        tree_ids = _tree_ids(tree)
        now = time.time() if at is None else at
        date = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        who = f"{author} <{author}@users.noreply.huggingface.co> {int(now)} +0000"
        text = f"tree {tree_ids['']}\n" + "".join(f"parent {p}\n" for p in parents)
        text += f"author {who}\ncommitter {who}\n\n{title}\n" + (f"\n{message}\n" if message else "")
        raw = text.encode()
        commit_id = hashlib.sha1(b"commit %d\0" % len(raw) + raw).hexdigest()
        obj = {
            "id": commit_id,
            "tree": tree,
            "treeIds": tree_ids,
            "parents": parents,
            "title": title,
            "message": message,
            "author": author,
            "date": date,
        }
        _write_json_atomic(repo.path / "commits" / f"{commit_id}.json", obj, durable)
        return commit_id

    def apply_commit(
        self,
        repo: Repo,
        *,
        branch: str,
        base: str,
        tree: dict[str, dict[str, Any]],
        title: str,
        message: str,
        author: str,
        ref_kind: str = "heads",
    ) -> str:
        """Write the commit object, then swap the ref. Caller holds ``lock(repo.key)``."""
        commit_id = self._write_commit(repo, tree, [base] if base else [], title, message, author)
        refs = self.refs(repo)
        refs[ref_kind][branch] = commit_id
        self.set_refs(repo, refs)
        self.update_meta(repo, lastModified=iso_now())
        return commit_id

    def history(self, repo: Repo, head: str) -> list[dict[str, Any]]:
        out = []
        seen = set()
        cur: str | None = head
        while cur and cur not in seen:
            seen.add(cur)
            obj = self.commit(repo, cur)
            if obj is None:
                break
            out.append(obj)
            cur = obj["parents"][0] if obj["parents"] else None
        return out

    def read_entry(self, entry: dict[str, Any]) -> Path | None:
        """Path of the bytes of one tree entry, or None if the LFS object is only in the xet CAS."""
        if entry.get("lfs"):
            path = self.blob_path("lfs", entry["lfs"]["oid"])
        else:
            path = self.blob_path("git", entry["oid"])
        return path if path.exists() else None
