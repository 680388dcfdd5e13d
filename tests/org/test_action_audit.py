"""The Action's `mode: audit`, run as action.yml's main step (`hf-publish gh-action`) with a
GitHub-shaped environment against the sandbox (the gh-action harness of tests/action)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.action.test_gh_action import gh_action
from tests.helpers import git
from tests.org.conftest import ORG, admin_token


def consumer(tmp_path: Path) -> Path:
    repo = tmp_path / "workspace"
    repo.mkdir()
    (repo / ".hf-publish.yaml").write_text(f"organization: {ORG}\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "policy")
    return repo


def test_audit_mode_annotates_summarizes_writes_the_report_and_fails_on_errors(audit_org, tmp_path: Path):
    repo = consumer(tmp_path)
    token = admin_token(audit_org)
    step = gh_action(
        repo,
        tmp_path,
        event="schedule",
        mode="audit",
        token=token,
        endpoint=audit_org.endpoint,
        audit_report="org-audit.html",
        fail_on="error",
    )
    assert step.returncode == 1, step.stdout + step.stderr
    assert f"::add-mask::{token}" in step.stdout.splitlines()[0]
    assert token not in "\n".join(step.stdout.splitlines()[1:]) + step.stderr + step.summary
    assert step.commands("error") and len(step.commands("error")) <= 50
    assert f"## hf-publish org audit: {ORG}" in step.summary and "### Largest repos" in step.summary
    report = repo / "org-audit.html"
    assert step.outputs["audit-report"] == str(report) and report.read_text().startswith("<!DOCTYPE html>")
    counts = json.loads(step.outputs["audit-findings"])
    assert counts["error"] > 0 and set(counts) == {"error", "warning", "notice"}
    assert step.outputs["changed"] == "false" and step.outputs["plan"] == "[]"
    # nothing was written to the Hub: every request of the audit is a read
    assert {r.method for r in audit_org.requests} <= {"GET", "HEAD"}


def test_audit_mode_with_fail_on_never_passes_and_on_a_pull_request_sees_public_repos_only(audit_org, tmp_path: Path):
    repo = consumer(tmp_path)
    step = gh_action(
        repo,
        tmp_path,
        event="pull_request",
        mode="audit",
        token=admin_token(audit_org),
        endpoint=audit_org.endpoint,
        fail_on="never",
        payload={
            "pull_request": {"number": 1, "head": {"ref": "x"}, "base": {"ref": "main"}},
            "repository": {"full_name": "acme-ai/models", "default_branch": "main"},
        },
    )
    assert step.returncode == 0, step.stdout + step.stderr
    assert any("public repos only" in line for line in step.commands("notice"))


def test_a_bad_fail_on_input_is_a_usage_error(audit_org, tmp_path: Path):
    step = gh_action(consumer(tmp_path), tmp_path, mode="audit", endpoint=audit_org.endpoint, fail_on="sometimes")
    assert step.returncode == 2 and "fail-on input" in step.commands("error")[0]
    assert step.outputs["audit-report"] == ""
