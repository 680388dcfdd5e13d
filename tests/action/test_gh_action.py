"""`hf-publish gh-action` (action.yml's main step) run directly with a GitHub-shaped environment.

Faster than act, for the paths the act tests do not take: no token, a refused token, Trusted
Publishing (OIDC) against the sandbox, dry runs, bad inputs, annotation paths in a sub-checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.action.conftest import FIXTURES
from tests.action.test_mode import parse_output_file
from tests.helpers import git

REPO_ID = "acme-ai/kor-sentiment-v1"
REPOSITORY = {"full_name": "acme-ai/models", "default_branch": "main"}


@dataclass
class Step:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str

    def commands(self, kind: str) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith(f"::{kind} ")]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "workspace"
    shutil.copytree(FIXTURES / "consumer", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "consumer")
    return repo


def gh_action(
    cwd: Path,
    tmp_path: Path,
    *,
    event: str = "push",
    ref: str = "refs/heads/main",
    payload: dict | None = None,
    workspace: Path | None = None,
    **inputs: str,
) -> Step:
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(payload if payload is not None else {"ref": ref, "repository": REPOSITORY}))
    output, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    output.write_text("")
    summary.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "ACTIONS_"))}
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME=event,
        GITHUB_EVENT_PATH=str(event_path),
        GITHUB_REF=ref,
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_WORKSPACE=str(workspace or cwd),
    )
    if event.startswith("pull_request"):
        env.update(GITHUB_HEAD_REF="feature/tune-threshold", GITHUB_BASE_REF="main")
    for name, value in inputs.items():
        key = name.upper()
        (env.__setitem__(key, value) if key.startswith("HF_") else env.__setitem__(f"INPUT_{key}", value))
    proc = subprocess.run(
        [sys.executable, "-m", "hf_publish", "gh-action"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    return Step(proc.returncode, proc.stdout, proc.stderr, parse_output_file(output.read_text()), summary.read_text())


def test_publish_without_any_token_fails_with_one_clear_error(checkout, tmp_path, hub_sandbox):
    step = gh_action(checkout, tmp_path, endpoint=hub_sandbox.endpoint)
    assert step.returncode == 4
    errors = step.commands("error")
    assert len(errors) == 1 and "no Hub token" in errors[0]
    assert "secrets.HF_TOKEN" in errors[0] and "id-token: write" in errors[0]
    assert step.outputs["changed"] == "false"
    assert hub_sandbox.requests == []


def test_the_token_is_masked_first_and_never_printed(checkout, tmp_path, hub_sandbox):
    token = hub_sandbox.tokens["bob-fg-org"]
    step = gh_action(checkout, tmp_path, token=token, endpoint=hub_sandbox.endpoint)
    assert step.returncode == 0, step.stdout + step.stderr
    assert step.stdout.splitlines()[0] == f"::add-mask::{token}"
    rest = "\n".join(step.stdout.splitlines()[1:]) + step.stderr + json.dumps(step.outputs) + step.summary
    assert token not in rest
    assert hub_sandbox.head(REPO_ID) == step.outputs["commit-sha"]


def test_a_push_summary_lists_the_content_checks_and_says_when_nothing_changed(checkout, tmp_path, hub_sandbox):
    token = hub_sandbox.tokens["bob-fg-org"]
    first = gh_action(checkout, tmp_path, token=token, endpoint=hub_sandbox.endpoint)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "✅ published" in first.summary
    assert "`branch-name`" not in first.summary and "`model-card`" in first.summary  # publish never runs it
    again = gh_action(checkout, tmp_path, token=token, endpoint=hub_sandbox.endpoint)
    assert again.returncode == 0 and again.outputs["changed"] == "false", again.stdout + again.stderr
    assert "no changes, the Hub already has this content" in again.summary
    assert "✅ published" not in again.summary
    pr = gh_action(
        checkout,
        tmp_path,
        event="pull_request",
        ref="refs/pull/1/merge",
        endpoint=hub_sandbox.endpoint,
        payload={"repository": REPOSITORY, "pull_request": {"number": 1, "head": {"repo": {"fork": False}}}},
    )
    assert pr.returncode == 0 and "`branch-name`" in pr.summary  # a pull request checks commits too


def test_a_refused_token_fails_with_the_hub_reason_and_no_token_text(checkout, tmp_path, hub_sandbox):
    token = hub_sandbox.tokens["dave-fg-org"]  # dave is a reader in acme-ai: cannot create repos
    step = gh_action(checkout, tmp_path, token=token, endpoint=hub_sandbox.endpoint)
    assert step.returncode == 4
    errors = step.commands("error")
    assert len(errors) == 1 and "cannot create repos" in errors[0]
    assert token not in step.stdout.replace(f"::add-mask::{token}", "") + step.stderr + step.summary
    assert hub_sandbox.head(REPO_ID) is None


def test_trusted_publishing_publishes_an_existing_repo_and_explains_a_missing_one(checkout, tmp_path, hub_sandbox):
    oidc = {"hf_oidc_id_token": hub_sandbox.oidc_id_tokens[0], "endpoint": hub_sandbox.endpoint}
    missing = gh_action(checkout, tmp_path, **oidc)
    assert missing.returncode == 4
    (error,) = missing.commands("error")
    assert "Trusted Publishing tokens cannot create repos" in error and "oidc-publish.yml" in error

    hub_sandbox.create_repo_as("alice", REPO_ID)  # the one-time bootstrap
    hub_sandbox.clear_log()
    step = gh_action(checkout, tmp_path, **oidc)
    assert step.returncode == 0, step.stdout + step.stderr
    assert any(r.path == "/oauth/token" and r.status == 200 for r in hub_sandbox.requests)
    assert step.outputs["changed"] == "true" and hub_sandbox.head(REPO_ID) == step.outputs["commit-sha"]


def test_dry_run_needs_no_token_and_changes_nothing(checkout, tmp_path, hub_sandbox):
    step = gh_action(checkout, tmp_path, endpoint=hub_sandbox.endpoint, dry_run="true")
    assert step.returncode == 0, step.stdout + step.stderr
    assert step.outputs["changed"] == "false"
    (result,) = json.loads(step.outputs["plan"])
    assert result["dry_run"] is True and sorted(result["plan"]["add"]) == ["README.md", "config.json"]
    assert "dry run" in step.summary
    assert hub_sandbox.head(REPO_ID) is None


def test_explicit_publish_on_a_fork_pull_request_skips_with_a_notice(checkout, tmp_path, hub_sandbox):
    payload = {
        "repository": REPOSITORY,
        "pull_request": {"head": {"repo": {"full_name": "eve/models", "fork": True}}, "base": {"repo": REPOSITORY}},
    }
    step = gh_action(
        checkout,
        tmp_path,
        event="pull_request",
        ref="refs/pull/3/merge",
        payload=payload,
        mode="publish",
        endpoint=hub_sandbox.endpoint,
    )
    assert step.returncode == 0
    (notice,) = step.commands("notice")
    assert "fork pull requests get no secrets" in notice
    assert not step.commands("error") and hub_sandbox.requests == []


def test_unknown_repo_name_and_bad_mode_are_one_line_usage_errors(checkout, tmp_path):
    step = gh_action(checkout, tmp_path, repos="kor-sentiment-v1, no-such-repo-v1")
    assert step.returncode == 2
    (error,) = step.commands("error")
    assert "no-such-repo-v1" in error and "kor-sentiment-v1" in error
    step = gh_action(checkout, tmp_path, mode="deploy")
    assert step.returncode == 2 and len(step.commands("error")) == 1


def test_invalid_policy_is_annotated_on_its_line(checkout, tmp_path):
    policy = checkout / ".hf-publish.yaml"
    policy.write_text(policy.read_text() + "relase:\n  tag_pattern: x\n")
    step = gh_action(checkout, tmp_path, mode="check")
    assert step.returncode == 2
    assert any(
        line.startswith("::error file=.hf-publish.yaml,line=6,") and "relase" in line for line in step.commands("error")
    )


def test_annotations_are_relative_to_the_workspace_when_checked_out_in_a_folder(checkout, tmp_path):
    card = checkout / "model" / "README.md"
    card.write_text(card.read_text().replace("## Contact", "## Contacts"))
    git(checkout, "commit", "-q", "-am", "rename a section")
    step = gh_action(
        checkout,
        tmp_path,
        event="pull_request",
        ref="refs/pull/3/merge",
        payload={"repository": REPOSITORY, "pull_request": {}},
        workspace=checkout.parent,
    )
    assert step.returncode == 1
    assert any(line.startswith("::error file=workspace/model/README.md,") for line in step.commands("error"))
    assert "nothing was published" not in step.stdout  # a pull request never publishes anyway
