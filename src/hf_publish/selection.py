"""What a publish uploads, decided ONCE: the local side of every plan, and the file list the
publish-time checks run over.

The repo folder's files (in a git checkout: tracked files still present plus untracked ones git
does not ignore; symlinks never), less the `ignore` globs (`hf_publish.paths.matches`), `.git` and
`.cache` folders and the policy file itself. In a git checkout the ids come from git itself: a
clean regular file's index blob id IS the Hub's oid, and a clean LFS file's pointer names the
sha256 the Hub lists, so unchanged files are recognised without reading a byte of them.

This module sits below both `checks` (which scan exactly this list) and `publishing` (which
uploads it): neither selects files by rules of its own.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Protocol

from hf_publish import _git, paths
from hf_publish._record import Record
from hf_publish.errors import GitError

NEVER_DELETED = (".gitattributes",)
LFS_SIZE_THRESHOLD = 10 * 1024 * 1024  # the Hub sends files >= 10 MiB to LFS
HASH_CHUNK = 8 * 1024 * 1024


class LocalFile(Record, frozen=False):
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


# --- which paths ------------------------------------------------------------------------------


def is_ignored(path: str, ignore: Sequence[str]) -> bool:
    """`ignore` globs, by the one matcher every check uses too (`hf_publish.paths.matches`)."""
    return bool(ignore) and paths.matches(path, ignore)


def is_forbidden(path: str) -> bool:
    return paths.is_skipped(path)


def is_managed(path: str, ignore: Sequence[str]) -> bool:
    """May a publish delete this remote path? (see the module docstring)"""
    return path not in NEVER_DELETED and not is_ignored(path, ignore) and not is_forbidden(path)


def is_published(path: str, ignore: Sequence[str], exclude: Iterable[str]) -> bool:
    """Is `path` (relative to the repo folder) among what a publish uploads, by the rules above?"""
    return not is_forbidden(path) and path not in exclude and not is_ignored(path, ignore)


def _regular_file(full: Path) -> os.stat_result | None:
    """The file's stat when it is a regular file (never through a symlink: it may point outside)."""
    try:
        info = full.lstat()
    except OSError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def policy_exclude(policy_path: Path | None, folder: Path) -> tuple[str, ...]:
    """The policy file's path inside the repo folder, if it is there: it is never published."""
    if policy_path is None:
        return ()
    try:
        return (policy_path.resolve().relative_to(folder.resolve()).as_posix(),)
    except ValueError:
        return ()


# --- the local side ----------------------------------------------------------------------------
# What a publish uploads is decided HERE, once: `folder_paths` / `checkout_paths` list it, the
# publish-time checks run over exactly that list, and `list_folder` / `list_checkout` add the ids.


def folder_paths(folder: Path, *, ignore: Sequence[str] = (), exclude: Iterable[str] = ()) -> list[str]:
    """Every regular file below `folder` (outside git), relative to it, that a publish uploads."""
    exclude = set(exclude)
    out = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in paths.SKIPPED_FOLDERS)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(folder).as_posix()
            if is_published(rel, ignore, exclude) and _regular_file(full) is not None:
                out.append(rel)
    return sorted(out)


def list_folder(folder: Path, *, ignore: Sequence[str] = (), exclude: Iterable[str] = ()) -> dict[str, LocalFile]:
    """The files a publish uploads from a folder outside git: every id is computed by hashing on
    demand; LFS as the folder's own .gitattributes says (asked of git), else the Hub's size rules."""
    rels = folder_paths(folder, ignore=ignore, exclude=exclude)
    attrs: dict[str, dict[str, str]] = {}
    if any(rel.rpartition("/")[2] == ".gitattributes" for rel in rels):
        try:
            attrs = _git.folder_check_attr(folder, rels, ("filter",))
        except GitError:  # no git on this machine: the Hub's own rules decide alone
            attrs = {}
    files: dict[str, LocalFile] = {}
    for rel in rels:
        full = folder / rel
        info = _regular_file(full)
        if info is None:
            continue
        lfs = True if attrs.get(rel, {}).get("filter") == "lfs" else None
        files[rel] = LocalFile(rel, full, info.st_size, lfs=lfs)
    return files


def _checkout_candidates(
    root: Path, folder: str, ignore: Sequence[str], exclude: Iterable[str]
) -> tuple[str, list[_git.IndexEntry], list[str]]:
    """(prefix, index entries, untracked paths) of what a publish of `folder` uploads: tracked
    regular files still present plus untracked files git does not ignore, less `ignore`, the skipped
    folders and `exclude`; symlinks never (they may point outside the repo)."""
    exclude = set(exclude)
    folder = PurePosixPath(folder).as_posix()
    prefix = "" if folder in ("", ".") else folder.rstrip("/") + "/"
    entries = [
        e
        for e in _git.index_entries(root, [folder] if prefix else None)
        if e.mode in _git.REGULAR_FILE_MODES
        and is_published(e.path[len(prefix) :], ignore, exclude)
        and _regular_file(root / e.path) is not None
    ]
    tracked = {e.path for e in entries}
    untracked = [
        p
        for p in _git.untracked_paths(root, folder if prefix else ".")
        if p not in tracked and is_published(p[len(prefix) :], ignore, exclude) and _regular_file(root / p) is not None
    ]
    return prefix, entries, untracked


def checkout_paths(
    root: Path, folder: str = ".", *, ignore: Sequence[str] = (), exclude: Iterable[str] = ()
) -> list[str]:
    """The files a publish of `folder` uploads from a git checkout, relative to the ROOT."""
    _, entries, untracked = _checkout_candidates(root, folder, ignore, exclude)
    return sorted([e.path for e in entries] + untracked)


def list_checkout(
    root: Path, folder: str = ".", *, ignore: Sequence[str] = (), exclude: Iterable[str] = ()
) -> dict[str, LocalFile]:
    """The folder's files in a git checkout (as `checkout_paths`), keyed relative to the folder,
    with ids taken from git for every file the working tree has not changed.

    `folder` is relative to `root`; `exclude` holds paths relative to `folder`.
    """
    _git.refresh_index(root)  # else racily-clean files are re-read by every git call below
    prefix, entries, untracked = _checkout_candidates(root, folder, ignore, exclude)
    dirty = _git.modified_paths(root)
    attrs = _git.check_attr(root, [e.path for e in entries] + untracked, ("filter",))
    lfs_oids = [e.oid for e in entries if attrs.get(e.path, {}).get("filter") == "lfs" and e.path not in dirty]
    pointer_blobs = _git.read_blobs(root, lfs_oids, max_bytes=_git.MAX_POINTER_SIZE)
    regular_oids = [
        e.oid
        for e in entries
        if attrs.get(e.path, {}).get("filter") in (None, "unspecified", "unset") and e.path not in dirty
    ]
    regular_blobs = _git.blob_sizes(root, regular_oids)

    files: dict[str, LocalFile] = {}
    for entry in entries:
        full = root / entry.path
        info = _regular_file(full)
        if info is None:
            continue  # deleted (or replaced by a symlink) since the listing
        rel = entry.path[len(prefix) :]
        filter_attr = attrs.get(entry.path, {}).get("filter")
        is_lfs = filter_attr == "lfs"
        local = LocalFile(rel, full, info.st_size, lfs=is_lfs, dirty=entry.path in dirty)
        if entry.path not in dirty:
            if is_lfs:
                blob = pointer_blobs.get(entry.oid)
                pointer = _git.parse_lfs_pointer(blob.data) if blob is not None and blob.data is not None else None
                if pointer is not None and pointer[1] == info.st_size:
                    local.sha256 = pointer[0]
                elif pointer is None and blob is not None and blob.size == info.st_size:
                    local.git_oid = entry.oid  # committed before the LFS rule: a plain blob
            else:
                # Same size as the blob: no eol/ident/encoding conversion between index and tree.
                if regular_blobs.get(entry.oid) == info.st_size and filter_attr in (None, "unspecified", "unset"):
                    local.git_oid = entry.oid
        files[rel] = local
    for path in untracked:
        info = _regular_file(root / path)
        if info is not None:
            rel = path[len(prefix) :]
            files[rel] = LocalFile(
                rel, root / path, info.st_size, lfs=attrs.get(path, {}).get("filter") == "lfs", dirty=True
            )
    return dict(sorted(files.items()))


class RepoSource(Record):
    """Where one configured repo's files come from. `in_git` is False for a folder outside any git
    work tree, and for a folder git ignores as a whole (e.g. a training job's `outputs/`)."""

    folder: Path  # absolute
    rel: str  # relative to the root, "/"-separated ("." for the root itself)
    in_git: bool
    ignore: tuple[str, ...]
    exclude: tuple[str, ...]  # paths relative to the folder never published (the policy file)

    def paths(self, root: Path) -> list[str]:
        """What a publish uploads from this folder, relative to the ROOT."""
        if self.in_git:
            return checkout_paths(root, self.rel, ignore=self.ignore, exclude=self.exclude)
        prefix = "" if self.rel in ("", ".") else self.rel + "/"
        return [prefix + p for p in folder_paths(self.folder, ignore=self.ignore, exclude=self.exclude)]

    def files(self, root: Path) -> dict[str, LocalFile]:
        """The same files, keyed relative to the folder, with their ids."""
        if self.in_git:
            return list_checkout(root, self.rel, ignore=self.ignore, exclude=self.exclude)
        return list_folder(self.folder, ignore=self.ignore, exclude=self.exclude)


def repo_source(
    root: Path, in_git: bool, folder_rel: str, *, ignore: Sequence[str] = (), policy_path: Path | None = None
) -> RepoSource:
    folder = (root / folder_rel).resolve()
    rel = folder.relative_to(root.resolve()).as_posix() if folder != root.resolve() else "."
    # A folder git ignores as a whole, with nothing tracked in it, is a plain folder for publishing.
    tracked = in_git and not (rel != "." and _git.is_ignored_folder(root, rel) and not _git.index_entries(root, [rel]))
    return RepoSource(folder, rel, tracked, tuple(ignore), policy_exclude(policy_path, folder))


class RepoLike(Protocol):
    """What `publish_paths` reads of a configured repo (policy's RepoSpec, a layer above)."""

    @property
    def path(self) -> str: ...

    @property
    def ignore(self) -> Sequence[str]: ...


def publish_paths(root: Path, specs: Sequence[RepoLike], *, in_git: bool, policy_path: Path | None = None) -> list[str]:
    """Every file (relative to the root) a publish of the configured repos `specs` uploads, by the
    same listing publish itself uses; with no repo configured, every file the work tree holds."""
    if not specs:
        return repo_source(root, in_git, ".").paths(root)
    out: set[str] = set()
    for spec in specs:
        if (root / spec.path).is_dir():
            out.update(repo_source(root, in_git, spec.path, ignore=spec.ignore, policy_path=policy_path).paths(root))
    return sorted(out)


def checkout_is_dirty(root: Path, source: RepoSource) -> bool:
    """Does what this folder publishes differ from HEAD's tree (staged, modified, deleted or
    untracked files the rules keep)? Then the publish is not "of" its git commit alone."""
    prefix = "" if source.rel in ("", ".") else source.rel + "/"
    return any(
        is_published(p[len(prefix) :], source.ignore, source.exclude)
        for p in _git.changed_since_head(root, source.rel)
        if p.startswith(prefix)
    )


def pointer_standing_in(files: dict[str, LocalFile]) -> list[str]:
    """LFS-tracked files whose working-tree bytes are an LFS pointer, not the content (no `git lfs pull`)."""
    out = []
    for local in files.values():
        if local.lfs and local.sha256 is None and local.size <= _git.MAX_POINTER_SIZE:
            try:
                data = local.source.read_bytes()
            except OSError:
                continue
            if _git.parse_lfs_pointer(data) is not None:
                out.append(local.path)
    return out
