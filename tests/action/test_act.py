"""The real action.yml, run by a runner implementation nobody here wrote: act in host mode.

Each test copies the fixture consumer repo into a scratch git repo, runs one event through act
(`uses: org/hf-publish@v1`, mapped to this checkout), and checks the job result, the annotations,
the outputs (recorded by a later workflow step) and the state of the Hub sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import git

pytestmark = [pytest.mark.act, pytest.mark.slow]

REPO_ID = "acme-ai/kor-sentiment-v1"
REPOSITORY = {"full_name": "acme-ai/models", "default_branch": "main", "fork": False}


def push(ref: str) -> dict:
    return {"ref": ref, "before": "0" * 40, "repository": REPOSITORY}


def pull_request(*, fork: bool) -> dict:
    head_repo = {"full_name": "eve/models", "fork": True} if fork else REPOSITORY
    return {
        "number": 7,
        "action": "opened",
        "repository": REPOSITORY,
        "pull_request": {
            "number": 7,
            "head": {"ref": "feature/tune-threshold", "repo": head_repo},
            "base": {"ref": "main", "repo": REPOSITORY},
        },
    }


def assert_token_never_shown(run, token: str) -> None:
    assert token not in run.log
    assert all(token not in value for value in run.outputs.values())


def test_pull_request_with_a_failing_card_fails_with_an_annotation_on_the_line(consumer, run_act, hub_sandbox):
    card = consumer / "model" / "README.md"
    card.write_text(card.read_text().replace("license: apache-2.0", "license: apache-2.0-or-later"))
    git(consumer, "commit", "-q", "-am", "a license id the Hub does not know")
    token = hub_sandbox.tokens["bob-fg-org"]

    run = run_act(consumer, "pull_request", pull_request(fork=False), endpoint=hub_sandbox.endpoint, token=token)

    assert run.returncode != 0 and run.outputs["OUTCOME"] == "failure"
    errors = run.lines("::error file=model/README.md,line=4,")
    assert errors and "apache-2.0-or-later" in errors[0], run.log[-3000:]
    assert "| `model-card` | ❌ 1 error(s) |" in run.summary
    assert run.outputs["CHANGED"] == "false" and json.loads(run.outputs["PLAN"]) == []
    assert hub_sandbox.requests == []  # checks never touch the Hub
    assert "the setup-python stand-in ran" not in run.log
    assert_token_never_shown(run, token)


def test_fork_pull_request_without_a_token_passes_checks_and_says_publishing_was_skipped(
    consumer, run_act, hub_sandbox
):
    run = run_act(consumer, "pull_request", pull_request(fork=True), endpoint=hub_sandbox.endpoint, token=None)

    assert run.returncode == 0, run.log[-3000:]
    assert run.outputs["OUTCOME"] == "success"
    notices = run.lines("::notice title=hf-publish::Publishing skipped")
    assert len(notices) == 1 and "fork" in notices[0]
    assert not run.lines("::error")
    assert run.outputs["CHANGED"] == "false" and run.outputs["COMMIT_SHA"] == ""
    assert hub_sandbox.requests == []


def test_push_to_main_creates_the_org_repo_and_sets_the_outputs(consumer, run_act, hub_sandbox):
    token = hub_sandbox.tokens["bob-fg-org"]

    run = run_act(consumer, "push", push("refs/heads/main"), endpoint=hub_sandbox.endpoint, token=token)

    assert run.returncode == 0, run.log[-3000:]
    head = hub_sandbox.head(REPO_ID)
    assert head and run.outputs["COMMIT_SHA"] == head
    assert run.outputs["REPO_URL"] == f"{hub_sandbox.endpoint}/{REPO_ID}"
    assert run.outputs["COMMIT_URL"].endswith(head) and run.outputs["COMMIT_URL"].startswith(hub_sandbox.endpoint)
    assert run.outputs["CHANGED"] == "true" and run.outputs["TAG"] == "" and run.outputs["PR_URL"] == ""
    plan = json.loads(run.outputs["PLAN"])
    assert [r["repo_id"] for r in plan] == [REPO_ID] and plan[0]["created"] is True
    assert sorted(plan[0]["plan"]["add"]) == ["README.md", "config.json"]
    assert {"README.md", "config.json"} <= set(hub_sandbox.list_files(REPO_ID))
    assert hub_sandbox.read_file(REPO_ID, "config.json") == (consumer / "model" / "config.json").read_bytes()
    assert f"({run.outputs['COMMIT_URL']})" in run.summary  # the summary links the Hub commit
    assert "the setup-python stand-in ran" not in run.log
    assert_token_never_shown(run, token)


def test_tag_push_releases_the_hub_tag_at_the_published_commit(consumer, run_act, hub_sandbox, hub_api):
    git(consumer, "tag", "v1.0.0")
    run = run_act(
        consumer,
        "push",
        push("refs/tags/v1.0.0"),
        endpoint=hub_sandbox.endpoint,
        token=hub_sandbox.tokens["bob-fg-org"],
    )

    assert run.returncode == 0, run.log[-3000:]
    assert run.outputs["TAG"] == "v1.0.0"
    refs = hub_api("alice-read").list_repo_refs(REPO_ID)
    tags = {t.name: t.target_commit for t in refs.tags}
    assert tags == {"v1.0.0": run.outputs["COMMIT_SHA"]}
    assert hub_sandbox.head(REPO_ID) == run.outputs["COMMIT_SHA"]
    assert f"[<code>v1\\.0\\.0</code>]({run.outputs['REPO_URL']}/tree/v1.0.0)" in run.summary


def test_push_with_nothing_changed_makes_no_commit(consumer, run_act, hub_sandbox):
    token = hub_sandbox.tokens["bob-fg-org"]
    first = subprocess.run(
        [sys.executable, "-m", "hf_publish", "publish", "--endpoint", hub_sandbox.endpoint, "--format", "json"],
        cwd=consumer,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_TOKEN": token},
    )
    assert first.returncode == 0, first.stderr
    published = hub_sandbox.head(REPO_ID)
    hub_sandbox.clear_log()

    run = run_act(consumer, "push", push("refs/heads/main"), endpoint=hub_sandbox.endpoint, token=token)

    assert run.returncode == 0, run.log[-3000:]
    assert run.outputs["CHANGED"] == "false"
    assert run.outputs["COMMIT_SHA"] == published == hub_sandbox.head(REPO_ID)
    commits = [r for r in hub_sandbox.requests if r.method == "POST" and "/commit/" in r.path]
    assert commits == [] and hub_sandbox.requests  # it did ask the Hub, and wrote nothing
    assert "no change" in run.summary
