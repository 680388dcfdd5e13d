"""What a publish would change: the local repo folder against the remote tree.

The local side (what a publish uploads) is decided once, in `hf_publish.selection`: the repo folder's files (in a git
checkout: tracked files still present plus untracked ones git does not ignore; symlinks never),
less the `ignore` globs (`hf_publish.paths.matches`), `.git` and `.cache` folders and the policy
file itself. The publish-time checks run over exactly this list. The remote side is the Hub's
recursive tree at the head just read: a regular file's `oid` is its git blob sha1, an LFS/xet file
carries the content sha256.

In a git checkout the local ids come from git itself: a clean regular file's index blob id IS the
Hub's oid, and a clean LFS file's pointer names the sha256 the Hub lists, so unchanged files are
recognised without reading a byte of them. Only files that are dirty, untracked, outside git, or
whose kind differs on the two sides are hashed (`Plan.hashed_bytes` counts what was read).

What hf-publish manages (and so may delete): never `.gitattributes` (the Hub's LFS rules: updated
when the folder has one, never deleted) nor paths matching the repo's `ignore` globs (files other
tools put there, e.g. `ignore: ["runs/"]`). The three-way plan (`make_plan(base=...)`) compares
three sides: the folder now, the Hub now, and the BASE: what this checkout published last (the
repo folder at that publish's git commit, read from git; see `Base`). Only the paths whose local
content differs from the base are this publish's to change; everything else others did on the Hub
is left alone. Without a base the plan mirrors (publish.py decides when that is allowed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from hf_publish._record import Record, field
from hf_publish.publishing.hub import RemoteFile
from hf_publish.selection import LocalFile, is_managed, is_published


class FileChange(Record):
    path: str
    action: str  # "add" | "update" | "delete"
    lfs: bool
    size: int  # bytes to upload (add/update) or the remote size (delete)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "action": self.action, "lfs": self.lfs, "size": self.size}


class Plan(Record, frozen=False):
    changes: list[FileChange] = field(default_factory=list)
    unchanged: int = 0
    hashed_bytes: int = 0  # local bytes read to compute ids (0 for an unchanged git+LFS checkout)
    empty_remote: bool = False  # planned against an empty remote (no token, or the repo is missing)
    not_deleted: list[str] = field(default_factory=list)  # deletions left out (make_plan(deletes=False))

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def by_action(self, action: str) -> list[FileChange]:
        return [c for c in self.changes if c.action == action]

    def totals(self) -> dict[str, int]:
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "add": [c.path for c in self.by_action("add")],
            "update": [c.path for c in self.by_action("update")],
            "delete": [c.path for c in self.by_action("delete")],
            "files": [c.to_dict() for c in self.changes],
            "totals": self.totals(),
        }


# --- the base: what this checkout published last ----------------------------------------------


class Base(Record, frozen=False):
    """The last publish from this checkout's history.

    `files` is that publish's LOCAL side: the repo folder at `git_commit`, read from git, through
    the folder and `ignore` globs that publish used (plus, for a publish of a dirty tree, the
    files that publish itself changed, as the Hub holds them). Never the Hub's tree after the
    publish: that also holds the files others had added, which this checkout never had.
    """

    hub_commit: str
    git_commit: str
    files: dict[str, RemoteFile]
    notes: list[str] = field(default_factory=list)


def base_files(
    root: Path, git_commit: str, folder: str, *, ignore: Sequence[str] = (), exclude: Iterable[str] = ()
) -> dict[str, RemoteFile]:
    """The files a clean checkout of `git_commit` would have published from `folder`, with the
    ids the Hub lists (blob sha1; the content sha256 for an LFS pointer), keyed relative to the folder."""
    from hf_publish import _git

    exclude = set(exclude)
    folder = PurePosixPath(folder).as_posix()
    prefix = "" if folder in ("", ".") else folder.rstrip("/") + "/"
    entries = [
        e
        for e in _git.tree_entries(root, git_commit, folder)
        if e.path.startswith(prefix) and is_published(e.path[len(prefix) :], ignore, exclude)
    ]
    blobs = _git.read_blobs(root, [e.oid for e in entries], max_bytes=_git.MAX_POINTER_SIZE)
    files: dict[str, RemoteFile] = {}
    for entry in entries:
        blob = blobs.get(entry.oid)
        if blob is None:
            continue
        rel = entry.path[len(prefix) :]
        pointer = _git.parse_lfs_pointer(blob.data) if blob.data is not None else None
        files[rel] = (
            RemoteFile(rel, pointer[1], entry.oid, pointer[0])
            if pointer is not None
            else RemoteFile(rel, blob.size, entry.oid)
        )
    return files


def overlay(
    files: dict[str, RemoteFile], before: dict[str, RemoteFile], after: dict[str, RemoteFile]
) -> dict[str, RemoteFile]:
    """`files` with the paths one Hub commit changed (tree `before` -> `after`) set as `after` has them."""
    out = dict(files)
    for path in set(before) | set(after):
        if before.get(path) != after.get(path):
            if path in after:
                out[path] = after[path]
            else:
                out.pop(path, None)
    return out


# --- the plan ----------------------------------------------------------------------------------


def make_plan(
    local: dict[str, LocalFile],
    remote: dict[str, RemoteFile],
    *,
    ignore: Sequence[str] = (),
    only: Iterable[str] | None = None,
    base: dict[str, RemoteFile] | None = None,
    empty_remote: bool = False,
    deletes: bool = True,
) -> Plan:
    """Adds, updates and deletes that make the remote files this publish manages equal the local ones.

    `base`: what this checkout published last (`Base.files`). With it the plan is a three-way
    merge: only the paths whose local content differs from the base are this publish's to change,
    so files that others added, changed or deleted on the Hub since then are left as they are.
    Without it the managed remote files mirror the folder. `only` restricts the plan to those paths
    (re-planning after another commit landed first: only this publish's own changes are
    re-applied). `deletes=False` plans no deletion (they are listed in `Plan.not_deleted`).
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
        if path in local or (only_set is not None and path not in only_set) or not is_managed(path, ignore):
            continue
        if deletes:
            plan.changes.append(FileChange(path, "delete", theirs.lfs, theirs.size))
        else:
            plan.not_deleted.append(path)
    plan.changes.sort(key=lambda c: ({"add": 0, "update": 1, "delete": 2}[c.action], c.path))
    return plan


def kept_remote_files(
    local: dict[str, LocalFile], remote: dict[str, RemoteFile], base: dict[str, RemoteFile], ignore: Sequence[str] = ()
) -> list[str]:
    """Managed remote files a mirror would delete but a three-way plan keeps: added on the Hub
    since the base by someone else (another publisher, the website, a training job)."""
    return sorted(p for p in remote if p not in local and p not in base and is_managed(p, ignore))


def contested_paths(plan: Plan, remote: dict[str, RemoteFile], base: dict[str, RemoteFile]) -> list[str]:
    """Paths this plan changes that were ALSO changed on the Hub since the base: this publish wins."""
    return [c.path for c in plan.changes if _differs(remote.get(c.path), base.get(c.path))]


def _differs(a: RemoteFile | None, b: RemoteFile | None) -> bool:
    """Do two listed files hold different content? (an LFS and a regular entry of the same size
    cannot be told apart without the bytes: not reported as different)"""
    if a is None or b is None:
        return a is not b
    if a.size != b.size:
        return True
    if a.lfs and b.lfs:
        return a.sha256 != b.sha256
    if not a.lfs and not b.lfs:
        return a.oid != b.oid
    return False


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
