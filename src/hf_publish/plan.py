"""What a publish would change: the local repo folder against the remote tree.

The local side is the repo folder minus the `ignore` globs, `.git` and `.cache` folders (the Hub
refuses them) and the policy file itself. The remote side is the Hub's recursive tree at the head
just read: a regular file's `oid` is its git blob sha1, an LFS/xet file carries the content sha256.

In a git checkout the local ids come from git itself: a clean regular file's index blob id IS the
Hub's oid, and a clean LFS file's pointer names the sha256 the Hub lists, so unchanged files are
recognised without reading a byte of them. Only files that are dirty, untracked, outside git, or
whose kind differs on the two sides are hashed (`Plan.hashed_bytes` counts what was read).

What hf-publish manages (and so may delete): never `.gitattributes` (the Hub's LFS rules: updated
when the folder has one, never deleted) nor paths matching the repo's `ignore` globs (files other
tools put there, e.g. `ignore: ["runs/"]`). When the Hub history holds an earlier publish from this
checkout's git history (its description names the git commit), that publish is the merge base:
only the files changed locally since then are added, updated or deleted, and whatever others did
on the Hub meanwhile is kept. Without such a base (a first publish, a shallow clone, a folder
outside git) every other remote file is managed: the repo mirrors the folder.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence

from hf_publish.hub import RemoteFile

NEVER_DELETED = (".gitattributes",)
FORBIDDEN_PARTS = (".git", ".cache")  # the Hub refuses paths inside these folders
LFS_SIZE_THRESHOLD = 10 * 1024 * 1024  # the Hub sends files >= 10 MiB to LFS
HASH_CHUNK = 8 * 1024 * 1024


@dataclass
class LocalFile:
    """A file about to be published.

    `git_oid` / `sha256`: the content's git blob id / sha256 when known without reading the file
    (from git's index or an LFS pointer); otherwise computed on demand by `ensure_hashes`.
    `lfs`: tracked by LFS in the local .gitattributes (None outside git). `dirty`: modified or
    untracked in a git checkout (not what the checked-out commit holds).
    """

    path: str
    source: Path
    size: int
    git_oid: str | None = None
    sha256: str | None = None
    lfs: bool | None = None
    hashed: bool = False
    dirty: bool = False

    def ensure_hashes(self) -> int:
        """Read the file once, filling git_oid and sha256. Returns the bytes read."""
        if self.hashed or (self.git_oid and self.sha256):
            return 0
        sha1 = hashlib.sha1(b"blob %d\0" % self.source.stat().st_size)
        sha256 = hashlib.sha256()
        read = 0
        with open(self.source, "rb") as handle:
            while chunk := handle.read(HASH_CHUNK):
                sha1.update(chunk)
                sha256.update(chunk)
                read += len(chunk)
        self.git_oid, self.sha256, self.size, self.hashed = sha1.hexdigest(), sha256.hexdigest(), read, True
        return read

    def predicted_lfs(self) -> bool:
        """Will the Hub store it in LFS/xet? Our best guess (the Hub decides at upload time)."""
        if self.lfs is not None and self.lfs:
            return True
        if self.size >= LFS_SIZE_THRESHOLD:
            return True
        try:
            with open(self.source, "rb") as handle:
                return b"\0" in handle.read(512)
        except OSError:
            return False


@dataclass(frozen=True)
class FileChange:
    path: str
    action: str  # "add" | "update" | "delete"
    lfs: bool
    size: int  # bytes to upload (add/update) or the remote size (delete)

    def to_dict(self) -> dict:
        return {"path": self.path, "action": self.action, "lfs": self.lfs, "size": self.size}


@dataclass
class Plan:
    changes: list[FileChange] = field(default_factory=list)
    unchanged: int = 0
    hashed_bytes: int = 0  # local bytes read to compute ids (0 for an unchanged git+LFS checkout)
    empty_remote: bool = False  # planned against an empty remote (no token, or the repo is missing)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def by_action(self, action: str) -> list[FileChange]:
        return [c for c in self.changes if c.action == action]

    def totals(self) -> dict:
        uploads = [c for c in self.changes if c.action != "delete"]
        return {
            "add": len(self.by_action("add")),
            "update": len(self.by_action("update")),
            "delete": len(self.by_action("delete")),
            "unchanged": self.unchanged,
            "upload_bytes": sum(c.size for c in uploads),
            "upload_lfs_bytes": sum(c.size for c in uploads if c.lfs),
            "upload_regular_bytes": sum(c.size for c in uploads if not c.lfs),
        }

    def to_dict(self) -> dict:
        return {
            "add": [c.path for c in self.by_action("add")],
            "update": [c.path for c in self.by_action("update")],
            "delete": [c.path for c in self.by_action("delete")],
            "files": [c.to_dict() for c in self.changes],
            "totals": self.totals(),
        }


# --- which paths ------------------------------------------------------------------------------

def is_ignored(path: str, ignore: Sequence[str]) -> bool:
    """`ignore` globs as upload_folder's ignore_patterns (fnmatch; `*` crosses `/`; `dir/` = below it)."""
    if not ignore:
        return False
    from huggingface_hub.utils import filter_repo_objects

    return not list(filter_repo_objects([path], ignore_patterns=list(ignore)))


def is_forbidden(path: str) -> bool:
    return any(part in FORBIDDEN_PARTS for part in PurePosixPath(path).parts)


def is_managed(path: str, ignore: Sequence[str]) -> bool:
    """May a publish delete this remote path? (see the module docstring)"""
    return path not in NEVER_DELETED and not is_ignored(path, ignore) and not is_forbidden(path)


def _keep(path: str, ignore: Sequence[str], exclude: Iterable[str]) -> bool:
    return not is_forbidden(path) and path not in exclude and not is_ignored(path, ignore)


# --- the local side ----------------------------------------------------------------------------

def list_folder(folder: Path, *, ignore: Sequence[str] = (), exclude: Iterable[str] = ()) -> dict[str, LocalFile]:
    """Every file below `folder` (outside git: nothing is known, everything compared is hashed)."""
    exclude = set(exclude)
    files: dict[str, LocalFile] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in FORBIDDEN_PARTS)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(folder).as_posix()
            if full.is_symlink() or not full.is_file() or not _keep(rel, ignore, exclude):
                continue  # symlinks are never followed: they may point outside the repo
            files[rel] = LocalFile(rel, full, full.stat().st_size)
    return files


def list_checkout(root: Path, folder: str = ".", *, ignore: Sequence[str] = (),
                  exclude: Iterable[str] = ()) -> dict[str, LocalFile]:
    """The folder's files in a git checkout: tracked files still present plus untracked, not
    git-ignored ones; ids taken from git for every file the working tree has not changed.

    `folder` is relative to `root`; `exclude` holds paths relative to `folder`.
    """
    from hf_publish import gitrepo

    exclude = set(exclude)
    folder = PurePosixPath(folder).as_posix()
    prefix = "" if folder in ("", ".") else folder.rstrip("/") + "/"

    def in_repo(root_rel: str) -> str:
        return root_rel[len(prefix):]

    gitrepo.refresh_index(root)  # else racily-clean files are re-read by every git call below

    entries = [e for e in gitrepo.index_entries(root, [folder] if prefix else None)
               if e.mode in ("100644", "100755") and _keep(in_repo(e.path), ignore, exclude)]
    untracked = [p for p in gitrepo.untracked_paths(root, folder if prefix else ".")
                 if _keep(in_repo(p), ignore, exclude)]
    dirty = gitrepo.modified_paths(root)
    attrs = gitrepo.check_attr(root, [e.path for e in entries] + untracked, ("filter",))
    lfs_oids = [e.oid for e in entries if attrs.get(e.path, {}).get("filter") == "lfs" and e.path not in dirty]
    pointer_blobs = gitrepo.read_blobs(root, lfs_oids, max_bytes=gitrepo.MAX_POINTER_SIZE)
    regular_oids = [e.oid for e in entries if attrs.get(e.path, {}).get("filter") in (None, "unspecified", "unset")
                    and e.path not in dirty]
    regular_blobs = gitrepo.read_blobs(root, regular_oids, max_bytes=-1)

    files: dict[str, LocalFile] = {}
    for entry in entries:
        full = root / entry.path
        try:
            stat = full.stat()
        except OSError:
            continue  # deleted in the working tree: not published (so deleted remotely)
        if full.is_symlink() or not full.is_file():
            continue  # a symlink in the working tree is never followed (it may point outside the repo)
        rel = in_repo(entry.path)
        filter_attr = attrs.get(entry.path, {}).get("filter")
        is_lfs = filter_attr == "lfs"
        local = LocalFile(rel, full, stat.st_size, lfs=is_lfs, dirty=entry.path in dirty)
        if entry.path not in dirty:
            if is_lfs:
                blob = pointer_blobs.get(entry.oid)
                pointer = gitrepo.parse_lfs_pointer(blob.data) if blob is not None and blob.data is not None else None
                if pointer is not None and pointer[1] == stat.st_size:
                    local.sha256 = pointer[0]
                elif pointer is None and blob is not None and blob.size == stat.st_size:
                    local.git_oid = entry.oid  # committed before the LFS rule: a plain blob
            else:
                blob = regular_blobs.get(entry.oid)
                # Same size as the blob: no eol/ident/encoding conversion between index and tree.
                if blob is not None and blob.size == stat.st_size and filter_attr in (None, "unspecified", "unset"):
                    local.git_oid = entry.oid
        files[rel] = local
    for path in untracked:
        full = root / path
        if full.is_file() and not full.is_symlink():  # never follow a symlink out of the repo
            rel = in_repo(path)
            files[rel] = LocalFile(rel, full, full.stat().st_size, lfs=attrs.get(path, {}).get("filter") == "lfs",
                                   dirty=True)
    return dict(sorted(files.items()))


def pointer_standing_in(files: dict[str, LocalFile]) -> list[str]:
    """LFS-tracked files whose working-tree bytes are an LFS pointer, not the content (no `git lfs pull`)."""
    from hf_publish import gitrepo

    out = []
    for local in files.values():
        if local.lfs and local.sha256 is None and local.size <= gitrepo.MAX_POINTER_SIZE:
            try:
                data = local.source.read_bytes()
            except OSError:
                continue
            if gitrepo.parse_lfs_pointer(data) is not None:
                out.append(local.path)
    return out


# --- the plan ----------------------------------------------------------------------------------

def make_plan(local: dict[str, LocalFile], remote: dict[str, RemoteFile], *, ignore: Sequence[str] = (),
              only: Iterable[str] | None = None, base: dict[str, RemoteFile] | None = None,
              empty_remote: bool = False) -> Plan:
    """Adds, updates and deletes that make the remote files this publish manages equal the local ones.

    `base`: the tree of the last Hub commit published from this checkout's git history. With it the
    plan is a three-way merge: only what changed locally since that base is applied, so files that
    other publishers added or changed on the Hub since then are kept. Without it the managed remote
    files mirror the folder. `only` restricts the plan to those paths (re-planning, without a base,
    after another commit landed first: only this publish's own changes are re-applied).
    """
    plan = Plan(empty_remote=empty_remote)
    only_set = set(only) if only is not None else None
    if base is not None:
        ours = {path for path, mine in local.items() if path not in base or not _same(mine, base[path], plan)}
        ours |= {path for path in base if path not in local and is_managed(path, ignore)}
        only_set = ours if only_set is None else ours & only_set
    for path, mine in local.items():
        if only_set is not None and path not in only_set:
            continue
        theirs = remote.get(path)
        if theirs is None:
            plan.changes.append(FileChange(path, "add", mine.predicted_lfs(), mine.size))
            continue
        if _same(mine, theirs, plan):
            plan.unchanged += 1
        else:
            plan.changes.append(FileChange(path, "update", theirs.lfs or mine.predicted_lfs(), mine.size))
    if only_set is not None:  # "unchanged": local files this publish leaves as they are on the Hub
        plan.unchanged = len(local) - len(plan.changes)
    for path, theirs in remote.items():
        if path in local or (only_set is not None and path not in only_set):
            continue
        if is_managed(path, ignore):
            plan.changes.append(FileChange(path, "delete", theirs.lfs, theirs.size))
    plan.changes.sort(key=lambda c: ({"add": 0, "update": 1, "delete": 2}[c.action], c.path))
    return plan


def kept_remote_files(local: dict[str, LocalFile], remote: dict[str, RemoteFile], base: dict[str, RemoteFile],
                      ignore: Sequence[str] = ()) -> list[str]:
    """Managed remote files a mirror would delete but a three-way plan keeps: added on the Hub
    since the base by someone else (another publisher, the website, a training job)."""
    return sorted(p for p in remote if p not in local and p not in base and is_managed(p, ignore))


def _same(mine: LocalFile, theirs: RemoteFile, plan: Plan) -> bool:
    if mine.size != theirs.size:
        return False  # both sides list the content's size: changed, nothing to read
    if theirs.lfs:
        if mine.sha256 is None:
            plan.hashed_bytes += mine.ensure_hashes()
        return mine.sha256 == theirs.sha256
    if mine.git_oid is None:
        plan.hashed_bytes += mine.ensure_hashes()
    return mine.git_oid == theirs.oid


def changed_paths(plan: Plan) -> list[str]:
    return [c.path for c in plan.changes]
