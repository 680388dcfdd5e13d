"""What a check run looks at: the `CheckContext` every check receives, and the one rule for which
files that is (staged, every tracked file, the files named, or at publish time exactly what the
publish uploads, listed by `hf_publish.selection`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

from hf_publish import _git
from hf_publish._record import Record, field
from hf_publish.policy.model import PRESENCE_LFS_PATTERNS, Policy, RepoSpec

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from typing import Literal

    Source = Literal["index", "worktree"]

# What a run with files named lists of the index besides them (`CheckContext.named_index`): every
# .gitattributes (they decide what is in LFS), and the weights kinds whose presence requires a rule.
NAMED_INDEX_GLOBS = ("**/.gitattributes", *[f"**/{p}" for p in PRESENCE_LFS_PATTERNS])


class CheckContext(Record, frozen=False):
    """What a check may look at.

    `files`: paths (relative to `root`) named on the command line, e.g. by pre-commit; None means
    "choose": every tracked file with `all_files`, else what is staged. `source` says where file
    contents come from: the index at commit time (what is about to be committed), the working tree
    at publish time (what is about to be uploaded). `in_git` is False outside a git work tree.
    """

    root: Path
    policy: Policy
    policy_path: Path | None = None
    files: tuple[str, ...] | None = None
    all_files: bool = False
    source: Source = "index"
    fix: bool = False
    in_git: bool = True
    env: dict[str, str] = field(default_factory=dict)
    repos: tuple[str, ...] | None = None  # restrict to these configured repo names (publish)
    # At publish time: the files the publish uploads (relative to `root`), as the plan listed them.
    upload: tuple[str, ...] | None = None

    @cached_property
    def index(self) -> tuple[_git.IndexEntry, ...]:
        """Every index entry (stage 0), listed once per run however many checks ask."""
        return tuple(self._index_listing())

    @cached_property
    def _index_listing(self) -> Callable[[], list[_git.IndexEntry]]:
        return _git.index_entries_later(self.root)

    @cached_property
    def named_index(self) -> tuple[_git.IndexEntry, ...]:
        """With files named (a hook): the index entries of those files and of what NAMED_INDEX_GLOBS
        names, asked of git by pathspec, so that a 10,000-file index is not listed and parsed for
        a 5-file commit. Without files named, the whole index."""
        if self.files is None:
            return self.index
        return tuple(self._named_listing())

    @cached_property
    def _named_listing(self) -> Callable[[], list[_git.IndexEntry]]:
        return _git.index_entries_later(self.root, self.files or (), NAMED_INDEX_GLOBS)

    def prefetch_index(self) -> None:
        """Start listing what `named_index` holds now: git works while the run goes on."""
        if self.files is None:
            if "index" not in self.__dict__:
                self._index_listing  # noqa: B018 (the property starts git)
        elif "named_index" not in self.__dict__:
            self._named_listing  # noqa: B018

    @cached_property
    def blobs(self) -> _git.BlobReader:
        """Sizes and first bytes of staged blobs: one git process for every check of the run
        (`run_checks` closes it)."""
        return _git.BlobReader(self.root)

    def close(self) -> None:
        """Stop the git process `blobs` started, if any."""
        reader = self.__dict__.pop("blobs", None)
        if reader is not None:
            reader.close()

    def target_paths(self) -> list[str]:
        """The files this run is about.

        In "worktree" mode (publish time) that is exactly what a publish of the selected repos
        uploads: the list handed over in `upload`, else the same list computed by the plan layer
        (`selection.publish_paths`), so the checks never select files by rules of their own.
        """
        if self.files is not None:
            return list(self.files)
        if self.source == "worktree":
            if self.upload is None:
                from hf_publish.selection import publish_paths

                self.upload = tuple(
                    publish_paths(self.root, self.selected_repos(), in_git=self.in_git, policy_path=self.policy_path)
                )
            return list(self.upload)
        if not self.in_git:
            return sorted(
                p.relative_to(self.root).as_posix()
                for p in self.root.rglob("*")
                if p.is_file() and ".git" not in p.relative_to(self.root).parts
            )
        if self.all_files:
            return [entry.path for entry in self.index]
        return _git.staged_paths(self.root)

    def selected_repos(self) -> tuple[RepoSpec, ...]:
        if self.repos is None:
            return self.policy.repos
        return tuple(r for r in self.policy.repos if r.name in self.repos)


# --- gathering inputs (shared by the lfs and secrets checks) ---------------------------------


def staged_entries(
    ctx: CheckContext, index: Sequence[_git.IndexEntry] | None = None, paths: Sequence[str] | None = None
) -> tuple[list[_git.IndexEntry], list[str]]:
    """Index entries of the files this run is about (or of `paths`), and the named files not in
    the index.

    With `index` (the whole index, already listed) nothing more is asked of git: a named path
    selects its entry, or the entries below it when it is a folder, as a literal pathspec does."""
    if paths is None:
        if ctx.files is None and ctx.all_files:
            return [e for e in (index or ctx.index) if e.mode in _git.REGULAR_FILE_MODES], []
        paths = ctx.target_paths()
    if index is not None:
        entries = _select(index, paths)
    elif len(paths) <= 200:
        entries = _git.index_entries(ctx.root, paths)
    else:  # thousands of pathspecs make ls-files slow: list everything once and filter
        wanted = set(paths)
        entries = [e for e in ctx.index if e.path in wanted]
    found = {e.path for e in entries}
    missing = [p for p in paths if p not in found]
    return [e for e in entries if e.mode in _git.REGULAR_FILE_MODES], missing


def _select(index: Sequence[_git.IndexEntry], paths: Sequence[str]) -> list[_git.IndexEntry]:
    wanted = set(paths)
    exact = [e for e in index if e.path in wanted]
    folders = tuple(f"{p.rstrip('/')}/" for p in wanted - {e.path for e in exact})
    if not folders:
        return exact
    return [e for e in index if e.path in wanted or e.path.startswith(folders)]


def read_worktree_head(root: Path, path: str, limit: int) -> tuple[int, bytes] | None:
    """(size, first `limit` bytes) of a working-tree file, or None if it is not a regular file."""
    full = root / path
    try:
        if full.is_symlink() or not full.is_file():
            return None
        with full.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            return size, handle.read(limit)
    except OSError:
        return None
