"""The commit-time checks: one module each, run through one registry.

Every check module exposes `run(ctx: CheckContext) -> list[Finding]`, which gathers its inputs
(through `hf_publish.gitrepo`, never the network) and hands them to pure functions that hold the
rules. Modules are imported only when their check runs, so a hook pays only for itself.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from hf_publish.findings import Finding
from hf_publish.policy import Policy

# Order is the order checks run and report in.
CHECKS: dict[str, str] = {
    "config": "hf_publish.checks.config",
    "repo-name": "hf_publish.checks.repo_name",
    "branch-name": "hf_publish.checks.branch_name",
    "model-card": "hf_publish.checks.model_card",
    "lfs": "hf_publish.checks.lfs",
    "secrets": "hf_publish.checks.secrets",
    "members": "hf_publish.checks.members",
}
CHECK_IDS = tuple(CHECKS)
# The checks that judge content; publish runs these (branch-name is about committing, not publishing).
CONTENT_CHECK_IDS = ("config", "repo-name", "model-card", "lfs", "secrets")

Source = Literal["index", "worktree"]


@dataclass
class CheckContext:
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

    def target_paths(self) -> list[str]:
        """The files this run is about.

        In "worktree" mode (publish time) that is exactly what a publish of the selected repos
        uploads: the list handed over in `upload`, else the same list computed by the plan layer
        (`plan.publish_paths`), so the checks never select files by rules of their own.
        """
        from hf_publish import gitrepo

        if self.files is not None:
            return list(self.files)
        if self.source == "worktree":
            if self.upload is None:
                from hf_publish.plan import publish_paths

                self.upload = tuple(publish_paths(self.root, self.selected_repos(), in_git=self.in_git,
                                                  policy_path=self.policy_path))
            return list(self.upload)
        if not self.in_git:
            return sorted(
                p.relative_to(self.root).as_posix()
                for p in self.root.rglob("*")
                if p.is_file() and ".git" not in p.relative_to(self.root).parts
            )
        if self.all_files:
            return [entry.path for entry in gitrepo.index_entries(self.root)]
        return gitrepo.staged_paths(self.root)

    def selected_repos(self):
        if self.repos is None:
            return self.policy.repos
        return tuple(r for r in self.policy.repos if r.name in self.repos)


def run_checks(check_ids: list[str] | tuple[str, ...], ctx: CheckContext) -> list[Finding]:
    """Run the named checks in registry order and return every finding."""
    findings: list[Finding] = []
    for check_id in CHECK_IDS:
        if check_id in check_ids:
            module = importlib.import_module(CHECKS[check_id])
            findings.extend(module.run(ctx))
    return findings
