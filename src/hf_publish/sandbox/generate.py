"""Generated orgs: thousands of repos written straight into the store, without one upload.

``generate_org(sandbox, "big-org", 2000)`` adds the org (an admin ``<org>-admin`` with a classic
write token ``<org>-admin-write`` unless ``members`` are given) and its repos;
``generate_repos(sandbox, namespace, n, ...)`` adds repos to an existing namespace. Every
per-repo setting takes a value, a sequence (cycled over the repos) or a function of the repo's
index: ``private``, ``gated`` (False, "auto", "manual"), ``card`` ("valid", "broken" (YAML that
does not parse), "missing", or a README's text), ``files`` (path -> size in bytes),
``last_modified`` / ``created_at`` (datetimes), ``downloads``, ``likes``.

Files are metadata only: their sizes, LFS or xet-less pointers and git ids are recorded, no bytes
are written (a "10 GB" file costs nothing). A path the default ``.gitattributes`` tracks, or a
file of 10 MiB or more, is an LFS file; anything else is a regular file. Info, listings, trees,
paths-info and HEAD of ``resolve`` answer for them as for uploaded files; downloading their bytes
is refused (``501``). The README (and ``.gitattributes``) are real files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from . import gitmatch
from .store import default_gitattributes, git_blob_sha1, lfs_pointer
from .web import MiB

if TYPE_CHECKING:
    from .api import Sandbox

T = TypeVar("T")
Setting: TypeAlias = T | Sequence[T] | Callable[[int], T]  # a value, one per repo (cycled), or f(index)
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)
LFS_THRESHOLD_BYTES = 10 * MiB
DEFAULT_FILES = {"config.json": 2_048, "model.safetensors": 500 * 1024 * 1024}


def _pick(setting: Any, i: int) -> Any:
    if callable(setting):
        return setting(i)
    if isinstance(setting, (list, tuple)):
        return setting[i % len(setting)]
    return setting


def _default_card(i: int) -> str:
    return "broken" if i % 10 == 8 else "missing" if i % 10 == 9 else "valid"


def _card_text(kind: str, repo_id: str, repo_type: str) -> str | None:
    if kind == "missing":
        return None
    if kind == "broken":
        return f"---\nlicense: mit\ntags: [unclosed\n  - {repo_id}\n---\n# {repo_id}\n"
    if kind == "valid":
        key = "pretty_name" if repo_type == "dataset" else "library_name"
        value = repo_id.split("/")[1] if repo_type == "dataset" else "transformers"
        return f"---\nlicense: apache-2.0\n{key}: {value}\ntags:\n- generated\n---\n# {repo_id}\n\nA generated repo.\n"
    return kind  # the README's own text


def generate_repos(
    sandbox: Sandbox,
    namespace: str,
    n: int,
    *,
    repo_type: str = "model",
    prefix: str = "repo",
    private: Setting[bool] = False,
    gated: Setting[Any] = False,
    card: Setting[str] = _default_card,
    files: Setting[dict[str, int]] = DEFAULT_FILES,
    last_modified: Setting[datetime] | None = None,
    created_at: Setting[datetime] | None = None,
    downloads: Setting[int] = 0,
    likes: Setting[int] = 0,
    creator: str | None = None,
) -> list[str]:
    """Create ``n`` repos ``<namespace>/<prefix>-00000``...; their ids, in order."""
    store = sandbox.store
    attributes_bytes = default_gitattributes(repo_type)
    attributes = attributes_bytes.decode()
    gitattributes = {"oid": store.put_git_blob(attributes_bytes), "size": len(attributes_bytes)}
    width = max(len(str(n - 1)), 5)
    ids = []
    for i in range(n):
        repo_id = f"{namespace}/{prefix}-{i:0{width}d}"
        modified = _pick(last_modified, i) if last_modified is not None else EPOCH + timedelta(hours=i)
        created = _pick(created_at, i) if created_at is not None else modified - timedelta(days=30)
        tree: dict[str, dict[str, Any]] = {".gitattributes": gitattributes}
        text = _card_text(_pick(card, i), repo_id, repo_type)
        if text is not None:
            data = text.encode()
            tree["README.md"] = {"oid": store.put_git_blob(data), "size": len(data)}
        for path, size in _pick(files, i).items():
            seed = f"{repo_type}/{repo_id}/{path}:{size}".encode()
            if size >= LFS_THRESHOLD_BYTES or gitmatch.lfs_tracked(attributes, path):
                sha256 = hashlib.sha256(seed).hexdigest()
                pointer = lfs_pointer(sha256, size)
                tree[path] = {
                    "oid": git_blob_sha1(pointer),
                    "size": size,
                    "virtual": True,
                    "lfs": {"oid": sha256, "size": size, "pointerSize": len(pointer)},
                }
            else:
                tree[path] = {"oid": hashlib.sha1(seed).hexdigest(), "size": size, "virtual": True}
        meta = {
            "private": bool(_pick(private, i)),
            "gated": _pick(gated, i),
            "creator": creator,
            "createdAt": _iso(created),
            "lastModified": _iso(modified),
            "downloads": int(_pick(downloads, i)),
            "likes": int(_pick(likes, i)),
            "generated": True,
        }
        if repo_type == "space":
            meta["sdk"] = "gradio"
        store.import_repo(repo_type, repo_id, meta, tree, at=modified.timestamp(), author=creator or namespace)
        ids.append(repo_id)
    return ids


def generate_org(
    sandbox: Sandbox,
    org: str,
    n: int,
    *,
    members: dict[str, str] | None = None,
    plan: str = "team",
    seats: int | None = None,
    fullname: str | None = None,
    **repo_settings: Any,
) -> list[str]:
    """Add the org ``org`` (see the module doc) and ``n`` generated repos in it; their ids."""
    if members is None:
        members = {f"{org}-admin": "admin"}
        sandbox.auth.add_user(f"{org}-admin", fullname=f"{org} admin")
        sandbox.auth.add_token(f"{org}-admin-write", f"{org}-admin")
    sandbox.auth.add_org(org, members, fullname=fullname, plan=plan, seats=seats)
    admins = [m for m, r in members.items() if r == "admin"]
    repo_settings.setdefault("creator", admins[0] if admins else None)
    return generate_repos(sandbox, org, n, **repo_settings)


def _iso(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
