"""Shared helpers: drive publish, snapshot the Hub, compare it with a checkout."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.publish.helpers import REPO, Checkout, git
from tests.publish.helpers import WRITE_PATHS as PUBLISH_WRITE_PATHS

# Requests that write to the Hub or start an upload, settings changes included (none may be made when
# a run must change nothing).
WRITE_PATHS = (*PUBLISH_WRITE_PATHS, "/settings")


def write_requests(sandbox) -> list:
    return [r for r in sandbox.requests if any(p in r.path for p in WRITE_PATHS)]


@dataclass(frozen=True)
class HubState:
    """A repo's branch head, its number of commits and every file's bytes: equal states = nothing changed."""

    head: str | None
    commits: int
    files: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def of(cls, sandbox, repo_id: str = REPO, revision: str = "main") -> HubState:
        head = sandbox.head(repo_id, revision=revision)
        if head is None:
            return cls(None, 0, {})
        files = {
            p: sandbox.read_file(repo_id, p, revision=revision) for p in sandbox.list_files(repo_id, revision=revision)
        }
        return cls(head, len(sandbox.commits(repo_id, revision=revision)), files)


def local_files(checkout: Checkout, ignore: tuple[str, ...] = (".hf-publish.yaml",)) -> dict[str, bytes]:
    """What the example's policy publishes: every file of the checkout but .git, the policy file and
    the `*.tmp` / `runs/` ignores."""
    out = {}
    for path in sorted(checkout.path.rglob("*")):
        rel = path.relative_to(checkout.path).as_posix()
        if path.is_dir() or rel.split("/")[0] == ".git" or rel in ignore:
            continue
        if rel.endswith(".tmp") or rel.startswith("runs/"):
            continue
        out[rel] = path.read_bytes()
    return out


def assert_mirrors(sandbox, checkout: Checkout, repo_id: str = REPO) -> None:
    """The Hub repo holds exactly the checkout's publishable files, byte for byte (plus .gitattributes)."""
    state = HubState.of(sandbox, repo_id)
    mine = local_files(checkout)
    theirs = {p: b for p, b in state.files.items() if p != ".gitattributes" or ".gitattributes" in mine}
    assert sorted(theirs) == sorted(mine), f"remote {sorted(theirs)} != local {sorted(mine)}"
    for path, data in mine.items():
        assert theirs[path] == data, f"{path}: remote bytes differ from the checkout"


def clone(origin: Checkout, dest: Path) -> Checkout:
    """An independent checkout of the same git repo (a copy keeps the LFS objects in place)."""
    shutil.copytree(origin.path, dest, symlinks=True)
    return Checkout(dest)


class Publisher:
    """hf_publish.publishing.run.publish with an HfApi on the sandbox and a named token."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.sleeps: list[float] = []
        self.logs: list[str] = []

    def api(self, token: str = "alice-fg-org"):
        from hf_publish.publishing.hub import make_api

        return make_api(self.sandbox.endpoint, self.sandbox.tokens[token])

    def run(
        self,
        checkout: Checkout,
        token: str = "alice-fg-org",
        *,
        real_sleep: bool = False,
        sleep: Callable[[float], None] | None = None,
        **kwargs: Any,
    ):
        from hf_publish.publishing.run import publish

        def record(seconds: float) -> None:
            self.sleeps.append(seconds)
            if real_sleep:
                time.sleep(seconds)

        kwargs.setdefault("env", {})
        kwargs.setdefault("log", self.logs.append)
        return publish(checkout.path, api=self.api(token), sleep=sleep or record, **kwargs)


def changes_per_commit(sandbox, repo_id: str = REPO, revision: str = "main") -> list[set[str]]:
    """For each commit on the branch, oldest first, the paths it added, changed or deleted."""
    repo = sandbox.store.get("model", repo_id)
    head = sandbox.head(repo_id, revision=revision)
    history = list(reversed(sandbox.store.history(repo, head)))
    out, previous = [], {}
    for commit in history:
        tree = commit["tree"]
        out.append({p for p in set(tree) | set(previous) if tree.get(p) != previous.get(p)})
        previous = tree
    return out


def commit_statuses(sandbox) -> list[int]:
    return [r.status for r in sandbox.requests if "/commit/" in r.path]


__all__ = [
    "REPO",
    "Checkout",
    "HubState",
    "Publisher",
    "assert_mirrors",
    "changes_per_commit",
    "clone",
    "commit_statuses",
    "git",
    "local_files",
    "write_requests",
]
