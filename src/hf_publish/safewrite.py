"""The one way hf-publish writes a file into a checkout (`check lfs --fix`, `init`) or a data folder
(`refresh-vocab`): never through a symlink, never outside the work tree.

A checkout is untrusted: a committed `.gitattributes -> .git/config` would turn "append an LFS
rule" into writing git configuration (`core.fsmonitor=...` runs on the next git command). So every
part of the path, from the root to the file, must be a real folder or file, and the new content is
written to a fresh temporary file (`O_EXCL | O_NOFOLLOW`) that then replaces the target: even a link
planted after the check is replaced, never followed.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from hf_publish.errors import UnsafeWriteError


def _describe_link(path: Path) -> str:
    try:
        return f"a symlink (to {os.readlink(path)!r})"
    except OSError:
        return "a symlink"


def write_problem(path: Path, root: Path | None = None) -> str | None:
    """Why writing `path` is refused, or None. With `root`, `path` must be inside it and every folder
    from `root` down must be real; without, the file and its folder must not be links."""
    path = Path(os.path.abspath(path))
    if root is None:
        for part in (path.parent, path):
            if part.is_symlink():
                return f"{part} is {_describe_link(part)}"
        return None
    root = Path(os.path.abspath(root))
    try:
        relative = path.relative_to(root)
    except ValueError:
        return f"{path} is outside the work tree {root}"
    if not relative.parts or ".." in relative.parts:
        return f"{path} is outside the work tree {root}"
    current = root
    for name in relative.parts:
        current = current / name
        if current.is_symlink():
            return f"{current.relative_to(root).as_posix()} is {_describe_link(current)}"
    return None


def write_file(path: Path, data: bytes, *, root: Path | None = None, what: str = "") -> None:
    """Replace `path` with `data` (atomically, keeping its mode), or raise UnsafeWriteError."""
    problem = write_problem(path, root)
    if problem:
        raise UnsafeWriteError(
            f"refusing to write {what or path.name}: {problem}; hf-publish never writes "
            "through a symlink or outside the work tree. Next: replace the link with a real "
            "file (git rm the link, then add a regular file) and run again"
        )
    try:
        mode = os.stat(path, follow_symlinks=False).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def make_folders(folder: Path, root: Path) -> None:
    """`mkdir -p folder` inside `root`, refusing a symlink anywhere on the way."""
    problem = write_problem(folder, root) if Path(os.path.abspath(folder)) != Path(os.path.abspath(root)) else None
    if problem:
        raise UnsafeWriteError(f"refusing to create {folder}: {problem}. Next: use a real folder inside the repo")
    folder.mkdir(parents=True, exist_ok=True)
