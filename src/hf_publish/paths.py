"""Paths: the ONE matcher for the policy's globs, and the file names the Hub refuses.

Imported by the hooks (lfs, secrets), so it imports nothing heavy.

Glob rules (`repos[].ignore`, `secrets.exclude`), matched against the whole path, case-sensitively:
- `fnmatch` rules, as huggingface_hub's `upload_folder(ignore_patterns=...)`: `*` crosses `/`
  (`*.tmp` matches `a/b/c.tmp`), `?` and `[...]` as usual;
- a pattern without `/` names a path at the top only (`upload.py` is not `scripts/upload.py`;
  `*.py` is every .py file, because `*` crosses `/`);
- a trailing `/` means everything below that folder (`runs/` = `runs/*`);
- a leading `/` anchors at the top, as every pattern already is (`/runs/` = `runs/`);
- `**/` at the start also matches at the top (`**/x.bin` matches `x.bin` and `a/b/x.bin`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from fnmatch import fnmatchcase

from hf_publish._record import Record

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from typing import Literal

# Folders huggingface_hub's CommitOperation refuses (`FORBIDDEN_FOLDERS`): never published, never deleted.
SKIPPED_FOLDERS = (".git", ".cache")
MAX_SEGMENT_BYTES = 255  # NAME_MAX: the longest file or folder name file systems (and git hosts) store
MAX_PATH_BYTES = 4096  # PATH_MAX


def normalize_glob(pattern: str) -> str:
    pattern = pattern.lstrip("/")
    return pattern + "*" if pattern.endswith("/") else pattern


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Does any glob of `patterns` match `path` (relative, `/`-separated)? See the module docstring."""
    for raw in patterns:
        pattern = normalize_glob(raw)
        if fnmatchcase(path, pattern) or (pattern.startswith("**/") and fnmatchcase(path, pattern[3:])):
            return True
    return False


def is_skipped(path: str) -> bool:
    """Inside a `.git/` or `.cache/` folder (exact case): left out of every publish, as upload_folder does."""
    return any(part in SKIPPED_FOLDERS for part in path.split("/"))


class PathProblem(Record):
    severity: Literal[
        "error", "warning"
    ]  # "error": the Hub or the client refuses it; "warning": stored, but trouble for users
    message: str


def hub_path_problem(path: str) -> PathProblem | None:
    """Why a file at `path` cannot be published as it is, or None.

    Errors: what huggingface_hub's CommitOperation validation refuses (a `.` or `..` segment, a
    leading `/`, `.git`/`.cache` segments) and what the Hub refuses on top (a `.git` segment in
    any case, control characters, names too long to store, bytes that are not UTF-8). A
    backslash is stored by the Hub as is: only a warning, for what Windows clients make of it.
    """
    try:
        encoded = path.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes from git (surrogateescape)
        return PathProblem("error", "the file name is not valid UTF-8, and Hub paths are UTF-8 text")
    control = sorted({c for c in path if ord(c) < 32 or ord(c) == 127})
    if control:
        shown = ", ".join(f"U+{ord(c):04X}" for c in control)
        return PathProblem("error", f"the file name contains control characters ({shown}), which the Hub refuses")
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return PathProblem("error", "the path has an empty, `.` or `..` segment, which huggingface_hub refuses")
    git_like = [part for part in parts if part.lower() == ".git"]
    if git_like:
        return PathProblem(
            "error",
            f"the path has a `{git_like[0]}` segment: the Hub refuses `.git` folders and files in any letter case",
        )
    if ".cache" in parts:
        return PathProblem("error", "the path has a `.cache` segment, which huggingface_hub refuses to upload")
    long = [part for part in parts if len(part.encode("utf-8")) > MAX_SEGMENT_BYTES]
    if long:
        return PathProblem(
            "error",
            f"a file or folder name is {len(long[0].encode('utf-8'))} bytes long; names "
            f"over {MAX_SEGMENT_BYTES} bytes cannot be stored (on the Hub or in any clone)",
        )
    if len(encoded) > MAX_PATH_BYTES:
        return PathProblem(
            "error",
            f"the path is {len(encoded)} bytes long; paths over {MAX_PATH_BYTES} bytes "
            "cannot be stored (on the Hub or in any clone)",
        )
    if "\\" in path:
        return PathProblem(
            "warning",
            "the file name contains a backslash: the Hub stores it as is, but Windows "
            "clients and tools that split paths on `\\` see folders there, so downloads "
            "land elsewhere or fail",
        )
    return None


_KEY_MODULI = ((1 << 61) - 1, (1 << 31) - 1)  # two Mersenne primes


def content_key(data: bytes) -> str:
    """A cache file name for `data`: two residues of its bytes read as one integer, and its length.
    Integer arithmetic is built in, so a hook imports neither zlib nor hashlib for it. Not a
    digest to trust: every cache keeps its input beside the result and serves it only on a match."""
    number = int.from_bytes(data, "little")
    return "-".join([*(f"{number % m:x}" for m in _KEY_MODULI), str(len(data))])


def cache_home(*parts: str) -> str:
    """A folder of hf-publish's caches: `$XDG_CACHE_HOME/hf-publish/<parts>` (default ~/.cache/...)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "hf-publish", *parts)
