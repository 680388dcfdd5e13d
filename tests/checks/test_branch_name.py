from __future__ import annotations

from pathlib import Path

import pytest

from hf_publish.checks.branch_name import BranchUnderTest, branch_from_env, check_branch
from hf_publish.cli import main
from hf_publish.policy.model import BranchNaming
from tests.helpers import git, init_repo

NAMING = BranchNaming()


@pytest.mark.parametrize("name", ["feature/new-tokenizer", "experiment/attention-mechanism", "hotfix/memory-leak"])
def test_allowed_branches_pass(name):
    assert check_branch(BranchUnderTest(name, "the current branch", True), NAMING) == []


def test_commit_on_protected_branch_is_refused_with_the_fix():
    [finding] = check_branch(BranchUnderTest("main", "the current branch", True), NAMING)
    assert "protected" in finding.message
    assert finding.fix.startswith("move your work to a branch: git switch -c feature/")


def test_unknown_branch_gets_a_rename_fix():
    [finding] = check_branch(BranchUnderTest("Johns_WIP", "the current branch", True), NAMING)
    assert "does not match the allowed branch names" in finding.message
    assert finding.fix == "rename it: git branch -m Johns_WIP feature/johns-wip"


def test_pre_push_checks_the_remote_branch():
    branch = branch_from_env(
        {"PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main", "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/feature/x"}, "feature/x"
    )
    assert branch.name == "main" and branch.committing
    assert check_branch(branch, NAMING)[0].message.startswith("the branch being pushed to 'main' is protected")


def test_actions_checks_the_pr_branch_and_never_refuses_main():
    pr = branch_from_env({"GITHUB_ACTIONS": "true", "GITHUB_HEAD_REF": "wip"}, None)
    assert pr.name == "wip" and check_branch(pr, NAMING)
    merged = branch_from_env({"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main"}, None)
    assert check_branch(merged, NAMING) == []
    tag = branch_from_env({"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/tags/v1.0.0"}, None)
    assert [f.severity for f in check_branch(tag, NAMING)] == ["notice"]


def test_real_repo_detached_head_passes_with_a_note(tmp_path: Path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r", branch="main", lfs=False)
    git(repo, "commit", "-q", "--allow-empty", "-m", "first")
    monkeypatch.chdir(repo)
    for var in ("GITHUB_ACTIONS", "GITHUB_HEAD_REF", "PRE_COMMIT_REMOTE_BRANCH", "PRE_COMMIT_LOCAL_BRANCH"):
        monkeypatch.delenv(var, raising=False)
    (repo / "train.py").write_text("x = 1\n")
    git(repo, "add", "train.py")  # a commit is about to be made on main
    assert main(["check", "branch-name"]) == 1
    assert "[branch-name] the current branch 'main' is protected" in capsys.readouterr().out
    git(repo, "commit", "-q", "-m", "second")
    git(repo, "checkout", "-q", "--detach")
    assert main(["check", "branch-name"]) == 0
    assert "detached HEAD" in capsys.readouterr().out


def test_repo_with_no_commits_checks_the_unborn_branch(tmp_path: Path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r", branch="feature/first", lfs=False)
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["check", "branch-name"]) == 0
