"""The small part of git's pattern matching the Hub applies server-side.

The Hub (not git) decides at preupload time whether a path is LFS (remote ``.gitattributes``)
and whether it is ignored (remote ``.gitignore``); it runs its own matcher, so this one is a
plain re-implementation of gitattributes/gitignore wildmatch for the common forms: ``*``,
``?``, ``[...]``, ``**/``, ``/**``, leading ``/`` anchoring, ``!`` negation, trailing ``/``.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == n:
            out.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "^") else i + 1)
            if j == -1:
                out.append(re.escape(c))
                i += 1
                continue
            body = pattern[i + 1 : j]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = j + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


def pattern_matches(pattern: str, path: str) -> bool:
    """gitattributes/gitignore semantics: a pattern without ``/`` matches the basename anywhere."""
    if pattern.startswith("/"):
        return bool(_compile(pattern[1:]).match(path))
    if "/" not in pattern.rstrip("/"):
        return bool(_compile(pattern).match(path.rsplit("/", 1)[-1]))
    return bool(_compile(pattern).match(path))


def lfs_tracked(gitattributes: str, path: str) -> bool:
    """Is ``path`` tracked by LFS (``filter=lfs``) per this .gitattributes text? Last match wins."""
    tracked = False
    for raw in gitattributes.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        pattern, attrs = parts[0], parts[1:]
        if not pattern_matches(pattern, path):
            continue
        for attr in attrs:
            if attr == "filter=lfs":
                tracked = True
            elif attr in ("-filter", "!filter") or (attr.startswith("filter=") and attr != "filter=lfs"):
                tracked = False
    return tracked


def ignored(gitignore: str, path: str) -> bool:
    """Is ``path`` ignored by this .gitignore text (its parents count too)?"""
    rules = []
    for raw in gitignore.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate:
            line = line[1:]
        dir_only = line.endswith("/")
        rules.append((line.rstrip("/"), negate, dir_only))
    parts = path.split("/")
    candidates = [("/".join(parts[: i + 1]), i < len(parts) - 1) for i in range(len(parts))]
    for candidate, is_dir in candidates:
        state = False
        for pattern, negate, dir_only in rules:
            if dir_only and not is_dir:
                continue
            if pattern_matches(pattern, candidate):
                state = not negate
        if state:
            return True
    return False
