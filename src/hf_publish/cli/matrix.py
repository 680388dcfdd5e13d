"""`hf-publish matrix`: the configured repos whose folders changed, as a GitHub Actions job matrix.

    hf-publish matrix --base "$BEFORE"   ->   {"repo": ["bert-korean-sentiment-v2", "kor-news-v1"]}

A monorepo workflow feeds this to `strategy.matrix` so that each changed repo publishes in its own
job. When the base commit is unknown (a new branch's all-zero `before`, a shallow clone that cut
it off, a first commit) every repo is listed: publishing an unchanged repo is a no-op on the Hub,
skipping a changed one is a silent miss.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from hf_publish.errors import EXIT_OK
from hf_publish.policy.model import POLICY_FILENAME, Policy, RepoSpec
from hf_publish.report import json_text

if TYPE_CHECKING:
    from hf_publish.tokens import Redactor

# Files that affect every repo when they change.
SHARED_FILES = (".gitattributes",)


def _inside(path: str, folder: str) -> bool:
    folder = PurePosixPath(folder).as_posix()
    return folder in (".", "") or path == folder or path.startswith(folder.rstrip("/") + "/")


def changed_repos(repos: Sequence[RepoSpec], changed: Iterable[str], policy_file: str | None = None) -> list[str]:
    """Names of the repos whose folder holds a changed path (all when the policy or a shared file changed)."""
    changed = list(changed)
    shared = set(SHARED_FILES) | ({policy_file} if policy_file else set())
    if any(path in shared for path in changed):
        return [spec.name for spec in repos]
    return [spec.name for spec in repos if any(_inside(path, spec.path) for path in changed)]


def matrix_for(root: Path, policy: Policy, base: str | None, policy_file: str | None = None) -> dict[str, list[str]]:
    from hf_publish import _git

    names = [spec.name for spec in policy.repos]
    base_sha = _git.resolve_commit(root, base or "HEAD~1")
    head_sha = _git.resolve_commit(root, "HEAD")
    if base_sha is None or head_sha is None:
        return {"repo": names}
    return {"repo": changed_repos(policy.repos, _git.changed_paths(root, base_sha, head_sha), policy_file)}


def command_matrix(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    from hf_publish import _git
    from hf_publish.errors import UsageError
    from hf_publish.policy.load import find_policy_file, load_policy

    cwd = Path.cwd()
    root = _git.find_root(cwd)
    if root is None:
        raise UsageError(f"{cwd} is not inside a git repository. Next: run hf-publish matrix in the checkout")
    policy_path = find_policy_file(root, getattr(args, "config", None))
    shown = None
    if policy_path is not None:
        try:
            shown = policy_path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            shown = str(policy_path)
    policy = load_policy(policy_path, display_path=shown, root=root)
    base = getattr(args, "base", None)
    print(json_text(matrix_for(root, policy, base, shown or POLICY_FILENAME), indent=None, separators=(",", ":")))
    return EXIT_OK
