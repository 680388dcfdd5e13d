"""`branch-name`: the branch follows `naming.branch.allowed`; protected branches take no commits.

Which branch is meant depends on where the check runs:
- pre-push: the branch being pushed to (PRE_COMMIT_REMOTE_BRANCH), else the local one;
- GitHub Actions: the pull request's head branch (GITHUB_HEAD_REF) or the pushed branch. The
  `protected` rule is about committing, so it is not applied there: a push to main in Actions is
  a merge that already happened;
- otherwise: the checked-out branch (a commit is being made on it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import fnmatchcase

from hf_publish._record import Record
from hf_publish.checks._inputs import CheckContext
from hf_publish.findings import Finding, shell_quote
from hf_publish.policy.model import BranchNaming

CHECK_ID = "branch-name"


class BranchUnderTest(Record):
    name: str | None  # None: detached HEAD or a tag build
    origin: str  # where the name came from, for messages
    committing: bool  # True when a commit/push lands on this branch directly
    pushed_from: str | None = None  # at pre-push: the local branch whose commits are pushed
    remote: str = "origin"  # at pre-push: the remote pushed to


def _strip_heads(ref: str) -> str:
    return ref[len("refs/heads/") :] if ref.startswith("refs/heads/") else ref


def branch_from_env(env: Mapping[str, str], checked_out: str | None) -> BranchUnderTest:
    if env.get("PRE_COMMIT_REMOTE_BRANCH"):
        local = _strip_heads(env.get("PRE_COMMIT_LOCAL_BRANCH") or "HEAD")
        return BranchUnderTest(
            _strip_heads(env["PRE_COMMIT_REMOTE_BRANCH"]),
            "the branch being pushed to",
            True,
            pushed_from=checked_out if local == "HEAD" else local,
            remote=env.get("PRE_COMMIT_REMOTE_NAME") or "origin",
        )
    if env.get("PRE_COMMIT_LOCAL_BRANCH"):
        return BranchUnderTest(_strip_heads(env["PRE_COMMIT_LOCAL_BRANCH"]), "the branch being pushed", True)
    if env.get("GITHUB_ACTIONS") == "true":
        if env.get("GITHUB_HEAD_REF"):
            return BranchUnderTest(env["GITHUB_HEAD_REF"], "the pull request's branch", False)
        ref = env.get("GITHUB_REF", "")
        if ref.startswith("refs/heads/"):
            return BranchUnderTest(_strip_heads(ref), "the pushed branch", False)
        return BranchUnderTest(None, f"GITHUB_REF={ref or 'unset'}", False)
    return BranchUnderTest(checked_out, "the current branch", True)


def slug(text: str) -> str:
    """`Feature/New_Tokenizer` -> `new-tokenizer`: the part after any prefix, lowercase kebab."""
    last = text.rsplit("/", 1)[-1]
    return re.sub(r"[^a-z0-9]+", "-", last.lower()).strip("-") or "short-description"


def check_branch(branch: BranchUnderTest, naming: BranchNaming) -> list[Finding]:
    if branch.name is None:
        return [
            Finding(
                CHECK_ID,
                "",
                None,
                f"no branch to check ({branch.origin}: detached HEAD or tag build)",
                severity="notice",
            )
        ]
    name = branch.name
    if branch.committing and any(fnmatchcase(name, p) for p in naming.protected):
        if branch.origin == "the branch being pushed to":
            return [_protected_push(branch, naming)]
        return [
            Finding(
                CHECK_ID,
                "",
                None,
                f"{branch.origin} {name!r} is protected: no direct commits; work reaches it through pull requests",
                "move your work to a branch: git switch -c feature/<short-description> (then commit there and open a PR)",
            )
        ]
    if not any(fnmatchcase(name, p) for p in naming.allowed):
        allowed = ", ".join(naming.allowed)
        return [
            Finding(
                CHECK_ID,
                "",
                None,
                f"{branch.origin} {name!r} does not match the allowed branch names: {allowed}",
                f"rename it: git branch -m {shell_quote(name)} {shell_quote('feature/' + slug(name))}",
            )
        ]
    return []


def _protected_push(branch: BranchUnderTest, naming: BranchNaming) -> Finding:
    """A push to a protected branch: the fix depends on the branch the commits come from."""
    source, remote = branch.pushed_from, shell_quote(branch.remote)
    message = f"the branch being pushed to {branch.name!r} is protected: no direct pushes; work reaches it through pull requests"
    ok_source = (
        source is not None
        and any(fnmatchcase(source, p) for p in naming.allowed)
        and not any(fnmatchcase(source, p) for p in naming.protected)
    )
    if ok_source:
        assert source is not None
        fix = f"push your branch instead and open a pull request from it: git push -u {remote} {shell_quote(source)}"
    else:
        fix = (
            "move the commits to a branch and push that: git switch -c feature/<short-description> && "
            f"git push -u {remote} feature/<short-description> (then open a pull request)"
        )
    return Finding(CHECK_ID, "", None, message, fix)


def run(ctx: CheckContext) -> list[Finding]:
    from hf_publish import _git

    checked_out = _git.current_branch(ctx.root) if ctx.in_git else None
    if not ctx.in_git and "GITHUB_ACTIONS" not in ctx.env and "PRE_COMMIT_REMOTE_BRANCH" not in ctx.env:
        return [Finding(CHECK_ID, "", None, "not a git repository: no branch to check", severity="notice")]
    branch = branch_from_env(ctx.env, checked_out)
    findings = check_branch(branch, ctx.policy.branch_naming)
    if findings and branch.origin == "the current branch" and _no_commit_under_way(ctx):
        # `pre-commit run --all-files` (or a check by hand) on main with nothing staged commits nothing.
        return [
            Finding(
                CHECK_ID,
                "",
                None,
                f"the current branch {branch.name!r} is protected, and nothing is staged: no commit to refuse "
                "(a commit made here would be refused)",
                "commit on a branch: git switch -c feature/<short-description>",
                severity="notice",
            )
            if f.message.endswith("no direct commits; work reaches it through pull requests")
            else f
            for f in findings
        ]
    return findings


def _no_commit_under_way(ctx: CheckContext) -> bool:
    """Nothing staged and not inside `git commit` (git sets GIT_INDEX_FILE for its commit hooks)."""
    from hf_publish import _git

    return ctx.in_git and "GIT_INDEX_FILE" not in ctx.env and not _git.staged_paths(ctx.root)
