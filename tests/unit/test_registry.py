"""checks/registry.py: the check ids, the order they run and report in, and the hooks that run them."""

from __future__ import annotations

from pathlib import Path

import yaml

from hf_publish.checks._inputs import CheckContext
from hf_publish.checks.registry import CHECK_IDS, CHECKS, CONTENT_CHECK_IDS, run_checks
from hf_publish.policy.model import Policy, RepoSpec
from tests.helpers import git, init_repo, write

ROOT = Path(__file__).resolve().parents[2]


def test_every_check_has_a_hook_of_its_name_and_every_hook_runs_its_check():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == list(CHECK_IDS)
    for hook in hooks:
        assert hook["entry"] == f"hf-publish check {hook['id']}"


def test_publish_runs_the_content_checks_and_never_branch_name():
    assert set(CONTENT_CHECK_IDS) <= set(CHECK_IDS) and "branch-name" not in CONTENT_CHECK_IDS
    assert all(CHECKS[c].startswith("hf_publish.checks.") for c in CHECK_IDS)


def test_checks_run_and_report_in_registry_order_whatever_order_they_are_named_in(tmp_path):
    repo = init_repo(tmp_path / "repo", branch="main", lfs=False)
    write(repo / "model" / "README.md", "no front matter\n")
    write(repo / "model" / "w.bin", b"\0" * 10)
    git(repo, "add", ".")
    policy = Policy(organization="acme", repos=(RepoSpec(name="Bad_Name", path="model"),))
    ctx = CheckContext(root=repo, policy=policy, in_git=True)
    found = run_checks(["lfs", "model-card", "branch-name", "repo-name"], ctx)
    order = [f.check for f in found]
    assert order == sorted(order, key=CHECK_IDS.index)
    assert {"repo-name", "branch-name", "model-card", "lfs"} <= set(order)
    assert "secrets" not in order  # only what was named runs
