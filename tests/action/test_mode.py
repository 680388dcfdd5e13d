"""action.py's pure parts: inputs, the auto-mode decision per event, outputs, summary, commands."""

from __future__ import annotations

import json
import re

import pytest

from hf_publish.action.decide import Decision, Event, Inputs, decide
from hf_publish.action.runner import oidc_resource
from hf_publish.action.summary import command_line, format_outputs, outputs_for, render_summary
from hf_publish.errors import UsageError
from hf_publish.findings import Finding
from hf_publish.policy.model import ReleasePolicy

REPO = {"repository": {"default_branch": "main", "full_name": "acme-ai/models"}}


def pr(fork: bool) -> Event:
    head = "eve/models" if fork else "acme-ai/models"
    payload = {
        **REPO,
        "pull_request": {
            "head": {"ref": "feature/x", "repo": {"full_name": head, "fork": fork}},
            "base": {"ref": "main", "repo": {"full_name": "acme-ai/models"}},
        },
    }
    return Event("pull_request", "refs/pull/7/merge", payload)


AUTO = Inputs()


@pytest.mark.parametrize(
    "event, mode, tag",
    [
        (Event("push", "refs/heads/main", REPO), "publish", None),
        (Event("push", "refs/heads/feature/new-head", REPO), "check", None),
        (Event("push", "refs/tags/v1.2.0", REPO), "release", "v1.2.0"),
        (Event("push", "refs/tags/nightly", REPO), "check", None),
        (Event("push", "refs/heads/main", {**REPO, "deleted": True}), "check", None),
        (Event("schedule", "refs/heads/main", REPO), "check", None),
        (Event("workflow_dispatch", "refs/heads/main", REPO), "check", None),
        (Event("workflow_dispatch", "refs/heads/main", {**REPO, "inputs": {"mode": "publish"}}), "publish", None),
    ],
)
def test_auto_mode_follows_the_event(event, mode, tag):
    decision = decide(AUTO, event)
    assert (decision.mode, decision.tag) == (mode, tag)
    if mode == "check":
        assert decision.notice and "Publishing skipped" in decision.notice


def test_default_branch_comes_from_the_payload():
    payload = {"repository": {"default_branch": "trunk"}}
    assert decide(AUTO, Event("push", "refs/heads/trunk", payload)).mode == "publish"
    assert decide(AUTO, Event("push", "refs/heads/main", payload)).mode == "check"


def test_pull_requests_are_only_checked_and_forks_are_told_why():
    own, fork = decide(AUTO, pr(False)), decide(AUTO, pr(True))
    assert own.mode == fork.mode == "check"
    assert pr(True).is_fork and not pr(False).is_fork
    assert "fork" in fork.notice and "fork" not in own.notice


def test_release_pattern_comes_from_the_policy():
    calver = ReleasePolicy(tag_pattern=r"^release-\d{4}\.\d{2}$")
    assert decide(AUTO, Event("push", "refs/tags/release-2026.11", REPO), calver).mode == "release"
    assert decide(AUTO, Event("push", "refs/tags/v1.0.0", REPO), calver).mode == "check"


def test_explicit_mode_overrides_the_event():
    assert decide(Inputs(mode="publish"), pr(False)).mode == "publish"
    assert decide(Inputs(mode="check"), Event("push", "refs/heads/main", REPO)).mode == "check"
    with pytest.raises(UsageError, match="needs a tag push"):
        decide(Inputs(mode="release"), Event("push", "refs/heads/main", REPO))
    with pytest.raises(UsageError, match="does not match release.tag_pattern"):
        decide(Inputs(mode="release"), Event("push", "refs/tags/nightly", REPO))


@pytest.mark.parametrize(
    "env, message",
    [
        ({"INPUT_MODE": "deploy"}, "mode input"),
        ({"INPUT_DRY_RUN": "maybe"}, "dry-run input"),
        ({"INPUT_ENDPOINT": "ftp://hub"}, "endpoint input"),
    ],
)
def test_bad_inputs_are_usage_errors(env, message):
    with pytest.raises(UsageError, match=message):
        Inputs.from_env(env)


def test_inputs_are_normalised():
    inputs = Inputs.from_env(
        {
            "INPUT_MODE": " Publish ",
            "INPUT_DRY_RUN": "TRUE",
            "INPUT_REPOS": "a, b\nc",
            "INPUT_ENDPOINT": "http://127.0.0.1:9/",
            "INPUT_CONFIG": "",
        }
    )
    assert inputs == Inputs(
        mode="publish", dry_run=True, repos=("a", "b", "c"), endpoint="http://127.0.0.1:9", config=".hf-publish.yaml"
    )


def parse_output_file(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it (NAME=VALUE and NAME<<DELIM ... DELIM)."""
    values, lines = {}, text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != delim:
                body.append(lines[i])
                i += 1
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values


def test_outputs_survive_multiline_and_json_values():
    results = [
        {
            "repo_id": "acme-ai/a-v1",
            "repo_url": "http://hub/acme-ai/a-v1",
            "commit_sha": "1" * 40,
            "commit_url": "http://hub/acme-ai/a-v1/commit/1",
            "pr_url": None,
            "tag": "v1.0.0",
            "changed": True,
            "plan": {"add": ["x\ny"], "note": "EOF"},
        },
        {
            "repo_id": "acme-ai/b-v1",
            "repo_url": "http://hub/acme-ai/b-v1",
            "commit_sha": "2" * 40,
            "commit_url": "http://hub/acme-ai/b-v1/commit/2",
            "tag": "v1.0.0",
            "changed": False,
            "plan": {},
        },
    ]
    parsed = parse_output_file(format_outputs(outputs_for(results)))
    assert parsed["repo-url"].splitlines() == ["http://hub/acme-ai/a-v1", "http://hub/acme-ai/b-v1"]
    assert parsed["commit-sha"].splitlines() == ["1" * 40, "2" * 40]
    assert parsed["changed"] == "true" and parsed["tag"] == "v1.0.0" and parsed["pr-url"] == ""
    assert json.loads(parsed["plan"]) == results


def test_check_only_outputs_are_empty_but_defined():
    parsed = parse_output_file(format_outputs(outputs_for([])))
    assert parsed == {
        "repo-url": "",
        "commit-sha": "",
        "commit-url": "",
        "pr-url": "",
        "tag": "",
        "changed": "false",
        "plan": "[]",
        "audit-report": "",
        "audit-findings": "",
    }


def test_workflow_command_escaping():
    line = command_line("error", "50% done\nnext: 100%", file="a,b:c.md")
    assert line == "::error file=a%2Cb%3Ac.md,title=hf-publish::50%25 done%0Anext: 100%25"


def test_summary_links_commit_and_tag_and_counts_findings():
    findings = [
        Finding("model-card", "model/README.md", 3, "bad | license", severity="error"),
        Finding("lfs", ".gitattributes", None, "missing *.gguf", severity="warning"),
    ]
    result = {
        "repo_id": "acme-ai/a-v1",
        "repo_url": "http://hub/acme-ai/a-v1",
        "commit_sha": "abcdef123456",
        "commit_url": "http://hub/acme-ai/a-v1/commit/abcdef123456",
        "tag": "v1.0.0",
        "changed": True,
        "created": True,
        "plan": {"add": ["a", "b"], "update": [], "delete": ["c"]},
    }
    text = render_summary(
        Decision("release", "push of release tag v1.0.0", tag="v1.0.0"),
        ["config", "model-card", "lfs"],
        findings,
        [result],
        published=True,
    )
    assert "| `config` | ✅ passed |" in text
    assert "| `model-card` | ❌ 1 error(s) |" in text and "| `lfs` | ⚠️ 1 warning(s) |" in text
    assert "bad \\| license" in text  # a pipe in a message does not break the table
    assert text.index("model/README\\.md") < text.index("\\.gitattributes")  # worst first
    assert "[`abcdef12`](http://hub/acme-ai/a-v1/commit/abcdef123456)" in text
    assert "[<code>v1\\.0\\.0</code>](http://hub/acme-ai/a-v1/tree/v1.0.0)" in text
    assert "+2 ~0 -1" in text and "(repo created)" in text


@pytest.mark.parametrize(
    "repo_type, resource",
    [("model", "acme-ai/a-v1"), ("dataset", "datasets/acme-ai/a-v1"), ("space", "spaces/acme-ai/a-v1")],
)
def test_oidc_resource_names_the_repo_type(repo_type, resource):
    assert oidc_resource("acme-ai/a-v1", repo_type) == resource


def test_no_token_message_is_one_actionable_line():
    from hf_publish.action.runner import NO_TOKEN_MESSAGE

    line = command_line("error", NO_TOKEN_MESSAGE)
    assert "\n" not in line and re.search(r"secrets\.HF_TOKEN", line) and "id-token: write" in line
